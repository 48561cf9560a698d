"""YAML files with line numbers: load with the safe loader and keep where each value was written.

Experiment, gate and template files are validated with pydantic; its error locations (tuples of
keys and indexes) are mapped back to ``file:line`` so a message points at the offending line.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from scribe_eval._suggest import closest, closest_path
from scribe_eval._textfile import read_text_file
from scribe_eval._yaml import duplicate_key_problem
from scribe_eval._yamlpos import load_located
from scribe_eval.errors import ConfigError

Location = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class YamlDocument:
    """A parsed YAML file and the 1-based line where each value (by location) starts."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    #: Keys written twice: (location, line of the first, line of the second).
    duplicates: list[tuple[Location, int, int]] = field(default_factory=list)

    def duplicate_problems(self) -> list[str]:
        """``path:line`` lines for keys written twice (YAML keeps the last one silently)."""
        return [
            f"{self.path}:{line}: {'.'.join(str(p) for p in loc)}: "
            f"{duplicate_key_problem(loc[-1], first, line)}; keep one"
            for loc, first, line in self.duplicates
        ]

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The line of the deepest known prefix of ``loc`` (1 when nothing matches)."""
        parts = tuple(loc)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def where(self, loc: Sequence[str | int]) -> str:
        """``path:line`` for a location."""
        return f"{self.path}:{self.line_of(loc)}"

    def _in_data(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """``loc`` as a path in the file: without the tags pydantic adds for a tagged union
        (``target.embedded.model_version`` is ``target.model_version`` on line 5, not line 3)."""
        node, out = self.data, []
        for i, part in enumerate(loc):
            if isinstance(node, dict):
                if part in node:
                    node = node[part]
                elif i < len(loc) - 1 and isinstance(part, str):
                    continue  # A union's tag: no such key in the file.
                else:
                    node = None
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                node = None
            out.append(part)
        return tuple(out)

    def describe(self, error: ValidationError, known: Collection[str] = ()) -> list[str]:
        """One ``path:line: field: message`` line per pydantic error, in line order.

        An unknown key gets a "did you mean" from ``known`` (the schema's field names). A missing
        required key that an unknown sibling key misspells is one problem, not two: only the
        misspelling is reported (``templats`` on its line, not also "templates is missing").
        """
        items = error.errors()
        located = [
            self._in_data(tuple(p for p in item["loc"] if isinstance(p, str | int)))
            for item in items
        ]
        misspelt = {
            (*loc[:-1], guess)
            for item, loc in zip(items, located, strict=True)
            if item["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str)
            for guess in [closest(loc[-1], known)]
            if guess and guess != loc[-1]
        }
        out: list[tuple[int, str]] = []
        for item, loc in zip(items, located, strict=True):
            if item["type"] == "missing" and loc in misspelt:
                continue
            if item["type"] == "union_tag_invalid":
                ctx = item.get("ctx") or {}
                loc = (*loc, str(ctx.get("discriminator", "")).strip("'") or "kind")
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            message = _message(item, loc, known)
            out.append((self.line_of(loc), f"{self.where(loc)}: {dotted}: {message}"))
        return [line for _, line in sorted(out, key=lambda pair: pair[0])]


def _message(item: Any, loc: Location, known: Collection[str]) -> str:
    """The problem and its fix for one pydantic error at ``loc`` (as written in the file)."""
    kind, key = item["type"], loc[-1] if loc else ""
    ctx = item.get("ctx") or {}
    if kind == "missing" and key != "":
        return f"required key {key!r} is missing; add it"
    if kind == "value_error":  # our validators' messages, without pydantic's prefix
        return str(ctx.get("error") or item["msg"])
    if kind == "union_tag_invalid":
        return f"{ctx.get('tag')!r} is not one of {ctx.get('expected_tags')}"
    if kind in _TYPE_MESSAGES:
        bounds = {name: _written(bound) for name, bound in ctx.items()}
        return _TYPE_MESSAGES[kind].format(value=_written(item.get("input")), **bounds)
    if kind != "extra_forbidden" or not isinstance(key, str):
        return str(item["msg"])
    guess = closest(key, known)
    if guess == key:
        # Right spelling, wrong place: a key of another section or kind (a URL target's
        # model_version under an embedded target). Never "did you mean X?" with X the very key.
        return (
            f"key {key!r} is not valid here: it belongs to another section or kind (check "
            "`kind:` and the indentation)"
        )
    return f"unknown key {key!r}" + (f"; did you mean {guess!r}?" if guess else "")


#: pydantic's wording of a wrong type or bound ("Input should be a valid integer, unable to parse
#: string as an integer") in the terms of the file, with an example of what to write: one place
#: for every integer, number and true/false field of every file scribe-eval reads.
_TYPE_MESSAGES = {
    "int_parsing": "must be a whole number (e.g. 8), not {value}",
    "int_type": "must be a whole number (e.g. 8), not {value}",
    "int_from_float": "must be a whole number (e.g. 8), not {value}",
    "float_parsing": "must be a number (e.g. 0.5), not {value}",
    "float_type": "must be a number (e.g. 0.5), not {value}",
    "bool_parsing": "must be true or false, not {value}",
    "bool_type": "must be true or false, not {value}",
    "greater_than": "must be more than {gt}, not {value}",
    "greater_than_equal": "must be at least {ge}, not {value}",
    "less_than": "must be less than {lt}, not {value}",
    "less_than_equal": "must be at most {le}, not {value}",
}


def _written(value: Any) -> str:
    """A value as the file wrote it (YAML words, not Python's)."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "a section" if isinstance(value, dict) else "a list"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a bound of 0.0 reads as the file would write it: 0
    return repr(value) if isinstance(value, str) else str(value)


def load_yaml(path: Path, what: str = "file") -> YamlDocument:
    """Parse ``path``, recording the line of every value and key (``_yamlpos`` does the work).

    Raises:
        ConfigError: The file cannot be read, is not UTF-8, or is not valid YAML (the message
            names the file and, for YAML, the line).
    """
    text = read_text_file(path, what=what, error=ConfigError)
    located = load_located(text, path, error=ConfigError)
    # A key's own line wins over its value's: that is where a typo is.
    lines = {**located.value_lines, **located.key_lines}
    return YamlDocument(
        path=Path(path), data=located.data, lines=lines, duplicates=list(located.duplicate_keys)
    )


def read_config(path: Path, what: str) -> YamlDocument:
    """``load_yaml`` with its failures as one-line ``ConfigError``s naming ``what`` was read;
    a path that does not exist but is close to one that does is answered with that one."""
    if not path.exists() and (guess := closest_path(path, folder=False)) is not None:
        raise ConfigError(
            f"cannot read {what} {path}: No such file or directory; did you mean {guess}?"
        )
    try:
        return load_yaml(path, what)
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def validate_config(doc: YamlDocument, model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` (read from ``doc``) as ``model``; every error gets its ``file:line``."""
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        lines = doc.duplicate_problems() + doc.describe(exc, field_names(model))
        raise ConfigError.of_problems(what, lines, source=str(doc.path)) from exc
    if doc.duplicates:
        raise ConfigError.of_problems(what, doc.duplicate_problems(), source=str(doc.path))
    return validated


def field_names(model: type[BaseModel]) -> set[str]:
    """Every field name and alias of ``model`` and of the models its fields hold."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [model]
    seen: set[type[BaseModel]] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.update(n for n in (name, info.alias) if n)
            pending.extend(_models_in(info.annotation))
    return names


def setting_paths(model: type[BaseModel]) -> dict[str, str]:
    """Each setting's name -> its dotted path in a file of ``model`` (``concurrency`` ->
    ``execution.concurrency``), through nested sections, not list items; the shortest path wins."""
    paths: dict[str, str] = {}
    for key, path in all_setting_paths(model):
        paths.setdefault(key, path)
    return paths


def all_setting_paths(model: type[BaseModel]) -> list[tuple[str, str]]:
    """Every (setting name, dotted path) of a file of ``model``, the same name in several
    sections included (``timeout``: ``judge.timeout``), shortest paths first, then in the order
    the sections are declared."""
    out: list[tuple[str, str]] = []
    pending: list[tuple[type[BaseModel], str]] = [(model, "")]
    seen: set[type[BaseModel]] = set()
    while pending:
        current, prefix = pending.pop(0)  # breadth first: the shortest path comes first
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            if info.exclude:
                continue
            key = info.alias or name
            out.append((key, f"{prefix}{key}"))
            if get_origin(info.annotation) not in (list, dict):
                pending.extend((m, f"{prefix}{key}.") for m in _models_in(info.annotation))
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]
