"""The metrics a report shows: stable keys, plain headings, direction and formatting."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

MetricKindName = Literal["mean", "ratio"]


@dataclass(frozen=True)
class MetricDef:
    """One metric column: the stored key, its plain heading and how to read it.

    Every value is shown on a 0-100 scale (percent for rates and recalls, points for ROUGE F).
    """

    key: str
    label: str
    higher_is_better: bool
    description: str

    @property
    def direction(self) -> str:
        """``higher is better`` or ``lower is better``."""
        return "higher is better" if self.higher_is_better else "lower is better"


NOTE_METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "rouge1_f", "ROUGE-1", True, "F-measure of shared words (unigrams) with the reference note"
    ),
    MetricDef("rouge2_f", "ROUGE-2", True, "F-measure of shared word pairs (bigrams)"),
    MetricDef("rougeL_f", "ROUGE-L", True, "F-measure of the longest common word subsequence"),
    MetricDef(
        "rougeLsum_f", "ROUGE-Lsum", True, "ROUGE-L computed sentence by sentence (summary-level)"
    ),
    MetricDef(
        "section_coverage", "Section coverage", True, "share of reference sections the note filled"
    ),
    MetricDef(
        "fact_recall",
        "Fact recall",
        True,
        "share of reference facts (doses, medications, negations, sides) found in the note",
    ),
)

HEADLINE = NOTE_METRICS[3]
"""The metric that names the best template of a language (ROUGE-Lsum: notes are multi-sentence)."""

WER = MetricDef(
    "wer", "WER", False, "word error rate pooled over recordings: (S + D + I) / reference words"
)
CER = MetricDef("cer", "CER", False, "character error rate pooled over recordings")
TERM_RECALL = MetricDef(
    "term_recall",
    "Medical-term recall",
    True,
    "share of the encounter's medical terms recognised correctly",
)
TRANSCRIPT_METRICS: tuple[MetricDef, ...] = (WER, CER, TERM_RECALL)

# Per-encounter (numerator, denominator) of the pooled transcript metrics.
RATIO_PARTS: dict[str, tuple[str, str]] = {
    "wer": ("errors", "ref_words"),
    "cer": ("char_errors", "ref_chars"),
    "term_recall": ("term_recognised", "term_occurrences"),
}


def is_number(value: Any) -> TypeGuard[float]:
    """True for a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def ratio_parts(scores: dict[str, Any], key: str) -> tuple[float, float] | None:
    """A transcript cell's numerator and denominator of a pooled metric, or None."""
    num_key, den_key = RATIO_PARTS[key]
    if num_key == "errors":
        parts = [scores.get(k) for k in ("substitutions", "deletions", "insertions")]
        if not all(is_number(p) for p in parts):
            return None
        num: Any = sum(p for p in parts if is_number(p))
    else:
        num = scores.get(num_key)
    den = scores.get(den_key)
    if not (is_number(num) and is_number(den)):
        return None
    return float(num), float(den)


def fmt(value: Any, digits: int = 1) -> str:
    """A 0-1 value on the 0-100 scale (``41.2``); an em dash when missing."""
    if not is_number(value):
        return "—"
    return f"{value * 100:.{digits}f}"


def fmt_interval(low: Any, high: Any) -> str:
    """``38.0–44.5`` on the 0-100 scale, or an empty string."""
    if not (is_number(low) and is_number(high)):
        return ""
    return f"{low * 100:.1f}–{high * 100:.1f}"


def fmt_diff(value: Any) -> str:
    """A signed difference on the 0-100 scale (``+1.3``)."""
    if not is_number(value):
        return "—"
    return f"{value * 100:+.1f}"


def fmt_p(value: Any) -> str:
    """A p-value with two significant digits (``<0.001`` below that)."""
    if not is_number(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.2g}"


def fmt_slice(value: Any) -> str:
    """A gate slice (``{"language": "en"}``) as ``language: en``; ``all cells`` when empty."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "all cells"
    return "all cells" if value in (None, "") else str(value)
