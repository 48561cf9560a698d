"""Hard limits of a gate: rates, missing sections, fact recall and latency per slice.

A rise (``max_increase``) is measured on the cells both runs have and both count for the limit
(an unscored-notes rate: the documents both runs finished; a failed-cells rate: the cells both
runs finished or failed), per template, language and source by default: one set of cells for both
sides, so a changed template mix (one template dropped or added) or cells failed on one side
cannot move the rate by themselves. A slice with shared cells of which none counts in both runs is
*undecided*. A rise compares observed rates, counted, not estimated with an interval, so it is
judged on any number of shared encounters: a template whose every cell fails in a language of two
visits fails the gate (the interval rule, `scribe_eval.stats.has_interval`, governs the margins,
which rest on an interval). Each row carries the number of encounters it was judged on. ``max``
and ``min`` bound the candidate's own cells and are judged on any number of them. A value printed
beside its bound is printed so that the pair reads as the decision went
(`scribe_eval.metrics.fmt_against`): "5.004% is above the maximum 5.0%", never "5.0% ... above the
maximum 5.0%".
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scribe_eval.compare._data import RunData, SliceKey
from scribe_eval.compare._gate import LimitRule, to_internal
from scribe_eval.compare._result import RuleResult, RuleStatus
from scribe_eval.compare._shared import slice_members
from scribe_eval.compare._unchanged import unchanged
from scribe_eval.metrics import fmt_against, fmt_figure, is_number
from scribe_eval.store import CellSummary

_NOT_SHARED = "no cells shared with the baseline here"


def limit_results(rule: LimitRule, base: RunData, cand: RunData) -> list[RuleResult]:
    """One result per slice of the candidate (skipped when there is nothing to judge)."""
    contribution = _CONTRIBUTIONS[rule.limit]
    mine = slice_members(cand, cand.cells, rule.dimensions, rule.where)
    theirs = slice_members(base, base.cells, rule.dimensions, rule.where)
    out: list[RuleResult] = []
    for key, cells in sorted(mine.items()):
        own = [c for c in cells.values() if contribution(rule, c) is not None]
        if own:
            shared = cells.keys() & theirs.get(key, {}).keys()
            out.append(_judge(rule, base, cand, key, own, shared))
    return out or [_skipped(rule, (), f"the candidate has no data for {rule.limit}")]


def _judge(
    rule: LimitRule,
    base: RunData,
    cand: RunData,
    key: SliceKey,
    own: list[CellSummary],
    shared: set[str],
) -> RuleResult:
    """One slice: bounds on the candidate's own cells, a rise on the cells both runs have and
    both finished (the same cells on both sides, so one definition of the rate)."""
    contribution = _CONTRIBUTIONS[rule.limit]
    paired = sorted(
        i for i in shared
        if contribution(rule, base.by_id[i]) is not None
        and contribution(rule, cand.by_id[i]) is not None
    )  # fmt: skip
    before = _value(rule, [base.by_id[i] for i in paired])
    after = _value(rule, [cand.by_id[i] for i in paired])
    encounters = len({base.by_id[i].encounter_id for i in paired}) or None
    if _unchanged(rule, base, cand, own, shared):
        return _row(rule, key, "unchanged", _UNCHANGED, before, after, encounters)
    value = _value(rule, own)
    assert value is not None
    failures = _bounds(rule, value)
    baseline = n = None
    if rule.max_increase is not None:
        if before is None or after is None:
            why = _unmeasured(rule, base, cand, shared)
            # A rise that cannot be measured is never a pass; a broken bound still fails.
            if not failures:
                if why != _NOT_SHARED:
                    return _row(rule, key, "undecided", why, None, None, None, cause=_NO_PAIRS)
                if rule.max is not None or rule.min is not None:  # its own cells, bounded
                    return _row(rule, key, "pass", _passed(rule, value, None), None, value, None)
                if rule.limit in _HARM and value > 0:
                    reason = _new_with_harm(rule, cand, own, value)
                    return _row(
                        rule, key, "undecided", reason, None, value, None, cause=_NEW_WITH_HARM
                    )
                return _skipped(rule, key, why)
            failures.append(f"the rise is not judged: {why}")
        else:
            baseline, value, n = before, after, encounters
            failures += _rise(rule, baseline, value)
    reason = "; ".join(failures) or _passed(rule, value, baseline)
    return _row(rule, key, "fail" if failures else "pass", reason, baseline, value, n)


def _passed(rule: LimitRule, value: float, baseline: float | None) -> str:
    """Why a limit row passed, naming each bound it was checked on (a rise: from what, to what,
    and how much was allowed; "0.0% is within the limit" named no limit)."""
    parts = []
    if rule.max is not None or rule.min is not None:
        parts.append(f"{_within(rule, value)} is within the limit")
    if rule.max_increase is not None and baseline is not None:
        allowed = to_internal(rule.max_increase, rule.unit)
        limit = fmt_against(value - baseline, allowed, rule.unit)[1]
        unit = {"points": " points", "ms": " ms"}.get(rule.unit, "")
        parts.append(
            f"from {_show(rule, baseline)} to {_show(rule, value)} on the cells both runs have: "
            f"within the rise of {limit}{unit} allowed"
        )
    return "; ".join(parts) or f"{_within(rule, value)} is within the limit"


_UNCHANGED = "unchanged: same request, target identity and stored answers in both runs; cannot fail"
_NO_PAIRS = "without cells both runs finished"
#: Limits whose counted cells are harm in themselves, whatever the baseline did: a failed cell.
#: In a slice the baseline does not have (a new template or language), there is no rise to
#: measure, but such cells are never passed over: the slice is undecided (not proven safe), not
#: skipped. An unscored note is a lack of evidence, not harm: a new template without reference
#: notes is skipped as before.
_HARM = frozenset({"error_rate"})
_NEW_WITH_HARM = "new with failed cells"


def _new_with_harm(rule: LimitRule, cand: RunData, own: list[CellSummary], value: float) -> str:
    """Why a slice only the candidate has, with harmful cells, is undecided."""
    contribution = _CONTRIBUTIONS[rule.limit]
    bad = sum(contribution(rule, c) == 1.0 for c in own)
    return (
        f"{bad} of {len(own)} cell{'' if len(own) == 1 else 's'} failed ({_show(rule, value)}) "
        f"in a slice the baseline does not have: no rise to measure, and failures are never "
        f"passed over: see them with 'scribe-eval runs show {cand.run.id} --errors', or bound "
        f"them with 'max' for {rule.limit} in the gate file"
    )


def _unmeasured(rule: LimitRule, base: RunData, cand: RunData, shared: set[str]) -> str:
    """Why a rise has no cell to be measured on."""
    if not shared:
        return _NOT_SHARED
    contribution = _CONTRIBUTIONS[rule.limit]
    counts = [
        sum(contribution(rule, data.by_id[i]) is not None for i in shared) for data in (base, cand)
    ]
    n = len(shared)
    return (
        f"none of the {n} cell{'' if n == 1 else 's'} both runs have here counts for "
        f"{rule.limit} in both runs (the baseline's {counts[0]}, the candidate's {counts[1]}), "
        "so the rise is not decided"
    )


def _row(
    rule: LimitRule,
    key: SliceKey,
    status: RuleStatus,
    reason: str,
    baseline: float | None,
    candidate: float | None,
    n: int | None,
    *,
    cause: str | None = None,
) -> RuleResult:
    difference = None if baseline is None or candidate is None else candidate - baseline
    return RuleResult(
        rule=rule.name, kind="limit", metric=rule.limit, slice=dict(key), status=status,
        reason=reason, unit=rule.unit, baseline=baseline, candidate=candidate,
        difference=difference, n=n, cause=cause,
    )  # fmt: skip


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


def _unchanged(
    rule: LimitRule, base: RunData, cand: RunData, own: list[CellSummary], shared: set[str]
) -> bool:
    """An unchanged slice cannot fail a limit either (latency is never unchanged). A bound
    judges the candidate's own cells, so every one of them must be shared and unchanged."""
    if rule.limit == "p95_latency_ms":
        return False
    bounded = rule.max is not None or rule.min is not None
    if bounded and any(c.cell_id not in shared for c in own):
        return False
    return unchanged(base, cand, shared)


def _skipped(rule: LimitRule, key: SliceKey, reason: str) -> RuleResult:
    return RuleResult(
        rule=rule.name, kind="limit", metric=rule.limit, slice=dict(key), status="skipped",
        reason=reason, unit=rule.unit,
    )  # fmt: skip


def _suffix(rule: LimitRule) -> str:
    return {"points": "%", "ms": " ms"}.get(rule.unit, "")


def _show(rule: LimitRule, value: float) -> str:
    return fmt_figure(value, rule.unit) + _suffix(rule)


def _value(rule: LimitRule, cells: list[CellSummary]) -> float | None:
    """The limit's value on these cells (None when none of them counts for it)."""
    contribution = _CONTRIBUTIONS[rule.limit]
    values = [v for v in (contribution(rule, c) for c in cells) if v is not None]
    if not values:
        return None
    if rule.limit == "p95_latency_ms":
        return _p95(values)
    return sum(values) / len(values)


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
