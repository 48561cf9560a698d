"""ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum with rouge-score 0.1.2's semantics, computed fast.

The formulas, zero cases, n-gram clipping, Lsum's union-LCS and its double-counting guard are
rouge-score's; the LCS kernels are ``_lcs``'s (rapidfuzz for ROUGE-L, a vectorised copy of
rouge-score's table and backtrack for ROUGE-Lsum). ``tests/metrics`` proves every P/R/F equal to
rouge-score's own within 1e-12 in ``rouge-score`` tokenizer mode.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from itertools import chain, count, pairwise
from typing import Any, TypeVar

from scribe_eval.errors import MetricError
from scribe_eval.metrics._lcs import lcs_length, to_chars, union_lcs_indices
from scribe_eval.metrics._tokenize import TOKENIZERS, TokenizerName, sentence_tokens
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = ["ROUGE_TYPES", "RougeResult", "RougeScore", "rouge"]

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
"""The ROUGE variants every ``RougeResult`` carries, in report order."""


@dataclass(frozen=True)
class RougeScore:
    """Precision, recall and F1 of one ROUGE variant."""

    precision: float
    recall: float
    fmeasure: float


_ZERO = RougeScore(0.0, 0.0, 0.0)
_Gram = TypeVar("_Gram", bound=Hashable)


def _score(precision: float, recall: float) -> RougeScore:
    f = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return RougeScore(precision, recall, f)


@dataclass(frozen=True)
class RougeResult:
    """ROUGE-1/2/L/Lsum of one reference/generated pair, with how they were computed."""

    rouge1: RougeScore
    rouge2: RougeScore
    rougeL: RougeScore
    rougeLsum: RougeScore
    tokenizer: str
    stemmer: bool
    ref_tokens: int
    hyp_tokens: int

    def as_dict(self) -> dict[str, Any]:
        """The stable keys ``rouge1_p`` ... ``rougeLsum_f`` plus provenance (plain JSON types)."""
        out: dict[str, Any] = {}
        for name in ROUGE_TYPES:
            score: RougeScore = getattr(self, name)
            out[f"{name}_p"] = score.precision
            out[f"{name}_r"] = score.recall
            out[f"{name}_f"] = score.fmeasure
        out.update(
            ref_tokens=self.ref_tokens,
            hyp_tokens=self.hyp_tokens,
            tokenizer=self.tokenizer,
            stemmer=self.stemmer,
            metrics_version=METRICS_VERSION,
        )
        return out


def rouge(
    reference: str,
    hypothesis: str,
    *,
    tokenizer: TokenizerName = "unicode",
    stemmer: bool = False,
    language: str = "en",
) -> RougeResult:
    """ROUGE-1/2/L/Lsum of ``hypothesis`` (the generated note) against ``reference``.

    Args:
        reference: The reference note; newlines separate ROUGE-Lsum sentences.
        hypothesis: The generated note.
        tokenizer: ``unicode`` (any script; sentences also split within lines for Lsum) or
            ``rouge-score`` (rouge-score's ASCII tokenizer; only newlines split).
        stemmer: Porter-stem tokens longer than 3 characters (English only).
        language: Language of the notes; stemming is refused for anything but English.

    Raises:
        MetricError: Unknown tokenizer, or stemming asked for a non-English language.
    """
    if tokenizer not in TOKENIZERS:
        raise MetricError(f"unknown tokenizer {tokenizer!r}: use one of {', '.join(TOKENIZERS)}")
    if stemmer and not language.lower().startswith("en"):
        raise MetricError(
            f"stemming is English-only (Porter) but language is {language!r}: drop --stemmer"
        )
    # Each sentence is tokenized once: a text's tokens are its sentences' tokens in order
    # (sentences are lines, or pieces of lines cut at whitespace, and no token spans either).
    ref_words = sentence_tokens(reference, tokenizer, stemmer=stemmer)
    hyp_words = sentence_tokens(hypothesis, tokenizer, stemmer=stemmer)
    # Token ids (0, 1, ... in order of first appearance), mapped at C speed.
    vocabulary = dict.fromkeys(chain.from_iterable(chain(ref_words, hyp_words)))
    to_id = dict(zip(vocabulary, count(), strict=False)).__getitem__
    ref_sents = [list(map(to_id, s)) for s in ref_words]
    hyp_sents = [list(map(to_id, s)) for s in hyp_words]
    ref = list(chain.from_iterable(ref_sents))
    hyp = list(chain.from_iterable(hyp_sents))
    ref_counts, hyp_counts = Counter(ref), Counter(hyp)
    return RougeResult(
        rouge1=_overlap_score(ref_counts, hyp_counts, len(ref), len(hyp)),
        rouge2=_overlap_score(
            Counter(pairwise(ref)), Counter(pairwise(hyp)), len(ref) - 1, len(hyp) - 1
        ),
        rougeL=_lcs_score(ref, hyp),
        rougeLsum=_summary_lcs_score(ref_sents, hyp_sents, ref, hyp_counts),
        tokenizer=TOKENIZERS[tokenizer],
        stemmer=stemmer,
        ref_tokens=len(ref),
        hyp_tokens=len(hyp),
    )


def _overlap_score(
    ref_counts: Counter[_Gram], hyp_counts: Counter[_Gram], n_ref: int, n_hyp: int
) -> RougeScore:
    """rouge-score's ``_score_ngrams``: clipped n-gram overlap over the n-gram counts."""
    if len(hyp_counts) < len(ref_counts):
        ref_counts, hyp_counts = hyp_counts, ref_counts
    overlap = sum(min(n, hyp_counts[g]) for g, n in ref_counts.items() if g in hyp_counts)
    return _score(overlap / max(n_hyp, 1), overlap / max(n_ref, 1))


def _lcs_score(ref: list[int], hyp: list[int]) -> RougeScore:
    if not ref or not hyp:
        return _ZERO
    length = lcs_length(to_chars(ref), to_chars(hyp))
    return _score(length / len(hyp), length / len(ref))


def _summary_lcs_score(
    ref_sents: list[list[int]], hyp_sents: list[list[int]], ref: list[int], hyp_counts: Counter[int]
) -> RougeScore:
    """rouge-score's ``_summary_level_lcs``: union LCS per reference sentence, hits clipped.

    rouge-score walks the union tokens in order and counts a hit while the token is left in
    both texts. Union indices are distinct reference positions, so the reference never runs
    out first, and the hits of a token are ``min(times in the unions, times in hypothesis)``.
    """
    m, n = len(ref), sum(hyp_counts.values())
    if not m or not n:
        return _ZERO
    union = Counter(
        token
        for sent, taken in zip(ref_sents, union_lcs_indices(ref_sents, hyp_sents), strict=True)
        for token in map(sent.__getitem__, taken)
    )
    hits = sum(min(n, hyp_counts[t]) for t, n in union.items())
    return _score(hits / n, hits / m)
