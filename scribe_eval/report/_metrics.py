"""The report's view of the metric catalogue: which metrics it shows, and its Jinja filters.

Labels, directions and descriptions come from `scribe_eval.metrics.METRICS`; every value is shown
on the 0-100 scale with one decimal, intervals as ``[−3.4, −0.9]``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scribe_eval.audit import judge_audit_key
from scribe_eval.compare import RunData
from scribe_eval.metrics import (
    JUDGE_HEADLINES,
    METRICS,
    MINUS,
    NOTE_HEADLINES,
    PRIMARY_NOTE_METRIC,
    TRANSCRIPT_HEADLINES,
    MetricSpec,
    fmt_interval,
    fmt_points,
    is_number,
)

NOTE_METRICS: tuple[MetricSpec, ...] = tuple(METRICS[k] for k in NOTE_HEADLINES)
HEADLINE = METRICS[PRIMARY_NOTE_METRIC]
"""The metric that names the best template of a language (ROUGE-Lsum: notes are multi-sentence)."""
WER = METRICS["wer"]
TRANSCRIPT_METRICS: tuple[MetricSpec, ...] = tuple(METRICS[k] for k in TRANSCRIPT_HEADLINES)

__all__ = [
    "HEADLINE",
    "NOTE_METRICS",
    "TRANSCRIPT_METRICS",
    "WER",
    "fmt",
    "fmt_diff",
    "fmt_interval",
    "fmt_p",
    "fmt_slice",
    "fmt_value",
    "is_number",
    "note_metrics_for",
]


def note_metrics_for(data: RunData) -> tuple[MetricSpec, ...]:
    """The note metrics a run's report shows: the headlines, plus the judge's when it was judged.

    A judge metric's label says "unvalidated" until ``scribe-eval audit judge`` has measured
    this judge on this dataset (detection of controlled errors, or agreement with clinicians).
    """
    judge = data.run.meta.judge
    judged = judge is not None and any(
        c.figures.get(k) is not None for c in data.cells if c.kind == "document"
        for k in JUDGE_HEADLINES
    )  # fmt: skip
    if not judged:
        return NOTE_METRICS
    assert judge is not None
    audit = data.store.cache_get(judge_audit_key(data.run.dataset_hash, judge))
    validated = audit is not None and bool(audit.value.get("validated"))
    specs = tuple(METRICS[k] for k in JUDGE_HEADLINES)
    if not validated:
        specs = tuple(
            replace(
                s, label=f"{s.label} (unvalidated)",
                description=f"{s.description}; unvalidated: run `scribe-eval audit judge`",
            )
            for s in specs
        )  # fmt: skip
    return NOTE_METRICS + specs


def fmt(value: Any, digits: int = 1) -> str:
    """A 0-1 value on the 0-100 scale (``41.2``); an em dash when missing."""
    return fmt_points(value)


def fmt_diff(value: Any) -> str:
    """A signed difference on the 0-100 scale (``+1.3``, ``−0.4``)."""
    return fmt_points(value, signed=True)


def fmt_value(value: Any, unit: str = "points", signed: bool = False) -> str:
    """A gate figure in its unit: points, a count per note, or milliseconds."""
    if not is_number(value):
        return "—"
    if unit == "points":
        return fmt_points(value, signed=signed)
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    if unit == "ms":
        text = f"{value:+.0f} ms" if signed else f"{value:.0f} ms"
    return text.replace("-", MINUS)


def fmt_p(value: Any) -> str:
    """A p-value with two significant digits (``<0.001`` below that)."""
    if not is_number(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3g}"


def fmt_slice(value: Any) -> str:
    """A gate slice (``{"language": "en"}``) as ``language: en``; ``all cells`` when empty."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "all cells"
    return "all cells" if value in (None, "") else str(value)
