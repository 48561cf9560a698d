"""Transcript measures beyond plain WER: speaker-attributed WER and term recall.

Speaker-attributed WER scores each speaker's words separately: the reference turns of a speaker
(e.g. ``doctor``) are concatenated and aligned with the hypothesis turns the API attributed to the
same speaker. A word given to the wrong speaker is then a deletion for one and an insertion for
the other, so ``attributed_wer`` - ``overall.wer`` measures the cost of diarisation mistakes.

Term recall asks, for a list of (possibly multi-word) terms, how many of their occurrences in the
reference the hypothesis got right: an occurrence counts as recognised when every one of its words
is a hit in the word alignment (so the position matters, not just presence somewhere).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scribe_eval.errors import MetricError
from scribe_eval.metrics._normalize import Normalizer, get_normalizer
from scribe_eval.metrics._version import METRICS_VERSION
from scribe_eval.metrics._wer import WerResult, corpus_wer, wer

__all__ = [
    "SpeakerWerResult",
    "TermRecallResult",
    "keyterm_recall",
    "speaker_wer",
    "term_recall",
]

Turn = tuple[str, str]
"""One speaker turn: (speaker label such as ``doctor``, text)."""


@dataclass(frozen=True)
class SpeakerWerResult:
    """WER per speaker, the speaker-agnostic WER, and the pooled speaker-attributed WER."""

    per_speaker: dict[str, WerResult]
    overall: WerResult

    @property
    def attributed_wer(self) -> float | None:
        """Pooled over speakers: sum of per-speaker errors / total reference words."""
        return corpus_wer(self.per_speaker.values()).wer

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; per-speaker entries use the ``WerResult`` keys."""
        return {
            "attributed_wer": self.attributed_wer,
            "overall": self.overall.as_dict(),
            "per_speaker": {s: r.as_dict() for s, r in sorted(self.per_speaker.items())},
            "metrics_version": METRICS_VERSION,
        }


def speaker_wer(
    ref_turns: Sequence[Turn],
    hyp_turns: Sequence[Turn],
    *,
    normalizer: str | Normalizer = "basic",
) -> SpeakerWerResult:
    """Score each speaker's words separately (see the module docstring).

    Args:
        ref_turns: Reference (speaker, text) turns in spoken order.
        hyp_turns: Hypothesis (speaker, text) turns, e.g. the API's segments mapped to roles.
        normalizer: Applied to every turn.

    A speaker found only in the hypothesis gets a result with an empty reference (its words are
    all insertions); one found only in the reference gets all deletions.
    """
    norm = get_normalizer(normalizer)
    for name, turns in (("ref_turns", ref_turns), ("hyp_turns", hyp_turns)):
        if any(not isinstance(t, tuple | list) or len(t) != 2 for t in turns):
            raise MetricError(f"{name} must be a list of (speaker, text) pairs: fix the input")
    speakers = sorted({s for s, _ in ref_turns} | {s for s, _ in hyp_turns})
    per_speaker = {
        s: wer(_join(ref_turns, s), _join(hyp_turns, s), normalizer=norm) for s in speakers
    }
    overall = wer(_join(ref_turns), _join(hyp_turns), normalizer=norm)
    return SpeakerWerResult(per_speaker=per_speaker, overall=overall)


def _join(turns: Sequence[Turn], speaker: str | None = None) -> str:
    return "\n".join(text for who, text in turns if speaker is None or who == speaker)


@dataclass(frozen=True)
class TermRecallResult:
    """Occurrences of listed terms in the reference, and how many the hypothesis got right.

    ``recall`` is ``None`` when no listed term occurs in the reference.
    """

    kind: str
    normalizer: str
    occurrences: int
    recognised: int
    per_term: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: tuple[tuple[str, str], ...] = ()

    @property
    def recall(self) -> float | None:
        """Recognised occurrences / reference occurrences."""
        return self.recognised / self.occurrences if self.occurrences else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: per-term [recognised, occurrences] and the misses."""
        return {
            "kind": self.kind,
            "recall": self.recall,
            "occurrences": self.occurrences,
            "recognised": self.recognised,
            "per_term": {t: list(v) for t, v in self.per_term.items()},
            "misses": [{"term": t, "heard": h} for t, h in self.misses],
            "normalizer": self.normalizer,
            "metrics_version": METRICS_VERSION,
        }


def term_recall(
    reference: str | WerResult,
    hypothesis: str | None,
    terms: Iterable[str],
    *,
    normalizer: str | Normalizer = "basic",
) -> TermRecallResult:
    """Share of the listed terms' occurrences in the reference that the hypothesis got right.

    Args:
        reference: Reference text, or an existing ``WerResult`` (then ``hypothesis`` is ignored
            and the terms are normalised with that result's normaliser; pass a custom
            ``Normalizer`` object as ``normalizer`` when the result used one).
        hypothesis: Recognised text.
        terms: Medical terms; multi-word terms are matched as word sequences.
        normalizer: Applied to texts and terms alike.
    """
    return _recall("medical_terms", reference, hypothesis, terms, normalizer)


def keyterm_recall(
    reference: str | WerResult,
    hypothesis: str | None,
    keyterms: Iterable[str],
    *,
    normalizer: str | Normalizer = "basic",
) -> TermRecallResult:
    """Like ``term_recall`` for the keyterms sent to the API (``keyterms.terms``).

    Reported separately because keyterms are boosted by the recogniser: their recall shows
    whether boosting worked, while ``term_recall`` over a fixed list measures vocabulary coverage.
    """
    return _recall("keyterms", reference, hypothesis, keyterms, normalizer)


def _recall(
    kind: str,
    reference: str | WerResult,
    hypothesis: str | None,
    terms: Iterable[str],
    normalizer: str | Normalizer,
) -> TermRecallResult:
    if isinstance(reference, WerResult):
        result = reference
        norm = (
            normalizer
            if isinstance(normalizer, Normalizer)
            else get_normalizer(result.normalizer.split("@")[0])
        )
        if norm.label != result.normalizer:
            raise MetricError(
                f"the terms would be normalised with {norm.label} but the alignment used "
                f"{result.normalizer}: pass that Normalizer as normalizer="
            )
    else:
        if hypothesis is None:
            raise MetricError("term recall needs a hypothesis text when given a reference text")
        norm = get_normalizer(normalizer)
        result = wer(reference, hypothesis, normalizer=norm)
    hit_at = _hit_positions(result)
    per_term: dict[str, tuple[int, int]] = {}
    misses: list[tuple[str, str]] = []
    for term in dict.fromkeys(terms):
        words = norm.words(term)
        if not words:
            continue
        found = recognised = 0
        for start in _occurrences(result.ref_words, words):
            found += 1
            span = range(start, start + len(words))
            if all(hit_at[i] for i in span):
                recognised += 1
            else:
                misses.append((term, _heard(result, start, start + len(words))))
        if found:
            per_term[term] = (recognised, found)
    return TermRecallResult(
        kind=kind,
        normalizer=result.normalizer,
        occurrences=sum(n for _, n in per_term.values()),
        recognised=sum(r for r, _ in per_term.values()),
        per_term=per_term,
        misses=tuple(misses),
    )


def _hit_positions(result: WerResult) -> list[bool]:
    hits = [False] * len(result.ref_words)
    for op in result.ops:
        if op.kind == "equal":
            hits[op.ref_start : op.ref_end] = [True] * (op.ref_end - op.ref_start)
    return hits


def _occurrences(words: tuple[str, ...], term: tuple[str, ...]) -> list[int]:
    n = len(term)
    return [i for i in range(len(words) - n + 1) if words[i : i + n] == term]


def _heard(result: WerResult, start: int, end: int) -> str:
    """The hypothesis words aligned to reference words ``start:end`` (for the list of misses)."""
    heard: list[str] = []
    for op in result.ops:
        if op.ref_end <= start and op.kind != "insert":
            continue
        if op.ref_start >= end:
            break
        if op.kind == "insert":
            if start <= op.ref_start < end:
                heard.extend(result.hyp_words[op.hyp_start : op.hyp_end])
            continue
        lo, hi = max(op.ref_start, start), min(op.ref_end, end)
        if op.kind in ("equal", "substitute"):
            offset = op.hyp_start - op.ref_start
            heard.extend(result.hyp_words[lo + offset : hi + offset])
    return " ".join(heard)
