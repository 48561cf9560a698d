"""The report's view of the metric catalogue: which metrics it shows, and its Jinja filters.

Labels, directions, descriptions and scales come from `scribe_eval.metrics.METRICS`: a metric's
figure is shown on its spec's scale (`fmt_metric`, the ``metric`` filter: points with one decimal,
``41.2``; the length ratio as a whole percent, ``230%``), intervals as ``[−3.4, −0.9]``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scribe_eval.audit import judge_audit_key
from scribe_eval.compare import RuleResult, RunData, fmt_difference
from scribe_eval.metrics import (
    JUDGE_HEADLINES,
    JUDGE_METRIC_KEYS,
    METRICS,
    NOTE_HEADLINES,
    PRIMARY_NOTE_METRIC,
    TRANSCRIPT_HEADLINES,
    FigureUnit,
    MetricSpec,
    fmt_change,
    fmt_figure,
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
    "fmt_metric",
    "fmt_metric_interval",
    "fmt_p",
    "fmt_row_difference",
    "fmt_slice",
    "fmt_value",
    "fmt_value_change",
    "is_number",
    "leader_columns",
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


def leader_columns(
    metrics: tuple[MetricSpec, ...],
) -> tuple[tuple[MetricSpec, ...], tuple[MetricSpec, ...]]:
    """A leaderboard's columns: the note metrics, and the judge's in a table of their own.

    Nine metrics with their intervals fill a 1280 px page; the judge's five more would push the
    last columns behind a horizontal scroll bar.
    """
    judged = tuple(m for m in metrics if m.key in JUDGE_METRIC_KEYS)
    return tuple(m for m in metrics if m.key not in JUDGE_METRIC_KEYS), judged


def fmt(value: Any, digits: int = 1) -> str:
    """A 0-1 value on the 0-100 scale (``41.2``); an em dash when missing."""
    return fmt_points(value)


def fmt_metric(value: Any, spec: MetricSpec | str) -> str:
    """A metric's figure on its catalogue scale (`MetricSpec.fmt`): ``41.2``, ``230%``."""
    return _spec(spec).fmt(value)


def fmt_metric_interval(low: Any, high: Any, spec: MetricSpec | str) -> str:
    """A metric's interval on its catalogue scale; empty when missing."""
    return _spec(spec).fmt_interval(low, high)


def _spec(spec: MetricSpec | str) -> MetricSpec:
    return spec if isinstance(spec, MetricSpec) else METRICS[spec]


def fmt_diff(value: Any) -> str:
    """A signed difference on the 0-100 scale (``+1.3``, ``−0.4``)."""
    return fmt_points(value, signed=True)


def fmt_value(value: Any, unit: FigureUnit = "points", signed: bool = False) -> str:
    """A gate figure in its unit: points, a count per note, or milliseconds."""
    if not is_number(value):
        return "—"
    return fmt_figure(value, unit, signed=signed) + (" ms" if unit == "ms" else "")


def fmt_value_change(before: Any, after: Any, unit: FigureUnit = "points") -> str:
    """``after - before`` printed beside the two values: the difference of the values as shown
    (`scribe_eval.metrics.fmt_change`), so a reader's subtraction gives the printed number."""
    text = fmt_change(before, after, unit)
    return text + (" ms" if unit == "ms" and text != "—" else "")


def fmt_row_difference(result: RuleResult) -> str:
    """A gate row's difference beside its two values, as the gate's other writers show it
    (`scribe_eval.compare.fmt_difference`); an em dash when the row has none."""
    text = fmt_difference(result)
    return text + (" ms" if result.unit == "ms" else "") if text else "—"


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
