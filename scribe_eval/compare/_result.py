"""What a gate evaluation returns: one row per rule and slice, and the verdict.

The verdict has three values. **fail**: a rule failed on some slice. **inconclusive**: nothing
failed, but the rollout is not shown to be safe: a changed slice could not be decided (too few
shared encounters, no scores in a run: the row is *undecided*), or a run is incomplete
(interrupted, failed or still running: its numbers cover only the cells it finished). **pass**:
every changed slice was decided and passed, on complete runs. Skipped rows (nothing to compare:
a template or language in one run only, a metric neither run measures there) and unchanged rows
never change the verdict.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from scribe_eval.compare._gate import Unit

RuleStatus = Literal["pass", "fail", "undecided", "skipped", "unchanged"]
Verdict = Literal["pass", "fail", "inconclusive"]


@dataclass(frozen=True)
class RuleResult:
    """One gate rule on one slice: the figures (fractions, or the limit's unit), decision, why.

    ``verdict`` is derived from the row's own interval: "worse"/"better" only when it excludes
    zero. ``confidence`` is the level the interval was drawn at: the gate's, never adjusted for
    the other rows, and the one the decision used; ``p_value`` inverts that interval (below
    ``1 - confidence`` exactly when it excludes zero). An
    ``undecided`` row carries its ``cause`` in a few words ("too few encounters"); ``accepted``
    marks one the gate file accepts (``accept_small_slices``), which does not block a pass.
    """

    rule: str
    kind: Literal["non-inferiority", "limit"]
    metric: str
    slice: dict[str, str]
    status: RuleStatus
    reason: str
    unit: Unit = "points"
    baseline: float | None = None
    candidate: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    confidence: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    change: Literal["better", "worse", "same"] | None = None
    verdict: str = ""
    margin: float | None = None
    n: int | None = None
    mde: float | None = None
    cause: str | None = None
    accepted: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN becomes None). ``unit`` is the values' own: a rate or score shown
        in points is stored, and written here, as a fraction (``"unit": "fraction"``, 0.42 for 42
        points); ``shown_in`` is the unit tables, reports and gate files use."""
        data = {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }
        data["unit"] = "fraction" if self.unit == "points" else self.unit
        data["shown_in"] = self.unit
        return data


@dataclass(frozen=True)
class GateResult:
    """The rows and the verdict: fail, inconclusive or pass (see the module docstring).

    ``family`` is the number of hypotheses decided (the decided metric rows); each was decided
    on its own interval, with no adjustment for the others (`adjustment` says why).
    ``incomplete`` says, per run that did not complete, its status and how much of it finished.
    """

    baseline_id: str
    candidate_id: str
    results: tuple[RuleResult, ...]
    seed: int
    resamples: int
    confidence: float
    default_gate: bool
    family: int = 0
    forced_differences: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    incomplete: tuple[str, ...] = field(default_factory=tuple)
    accept_small_slices: bool = False

    @property
    def verdict(self) -> Verdict:
        """``fail`` when a rule failed; else ``inconclusive`` when a changed slice is undecided
        or a run is incomplete; else ``pass``."""
        if self.failures:
            return "fail"
        return "inconclusive" if self.undecided or self.incomplete else "pass"

    @property
    def passed(self) -> bool:
        """True only when the verdict is ``pass`` (an inconclusive gate has not passed)."""
        return self.verdict == "pass"

    @property
    def ordered(self) -> tuple[RuleResult, ...]:
        """The rows as people read them: failures, undecided, passes, accepted, unchanged,
        skipped."""
        rank = {"fail": 0, "undecided": 1, "pass": 2, "unchanged": 4, "skipped": 5}
        return tuple(sorted(self.results, key=lambda r: 3 if r.accepted else rank[r.status]))

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        """The failed rule results."""
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def undecided(self) -> tuple[RuleResult, ...]:
        """The changed slices the gate could not decide and does not accept."""
        return tuple(r for r in self.results if r.status == "undecided" and not r.accepted)

    @property
    def accepted(self) -> tuple[RuleResult, ...]:
        """The undecided small slices the gate file accepts (``accept_small_slices``)."""
        return tuple(r for r in self.results if r.status == "undecided" and r.accepted)

    @property
    def not_proven(self) -> list[str]:
        """Why the rollout is not shown to be safe, one phrase each (empty when nothing says
        so): the incomplete runs, then the undecided slices counted by cause."""
        out = list(self.incomplete)
        if self.undecided:
            causes = Counter(r.cause or "not decided" for r in self.undecided)
            n = len(self.undecided)
            why = ", ".join(f"{count} {cause}" for cause, count in sorted(causes.items()))
            out.append(f"{n} changed slice{'' if n == 1 else 's'} undecided ({why})")
        return out

    @property
    def adjustment(self) -> str:
        """Why no interval or p-value is adjusted for the number of rows, in words."""
        if self.family == 0:
            return (
                "no adjustment: no hypothesis (every compared slice was unchanged, undecided "
                "or skipped)"
            )
        level = f"{self.confidence * 100:g}%"
        if self.family == 1:
            return f"no adjustment (one hypothesis, decided on its own {level} interval)"
        one_sided = (1 - self.confidence) / 2
        return (
            f"no multiplicity adjustment: the gate passes only when each of its {self.family} "
            "rows decided on an interval passes (an intersection-union test), and each rate "
            "limit holds on its counts, so the chance of passing a loss "
            f"beyond a margin stays at most the one-sided {one_sided:.3g} of each row's own "
            f"{level} interval however many rows there are, and no row's interval, p-value or "
            "decision depends on the other rows; p is a row's own (with many rows, a few may "
            "read significant by chance)"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; metric values, differences, intervals and margins are fractions."""
        return {
            "baseline": self.baseline_id,
            "candidate": self.candidate_id,
            "passed": self.passed,
            "verdict": {"fail": "regression"}.get(self.verdict, self.verdict),
            "not_proven": self.not_proven,
            "incomplete": list(self.incomplete),
            "accept_small_slices": self.accept_small_slices,
            "default_gate": self.default_gate,
            "seed": self.seed,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "family": self.family,
            "adjustment": self.adjustment,
            "forced_differences": list(self.forced_differences),
            "warnings": list(self.warnings),
            "rules": [r.as_dict() for r in self.results],
        }
