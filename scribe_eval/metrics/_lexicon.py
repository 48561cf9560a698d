"""The fact checker's lexicon (``data/fact-lexicon.yaml``): synonyms, words that carry their own
negation, frequencies, routes, parts.

A ``PhraseMap`` rewrites every variant of a group to its canonical form, longest variant first, on
whole words, so "no runny nose" and "no coryza" give the same fact. The lexicon is written for this
project and versioned; its version is part of ``LEXICON_LABEL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from scribe_eval._yaml import parse_yaml
from scribe_eval.errors import MetricError

__all__ = ["LEXICON_LABEL", "PhraseMap", "lexicon"]

_RESOURCE = "data/fact-lexicon.yaml"


@dataclass(frozen=True)
class PhraseMap:
    """Variants -> canonical forms, applied on whole words, longest variant first."""

    canonical: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, groups: dict[str, list[str]], *, prefix: str = "") -> PhraseMap:
        """Map every variant (and the canonical form itself) of ``groups`` to its canonical form.

        With a ``prefix`` the canonical form is ``prefix`` + the group's name, and only the
        variants map to it ("afebrile" -> "no fever"; "fever" itself is no variant).
        """
        canonical = {} if prefix else {c.lower(): c.lower() for c in groups}
        for name, variants in groups.items():
            canonical.update({str(v).lower(): prefix + name.lower() for v in variants})
        if not canonical:
            return cls({}, None)
        alternatives = "|".join(re.escape(v) for v in sorted(canonical, key=len, reverse=True))
        return cls(canonical, re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)"))

    def rewrite(self, text: str) -> str:
        """``text`` with every variant replaced by its canonical form."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.canonical[m.group()], text)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical form) of each variant in ``text``, left to right."""
        if self.pattern is None:
            return []
        return [
            (m.start(), m.end(), self.canonical[m.group()]) for m in self.pattern.finditer(text)
        ]


@dataclass(frozen=True)
class Lexicon:
    """The parsed lexicon: one ``PhraseMap`` per group (findings, negated findings and parts in
    both languages)."""

    version: str
    findings: PhraseMap
    negated_findings: PhraseMap
    medications: PhraseMap
    frequency: PhraseMap
    route: PhraseMap
    body_parts: PhraseMap


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, read once."""
    text = resources.files("scribe_eval.metrics").joinpath(_RESOURCE).read_text("utf-8")
    data: dict[str, Any] = parse_yaml(text, _RESOURCE, error=MetricError)
    return Lexicon(
        version=str(data["version"]),
        findings=PhraseMap.build(_merged(data["findings"])),
        negated_findings=PhraseMap.build(_merged(data["negated_findings"]), prefix="no "),
        medications=PhraseMap.build(data["medications"]),
        frequency=PhraseMap.build(data["frequency"]),
        route=PhraseMap.build(data["route"]),
        body_parts=PhraseMap.build(_merged(data["body_parts"])),
    )


def _merged(by_language: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for groups in by_language.values():
        for name, variants in groups.items():
            merged.setdefault(name, []).extend(variants)
    return merged


LEXICON_LABEL = f"fact-lexicon@{lexicon().version}"
"""Name and version of the packaged lexicon, stored with every fact check."""
