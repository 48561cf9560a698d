"""Section-level differences between two templates: added, removed, moved, changed overrides.

Both sides are first reduced to an outline: the ordered sections, each with the effective value
of every override field (the section's catalogue default where the file sets no override), plus
template-level instructions and documentation mode. So a file compared with its stored base shows
``writingStyleOverride: 'narrative' (default) -> 'telegraphic'``, and two snapshot versions of a
template show what the vendor changed in a section's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scribe_eval import api
from scribe_eval.api import SECTION_OVERRIDE_FIELDS
from scribe_eval.templates._catalogue import Catalogue
from scribe_eval.templates._spec import TemplateSpec


@dataclass(frozen=True)
class Value:
    """An effective field value, and whether it is the catalogue's default (not an override)."""

    text: str | None
    default: bool = False

    def __str__(self) -> str:
        if self.text is None:
            return "(none)"
        shown = " ".join(self.text.split())
        shown = shown if len(shown) <= 70 else shown[:69] + "…"
        return f"{shown!r}{' (default)' if self.default else ''}"


@dataclass(frozen=True)
class Outline:
    """A template reduced to what a section-level diff compares."""

    title: str
    sections: tuple[tuple[str, Mapping[str, Value]], ...]
    settings: Mapping[str, Value] = field(default_factory=dict)

    def keys(self) -> list[str]:
        """Section keys in order."""
        return [key for key, _ in self.sections]


@dataclass(frozen=True)
class TemplateDiff:
    """The differences from ``old`` to ``new``; ``lines()`` renders them for a terminal."""

    old: str
    new: str
    old_order: tuple[str, ...]
    new_order: tuple[str, ...]
    added: tuple[tuple[str, int], ...]
    removed: tuple[tuple[str, int], ...]
    moved: tuple[tuple[str, int, int], ...]
    changed: tuple[tuple[str, str, Value, Value], ...]
    settings: tuple[tuple[str, Value, Value], ...]

    @property
    def empty(self) -> bool:
        """True when the two templates ask for the same thing."""
        return not (self.added or self.removed or self.moved or self.changed or self.settings)

    def lines(self) -> list[str]:
        """A readable, stable rendering (one change per line, positions 1-based)."""
        out = [f"--- {self.old}", f"+++ {self.new}"]
        if self.empty:
            return [*out, "no differences"]
        if self.old_order != self.new_order:
            out += [f"order: {', '.join(self.old_order)}", f"    -> {', '.join(self.new_order)}"]
        out += [f"- removed  {key} (was {pos})" for key, pos in self.removed]
        out += [f"+ added    {key} (at {pos})" for key, pos in self.added]
        out += [f"~ moved    {key}: {old} -> {new}" for key, old, new in self.moved]
        last = None
        for key, name, old_value, new_value in self.changed:
            if key != last:
                out.append(f"~ changed  {key}")
                last = key
            out.append(f"      {name}: {old_value} -> {new_value}")
        out += [f"~ template {name}: {old} -> {new}" for name, old, new in self.settings]
        return out


def outline_of_spec(spec: TemplateSpec, catalogue: Catalogue | None, title: str) -> Outline:
    """A spec's outline; a stored ``templateKey`` is looked up in ``catalogue``."""
    mode = Value(spec.documentation_mode)
    if spec.template_key is not None:
        if catalogue is None:
            return Outline(title, (), {"templateKey": Value(spec.template_key)})
        stored = outline_of_template(catalogue.template(spec.template_key), catalogue, title)
        return Outline(title, stored.sections, {**stored.settings, "documentationMode": mode})
    template = spec.template
    sections: list[api.SectionOverride]
    instructions: str | None
    if isinstance(template, api.TemplateBySections):
        sections, instructions = template.sections, template.additional_instructions_override
    else:
        assert isinstance(template, api.TemplateBySectionKeys)
        sections = [api.SectionOverride(key=key) for key in template.section_keys]
        instructions = template.additional_instructions
    entries = tuple((s.key, _effective(s, catalogue)) for s in sections)
    return Outline(title, entries, {"instructions": Value(instructions), "documentationMode": mode})


def outline_of_template(template: api.Template, catalogue: Catalogue | None, title: str) -> Outline:
    """A stored template's outline: its sections with their default values."""
    by_key = {ts.section.key: ts.section for ts in template.template_sections}
    entries = tuple(
        (key, _defaults((catalogue.sections.get(key) if catalogue else None) or by_key[key]))
        for key in template.section_keys()
    )
    settings = {
        "instructions": Value(template.additional_instructions, default=True),
        "documentationMode": Value(template.documentation_mode, default=True),
    }
    return Outline(title, entries, settings)


def diff_outlines(old: Outline, new: Outline) -> TemplateDiff:
    """Compare two outlines section by section."""
    old_keys, new_keys = old.keys(), new.keys()
    common_old = [k for k in old_keys if k in new_keys]
    common_new = [k for k in new_keys if k in old_keys]
    kept = set(_lcs(common_old, common_new))
    old_fields, new_fields = dict(old.sections), dict(new.sections)
    changed = [
        (key, name, old_fields[key].get(name, Value(None)), new_fields[key].get(name, Value(None)))
        for key in common_new
        for name in SECTION_OVERRIDE_FIELDS
        if _text(old_fields[key].get(name)) != _text(new_fields[key].get(name))
    ]
    settings = [
        (name, old.settings.get(name, Value(None)), new.settings.get(name, Value(None)))
        for name in dict.fromkeys([*old.settings, *new.settings])
        if _text(old.settings.get(name)) != _text(new.settings.get(name))
    ]
    return TemplateDiff(
        old=old.title,
        new=new.title,
        old_order=tuple(old_keys),
        new_order=tuple(new_keys),
        added=tuple((k, new_keys.index(k) + 1) for k in new_keys if k not in old_keys),
        removed=tuple((k, old_keys.index(k) + 1) for k in old_keys if k not in new_keys),
        moved=tuple(
            (k, old_keys.index(k) + 1, new_keys.index(k) + 1) for k in common_new if k not in kept
        ),
        changed=tuple(changed),
        settings=tuple(settings),
    )


def _text(value: Value | None) -> str | None:
    return value.text if value is not None else None


def _defaults(section: api.Section) -> dict[str, Value]:
    style = section.default_writing_style.name if section.default_writing_style else None
    rule = section.default_format_rule.name if section.default_format_rule else None
    return {
        "nameOverride": Value(section.name, default=True),
        "writingStyleOverride": Value(style, default=True),
        "formatRuleOverride": Value(rule, default=True),
        "additionalInstructionsOverride": Value(section.additional_instructions, default=True),
        "contentOverride": Value(None, default=True),
    }


def _effective(section: api.SectionOverride, catalogue: Catalogue | None) -> dict[str, Value]:
    stored = catalogue.sections.get(section.key) if catalogue is not None else None
    values = _defaults(stored) if stored is not None else {}
    overrides = section.model_dump(by_alias=True, exclude_none=True, exclude={"key"})
    values.update({name: Value(text) for name, text in overrides.items()})
    return values


def _lcs(a: list[str], b: list[str]) -> list[str]:
    """Longest common subsequence: the sections that kept their relative order."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out
