"""Template files: YAML in git, read with line numbers, checked on their own (no catalogue needed).

A file looks like::

    label: SOAP, telegraphic
    description: SOAP with bullet lists and terse wording.
    base: corti-soap                 # the stored template it was made from (optional)
    languages: [en, de]              # output languages it is meant for
    documentationMode: global_sequential
    instructions: Never invent findings.
    sections:
      - key: corti-subjective
        nameOverride: Anamnesis
        formatRuleOverride: bullet list
      - corti-plan                   # a bare key: no overrides

or names a stored template instead of sections: ``templateKey: corti-soap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from scribe_eval import api
from scribe_eval._suggest import did_you_mean
from scribe_eval._yamlpos import Loc, LocatedYaml, load_located
from scribe_eval.api import SECTION_OVERRIDE_FIELDS, is_supported_language
from scribe_eval.errors import TemplateError
from scribe_eval.templates._spec import (
    MAX_INSTRUCTION_CHARS,
    MAX_NAME_CHARS,
    TemplateSpec,
    build_spec,
    inline_template,
)

#: The top-level keys a template file may have.
FILE_FIELDS: tuple[str, ...] = (
    "label",
    "description",
    "base",
    "templateKey",
    "languages",
    "documentationMode",
    "instructions",
    "sections",
)
SECTION_FIELDS: tuple[str, ...] = ("key", *SECTION_OVERRIDE_FIELDS)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template file, where it is, and how to fix it."""

    path: Path
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} — {self.fix}"


@dataclass
class ParsedFile:
    """A template file read as far as it could be: its data, lines, problems and (if valid) spec."""

    path: Path
    located: LocatedYaml
    problems: list[Problem] = field(default_factory=list)
    spec: TemplateSpec | None = None

    def problem(self, loc: Loc, message: str, fix: str, *, key: bool = False) -> None:
        """Record a problem at the line of ``loc``."""
        line = self.located.line_of(loc, key=key)
        self.problems.append(Problem(self.path, line, message, fix))

    def raw_sections(self) -> list[tuple[int, str]]:
        """``(index, key)`` of each section entry that names a key, however malformed the rest."""
        data = self.located.data
        sections = data.get("sections") if isinstance(data, dict) else None
        found: list[tuple[int, str]] = []
        for index, entry in enumerate(sections if isinstance(sections, list) else []):
            key = entry.get("key") if isinstance(entry, dict) else entry
            if isinstance(key, str) and key.strip():
                found.append((index, key.strip()))
        return found

    def has(self, name: str) -> bool:
        """True when the file sets top-level ``name`` to something other than null."""
        return self.raw_field(name) is not None

    def raw_field(self, name: str) -> Any:
        """A top-level value as written (None when absent or the file is not a mapping)."""
        data = self.located.data
        return data.get(name) if isinstance(data, dict) else None


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, validate_by_alias=True, validate_by_name=False
    )

    key: str = Field(min_length=1)
    name_override: str | None = None
    writing_style_override: str | None = None
    format_rule_override: str | None = None
    additional_instructions_override: str | None = None
    content_override: str | None = None


class TemplateFile(BaseModel):
    """A template file as written (camelCase keys); ``load_template_file`` reads it."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, validate_by_alias=True, validate_by_name=False
    )

    label: str | None = None
    description: str | None = None
    base: str | None = Field(default=None, min_length=1)
    template_key: str | None = Field(default=None, min_length=1)
    languages: list[str] = Field(default_factory=list)
    documentation_mode: api.DocumentationMode | None = None
    instructions: str | None = None
    sections: list[_Section] | None = Field(default=None, min_length=1)


def parse_template_file(path: Path | str) -> ParsedFile:
    """Read a template file and check it on its own; every problem found is in ``.problems``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(
            f"{path}: cannot read template file ({exc.strerror}) — check the path"
        ) from exc
    parsed = ParsedFile(path, load_located(text, path))
    for loc, _line in parsed.located.duplicate_keys:
        parsed.problem(loc, f"{loc[-1]!r} is given twice", "keep one of them", key=True)
    data = parsed.located.data
    if not isinstance(data, dict):
        parsed.problem((), "a template file must be a mapping", "start with `label: ...`")
        return parsed
    model: TemplateFile | None = None
    try:
        model = TemplateFile.model_validate(_expand_bare_keys(data))
    except ValidationError as exc:
        for error in exc.errors():
            _schema_problem(parsed, error)
    _check_raw(parsed)
    if model is not None and not parsed.problems:
        parsed.spec = _to_spec(parsed.path, model)
    return parsed


def load_template_file(path: Path | str) -> TemplateSpec:
    """Read a template file into a ``TemplateSpec``.

    Raises:
        TemplateError: ``path:line: problem — fix`` for the first problem (and how many more);
            ``scribe-eval templates validate`` lists them all.
    """
    parsed = parse_template_file(path)
    if parsed.spec is None:
        first, rest = parsed.problems[0], len(parsed.problems) - 1
        more = f" (and {rest} more: run `scribe-eval templates validate {parsed.path}`)"
        raise TemplateError(f"{first}{more if rest else ''}")
    return parsed.spec


def canonical_language(code: str) -> str:
    """The contract's spelling of a language code (``de-ch`` -> ``de-CH``), else ``code``."""
    spelled = {c.lower(): c for c in api.SUPPORTED_LANGUAGES}
    return spelled.get(code.strip().lower(), code.strip())


def _expand_bare_keys(data: dict[Any, Any]) -> dict[Any, Any]:
    sections = data.get("sections")
    if not isinstance(sections, list):
        return data
    expanded = [{"key": entry} if isinstance(entry, str) else entry for entry in sections]
    return {**data, "sections": expanded}


def _schema_problem(parsed: ParsedFile, error: ErrorDetails) -> None:
    loc: Loc = tuple(error["loc"])
    name = str(loc[-1]) if loc else ""
    kind = error["type"]
    if kind == "extra_forbidden":
        in_section = len(loc) == 3 and loc[0] == "sections"
        allowed = SECTION_FIELDS if in_section else FILE_FIELDS
        where = "a section" if in_section else "a template file"
        fix = did_you_mean(name, allowed, f"{where} takes only: {', '.join(allowed)}")
        parsed.problem(loc, f"unknown field {name!r}", fix, key=True)
    elif kind == "missing" and name == "key":
        parsed.problem(loc[:-1], "section without a key", "add `key: <section key>`")
    elif kind == "too_short" and loc == ("sections",):
        parsed.problem(loc, "empty section list", "list at least one section, or use templateKey")
    elif kind == "literal_error":
        parsed.problem(loc, f"{name} is {error['input']!r}", f"use one of: {_expected(error)}")
    elif kind == "string_type" and error["input"] is False and loc[:1] == ("languages",):
        parsed.problem(loc, "YAML reads a bare `no` as false", "quote Norwegian: 'no'")
    else:
        where = ".".join(str(part) for part in loc) or "file"
        parsed.problem(loc, f"{where}: {error['msg'].lower()}", "correct the value")


def _expected(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    return str(ctx.get("expected", "")).replace("'", "") or "the documented values"


def _check_raw(parsed: ParsedFile) -> None:
    """Checks on the data as written, so they run even when the schema found problems too."""
    has_key, has_sections = parsed.has("templateKey"), parsed.has("sections")
    if has_key and has_sections:
        parsed.problem(
            ("sections",), "both templateKey and sections", "keep one: a stored key or sections"
        )
    elif not has_key and not has_sections:
        parsed.problem((), "neither templateKey nor sections", "add `templateKey:` or `sections:`")
    if has_key and parsed.raw_field("instructions") is not None:
        parsed.problem(
            ("instructions",),
            "instructions cannot be sent with a templateKey",
            "list the template's sections instead (scribe-eval templates new NAME --from KEY)",
        )
    languages = parsed.raw_field("languages")
    for index, language in enumerate(languages if isinstance(languages, list) else []):
        if isinstance(language, str) and not is_supported_language(language):
            fix = did_you_mean(language, api.SUPPORTED_LANGUAGES, "use a contract language code")
            parsed.problem(("languages", index), f"unknown language {language!r}", fix)
    _check_text(parsed, ("instructions",), parsed.raw_field("instructions"), MAX_INSTRUCTION_CHARS)
    _check_sections(parsed)


def _check_sections(parsed: ParsedFile) -> None:
    seen: dict[str, int] = {}
    for index, key in parsed.raw_sections():
        if key in seen:
            parsed.problem(
                ("sections", index, "key"),
                f"section {key!r} is listed twice (first as section {seen[key] + 1})",
                "remove one, or merge their overrides",
            )
        seen.setdefault(key, index)
    sections = parsed.raw_field("sections")
    for index, entry in enumerate(sections if isinstance(sections, list) else []):
        if not isinstance(entry, dict):
            continue
        for name in SECTION_OVERRIDE_FIELDS:
            limit = MAX_NAME_CHARS if name == "nameOverride" else MAX_INSTRUCTION_CHARS
            _check_text(parsed, ("sections", index, name), entry.get(name), limit)


def _check_text(parsed: ParsedFile, loc: Loc, value: object, limit: int) -> None:
    if not isinstance(value, str):
        return  # None keeps the default; other types are the schema's problem
    name = str(loc[-1])
    if not value.strip():
        parsed.problem(loc, f"{name} is empty", "write the text, or set it to null for the default")
    elif len(value.strip()) > limit:
        parsed.problem(
            loc,
            f"{name} is {len(value.strip())} characters, over the {limit} limit",
            f"shorten it to at most {limit} characters",
        )


def _snake(camel: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)


def _clean(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _to_spec(path: Path, model: TemplateFile) -> TemplateSpec:
    template: api.InlineTemplate | None = None
    if model.sections is not None:
        overrides = [
            api.SectionOverride(
                key=s.key.strip(),
                name_override=_clean(s.name_override),
                writing_style_override=_clean(s.writing_style_override),
                format_rule_override=_clean(s.format_rule_override),
                additional_instructions_override=_clean(s.additional_instructions_override),
                content_override=_clean(s.content_override),
            )
            for s in model.sections
        ]
        template = inline_template(overrides, _clean(model.instructions))
    return build_spec(
        label=(model.label or "").strip() or path.stem,
        template_key=_clean(model.template_key),
        template=template,
        documentation_mode=model.documentation_mode,
        languages=tuple(canonical_language(code) for code in model.languages),
        source=path,
    )
