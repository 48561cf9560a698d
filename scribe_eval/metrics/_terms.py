"""Medical-term recognition in transcripts, from a versioned term list per language.

A term list (``data/terms-en.yaml``, ``data/terms-de.yaml``, or any file of the same layout) names
terms with their inflections (``forms``) and ``synonyms``. Every place where the reference says any
of them is one occurrence of the term; it is recognised when the word alignment has the same words
there, or another form or synonym of the same term ("antibiotic" heard for "antibiotics" is a word
error but the term was recognised). Recall is recognised / occurrences, pooled and per term; the
misses list each term the recogniser lost, what was said and what was heard instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from scribe_eval._yaml import parse_yaml
from scribe_eval.errors import MetricError
from scribe_eval.metrics._normalize import Normalizer, get_normalizer
from scribe_eval.metrics._transcript import _heard, _hit_positions, _occurrences
from scribe_eval.metrics._version import METRICS_VERSION
from scribe_eval.metrics._wer import WerResult, wer

__all__ = [
    "TermEntry",
    "TermList",
    "TermListRecallResult",
    "TermMiss",
    "load_term_list",
    "parse_term_list",
    "term_list_recall",
]


@dataclass(frozen=True)
class TermEntry:
    """One term: the name reported, its kind, and every way of saying it (name first)."""

    term: str
    kind: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class TermList:
    """A versioned list of terms in one language."""

    language: str
    version: str
    entries: tuple[TermEntry, ...]

    @property
    def label(self) -> str:
        """``terms-<language>@<version>``, stored with every result."""
        return f"terms-{self.language}@{self.version}"


@dataclass(frozen=True)
class TermMiss:
    """An occurrence the recogniser lost: the term, the words said, and the words heard."""

    term: str
    said: str
    heard: str


@dataclass(frozen=True)
class TermListRecallResult:
    """Occurrences of the listed terms in the reference and how many were recognised."""

    term_list: str
    normalizer: str
    per_term: dict[str, tuple[int, int]]
    kinds: dict[str, str]
    misses: tuple[TermMiss, ...]

    @property
    def occurrences(self) -> int:
        """Occurrences of listed terms in the reference."""
        return sum(n for _, n in self.per_term.values())

    @property
    def recognised(self) -> int:
        """Occurrences recognised."""
        return sum(r for r, _ in self.per_term.values())

    @property
    def recall(self) -> float | None:
        """Recognised / occurrences (``None`` when no listed term occurs in the reference)."""
        return self.recognised / self.occurrences if self.occurrences else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``term_recall``, per-term [recognised, occurrences], the misses."""
        return {
            "term_recall": self.recall,
            "occurrences": self.occurrences,
            "recognised": self.recognised,
            "per_term": {t: list(v) for t, v in self.per_term.items()},
            "kinds": dict(self.kinds),
            "missed_terms": [
                {"term": m.term, "said": m.said, "heard": m.heard} for m in self.misses
            ],
            "term_list": self.term_list,
            "normalizer": self.normalizer,
            "metrics_version": METRICS_VERSION,
        }


def parse_term_list(text: str, *, source: str = "term list") -> TermList:
    """Read a term list in the layout of ``data/terms-en.yaml``; ``MetricError`` names the fault."""
    data = parse_yaml(text, source, error=MetricError)
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise MetricError(f"{source}: expected a mapping with a 'terms' list: fix the file")
    entries = []
    for i, item in enumerate(data["terms"]):
        if not isinstance(item, dict) or not str(item.get("term") or "").strip():
            raise MetricError(f"{source}: terms[{i}] has no 'term': give each entry a term")
        term = str(item["term"]).strip()
        extra = [str(v) for key in ("forms", "synonyms") for v in item.get(key) or ()]
        variants = tuple(dict.fromkeys([term, *extra]))
        entries.append(TermEntry(term, str(item.get("kind", "other")), variants))
    language, version = str(data.get("language", "und")), str(data.get("version", "0"))
    return TermList(language=language, version=version, entries=tuple(entries))


@cache
def load_term_list(language: str) -> TermList:
    """The packaged term list of ``language`` ("en", "de"; a region such as "en-GB" is dropped)."""
    base = language.split("-")[0].split("_")[0].lower()
    resource = resources.files("scribe_eval.metrics").joinpath(f"data/terms-{base}.yaml")
    if not resource.is_file():
        raise MetricError(
            f"no packaged term list for language {language!r}: pass a TermList made with "
            "parse_term_list, or use 'en' or 'de'"
        )
    return parse_term_list(resource.read_text("utf-8"), source=f"terms-{base}.yaml")


def term_list_recall(
    reference: str | WerResult,
    hypothesis: str | None,
    terms: TermList | str = "en",
    *,
    normalizer: str | Normalizer = "basic",
) -> TermListRecallResult:
    """Recall of the listed terms' occurrences in ``reference`` (see the module docstring).

    Args:
        reference: Reference transcript, or its ``WerResult`` (then ``hypothesis`` is ignored and
            ``normalizer`` must be the one that result used).
        hypothesis: Recognised text.
        terms: A ``TermList`` or the language of a packaged one ("en", "de").
        normalizer: Applied to texts and terms alike.
    """
    term_list = load_term_list(terms) if isinstance(terms, str) else terms
    norm = get_normalizer(normalizer)
    if isinstance(reference, WerResult):
        if norm.label != reference.normalizer:
            raise MetricError(
                f"the terms would be normalised with {norm.label} but the alignment used "
                f"{reference.normalizer}: pass that normaliser as normalizer="
            )
        result = reference
    elif hypothesis is None:
        raise MetricError("term recall needs a hypothesis text when given a reference text")
    else:
        result = wer(reference, hypothesis, normalizer=norm)
    return _score(term_list, result, norm)


def _score(term_list: TermList, result: WerResult, norm: Normalizer) -> TermListRecallResult:
    hits = _hit_positions(result)
    per_term: dict[str, tuple[int, int]] = {}
    kinds: dict[str, str] = {}
    misses: list[TermMiss] = []
    for entry in term_list.entries:
        forms = {w for w in (norm.words(v) for v in entry.variants) if w}
        spans = {(s, s + len(w)) for w in forms for s in _occurrences(result.ref_words, w)}
        recognised = 0
        for start, end in sorted(spans):
            heard = _heard(result, start, end)
            if all(hits[start:end]) or tuple(heard.split()) in forms:
                recognised += 1
            else:
                misses.append(TermMiss(entry.term, " ".join(result.ref_words[start:end]), heard))
        if spans:
            per_term[entry.term] = (recognised, len(spans))
            kinds[entry.term] = entry.kind
    return TermListRecallResult(term_list.label, result.normalizer, per_term, kinds, tuple(misses))
