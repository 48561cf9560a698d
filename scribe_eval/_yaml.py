"""The one YAML loader of scribe-eval: safe, strict about duplicate keys, and fast where it can be.

Every YAML file the tool reads (dataset manifests and note files, experiment, gate and template
files, catalogue snapshots, normalisation pipelines, term lists) goes through here, so they all
follow the same rules:

- Only the safe subset of YAML is built (no Python objects).
- A key written twice in one mapping is an error naming both lines. PyYAML keeps the last value
  silently, so a second ``encounters:`` would replace the first without a word. Keys that a merge
  (``<<: *anchor``) brings in may still be overridden, as YAML intends.
- libyaml's C parser (``yaml.CSafeLoader``) is used when PyYAML was built with it, else the
  pure-Python ``yaml.SafeLoader``. Both build the same Python objects from the same text; the C one
  parses several times faster, which matters for large dataset manifests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scribe_eval._textfile import read_text_file
from scribe_eval.errors import ConfigError, ScribeEvalError

__all__ = [
    "LOADER_BASE",
    "YamlTextError",
    "check_duplicate_keys",
    "duplicate_key_problem",
    "load_yaml_text",
    "parse_yaml",
    "read_yaml_file",
    "uses_c_loader",
]

#: The safe loader class the tool parses with: libyaml's C loader when present.
LOADER_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class YamlTextError(ValueError):
    """YAML text that cannot be used: a syntax error or a duplicate key, with its 1-based line."""

    def __init__(self, line: int, problem: str, fix: str) -> None:
        super().__init__(f"line {line}: {problem}; {fix}")
        self.line = line
        self.problem = problem
        self.fix = fix


class _UniqueKeyLoader(LOADER_BASE):  # type: ignore[valid-type,misc]
    """The safe loader, refusing a mapping that writes one key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        check_duplicate_keys(node, self.construct_object)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def check_duplicate_keys(node: yaml.MappingNode, construct: Any) -> None:
    """Raise ``YamlTextError`` when ``node`` writes a key twice (merged keys excepted)."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
            key = key_node.value  # the common case, without building the key a second time
        elif key_node.tag == _MERGE_TAG:
            continue
        else:
            key = construct(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = seen.get(key)
            seen.setdefault(key, line)
        except TypeError:
            continue  # an unhashable key: the constructor reports it in its own words
        if first is not None:
            raise YamlTextError(line, duplicate_key_problem(key, first, line), "keep one of them")


def duplicate_key_problem(key: Any, first: int, second: int) -> str:
    """The words for a key written twice, naming both lines."""
    return (
        f"key {key!r} is written twice (lines {first} and {second}); YAML would silently keep "
        "only the last"
    )


def uses_c_loader() -> bool:
    """Whether YAML is parsed by libyaml's C loader (else the pure-Python one)."""
    return LOADER_BASE is not yaml.SafeLoader


def syntax_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The 1-based line of a YAML syntax error and what is wrong there, in one phrase."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        problem += f" ({exc.context} started at line {exc.context_mark.line + 1})"
    return line, problem


def load_yaml_text(text: str) -> Any:
    """Parse one YAML document with the safe loader, refusing duplicate keys.

    Raises:
        YamlTextError: The text is not valid YAML, or writes a key twice.
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        line, problem = syntax_problem(exc)
        raise YamlTextError(
            line, f"YAML syntax error: {problem}", "fix the indentation or quoting there"
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlTextError(1, f"not valid YAML ({exc})", "fix the file") from exc


def parse_yaml(text: str, source: Path | str, *, error: type[ScribeEvalError] = ConfigError) -> Any:
    """``load_yaml_text`` with its problem as one ``error("source:line: ...")``."""
    try:
        return load_yaml_text(text)
    except YamlTextError as exc:
        raise error(f"{source}:{exc.line}: {exc.problem}; {exc.fix}") from exc


def read_yaml_file(
    path: Path | str, *, what: str = "file", error: type[ScribeEvalError] = ConfigError
) -> Any:
    """Read and parse the YAML file ``path``; every failure is one ``error`` line naming it."""
    return parse_yaml(read_text_file(path, what=what, error=error), path, error=error)
