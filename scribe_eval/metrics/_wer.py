"""The WER family from one alignment pass: per recording and pooled over a corpus.

``wer()`` normalises both texts, aligns the words once with rapidfuzz's Levenshtein (what jiwer 4
runs underneath: the same edit operations, so the same counts and alignment) and freezes every count
and rate in a ``WerResult``. The character edit distance behind CER costs several times the word
pass on a long transcript, so it is computed the first time CER is asked for (``cer``,
``char_errors``, ``as_dict()``), once; the word alignment ops are built from the stored edits
when first read.
Rates on a result are **per recording**; ``corpus_wer()`` pools counts over recordings (total
errors / total reference words), which is what a corpus-level WER means. An empty reference has no
defined rate: its rates are ``None`` and ``empty_reference`` is set, while its insertions still
count in the pooled figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, Literal

from rapidfuzz.distance import Editops, Levenshtein, Opcodes

from scribe_eval.errors import MetricError
from scribe_eval.metrics._normalize import Normalizer, get_normalizer
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = ["AlignmentOp", "CorpusWerResult", "WerResult", "confusion_pairs", "corpus_wer", "wer"]

OpKind = Literal["equal", "substitute", "delete", "insert"]


@dataclass(frozen=True)
class AlignmentOp:
    """One run of the word alignment: ``ref_words[ref_start:ref_end]`` vs the hypothesis span."""

    kind: OpKind
    ref_start: int
    ref_end: int
    hyp_start: int
    hyp_end: int

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "kind": self.kind,
            "ref_start": self.ref_start,
            "ref_end": self.ref_end,
            "hyp_start": self.hyp_start,
            "hyp_end": self.hyp_end,
        }


Edit = tuple[str, int, int]
"""One word edit as rapidfuzz lists it: (``replace``, ``delete`` or ``insert``, ref, hyp index)."""


@dataclass(frozen=True)
class WerResult:
    """Every WER-family count and rate of one reference/hypothesis pair (per recording).

    Rates are ``None`` when the normalised reference is empty (``empty_reference``): a rate
    over zero reference words is undefined, and the insertions are still counted. ``errors``
    (S + D + I) is computed once, here; readers take it rather than adding the parts.
    """

    normalizer: str
    ref_words: tuple[str, ...]
    hyp_words: tuple[str, ...]
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    edits: tuple[Edit, ...] = field(repr=False)
    errors: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "errors", self.substitutions + self.deletions + self.insertions)

    @cached_property
    def ops(self) -> tuple[AlignmentOp, ...]:
        """The word alignment as runs of equal, substituted, deleted and inserted words."""
        edits = Editops(list[Any](self.edits), len(self.ref_words), len(self.hyp_words))
        # as_list() gives plain tuples at run time (rapidfuzz's stubs say Opcode objects).
        opcodes: list[tuple[str, int, int, int, int]] = Opcodes.from_editops(edits).as_list()  # type: ignore[assignment]
        return tuple(AlignmentOp(_OP_KIND[tag], i1, i2, j1, j2) for tag, i1, i2, j1, j2 in opcodes)

    @cached_property
    def char_errors(self) -> int:
        """Character edit distance (S + D + I) between the normalised texts, words joined by
        one space; computed on first use."""
        return int(Levenshtein.distance(" ".join(self.ref_words), " ".join(self.hyp_words)))

    @property
    def ref_chars(self) -> int:
        """Characters in the normalised reference (words joined by one space)."""
        return max(0, sum(map(len, self.ref_words)) + len(self.ref_words) - 1)

    @property
    def empty_reference(self) -> bool:
        """True when the normalised reference has no words: rates are then undefined."""
        return not self.ref_words

    @property
    def wer(self) -> float | None:
        """(S + D + I) / reference words; can exceed 1."""
        return _rate(self.errors, len(self.ref_words))

    @property
    def mer(self) -> float | None:
        """Match error rate: (S + D + I) / (H + S + D + I)."""
        return _rate(self.errors, self.hits + self.errors)

    @property
    def wil(self) -> float | None:
        """Word information lost: 1 - (H / ref words) * (H / hyp words)."""
        return _wil(self.hits, len(self.ref_words), len(self.hyp_words))

    @property
    def cer(self) -> float | None:
        """Character error rate over the normalised text (spaces count as characters)."""
        return _rate(self.char_errors, self.ref_chars)

    def op_words(self, op: AlignmentOp) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The reference and hypothesis words an alignment op covers."""
        return self.ref_words[op.ref_start : op.ref_end], self.hyp_words[op.hyp_start : op.hyp_end]

    def as_dict(self, *, alignment: bool = False) -> dict[str, Any]:
        """The stable keys (plain JSON types); with ``alignment`` also words and ops."""
        out: dict[str, Any] = {
            "wer": self.wer,
            "mer": self.mer,
            "wil": self.wil,
            "cer": self.cer,
            "hits": self.hits,
            "substitutions": self.substitutions,
            "deletions": self.deletions,
            "insertions": self.insertions,
            "errors": self.errors,
            "ref_words": len(self.ref_words),
            "hyp_words": len(self.hyp_words),
            "ref_chars": self.ref_chars,
            "char_errors": self.char_errors,
            "empty_reference": self.empty_reference,
            "scope": "recording",
            "normalizer": self.normalizer,
            "metrics_version": METRICS_VERSION,
        }
        if alignment:
            out["ref_tokens"] = list(self.ref_words)
            out["hyp_tokens"] = list(self.hyp_words)
            out["alignment"] = [op.as_dict() for op in self.ops]
        return out


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _wil(hits: int, ref_words: int, hyp_words: int) -> float | None:
    if not ref_words:
        return None
    if not hyp_words:
        return 1.0
    return 1.0 - (hits / ref_words) * (hits / hyp_words)


def wer(reference: str, hypothesis: str, *, normalizer: str | Normalizer = "basic") -> WerResult:
    """Align ``hypothesis`` to ``reference`` once and return every WER-family figure.

    Args:
        reference: The reference transcript.
        hypothesis: The recognised transcript.
        normalizer: A name from ``NORMALIZERS`` or a ``Normalizer``; applied to both sides.

    Raises:
        MetricError: Unknown normaliser.
    """
    norm = get_normalizer(normalizer)
    ref_words, hyp_words = norm.words(reference), norm.words(hypothesis)
    ids: dict[str, int] = {}
    ref_ids = [ids.setdefault(w, len(ids)) for w in ref_words]
    hyp_ids = [ids.setdefault(w, len(ids)) for w in hyp_words]
    # as_list() gives plain tuples at run time (rapidfuzz's stubs say Editop objects).
    edits: list[Edit] = Levenshtein.editops(ref_ids, hyp_ids).as_list()  # type: ignore[assignment]
    kinds = Counter(map(itemgetter(0), edits))
    substitutions, deletions = kinds["replace"], kinds["delete"]
    return WerResult(
        normalizer=norm.label,
        ref_words=ref_words,
        hyp_words=hyp_words,
        hits=len(ref_words) - substitutions - deletions,
        substitutions=substitutions,
        deletions=deletions,
        insertions=kinds["insert"],
        edits=tuple(edits),
    )


_OP_KIND: dict[str, OpKind] = {
    "equal": "equal",
    "replace": "substitute",
    "delete": "delete",
    "insert": "insert",
}


@dataclass(frozen=True)
class CorpusWerResult:
    """Counts pooled over recordings; rates are corpus-level (total errors / total ref words).

    ``wer_mean`` is the unweighted mean of per-recording WER over recordings with a non-empty
    reference; ``n_empty_reference`` says how many were left out of that mean.
    """

    normalizer: str
    n: int
    n_empty_reference: int
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    ref_words: int
    hyp_words: int
    char_errors: int
    ref_chars: int
    wer_mean: float | None

    @property
    def errors(self) -> int:
        """Pooled substitutions + deletions + insertions."""
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float | None:
        """Pooled WER: total errors / total reference words."""
        return _rate(self.errors, self.ref_words)

    @property
    def mer(self) -> float | None:
        """Pooled match error rate."""
        return _rate(self.errors, self.hits + self.errors)

    @property
    def wil(self) -> float | None:
        """Pooled word information lost."""
        return _wil(self.hits, self.ref_words, self.hyp_words)

    @property
    def cer(self) -> float | None:
        """Pooled CER: total character errors / total reference characters."""
        return _rate(self.char_errors, self.ref_chars)

    def as_dict(self) -> dict[str, Any]:
        """The stable summary keys (plain JSON types)."""
        return {
            "n": self.n,
            "n_empty_reference": self.n_empty_reference,
            "wer_mean": self.wer_mean,
            "wer_corpus": self.wer,
            "mer_corpus": self.mer,
            "wil_corpus": self.wil,
            "cer_corpus": self.cer,
            "hits": self.hits,
            "substitutions": self.substitutions,
            "deletions": self.deletions,
            "insertions": self.insertions,
            "ref_words": self.ref_words,
            "hyp_words": self.hyp_words,
            "scope": "corpus",
            "normalizer": self.normalizer,
            "metrics_version": METRICS_VERSION,
        }


def corpus_wer(results: Iterable[WerResult]) -> CorpusWerResult:
    """Pool per-recording results into corpus-level figures.

    Raises:
        MetricError: The results were computed with different normalisers.
    """
    items = list(results)
    labels = {r.normalizer for r in items}
    if len(labels) > 1:
        raise MetricError(
            f"cannot pool WER computed with different normalizers {sorted(labels)}: "
            "score every recording with the same normalizer"
        )
    defined = [r.wer for r in items if r.wer is not None]
    return CorpusWerResult(
        normalizer=labels.pop() if labels else "",
        n=len(items),
        n_empty_reference=sum(r.empty_reference for r in items),
        hits=sum(r.hits for r in items),
        substitutions=sum(r.substitutions for r in items),
        deletions=sum(r.deletions for r in items),
        insertions=sum(r.insertions for r in items),
        ref_words=sum(len(r.ref_words) for r in items),
        hyp_words=sum(len(r.hyp_words) for r in items),
        char_errors=sum(r.char_errors for r in items),
        ref_chars=sum(r.ref_chars for r in items),
        wer_mean=sum(defined) / len(defined) if defined else None,
    )


def confusion_pairs(
    results: Iterable[WerResult], *, top: int = 20, include_gaps: bool = False
) -> list[tuple[str, str, int]]:
    """The most frequent (reference word, hypothesis word, count) substitutions, most first.

    With ``include_gaps`` deletions appear as ``(word, "", n)`` and insertions as ``("", word, n)``.
    Ties are broken alphabetically so the list is deterministic.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for result in results:
        for op in result.ops:
            ref, hyp = result.op_words(op)
            if op.kind == "substitute":
                counts.update(zip(ref, hyp, strict=True))
            elif include_gaps and op.kind == "delete":
                counts.update((w, "") for w in ref)
            elif include_gaps and op.kind == "insert":
                counts.update(("", w) for w in hyp)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(ref, hyp, n) for (ref, hyp), n in ranked[:top]]
