"""The compare view: the gate's own rows, and the encounters that moved most.

The page shows `scribe_eval.compare.evaluate_gate`'s result as it is (one statistic per row,
computed once), never a second set of tests: one page never shows two numbers for one question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from scribe_eval.compare import (
    GateResult,
    RunData,
    Verdict,
    evaluate_gate,
    method_note,
    page_name,
    per_encounter_values,
    shared_samples,
    tally,
)
from scribe_eval.errors import ScribeEvalError
from scribe_eval.metrics import METRICS, shown_change
from scribe_eval.store import RunRecord

_CHANGED = 15


@dataclass
class Changed:
    """One encounter whose value moved between the runs on one gate row's slice."""

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

    baseline: RunRecord
    candidate: RunRecord
    gate: GateResult | None = None
    gate_problem: str | None = None
    method: str = ""
    tally: str = ""
    changed: list[Changed] = field(default_factory=list)
    #: The baseline names (`runs bless`) that point at the baseline run.
    baseline_names: list[str] = field(default_factory=list)

    @property
    def baseline_label(self) -> str:
        """The baseline as people call it: its blessed name(s), else its experiment's name."""
        return ", ".join(self.baseline_names) or self.baseline.name

    @property
    def baseline_origin(self) -> str:
        """What the baseline run is: its experiment, and the names it is blessed as."""
        blessed = f", blessed as {', '.join(self.baseline_names)}" if self.baseline_names else ""
        return f"run of experiment {self.baseline.name}{blessed}"

    @property
    def gate_verdict(self) -> Verdict | None:
        """The gate's verdict (pass, fail, inconclusive), or None when it could not be
        evaluated."""
        return None if self.gate is None else self.gate.verdict


def compare_view(baseline: RunData, candidate: RunData, *, pages: bool) -> CompareView:
    """The gate's verdict and rows, and the encounters that moved most on the gate's slices."""
    view = CompareView(baseline.run, candidate.run)
    view.baseline_names = sorted(
        name for name, run_id in baseline.store.baselines().items() if run_id == baseline.run.id
    )
    try:
        view.gate = evaluate_gate(baseline.store, baseline.run, candidate.run)
    except ScribeEvalError as exc:
        view.gate_problem = f"gate unavailable: {exc.message}"
        return view
    view.method = method_note(view.gate)
    view.tally = tally(view.gate)
    view.changed = _changed(baseline, candidate, view.gate, pages=pages)
    return view


def _changed(
    baseline: RunData, candidate: RunData, gate: GateResult, *, pages: bool
) -> list[Changed]:
    out: list[Changed] = []
    for row in gate.results:
        if row.kind != "non-inferiority" or row.status == "unchanged":
            continue
        spec = METRICS[row.metric]
        # The row's own cells: those both runs have in its slice and scored (as the gate).
        pieces = shared_samples(baseline, candidate, spec, by=list(row.slice), where=row.slice)
        piece = pieces.get(tuple(sorted(row.slice.items())))
        if piece is None or piece.baseline is None or piece.candidate is None:
            continue
        a, b = per_encounter_values(piece.baseline), per_encounter_values(piece.candidate)
        label = ", ".join(f"{k}: {v}" for k, v in row.slice.items()) or "all cells"
        for encounter_id in sorted(set(a) & set(b)):
            page = f"encounters/{page_name(encounter_id)}" if pages else None
            out.append(
                Changed(
                    encounter_id,
                    page,
                    label,
                    spec.label,
                    a[encounter_id],
                    b[encounter_id],
                    bool(spec.higher_is_better),
                )
            )
    return most_changed(out)


def most_changed(changes: list[Changed]) -> list[Changed]:
    """The changes that moved most, by the change as printed (the difference of the two shown
    values), then the exact one: a row printed -13.0 above one printed -13.1 read as out of
    order. Unmoved encounters are left out; at most `_CHANGED`."""
    ordered = sorted(changes, key=_printed_then_exact)
    return [c for c in ordered if c.delta != 0][:_CHANGED]


def _printed_then_exact(c: Changed) -> tuple[Decimal, float, str]:
    printed = shown_change(c.baseline, c.candidate)
    return (-abs(printed if printed is not None else Decimal(0)), -abs(c.delta), c.encounter_id)
