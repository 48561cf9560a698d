"""What a gate evaluation returns: one row per rule and slice, and the verdict."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from scribe_eval.compare._gate import Unit

RuleStatus = Literal["pass", "fail", "skipped", "unchanged"]


@dataclass(frozen=True)
class RuleResult:
    """One gate rule on one slice: the figures (fractions, or the limit's unit), decision, why.

    ``verdict`` is derived from the row's own interval: "worse"/"better" only when it excludes
    zero. ``confidence`` is the level the interval was drawn at (family-adjusted).
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
    p_adjusted: float | None = None
    significant: bool | None = None
    change: Literal["better", "worse", "same"] | None = None
    verdict: str = ""
    margin: float | None = None
    n: int | None = None
    mde: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN becomes None); metric values are fractions."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class GateResult:
    """The verdict: passed unless a rule failed on some slice. Skipped and unchanged never fail.

    ``family`` is the number of hypotheses the adjustment ran over (the decided metric rows).
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

    @property
    def passed(self) -> bool:
        """True when no rule failed."""
        return not any(r.status == "fail" for r in self.results)

    @property
    def ordered(self) -> tuple[RuleResult, ...]:
        """The rows as people read them: failures first, then passes, unchanged and skipped."""
        rank = {"fail": 0, "pass": 1, "unchanged": 2, "skipped": 3}
        return tuple(sorted(self.results, key=lambda r: rank[r.status]))

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        """The failed rule results."""
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def adjustment(self) -> str:
        """How p-values and intervals were adjusted, in words."""
        if self.family == 0:
            return "no adjustment: no hypothesis (every compared slice was unchanged or skipped)"
        if self.family == 1:
            return "no adjustment (one hypothesis)"
        return (
            f"Bonferroni over the gate's {self.family} hypotheses (unchanged slices excluded): "
            f"intervals at {1 - (1 - self.confidence) / self.family:.2%}, p x {self.family}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types; metric values, differences, intervals and margins are fractions."""
        return {
            "baseline": self.baseline_id,
            "candidate": self.candidate_id,
            "passed": self.passed,
            "verdict": "pass" if self.passed else "regression",
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
