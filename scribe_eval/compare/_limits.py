"""Hard limits of a gate: rates, missing sections, fact recall and latency per slice.

A rise (``max_increase``) is measured on the cells both runs have, per template and language by
default, so a changed template mix (one template dropped or added) cannot fail or pass the gate by
itself. A rise compares observed rates, counted, not estimated with an interval, so it is judged on
any number of shared encounters: a template whose every cell fails in a language of two visits
fails the gate (the interval rule, `scribe_eval.stats.has_interval`, governs the margins, which
rest on an interval). Each row carries the number of encounters it was judged on. ``max`` and
``min`` bound the candidate's own cells and are judged on any number of them. A value printed
beside its bound is printed so that the pair reads as the decision went
(`scribe_eval.metrics.fmt_against`): "5.004% is above the maximum 5.0%", never "5.0% ... above the
maximum 5.0%".
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scribe_eval.compare._data import RunData, SliceKey, slice_keys
from scribe_eval.compare._gate import LimitRule, to_internal
from scribe_eval.compare._result import RuleResult
from scribe_eval.compare._unchanged import unchanged
from scribe_eval.metrics import fmt_against, fmt_figure, is_number
from scribe_eval.store import CellSummary

_NOT_SHARED = "no cells shared with the baseline here"


def limit_results(rule: LimitRule, base: RunData, cand: RunData) -> list[RuleResult]:
    """One result per slice of the candidate (skipped when there is nothing to judge)."""
    shared = {c.cell_id for c in base.cells} & {c.cell_id for c in cand.cells}
    own, _ = _values(rule, cand, None)
    before, _ = _values(rule, base, shared)
    after_shared, encounters = _values(rule, cand, shared)
    if not own:
        return [_skipped(rule, (), f"the candidate has no data for {rule.limit}")]
    out: list[RuleResult] = []
    for key in sorted(own):
        value = own[key]
        if _unchanged(rule, base, cand, dict(key)):
            out.append(
                RuleResult(
                    rule=rule.name,
                    kind="limit",
                    metric=rule.limit,
                    slice=dict(key),
                    status="unchanged",
                    unit=rule.unit,
                    baseline=before.get(key),
                    candidate=after_shared.get(key, value),
                    reason="unchanged: same request, target identity and stored answers in both "
                    "runs; cannot fail",
                )
            )
            continue
        failures = _bounds(rule, value)
        baseline = before.get(key)
        if rule.max_increase is not None:
            if baseline is None or key not in after_shared:
                # A rise that cannot be measured is never a pass; a broken bound still fails.
                if not failures:
                    out.append(_skipped(rule, key, _NOT_SHARED))
                    continue
                failures.append(f"the rise is not judged: {_NOT_SHARED}")
            else:
                value = after_shared[key]
                failures += _rise(rule, baseline, value)
        reason = "; ".join(failures) or f"{_within(rule, value)} is within the limit"
        out.append(
            RuleResult(
                rule=rule.name,
                kind="limit",
                metric=rule.limit,
                slice=dict(key),
                status="fail" if failures else "pass",
                reason=reason,
                unit=rule.unit,
                baseline=baseline,
                candidate=value,
                difference=None if baseline is None else value - baseline,
                n=encounters.get(key) if rule.max_increase is not None else None,
            )
        )
    return out


def _bounds(rule: LimitRule, value: float) -> list[str]:
    """The candidate's own value against ``max`` and ``min``: a bound, not a comparison with
    the baseline, so it is judged on any number of cells."""
    out = []
    if rule.max is not None and value > to_internal(rule.max, rule.unit):
        shown, limit = _against(rule, value, rule.max)
        out.append(f"{shown} is above the maximum {limit}")
    if rule.min is not None and value < to_internal(rule.min, rule.unit):
        shown, limit = _against(rule, value, rule.min)
        out.append(f"{shown} is below the minimum {limit}")
    return out


def _rise(rule: LimitRule, baseline: float, value: float) -> list[str]:
    assert rule.max_increase is not None
    allowed = to_internal(rule.max_increase, rule.unit)
    if not value - baseline > allowed:
        return []
    rise, limit = fmt_against(value - baseline, allowed, rule.unit)
    unit = {"points": " points", "ms": " ms"}.get(rule.unit, "")
    return [
        f"rose by {rise}{unit} (from {_show(rule, baseline)} to {_show(rule, value)}) on the "
        f"cells both runs have, more than the {limit}{unit} allowed"
    ]


def _against(rule: LimitRule, value: float, written: float) -> tuple[str, str]:
    """``value`` and a bound as written in the gate file, printed as the decision ordered them
    (the catalogue's `fmt_against`), each with the unit's sign."""
    suffix = _suffix(rule)
    shown, limit = fmt_against(value, to_internal(written, rule.unit), rule.unit)
    return shown + suffix, limit + suffix


def _within(rule: LimitRule, value: float) -> str:
    """A passing value, printed against the bound it was checked on (never beyond it)."""
    bound = rule.max if rule.max is not None else rule.min
    return _show(rule, value) if bound is None else _against(rule, value, bound)[0]


def _unchanged(rule: LimitRule, base: RunData, cand: RunData, where: dict[str, str]) -> bool:
    """An unchanged template cannot fail a limit either (latency is never unchanged)."""
    if rule.limit == "p95_latency_ms":
        return False
    template = where.get("template")
    if rule.limit != "error_rate" or template not in (None, "*"):
        return unchanged(base, cand, "document", where)
    kinds = ["transcript"] if template == "*" else ["transcript", "document"]
    rest = {k: v for k, v in where.items() if k != "template"}
    return all(unchanged(base, cand, kind, rest) for kind in kinds)  # type: ignore[arg-type]


def _skipped(rule: LimitRule, key: SliceKey, reason: str) -> RuleResult:
    return RuleResult(
        rule=rule.name, kind="limit", metric=rule.limit, slice=dict(key), status="skipped",
        reason=reason, unit=rule.unit,
    )  # fmt: skip


def _suffix(rule: LimitRule) -> str:
    return {"points": "%", "ms": " ms"}.get(rule.unit, "")


def _show(rule: LimitRule, value: float) -> str:
    return fmt_figure(value, rule.unit) + _suffix(rule)


def _values(
    rule: LimitRule, data: RunData, cells: set[str] | None
) -> tuple[dict[SliceKey, float], dict[SliceKey, int]]:
    """Per slice: the limit's value, and how many encounters it was measured on."""
    contribution = _CONTRIBUTIONS[rule.limit]
    groups: dict[SliceKey, list[float]] = {}
    encounters: dict[SliceKey, set[str]] = {}
    for cell in data.cells:
        if cells is not None and cell.cell_id not in cells:
            continue
        value = contribution(rule, cell)
        if value is None:
            continue
        for key in slice_keys(data, cell, rule.dimensions, rule.where):
            groups.setdefault(key, []).append(value)
            encounters.setdefault(key, set()).add(cell.encounter_id)
    counts = {key: len(ids) for key, ids in encounters.items()}
    if rule.limit == "p95_latency_ms":
        return {key: _p95(values) for key, values in groups.items()}, counts
    return {key: sum(v) / len(v) for key, v in groups.items() if v}, counts


def _error(rule: LimitRule, cell: CellSummary) -> float | None:
    return 1.0 if cell.status == "error" else 0.0 if cell.status == "ok" else None


def _unscored(rule: LimitRule, cell: CellSummary) -> float | None:
    if cell.kind != "document" or cell.status != "ok":
        return None
    return 1.0 if cell.figures.unscored is not None else 0.0


def _latency(rule: LimitRule, cell: CellSummary) -> float | None:
    value = cell.timings.get(rule.stage)
    return None if value is None or cell.from_cache else float(value)


def _score(rule: LimitRule, cell: CellSummary) -> float | None:
    if cell.kind != "document" or cell.status != "ok":
        return None
    score = cell.figures.get(rule.limit)
    return float(score) if is_number(score) else None


_CONTRIBUTIONS: dict[str, Callable[[LimitRule, CellSummary], float | None]] = {
    "error_rate": _error,
    "unscored_rate": _unscored,
    "p95_latency_ms": _latency,
    "missing_sections": _score,
    "fact_recall": _score,
}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
