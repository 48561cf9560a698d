"""Validation of template files against a catalogue: every problem at once, each with its line.

The catalogue is a snapshot (``--catalogue DIR``, else the newest under ``templates/catalogue/``),
else the embedded emulator's built-in catalogue, so validation works offline.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from scribe_eval import api
from scribe_eval.api import is_supported_language
from scribe_eval.errors import TemplateError
from scribe_eval.templates._catalogue import (
    DEFAULT_CATALOGUE_ROOT,
    Catalogue,
    fetch_catalogue,
    load_snapshot,
    newest_snapshot,
)
from scribe_eval.templates._file import (
    ParsedFile,
    Problem,
    canonical_language,
    parse_template_file,
)


def validate_template_file(path: Path | str, catalogue: Catalogue | None) -> list[Problem]:
    """Every problem of one template file: its own, and against ``catalogue`` when given."""
    parsed = parse_template_file(path)
    if catalogue is not None:
        _check_against(parsed, catalogue)
    return sorted(parsed.problems, key=lambda p: p.line)


def resolve_catalogue(
    catalogue: Path | None = None, *, root: Path = DEFAULT_CATALOGUE_ROOT
) -> Catalogue:
    """The catalogue to check against: ``catalogue`` (a snapshot, or a folder of snapshots),
    else the newest snapshot under ``root``, else the emulator's built-in catalogue."""
    if catalogue is not None:
        if (catalogue / "snapshot.yaml").is_file():
            return load_snapshot(catalogue)
        newest = newest_snapshot(catalogue)
        if newest is None:
            raise TemplateError(
                f"{catalogue} holds no catalogue snapshot — "
                "make one with `scribe-eval templates pull --target embedded`"
            )
        return load_snapshot(newest)
    newest = newest_snapshot(root)
    return load_snapshot(newest) if newest is not None else builtin_catalogue()


def builtin_catalogue() -> Catalogue:
    """The built-in catalogue (the embedded emulator's), in every output language it writes."""
    builtin = api.load_builtin_catalogue()
    source = _BuiltinSource(builtin)
    languages = list(builtin.output_languages())
    return _complete(fetch_catalogue(source, languages, origin="the built-in catalogue"))


def _complete(coroutine: Coroutine[Any, Any, Catalogue]) -> Catalogue:
    """Run a coroutine that never suspends (the in-memory source awaits nothing) to its end.

    Unlike ``asyncio.run`` this works inside a running event loop too (the runner, async tests).
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: Catalogue = done.value
        return result
    coroutine.close()
    raise RuntimeError("the built-in catalogue source suspended; it must answer from memory")


class _BuiltinSource:
    """The emulator's in-memory catalogue behind the ``CatalogueSource`` protocol."""

    def __init__(self, builtin: api.CatalogueData) -> None:
        self._builtin = builtin

    async def list_templates(self, *, lang: Sequence[str]) -> list[api.Template]:
        return self._builtin.templates(lang)

    async def get_template(self, key: str) -> api.Template:
        template = self._builtin.template(key)
        if template is None:
            raise TemplateError(f"no template {key!r} in the built-in catalogue — list them")
        return template

    async def list_template_sections(self, *, lang: Sequence[str]) -> list[api.Section]:
        return self._builtin.sections(lang)


def _check_against(parsed: ParsedFile, catalogue: Catalogue) -> None:
    languages = _raw_languages(parsed)
    key = parsed.raw_field("templateKey")
    if isinstance(key, str) and key.strip():
        key = key.strip()
        if key not in catalogue.templates:
            parsed.problem(
                ("templateKey",),
                f"no template {key!r} in {catalogue.origin}",
                catalogue.suggest(key, sections=False),
            )
        else:
            _check_languages(
                parsed,
                ("templateKey",),
                key,
                catalogue.template_languages,
                languages,
                catalogue.languages,
            )
    base = parsed.raw_field("base")
    if isinstance(base, str) and base.strip() and base.strip() not in catalogue.templates:
        parsed.problem(
            ("base",),
            f"base template {base.strip()!r} is not in {catalogue.origin}",
            catalogue.suggest(base.strip(), sections=False),
        )
    for index, section_key in parsed.raw_sections():
        loc = ("sections", index, "key")
        if section_key not in catalogue.sections:
            parsed.problem(
                loc,
                f"unknown section {section_key!r} (not in {catalogue.origin})",
                catalogue.suggest(section_key, sections=True),
            )
        else:
            _check_languages(
                parsed,
                loc,
                section_key,
                catalogue.section_languages,
                languages,
                catalogue.languages,
            )
    for index, language in languages:
        if is_supported_language(language) and language not in catalogue.languages:
            parsed.problem(
                ("languages", index),
                f"{catalogue.origin} was not pulled for {language!r}",
                f"pull it with `scribe-eval templates pull --lang {language}`, or drop it",
            )


def _check_languages(
    parsed: ParsedFile,
    loc: tuple[str | int, ...],
    key: str,
    available: Mapping[str, tuple[str, ...]],
    languages: list[tuple[int, str]],
    pulled: tuple[str, ...],
) -> None:
    # A language the catalogue was never asked for is reported once, not for every section.
    listed = available.get(key, ())
    missing = [lang for _, lang in languages if lang not in listed and lang in pulled]
    if missing:
        parsed.problem(
            loc,
            f"{key!r} has no {', '.join(missing)} version "
            f"(listed in: {', '.join(listed) or 'none'})",
            f"remove {', '.join(missing)} from languages, or choose an item listed in them",
        )


def _raw_languages(parsed: ParsedFile) -> list[tuple[int, str]]:
    languages = parsed.raw_field("languages")
    if not isinstance(languages, list):
        return []
    return [
        (i, canonical_language(lang)) for i, lang in enumerate(languages) if isinstance(lang, str)
    ]
