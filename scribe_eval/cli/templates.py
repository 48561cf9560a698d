"""``scribe-eval templates``: pull the catalogue, scaffold, validate and diff template files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from scribe_eval import api
from scribe_eval.errors import TemplateError
from scribe_eval.templates import (
    DEFAULT_CATALOGUE_ROOT,
    Catalogue,
    Outline,
    diff_outlines,
    fetch_target_catalogue,
    is_snapshot_template,
    load_snapshot_template,
    load_template_file,
    outline_of_spec,
    outline_of_template,
    parse_template_file,
    pull_snapshot,
    resolve_catalogue,
    scaffold_template,
    validate_template_file,
)

_TARGET_HELP = "'embedded' or an API base URL (credentials from SCRIBE_EVAL_* variables)."
_CATALOGUE_HELP = "A snapshot folder (default: newest under templates/catalogue/, else built-in)."


def _target_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option("--catalogue", type=click.Path(path_type=Path), help=_CATALOGUE_HELP)(func)
    func = click.option("--target", help=_TARGET_HELP)(func)
    return click.option("--lang", "langs", multiple=True, help="Language (repeatable).")(func)


def _catalogue(target: str | None, catalogue: Path | None, langs: tuple[str, ...]) -> Catalogue:
    if target and catalogue:
        raise click.UsageError("give --target or --catalogue, not both")
    if target:
        return asyncio.run(fetch_target_catalogue(target, langs or ("en",)))
    return resolve_catalogue(catalogue)


@click.group("templates")
def templates() -> None:
    """Author templates as files: pull -> new -> edit -> validate -> run -> report."""


@templates.command("pull")
@click.option("--target", required=True, help=_TARGET_HELP)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_CATALOGUE_ROOT,
    show_default=True, help="Folder of dated snapshots.",
)  # fmt: skip
@click.option("--lang", "langs", multiple=True, help="Language (repeatable; default: all 8).")
def pull(target: str, output: Path, langs: tuple[str, ...]) -> None:
    """Save the target's templates and sections as OUTPUT/<YYYY-MM-DD>/."""
    folder = pull_snapshot(target, output, langs)
    templates_count = len(list((folder / "templates").glob("*.yaml")))
    sections_count = len(list((folder / "sections").glob("*.yaml")))
    click.echo(f"{folder}: {templates_count} templates, {sections_count} sections")


@templates.command("list")
@_target_options
@click.option("--sections", "show_sections", is_flag=True, help="List sections, not templates.")
def list_(
    target: str | None, catalogue: Path | None, langs: tuple[str, ...], show_sections: bool
) -> None:
    """List the catalogue's templates (or sections) with their languages."""
    cat = _catalogue(target, catalogue, langs)
    click.echo(f"# {cat.origin}")
    if show_sections:
        for key, section in cat.sections.items():
            if _listed(cat.section_languages.get(key, ()), langs):
                name = _name(section, langs)
                click.echo(f"{key:45} {name:30} {' '.join(cat.section_languages[key])}")
        return
    for key, template in cat.templates.items():
        if _listed(cat.template_languages.get(key, ()), langs):
            count = len(template.template_sections)
            languages = " ".join(cat.template_languages[key])
            name = _name(template, langs)
            click.echo(f"{key:35} {name:30} {count:2} sections  {languages}")


def _listed(available: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return not wanted or any(lang in available for lang in wanted)


def _name(item: api.Template | api.Section, langs: tuple[str, ...]) -> str:
    """The name in the first ``--lang`` asked for (the snapshot holds translations), else as is."""
    return item.name_in(langs[0]) if langs else item.name


def _description(item: api.Template | api.Section, langs: tuple[str, ...]) -> str | None:
    if langs:
        base = langs[0].split("-")[0].lower()
        by_language = {t.language_id.lower(): t.description for t in item.translations}
        return by_language.get(langs[0].lower()) or by_language.get(base) or item.description
    return item.description


@templates.command("show")
@click.argument("key")
@_target_options
def show(key: str, target: str | None, catalogue: Path | None, langs: tuple[str, ...]) -> None:
    """Show one stored template (its sections in order) or one section."""
    cat = _catalogue(target, catalogue, langs)
    if key in cat.templates:
        template = cat.templates[key]
        languages = " ".join(cat.template_languages[key])
        click.echo(f"{template.key}: {_name(template, langs)}  [{languages}]")
        description = _description(template, langs)
        if description:
            click.echo(f"  {description}")
        if template.documentation_mode:
            click.echo(f"  documentationMode: {template.documentation_mode}")
        for position, section in enumerate(cat.template_sections(key), start=1):
            click.echo(f"  {position}. {section.key}: {_describe(section, langs)}")
        return
    section = cat.section(key)
    click.echo(f"{key}: {_describe(section, langs)}  [{' '.join(cat.section_languages[key])}]")


def _describe(section: api.Section, langs: tuple[str, ...] = ()) -> str:
    style = section.default_writing_style.name if section.default_writing_style else None
    rule = section.default_format_rule.name if section.default_format_rule else None
    details = "; ".join(
        f"{label}: {value}" for label, value in (("style", style), ("format", rule)) if value
    )
    return f"{_name(section, langs)}" + (f" ({details})" if details else "")


@templates.command("new")
@click.argument("name")
@click.option("--from", "base", required=True, help="The stored template to start from.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Default: templates/NAME.yaml"
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_target_options
def new(
    name: str,
    base: str,
    output: Path | None,
    force: bool,
    target: str | None,
    catalogue: Path | None,
    langs: tuple[str, ...],
) -> None:
    """Scaffold a template file from a stored template, every override ready to fill in."""
    cat = _catalogue(target, catalogue, langs)
    path = output or Path("templates") / f"{name}.yaml"
    if path.exists() and not force:
        raise TemplateError(f"{path} exists — choose another NAME or -o, or pass --force")
    text = scaffold_template(name, base, cat, languages=langs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"{path}: {len(cat.template(base).template_sections)} sections from {base}")


@templates.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--catalogue", type=click.Path(path_type=Path), help=_CATALOGUE_HELP)
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], catalogue: Path | None) -> None:
    """Check template files against a catalogue; list every problem with file and line."""
    cat = resolve_catalogue(catalogue)
    problems = [problem for path in files for problem in validate_template_file(path, cat)]
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s) (against {cat.origin})")
        ctx.exit(1)
    click.echo(f"ok: {len(files)} file(s) valid against {cat.origin}")


@templates.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--catalogue", type=click.Path(path_type=Path), help=_CATALOGUE_HELP)
def diff(old: str, new: str | None, catalogue: Path | None) -> None:
    """Section differences from OLD to NEW (files, snapshot items or stored keys).

    With one argument, OLD is a template file compared with its stored ``base``.
    """
    cat = resolve_catalogue(catalogue)
    if new is None:
        new, old = old, _base_of(Path(old))
    result = diff_outlines(_outline(old, cat), _outline(new, cat))
    for line in result.lines():
        click.echo(line)


def _base_of(path: Path) -> str:
    base = parse_template_file(path).raw_field("base")
    if not isinstance(base, str) or not base.strip():
        raise TemplateError(f"{path} has no `base:` — add one, or give two templates to compare")
    return base.strip()


def _outline(argument: str, cat: Catalogue) -> Outline:
    path = Path(argument)
    if path.is_file():
        if is_snapshot_template(path):
            # A snapshot item is compared with its own section defaults, not today's catalogue.
            template, _ = load_snapshot_template(path)
            return outline_of_template(template, None, str(path))
        return outline_of_spec(load_template_file(path), cat, str(path))
    if argument in cat.templates:
        return outline_of_template(cat.templates[argument], cat, f"{argument} ({cat.origin})")
    raise TemplateError(
        f"{argument!r} is neither a file nor a template in {cat.origin} — "
        f"{cat.suggest(argument, sections=False)}"
    )
