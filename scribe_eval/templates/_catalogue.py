"""Catalogue snapshots: a target's templates and sections per language, saved as files in git.

A snapshot folder (``templates/catalogue/<YYYY-MM-DD>/``) holds ``snapshot.yaml`` (when, from
where, which languages), ``templates/<key>.yaml`` and ``sections/<key>.yaml``: one file per item,
keys sorted, each recording the languages the target listed the item under. One file per item
keeps a vendor's change to one section a one-file diff in a pull request.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import ValidationError

from scribe_eval import api
from scribe_eval._suggest import closest
from scribe_eval._yaml import read_yaml_file
from scribe_eval.errors import TemplateError

#: The languages the contract lists stored templates in; ``templates pull`` asks for them all.
CATALOGUE_LANGUAGES: tuple[str, ...] = ("da", "de", "de-CH", "en", "en-GB", "es", "fr", "sv")
#: Where snapshots live by convention, relative to the project root.
DEFAULT_CATALOGUE_ROOT = Path("templates/catalogue")
_M = TypeVar("_M", bound=api.VendorModel)
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CatalogueSource(Protocol):
    """Where a catalogue comes from: the API client, or the emulator's built-in catalogue."""

    async def list_templates(self, *, lang: Sequence[str]) -> list[api.Template]:
        """Templates listed for the given languages."""
        ...

    async def get_template(self, key: str) -> api.Template:
        """One template with its sections."""
        ...

    async def list_template_sections(self, *, lang: Sequence[str]) -> list[api.Section]:
        """Sections listed for the given languages."""
        ...


@dataclass(frozen=True)
class Catalogue:
    """Templates and sections of one target, with the languages each was listed in.

    Attributes:
        templates: Stored templates by key.
        sections: Sections by key.
        template_languages: For each template key, the languages it was listed under.
        section_languages: For each section key, the languages it was listed under.
        languages: The languages that were asked for.
        origin: Where it came from (snapshot folder, target URL, or the built-in catalogue).
    """

    templates: Mapping[str, api.Template]
    sections: Mapping[str, api.Section]
    template_languages: Mapping[str, tuple[str, ...]]
    section_languages: Mapping[str, tuple[str, ...]]
    languages: tuple[str, ...]
    origin: str

    def template(self, key: str) -> api.Template:
        """The stored template ``key``; a ``TemplateError`` naming the closest key otherwise."""
        if key not in self.templates:
            raise TemplateError(f"no template {key!r} in {self.origin} — {self.suggest(key)}")
        return self.templates[key]

    def section(self, key: str) -> api.Section:
        """The section ``key``; a ``TemplateError`` naming the closest key otherwise."""
        if key not in self.sections:
            raise TemplateError(f"no section {key!r} in {self.origin} — {self.suggest(key)}")
        return self.sections[key]

    def suggest(self, key: str, *, sections: bool | None = None) -> str:
        """``did you mean X?`` with the closest template/section key, or how to list them."""
        pool: list[str] = []
        if sections is not True:
            pool += list(self.templates)
        if sections is not False:
            pool += list(self.sections)
        guess = closest(key, pool)
        return f"did you mean {guess}?" if guess else "see `scribe-eval templates list`"

    def template_sections(self, key: str) -> list[api.Section]:
        """A stored template's sections in order (the full section from the catalogue if known)."""
        template = self.template(key)
        by_key = {ts.section.key: ts.section for ts in template.template_sections}
        return [self.sections.get(k, by_key[k]) for k in template.section_keys()]


async def fetch_catalogue(
    source: CatalogueSource, languages: Iterable[str], *, origin: str
) -> Catalogue:
    """Ask ``source`` for its templates and sections.

    One listing per language says where each item is available; one listing with every language
    gives the items with all of those languages' translations (a per-language answer carries
    only that language's).
    """
    wanted = tuple(dict.fromkeys(languages))
    template_langs: dict[str, list[str]] = {}
    section_langs: dict[str, list[str]] = {}
    for language in wanted:
        for template in await source.list_templates(lang=[language]):
            template_langs.setdefault(template.key, []).append(language)
        for section in await source.list_template_sections(lang=[language]):
            section_langs.setdefault(section.key, []).append(language)
    templates = {t.key: t for t in await source.list_templates(lang=list(wanted))}
    sections = {s.key: s for s in await source.list_template_sections(lang=list(wanted))}
    for key in template_langs:
        # A listing may leave out the sections; the item call always carries them.
        if key not in templates or not templates[key].template_sections:
            templates[key] = await source.get_template(key)
    return Catalogue(
        templates={k: templates[k] for k in sorted(template_langs)},
        sections={k: sections[k] for k in sorted(section_langs) if k in sections},
        template_languages={k: tuple(v) for k, v in sorted(template_langs.items())},
        section_languages={k: tuple(v) for k, v in sorted(section_langs.items()) if k in sections},
        languages=wanted,
        origin=origin,
    )


def save_snapshot(catalogue: Catalogue, root: Path, *, taken: date, target: str) -> Path:
    """Write ``catalogue`` to ``root/<taken>/`` (replacing a snapshot of the same day)."""
    folder = root / taken.isoformat()
    for kind in ("templates", "sections"):
        shutil.rmtree(folder / kind, ignore_errors=True)
        (folder / kind).mkdir(parents=True)
    meta = {"taken": taken.isoformat(), "target": target, "languages": list(catalogue.languages)}
    _dump(folder / "snapshot.yaml", meta)
    for key, template in catalogue.templates.items():
        item = {
            "languages": list(catalogue.template_languages[key]),
            "template": template.to_wire(),
        }
        _dump(folder / "templates" / f"{_file_name(key)}.yaml", item)
    for key, section in catalogue.sections.items():
        item = {"languages": list(catalogue.section_languages[key]), "section": section.to_wire()}
        _dump(folder / "sections" / f"{_file_name(key)}.yaml", item)
    return folder


def load_snapshot(folder: Path) -> Catalogue:
    """Read a snapshot folder written by ``save_snapshot``."""
    meta = _load(folder / "snapshot.yaml")
    templates: dict[str, api.Template] = {}
    sections: dict[str, api.Section] = {}
    template_langs: dict[str, tuple[str, ...]] = {}
    section_langs: dict[str, tuple[str, ...]] = {}
    for path in sorted((folder / "templates").glob("*.yaml")):
        template, langs = load_snapshot_template(path)
        templates[template.key], template_langs[template.key] = template, langs
    for path in sorted((folder / "sections").glob("*.yaml")):
        item = _load(path)
        section = _parse(api.Section, item.get("section"), path)
        sections[section.key] = section
        section_langs[section.key] = tuple(item.get("languages") or ())
    return Catalogue(
        templates=templates,
        sections=sections,
        template_languages=template_langs,
        section_languages=section_langs,
        languages=tuple(meta.get("languages") or ()),
        origin=f"snapshot {folder}",
    )


def load_snapshot_template(path: Path) -> tuple[api.Template, tuple[str, ...]]:
    """A snapshot's ``templates/<key>.yaml``: the template and the languages it was listed in."""
    item = _load(path)
    return _parse(api.Template, item.get("template"), path), tuple(item.get("languages") or ())


def is_snapshot_template(path: Path) -> bool:
    """True when ``path`` is a snapshot's template item (it has a top-level ``template:``)."""
    try:
        item = read_yaml_file(path, error=TemplateError)
    except TemplateError:
        return False
    return isinstance(item, dict) and isinstance(item.get("template"), dict)


def newest_snapshot(root: Path = DEFAULT_CATALOGUE_ROOT) -> Path | None:
    """The latest dated folder under ``root`` that holds a ``snapshot.yaml``, if any."""
    if not root.is_dir():
        return None
    dated = [p for p in root.iterdir() if _DATED.match(p.name) and (p / "snapshot.yaml").is_file()]
    return max(dated, key=lambda p: p.name) if dated else None


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)


def _dump(path: Path, data: Any) -> None:
    text = yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def _load(path: Path) -> dict[str, Any]:
    try:
        data = read_yaml_file(path, what="catalogue file", error=TemplateError)
    except TemplateError as exc:
        raise TemplateError(f"{exc.message} — or pull the snapshot again") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: not a catalogue item — pull the snapshot again")
    return data


def _parse(model: type[_M], data: Any, path: Path) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(
            f"{path}: not a catalogue {model.__name__.lower()} ({exc.error_count()} errors) — "
            "pull the snapshot again"
        ) from exc
