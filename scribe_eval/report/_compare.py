"""The compare view: a candidate run against a baseline, per metric and slice, and the gate.

Each row pairs the two runs on the encounters both scored (a paired bootstrap interval of the
difference and an approximate-randomization p-value from `scribe_eval.stats.compare_paired`),
Holm-corrected over all rows of the view. The gate's own verdict comes from
`scribe_eval.compare.evaluate_gate` when that is available.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from scribe_eval.errors import ScribeEvalError
from scribe_eval.report._data import RunData, page_name
from scribe_eval.report._leaderboard import note_samples, pooled_sample, scored_documents
from scribe_eval.report._metrics import HEADLINE, NOTE_METRICS, WER, MetricDef
from scribe_eval.stats import MetricSample, PairedComparison, compare_paired, holm_correct, verdict
from scribe_eval.store import CellRecord

_CHANGED = 15


@dataclass
class CompareRow:
    """One metric on one slice: both runs' values and their paired comparison."""

    metric: MetricDef
    slice: str
    comparison: PairedComparison
    verdict: str

    @property
    def significant(self) -> bool:
        """True when the difference is significant after the view's Holm correction."""
        return self.comparison.significant()


@dataclass
class Changed:
    """One encounter whose value moved between the runs."""

    encounter_id: str
    page: str | None
    slice: str
    metric: str
    baseline: float
    candidate: float
    higher_is_better: bool

    @property
    def delta(self) -> float:
        """Candidate minus baseline."""
        return self.candidate - self.baseline

    @property
    def worse(self) -> bool:
        """True when the candidate is worse on this encounter."""
        return (self.delta < 0) == self.higher_is_better and self.delta != 0


@dataclass
class CompareView:
    """Everything the compare page shows."""

    baseline: Any
    candidate: Any
    rows: list[CompareRow] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    gate: dict[str, Any] | None = None
    gate_passed: bool | None = None
    gate_problem: str | None = None


def compare_view(baseline: RunData, candidate: RunData, *, pages: bool) -> CompareView:
    """Pair every metric and slice both runs share, find the encounters that moved most."""
    view = CompareView(baseline.run, candidate.run)
    raw: list[tuple[MetricDef, str, PairedComparison]] = []
    for metric in (WER, *NOTE_METRICS):
        pairs = _samples(baseline, metric), _samples(candidate, metric)
        for key in sorted(set(pairs[0]) & set(pairs[1])):
            comparison = _paired(pairs[0][key], pairs[1][key], metric, candidate)
            if comparison is not None:
                raw.append((metric, key, comparison))
    corrected = holm_correct([c for _, _, c in raw], family="every row of this comparison")
    view.rows = [
        CompareRow(metric, key, c, verdict(c, scale=100, unit=" points"))
        for (metric, key, _), c in zip(raw, corrected, strict=True)
    ]
    view.changed = _changed(baseline, candidate, pages=pages)
    view.gate, view.gate_passed, view.gate_problem = _gate(baseline, candidate)
    return view


def _samples(data: RunData, metric: MetricDef) -> dict[str, MetricSample]:
    if metric is WER:
        by_language: dict[str, list[CellRecord]] = {}
        for cells in data.transcripts.values():
            for c in cells:
                if c.source == "asr" and c.status == "ok":
                    by_language.setdefault(c.recording_language, []).append(c)
        out = {
            f"transcripts · {lang}": pooled_sample(cells, "wer")
            for lang, cells in by_language.items()
        }
        return {k: v for k, v in out.items() if v is not None}
    samples = note_samples(data, metric, scored_documents(data))
    return {f"{template} · {group}": s for (template, group), s in samples.items()}


def _paired(
    a: MetricSample, b: MetricSample, metric: MetricDef, data: RunData
) -> PairedComparison | None:
    shared = sorted(set(a.ids) & set(b.ids))
    if not shared:
        return None
    try:
        return compare_paired(
            a.subset(shared),
            b.subset(shared),
            higher_is_better=metric.higher_is_better,
            label_a="baseline",
            label_b="candidate",
            seed=data.seed,
            resamples=data.resamples,
            permutations=data.resamples,
        )
    except ScribeEvalError:
        return None


def _changed(baseline: RunData, candidate: RunData, *, pages: bool) -> list[Changed]:
    out: list[Changed] = []
    for metric in (HEADLINE, WER):
        before, after = _samples(baseline, metric), _samples(candidate, metric)
        for key in set(before) & set(after):
            a, b = _per_encounter(before[key]), _per_encounter(after[key])
            for encounter_id in set(a) & set(b):
                page = f"encounters/{page_name(encounter_id)}" if pages else None
                out.append(
                    Changed(
                        encounter_id,
                        page,
                        key,
                        metric.label,
                        a[encounter_id],
                        b[encounter_id],
                        metric.higher_is_better,
                    )
                )
    out.sort(key=lambda c: (-abs(c.delta), c.encounter_id))
    return [c for c in out if c.delta != 0][:_CHANGED]


def _per_encounter(sample: MetricSample) -> dict[str, float]:
    return {
        i: float(n / d) if d else 0.0
        for i, n, d in zip(sample.ids, sample.numerators, sample.denominators, strict=True)
    }


def _gate(
    baseline: RunData, candidate: RunData
) -> tuple[dict[str, Any] | None, bool | None, str | None]:
    try:
        evaluate_gate = importlib.import_module("scribe_eval.compare").evaluate_gate
    except (ImportError, AttributeError):
        return (
            None,
            None,
            "gate unavailable: this scribe-eval has no rollout gate (scribe_eval.compare)",
        )
    try:
        result = evaluate_gate(baseline.store, baseline.run, candidate.run)
    except ScribeEvalError as exc:
        return None, None, f"gate unavailable: {exc.message}"
    return dict(result.as_dict()), bool(result.passed), None
