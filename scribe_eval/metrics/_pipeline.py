"""Normalisation pipelines declared in a small YAML file: built-in steps, word maps, regexes.

A pipeline is an ordered list of steps applied to the text of both sides::

    name: primock57-board
    version: "1"
    description: Whisper English without oh->0, then the board's word map.
    steps:
      - whisper-english-keep-oh          # any built-in normaliser, by name
      - word_map: primock57-board.words.yaml   # file beside this one, or an inline mapping
      - regex: {pattern: '\\b(\\d+) (mg|ml)\\b', replace: '\\1\\2'}

A built-in step turns the text into words and back into one space-separated string; a
``word_map`` replaces whole words or word sequences (longest first, ``all right: alright``); a
``regex`` step rewrites the text with ``regex.sub`` (one mapping or a list of them). The
pipeline's content hash covers every step as resolved, word maps included, so
``name@version#hash`` says exactly which words were compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex  # type: ignore[import-untyped]

from scribe_eval._yaml import read_yaml_file
from scribe_eval.errors import MetricError

__all__ = ["Pipeline", "load_pipeline"]

Step = Callable[[str], str]


@dataclass(frozen=True)
class Pipeline:
    """A pipeline read from YAML: its identity, the resolved steps and their content hash."""

    name: str
    version: str
    description: str
    steps: tuple[Step, ...]
    content_hash: str

    def words(self, text: str) -> tuple[str, ...]:
        """Run every step in order; return the words of the result."""
        for step in self.steps:
            text = step(text)
        return tuple(text.split())


def load_pipeline(path: Path, builtins: Mapping[str, Callable[[str], tuple[str, ...]]]) -> Pipeline:
    """Read the pipeline file at ``path``; ``builtins`` maps step names to normaliser functions.

    Raises:
        MetricError: the file is missing, not a mapping, or a step is unknown or malformed.
    """
    if not path.is_file():
        raise MetricError(f"normalizer file {path} does not exist; give a pipeline YAML path")
    data = _mapping(_read_yaml(path), f"{path}")
    name = str(data.get("name") or path.stem.removesuffix(".normalizer"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise MetricError(f"{path}: 'steps' must be a non-empty list of built-in names or maps")
    steps: list[Step] = []
    resolved: list[Any] = []
    for index, raw in enumerate(raw_steps, start=1):
        step, identity = _step(raw, path, builtins, f"{path}: step {index}")
        steps.append(step)
        resolved.append(identity)
    version = str(data.get("version", "1"))
    canonical = json.dumps([name, version, resolved], sort_keys=True, ensure_ascii=False)
    return Pipeline(
        name=name,
        version=version,
        description=str(data.get("description") or f"Pipeline {name} from {path.name}."),
        steps=tuple(steps),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest()[:12],
    )


def _read_yaml(path: Path) -> Any:
    return read_yaml_file(path, what="normalisation pipeline", error=MetricError)


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MetricError(f"{where} must be a YAML mapping with 'name' and 'steps'")
    return data


def _step(
    raw: Any, path: Path, builtins: Mapping[str, Callable[[str], tuple[str, ...]]], where: str
) -> tuple[Step, Any]:
    if isinstance(raw, str):
        if raw not in builtins:
            raise MetricError(
                f"{where}: unknown normalizer {raw!r}; use one of {', '.join(builtins)}"
            )
        func = builtins[raw]
        return (lambda text: " ".join(func(text))), raw
    if isinstance(raw, dict) and len(raw) == 1:
        kind, value = next(iter(raw.items()))
        if kind == "word_map":
            table = _word_map(value, path, where)
            return _apply_word_map(table), {"word_map": sorted(table.items())}
        if kind == "regex":
            rules = _regexes(value, where)
            return _apply_regexes(rules), {"regex": [[p.pattern, r] for p, r in rules]}
    raise MetricError(
        f"{where}: {raw!r} is not a step; write a built-in name, 'word_map: FILE' or "
        "'regex: {pattern: ..., replace: ...}'"
    )


def _word_map(value: Any, path: Path, where: str) -> dict[tuple[str, ...], str]:
    if isinstance(value, str):
        source = path.parent / value
        if not source.is_file():
            raise MetricError(f"{where}: word map {source} does not exist; fix the path")
        value = _read_yaml(source)
    if not isinstance(value, dict) or not value:
        raise MetricError(f"{where}: a word map is a non-empty mapping of 'from: to' words")
    for key, word in value.items():
        if any(isinstance(x, bool) or not isinstance(x, str | int) for x in (key, word)):
            raise MetricError(
                f"{where}: word map entry {key!r}: {word!r} is not two words; quote words YAML "
                "reads as true/false/null ('yes', 'no', 'on', 'off', 'null')"
            )
    table = {tuple(str(k).split()): str(v) for k, v in value.items()}
    if () in table:
        raise MetricError(f"{where}: a word map key is empty; remove it")
    return table


def _apply_word_map(table: dict[tuple[str, ...], str]) -> Step:
    longest = max(len(k) for k in table)

    def apply(text: str) -> str:
        words, out, i = text.split(), [], 0
        while i < len(words):
            for size in range(min(longest, len(words) - i), 0, -1):
                key = tuple(words[i : i + size])
                if key in table:
                    out.append(table[key])
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(w for w in out if w)

    return apply


def _regexes(value: Any, where: str) -> list[tuple[Any, str]]:
    items = value if isinstance(value, list) else [value]
    rules = []
    for item in items:
        if not isinstance(item, dict) or "pattern" not in item:
            raise MetricError(f"{where}: a regex rule is {{pattern: ..., replace: ...}}")
        try:
            rules.append((regex.compile(str(item["pattern"])), str(item.get("replace", ""))))
        except regex.error as exc:
            raise MetricError(f"{where}: bad pattern {item['pattern']!r} ({exc})") from None
    return rules


def _apply_regexes(rules: list[tuple[Any, str]]) -> Step:
    def apply(text: str) -> str:
        for pattern, replacement in rules:
            text = str(pattern.sub(replacement, text))
        return text

    return apply
