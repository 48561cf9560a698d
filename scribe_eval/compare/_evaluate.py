"""Evaluating a gate: baseline vs candidate, rule by rule and slice by slice."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from scribe_eval.compare._data import (
    RunData,
    SliceKey,
    load_run_data,
    per_encounter,
    slice_keys,
)
from scribe_eval.compare._gate import DEFAULT_GATE, METRICS, Gate, LimitRule, MetricRule
from scribe_eval.errors import ConfigError
from scribe_eval.stats import (
    MetricSample,
    PairedComparison,
    compare_paired,
    holm_adjust,
    non_inferiority,
)
from scribe_eval.store import CellRecord, RunRecord, RunStore

RuleStatus = Literal["pass", "fail", "skipped"]


@dataclass(frozen=True)
class RuleResult:
    """One gate rule on one slice: the figures, the decision and why."""

    rule: str
    kind: Literal["non-inferiority", "limit"]
    metric: str
    slice: dict[str, str]
    status: RuleStatus
    reason: str
    baseline: float | None = None
    candidate: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    margin: float | None = None
    n: int | None = None
    mde: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class GateResult:
    """The verdict: passed unless a rule failed on some slice. Skipped rules never fail."""

    baseline_id: str
    candidate_id: str
    results: tuple[RuleResult, ...]
    seed: int
    resamples: int
    confidence: float
    default_gate: bool
    forced_differences: tuple[str, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when no rule failed."""
        return not any(r.status == "fail" for r in self.results)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        """The failed rule results."""
        return tuple(r for r in self.results if r.status == "fail")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "baseline": self.baseline_id,
            "candidate": self.candidate_id,
            "passed": self.passed,
            "verdict": "pass" if self.passed else "regression",
            "default_gate": self.default_gate,
            "seed": self.seed,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "forced_differences": list(self.forced_differences),
            "warnings": list(self.warnings),
            "rules": [r.as_dict() for r in self.results],
        }


def comparability_problems(baseline: RunRecord, candidate: RunRecord) -> list[str]:
    """What differs between two runs in ways that make their numbers incomparable."""
    problems: list[str] = []
    if baseline.dataset_hash != candidate.dataset_hash:
        problems.append(
            f"datasets differ ({baseline.dataset_name} {baseline.dataset_hash[:12]} vs "
            f"{candidate.dataset_name} {candidate.dataset_hash[:12]})"
        )
    a = baseline.provenance.get("metrics", {})
    b = candidate.provenance.get("metrics", {})
    for key, label in (
        ("normalizers", "normalisers"),
        ("tokenizer", "tokenizers"),
        ("stemmer", "stemming"),
        ("version", "metric versions"),
    ):
        if a.get(key) != b.get(key):
            problems.append(f"{label} differ ({a.get(key)} vs {b.get(key)})")
    return problems


def evaluate_gate(
    store: RunStore,
    baseline: RunRecord,
    candidate: RunRecord,
    gate: Gate | None = None,
    *,
    force: bool = False,
) -> GateResult:
    """Apply ``gate`` (default: ``DEFAULT_GATE``) to the candidate against the baseline.

    Raises:
        ConfigError: The runs are not comparable (different dataset, normaliser, tokenizer or
            metric version) and ``force`` is not set; the message says what differs.
    """
    problems = comparability_problems(baseline, candidate)
    if problems and not force:
        raise ConfigError(
            f"runs {baseline.id} and {candidate.id} are not comparable: "
            + "; ".join(problems)
            + " (use --force to compare anyway)"
        )
    chosen = gate or DEFAULT_GATE
    settings = candidate.provenance.get("metrics", {})
    seed = chosen.seed if chosen.seed is not None else int(settings.get("seed", 0))
    resamples = chosen.resamples or int(settings.get("bootstrap", 2000))
    base, cand = load_run_data(store, baseline), load_run_data(store, candidate)
    results: list[RuleResult] = []
    comparisons: list[tuple[int, PairedComparison]] = []
    for rule in chosen.rules:
        if isinstance(rule, MetricRule):
            for result, comparison in _metric_rule(rule, base, cand, seed, resamples, chosen):
                if comparison is not None:
                    comparisons.append((len(results), comparison))
                results.append(result)
        else:
            results.extend(_limit_rule(rule, base, cand))
    adjusted = holm_adjust([c.p_permutation for _, c in comparisons]) if comparisons else ()
    for (index, _), p in zip(comparisons, adjusted, strict=True):
        results[index] = _replace(results[index], p_adjusted=p)
    return GateResult(
        baseline_id=baseline.id, candidate_id=candidate.id, results=tuple(results), seed=seed,
        resamples=resamples, confidence=chosen.confidence, default_gate=gate is None,
        forced_differences=tuple(problems), warnings=tuple(_warnings(base, cand)),
    )  # fmt: skip


def _warnings(base: RunData, cand: RunData) -> list[str]:
    """What a reader of a passing verdict should still know."""
    out: list[str] = []
    if base.run.id == cand.run.id:
        out.append("baseline and candidate are the same run: the gate passes trivially")
    labels_a = {c.template_label for c in base.cells if c.kind == "document"}
    labels_b = {c.template_label for c in cand.cells if c.kind == "document"}
    if labels_a != labels_b:
        only_a = ", ".join(sorted(labels_a - labels_b)) or "none"
        only_b = ", ".join(sorted(labels_b - labels_a)) or "none"
        out.append(
            f"the runs evaluate different templates (only in the baseline: {only_a}; only in "
            f"the candidate: {only_b}); rules by template compare the shared ones only"
        )
    return out


def _replace(result: RuleResult, **changes: Any) -> RuleResult:
    return RuleResult(**{**asdict(result), **changes})


def _metric_rule(
    rule: MetricRule, base: RunData, cand: RunData, seed: int, resamples: int, gate: Gate
) -> list[tuple[RuleResult, PairedComparison | None]]:
    kind, numerator, denominator, higher = METRICS[rule.metric]
    a = per_encounter(base, _of_kind(base, kind), numerator, denominator, rule.by, rule.where)
    b = per_encounter(cand, _of_kind(cand, kind), numerator, denominator, rule.by, rule.where)
    if not a and not b:
        return [(_skipped(rule, (), f"neither run has {rule.metric} scores"), None)]
    out: list[tuple[RuleResult, PairedComparison | None]] = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            missing = "baseline" if key not in a else "candidate"
            out.append((_skipped(rule, key, f"the {missing} has no {rule.metric} here"), None))
            continue
        common = sorted(set(a[key]) & set(b[key]))
        if len(common) < gate.min_encounters:
            reason = (
                f"only {len(common)} encounter(s) in both runs; a decision needs at least "
                f"{gate.min_encounters} (the gate's min_encounters)"
            )
            out.append((_skipped(rule, key, reason), None))
            continue
        comparison = compare_paired(
            _sample(a[key], common, denominator), _sample(b[key], common, denominator),
            higher_is_better=higher, label_a="baseline", label_b="candidate",
            confidence=gate.confidence, resamples=resamples, permutations=resamples, seed=seed,
        )  # fmt: skip
        decision = non_inferiority(comparison, margin=rule.margin)
        dropped = len(set(a[key]) ^ set(b[key]))
        note = f" ({dropped} encounters in only one run left out)" if dropped else ""
        result = RuleResult(
            rule=rule.name, kind="non-inferiority", metric=rule.metric, slice=dict(key),
            status="pass" if decision.passed else "fail", reason=decision.reason + note,
            baseline=comparison.value_a, candidate=comparison.value_b,
            difference=comparison.difference, low=comparison.low, high=comparison.high,
            p_value=comparison.p_permutation, margin=rule.margin, n=comparison.n,
            mde=comparison.mde,
        )  # fmt: skip
        out.append((result, comparison))
    return out


def _sample(
    values: dict[str, tuple[float, float]], ids: list[str], denominator: str | None
) -> MetricSample:
    if denominator is None:
        return MetricSample.from_values(ids, [values[i][0] for i in ids])
    return MetricSample.from_ratio(ids, [values[i][0] for i in ids], [values[i][1] for i in ids])


def _of_kind(data: RunData, kind: str) -> list[CellRecord]:
    return [c for c in data.cells if c.kind == kind]


def _skipped(rule: MetricRule | LimitRule, key: SliceKey, reason: str) -> RuleResult:
    metric = rule.metric if isinstance(rule, MetricRule) else rule.limit
    kind: Literal["non-inferiority", "limit"] = (
        "non-inferiority" if isinstance(rule, MetricRule) else "limit"
    )
    return RuleResult(
        rule=rule.name, kind=kind, metric=metric, slice=dict(key), status="skipped", reason=reason
    )


def _limit_rule(rule: LimitRule, base: RunData, cand: RunData) -> list[RuleResult]:
    a, b = _limit_values(rule, base), _limit_values(rule, cand)
    if not b:
        return [_skipped(rule, (), f"the candidate has no data for {rule.limit}")]
    out: list[RuleResult] = []
    for key in sorted(b):
        value = b[key]
        before = a.get(key)
        failures: list[str] = []
        if rule.max is not None and value > rule.max:
            failures.append(f"{value:.4g} is above the maximum {rule.max:g}")
        if rule.min is not None and value < rule.min:
            failures.append(f"{value:.4g} is below the minimum {rule.min:g}")
        if rule.max_increase is not None:
            if before is None:
                out.append(_skipped(rule, key, "the baseline has no data to compare with"))
                continue
            if value - before > rule.max_increase:
                failures.append(
                    f"rose from {before:.4g} to {value:.4g}, more than {rule.max_increase:g}"
                )
        reason = "; ".join(failures) or f"{value:.4g} is within the limit"
        out.append(
            RuleResult(
                rule=rule.name,
                kind="limit",
                metric=rule.limit,
                slice=dict(key),
                status="fail" if failures else "pass",
                reason=reason,
                baseline=before,
                candidate=value,
                difference=None if before is None else value - before,
            )
        )
    return out


def _limit_values(rule: LimitRule, data: RunData) -> dict[SliceKey, float]:
    groups: dict[SliceKey, list[float]] = {}
    for cell in data.cells:
        value = _limit_contribution(rule, cell)
        if value is None:
            continue
        for key in slice_keys(data, cell, rule.by, rule.where):
            groups.setdefault(key, []).append(value)
    if rule.limit == "p95_latency_ms":
        return {key: _p95(values) for key, values in groups.items()}
    return {key: sum(values) / len(values) for key, values in groups.items() if values}


def _limit_contribution(rule: LimitRule, cell: CellRecord) -> float | None:
    if rule.limit == "error_rate":
        return 1.0 if cell.status == "error" else 0.0
    if rule.limit == "unscored_rate":
        if cell.kind != "document" or cell.status != "ok":
            return None
        return 1.0 if "unscored" in cell.scores else 0.0
    if rule.limit == "p95_latency_ms":
        value = cell.timings.get(rule.stage)
        return None if value is None or cell.from_cache else float(value)
    if cell.kind != "document" or cell.status != "ok":
        return None
    score = cell.scores.get(rule.limit)
    return float(score) if isinstance(score, int | float) else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def resolve_pair(
    store: RunStore, first: str | None, second: str | None, baseline_name: str | None
) -> tuple[RunRecord, RunRecord]:
    """The (baseline, candidate) runs from the positional references and ``--baseline``."""
    refs = [r for r in (first, second) if r]
    if baseline_name is not None:
        if len(refs) != 1:
            raise ConfigError("with --baseline NAME give exactly one run: the candidate")
        return store.resolve_run(baseline_name), store.resolve_run(refs[0])
    if len(refs) != 2:
        raise ConfigError("give BASELINE_RUN and CANDIDATE_RUN, or --baseline NAME CANDIDATE_RUN")
    return store.resolve_run(refs[0]), store.resolve_run(refs[1])
