"""YAML files with line numbers: load with the safe loader and keep where each value was written.

Experiment, gate and template files are validated with pydantic; its error locations (tuples of
keys and indexes) are mapped back to ``file:line`` so a message points at the offending line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scribe_eval.errors import ConfigError

Location = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass
class YamlDocument:
    """A parsed YAML file and the 1-based line where each value (by location) starts."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

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

    def describe(self, error: ValidationError) -> list[str]:
        """One ``path:line: field: message`` line per pydantic error."""
        out = []
        for item in error.errors():
            loc = tuple(p for p in item["loc"] if isinstance(p, str | int))
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            out.append(f"{self.where(loc)}: {dotted}: {item['msg']}")
        return out


def load_yaml(path: Path) -> YamlDocument:
    """Parse ``path`` with the safe loader, recording the line of every mapping value and item.

    Raises:
        OSError: The file cannot be read.
        yaml.YAMLError: The text is not valid YAML (its message carries the line).
    """
    text = Path(path).read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    doc = YamlDocument(path=Path(path), data=yaml.safe_load(text))
    if node is not None:
        _record(node, (), doc.lines)
    return doc


def _record(node: yaml.Node, loc: Location, lines: dict[Location, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _record(value_node, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*loc, index), lines)


def read_config(path: Path, what: str) -> YamlDocument:
    """``load_yaml`` with its failures as one-line ``ConfigError``s naming ``what`` was read."""
    try:
        return load_yaml(path)
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def validate_config(doc: YamlDocument, model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` (read from ``doc``) as ``model``; every error gets its ``file:line``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid {what}:\n" + "\n".join(doc.describe(exc))) from exc
