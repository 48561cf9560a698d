"""YAML loading that remembers where every value came from, so errors can name file and line.

PyYAML's safe loader forgets positions once it builds Python objects. Here the text is composed to
nodes first, and each node is converted by hand: mappings and sequences recursively, scalars by the
safe constructor. Every path (``("sections", 2, "contentOverride")``) is mapped to the 1-based line
of its value, and key paths to the line of the key itself, which is where a typo is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scribe_eval._yaml import LOADER_BASE, syntax_problem
from scribe_eval.errors import ScribeEvalError, TemplateError

Loc = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """A YAML document as plain Python data plus the line of every value and key."""

    data: Any
    value_lines: dict[Loc, int] = field(default_factory=dict)
    key_lines: dict[Loc, int] = field(default_factory=dict)
    #: Keys written twice in one mapping: (location, line of the first, line of the second).
    duplicate_keys: list[tuple[Loc, int, int]] = field(default_factory=list)

    def line_of(self, loc: Loc, *, key: bool = False) -> int:
        """The line of ``loc`` (its key when ``key``), else of the nearest enclosing value."""
        table = self.key_lines if key else self.value_lines
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.value_lines:
                return self.value_lines[probe]
            probe = probe[:-1]
        return self.value_lines.get((), 1)


def load_located(
    text: str, source: Path | str, *, error: type[ScribeEvalError] = TemplateError
) -> LocatedYaml:
    """Parse one YAML document; a syntax error becomes ``error("file:line: ...")``.

    Template files raise ``TemplateError``; experiment and gate files ``ConfigError``.
    """
    try:
        node = yaml.compose(text, Loader=LOADER_BASE)
    except yaml.MarkedYAMLError as exc:
        line, problem = syntax_problem(exc)
        raise error(
            f"{source}:{line}: YAML syntax error: {problem} — fix the indentation or quoting there"
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"{source}:1: not valid YAML ({exc}) — fix the file") from exc
    result = LocatedYaml(data=None)
    if node is None:
        return result
    result.data = _convert(node, (), result)
    return result


def _convert(node: yaml.Node, loc: Loc, out: LocatedYaml) -> Any:
    # One loader per document: its safe constructor turns scalars into int, bool, str, dates...
    return _Converter(out).convert(node, loc)


class _Converter:
    def __init__(self, out: LocatedYaml) -> None:
        self._out = out
        self._loader = LOADER_BASE("")

    def convert(self, node: yaml.Node, loc: Loc) -> Any:
        self._out.value_lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                child: Loc = (*loc, key)
                line = key_node.start_mark.line + 1
                if key in mapping:
                    first = self._out.key_lines[child]
                    self._out.duplicate_keys.append((child, first, line))
                self._out.key_lines[child] = line
                mapping[key] = self.convert(value_node, child)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            # A mapping or list used as a key: keep its position so the error can show it.
            return f"<{type(node).__name__} at line {node.start_mark.line + 1}>"
        return self._loader.construct_object(node)
