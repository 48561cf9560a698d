"""Evaluating a gate: baseline vs candidate, rule by rule and slice by slice.

The rollout question is per template: each template is compared with the baseline's template of
the same label, per language and source. Every slice is measured on the cells both runs have in
it and scored (`scribe_eval.compare._shared`), so a template added or dropped never enters one
side's value. A slice whose request and answers did not change (same spec hash, reference,
target identity and cache keys on every shared cell) is *unchanged*: it is reported, it is not a
hypothesis, and it cannot fail. A changed slice the data cannot decide (too few shared
encounters, no score in a run) is *undecided*, and makes the verdict inconclusive.

Every decided row is one hypothesis, decided on its own: its interval and p-value come from one
paired bootstrap over encounters at the gate's confidence, and ``p`` inverts that percentile
interval exactly (`scribe_eval.stats.PairedComparison.p_interval`), so an interval that excludes
zero is exactly ``p < alpha``. Non-inferiority fails when that interval cannot rule out a loss
larger than the margin. No row is adjusted for the others: the gate passes only when every row
passes, an intersection-union test (Berger 1982) whose chance of passing a real regression is
at most each row's own level, however many rows there are. So a row's interval, p-value and
decision never depend on which other rules, templates or languages the gate has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scribe_eval.compare._complete import incomplete_run
from scribe_eval.compare._data import RunData, SliceKey, describe_slice, load_run_data
from scribe_eval.compare._gate import DEFAULT_GATE, Gate, MetricRule
from scribe_eval.compare._limits import limit_results
from scribe_eval.compare._result import GateResult, RuleResult
from scribe_eval.compare._shared import SharedSlice, measures, shared_samples
from scribe_eval.compare._unchanged import unchanged
from scribe_eval.errors import ConfigError
from scribe_eval.metrics import (
    JUDGE_METRIC_KEYS,
    MetricSpec,
    fmt_against,
    fmt_change,
    fmt_interval,
    fmt_points,
)
from scribe_eval.stats import (
    MIN_ENCOUNTERS_FOR_INTERVAL,
    MetricSample,
    PairedComparison,
    compare_paired,
    has_interval,
    non_inferiority,
)
from scribe_eval.store import JUDGE_UNFINISHED, RunRecord, RunStore, runner_gone


def comparability_problems(baseline: RunRecord, candidate: RunRecord) -> list[str]:
    """What differs between two runs in ways that make their numbers incomparable."""
    problems: list[str] = []
    if baseline.dataset_hash != candidate.dataset_hash:
        problems.append(
            f"datasets differ ({baseline.dataset_name} {baseline.dataset_hash[:12]} vs "
            f"{candidate.dataset_name} {candidate.dataset_hash[:12]})"
        )
    a, b = baseline.meta.metrics, candidate.meta.metrics
    for key, label in (
        ("normalizers", "normalisers"),
        ("tokenizer", "tokenizers"),
        ("stemmer", "stemming"),
        ("version", "metric versions"),
    ):
        if getattr(a, key) != getattr(b, key):
            problems.append(f"{label} differ ({getattr(a, key)} vs {getattr(b, key)})")
    if a.version != b.version:
        older = baseline if _version_key(a.version) < _version_key(b.version) else candidate
        problems[-1] += f": rescore the older run with `scribe-eval rescore {older.id}`"
    return problems


def judge_difference(baseline: RunRecord, candidate: RunRecord) -> str | None:
    """How two runs' judges differ (model, prompt version, settings), or None when they agree.

    Judge metrics of runs judged differently measure different things and are never compared.
    """
    a, b = baseline.meta.judge or {}, candidate.meta.judge or {}
    for run, judge in ((baseline, a), (candidate, b)):
        if judge.get(JUDGE_UNFINISHED):
            return (
                f"run {run.id}'s judge stage did not finish (stopped mid-way: some notes are "
                f"not judged, or by another judge); judge it again with `scribe-eval judge "
                f"{run.id}`"
            )
    if a == b:
        return None
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    shown = ", ".join(f"{k} {a.get(k)!r} vs {b.get(k)!r}" for k in keys)
    return f"runs {baseline.id} and {candidate.id} were judged differently ({shown})"


def _version_key(version: object) -> tuple[int, str]:
    text = str(version)
    return (int(text), text) if text.isdigit() else (-1, text)


@dataclass
class _Pending:
    """A row to decide once every rule is planned: where it goes and its two samples."""

    index: int
    rule: MetricRule
    key: SliceKey
    a: MetricSample
    b: MetricSample
    left_out: int


def evaluate_gate(
    store: RunStore,
    baseline: RunRecord,
    candidate: RunRecord,
    gate: Gate | None = None,
    *,
    force: bool = False,
) -> GateResult:
    """Apply ``gate`` (default: `DEFAULT_GATE`) to the candidate against the baseline.

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
    judged = sorted(
        {r.metric for r in chosen.rules if isinstance(r, MetricRule)} & JUDGE_METRIC_KEYS
    )
    difference = judge_difference(baseline, candidate) if judged else None
    if difference and not force:
        raise ConfigError(
            f"{difference}: their judge metrics ({', '.join(judged)}) are not comparable; "
            "re-judge both with one judge (`scribe-eval judge RUN --experiment FILE`)"
        )
    if difference:
        problems.append(difference)
    settings = candidate.meta.metrics
    seed = chosen.seed if chosen.seed is not None else settings.seed
    resamples = chosen.resamples or settings.bootstrap
    base = load_run_data(store, baseline)
    cand = load_run_data(store, candidate, like=base)
    results: list[RuleResult] = []
    pending: list[_Pending] = []
    for rule in chosen.rules:
        if isinstance(rule, MetricRule):
            _plan_metric_rule(rule, base, cand, chosen, results, pending)
        else:
            results.extend(limit_results(rule, base, cand))
    results.extend(_membership(base, cand))
    for item in pending:
        results[item.index] = _decide(item, chosen, seed, resamples)
    return GateResult(
        baseline_id=baseline.id, candidate_id=candidate.id, results=tuple(results), seed=seed,
        resamples=resamples, confidence=chosen.confidence, default_gate=gate is None,
        family=len(pending), forced_differences=tuple(problems),
        warnings=tuple(_warnings(base, cand)), incomplete=tuple(_incomplete(base, cand)),
        accept_small_slices=chosen.accept_small_slices,
    )  # fmt: skip


def _incomplete(base: RunData, cand: RunData) -> list[str]:
    """Each run that did not complete: its numbers cover only what it finished."""
    out = []
    for role, data in (("baseline", base), ("candidate", cand)):
        gone = runner_gone(data.store, data.run)
        why = incomplete_run(data.run, data.cells, runner_gone=gone)
        if why is not None:
            out.append(f"the {role} {why}: finish it with `scribe-eval run --resume {data.run.id}`")
    return out


def _plan_metric_rule(
    rule: MetricRule,
    base: RunData,
    cand: RunData,
    gate: Gate,
    results: list[RuleResult],
    pending: list[_Pending],
) -> None:
    """One row per slice, each measured on the cells both runs have in it (`shared_samples`).

    An unchanged slice is reported first (it needs no decision, whatever its size); a changed
    one that cannot be decided (no scores on one side, too few encounters) is *undecided*; a
    slice with no cell in both runs, or where neither run measures the metric, is skipped.
    """
    if not (measures(base, rule.spec) or measures(cand, rule.spec)):
        results.append(_skipped(rule, (), f"neither run has {rule.metric} scores"))
        return
    slices = shared_samples(base, cand, rule.spec, by=rule.dimensions, where=rule.where)
    if not slices:
        results.append(_skipped(rule, (), f"neither run has cells in {_slice(rule)}"))
        return
    for key, piece in slices.items():
        if not piece.cells:
            results.append(_skipped(rule, key, _not_shared(piece)))
        elif unchanged(base, cand, piece.cells):
            results.append(_unchanged(rule, key, piece))
        elif piece.baseline is None or piece.candidate is None:
            results.append(_unscored(rule, key, piece))
        elif (too_few := _too_few(piece.n, gate)) is not None:
            results.append(_undecided(rule, key, too_few, "too few encounters", gate, piece))
        else:
            a, b, left_out = piece.baseline, piece.candidate, piece.one_sided
            pending.append(_Pending(len(results), rule, key, a, b, left_out))
            results.append(_skipped(rule, key, "pending"))


def _slice(rule: MetricRule) -> str:
    """The slices a rule asks for, in words (``language=de``, or every slice)."""
    return describe_slice(tuple(sorted(rule.where.items()))) if rule.where else "any slice"


def _not_shared(piece: SharedSlice) -> str:
    if all(piece.present):
        return "no cell is in this slice in both runs: nothing to compare"
    only = "baseline" if piece.present[0] else "candidate"
    return f"only the {only} has cells here: nothing to compare"


def _unscored(rule: MetricRule, key: SliceKey, piece: SharedSlice) -> RuleResult:
    """A changed slice without a cell scored in both runs: undecided when either run measures
    the metric there (a judge that failed, notes no longer scorable), else not applicable."""
    if not any(piece.measured):
        return _skipped(
            rule, key, f"neither run has {rule.metric} scores on {_shared_cells(piece)}"
        )
    reason = f"{_why_no_values(rule, piece)}, so nothing is decided"
    return _undecided(rule, key, reason, "without scores", None, piece)


def _shared_cells(piece: SharedSlice) -> str:
    n = len(piece.cells)
    return f"the {n} cell{'' if n == 1 else 's'} both runs have here"


def _why_no_values(rule: MetricRule, piece: SharedSlice) -> str:
    """Why a slice has no value to show: which run scored none of its shared cells."""
    cells = _shared_cells(piece)
    if piece.scored == (0, 0):
        return f"neither run has a {rule.metric} score on {cells}"
    if 0 in piece.scored:
        side = "baseline" if piece.scored[0] == 0 else "candidate"
        return f"the {side} has no {rule.metric} score on {cells}"
    return (
        f"no cell here is scored in both runs (the baseline scored {piece.scored[0]}, the "
        f"candidate {piece.scored[1]} of {cells})"
    )


def _too_few(n: int, gate: Gate) -> str | None:
    """Why ``n`` shared encounters decide nothing, or None when they are enough.

    Below the one rule for a comparison (`scribe_eval.stats.has_interval`) no gate decides,
    whatever its ``min_encounters`` says: the slice is undecided, never passed.
    """
    encounters = f"only {n} encounter{'' if n == 1 else 's'} in both runs"
    if not has_interval(n):
        return (
            f"{encounters}: too few for an interval, so nothing is decided (at least "
            f"{MIN_ENCOUNTERS_FOR_INTERVAL}, whatever min_encounters says)"
        )
    if n < gate.min_encounters:
        return (
            f"{encounters}; a decision needs at least {gate.min_encounters} (the gate's "
            "min_encounters)"
        )
    return None


def _decide(item: _Pending, gate: Gate, seed: int, resamples: int) -> RuleResult:
    """One row at the gate's confidence, whatever else the gate decides (see the module
    docstring): the interval shown is the one the decision used."""
    rule = item.rule
    c = compare_paired(
        item.a, item.b, higher_is_better=bool(rule.spec.higher_is_better), label_a="baseline",
        label_b="candidate", confidence=gate.confidence, resamples=resamples, permutations=100,
        seed=seed,
    )  # fmt: skip
    # p_interval inverts the interval exactly: "the interval excludes zero" and "p < alpha"
    # are one statement.
    significant = not c.degenerate and (c.low > 0 or c.high < 0)
    decision = non_inferiority(
        c, margin=rule.margin_fraction, scale=100, unit=" points", show=fmt_against
    )
    left = item.left_out
    note = ""
    if left:
        note = f" ({left} cell{'' if left == 1 else 's'} scored in one run only left out)"
    verdict = describe_difference(c, significant, rule.spec)
    return RuleResult(
        rule=rule.name, kind="non-inferiority", metric=rule.metric, slice=dict(item.key),
        status="pass" if decision.passed else "fail",
        reason=f"{decision.reason}; {verdict}{note}", baseline=c.value_a, candidate=c.value_b,
        difference=c.difference, low=c.low, high=c.high, confidence=c.confidence,
        p_value=c.p_interval, significant=significant,
        change=c.change if significant else None, verdict=verdict,
        margin=rule.margin_fraction, n=c.n, mde=c.mde,
    )  # fmt: skip


def describe_difference(c: PairedComparison, significant: bool, spec: MetricSpec) -> str:
    """The row's verdict in words, derived from its own interval (never "equal")."""
    interval = fmt_interval(c.low, c.high)
    if c.identical:
        return f"identical on all {c.n} encounters"
    if significant:
        amount = fmt_change(c.value_a, c.value_b, signed=False)  # beside the two shown values
        return f"{c.change} by {amount} points, interval {interval} excludes 0: significant"
    limit = "?" if c.mde is None else fmt_points(c.mde)
    return (
        f"no significant difference (interval {interval} includes 0); with {c.n} encounters "
        f"a {spec.label} difference smaller than about {limit} points could not be detected"
    )


def _membership(base: RunData, cand: RunData) -> list[RuleResult]:
    """Templates present in only one run: listed, never failed."""
    labels_a = {c.template_label for c in base.cells if c.kind == "document"}
    labels_b = {c.template_label for c in cand.cells if c.kind == "document"}
    out = []
    for label, where in [(x, "baseline") for x in sorted(labels_a - labels_b)] + [
        (x, "candidate") for x in sorted(labels_b - labels_a)
    ]:
        out.append(
            RuleResult(
                rule="template membership",
                kind="limit",
                metric="template",
                slice={"template": label},
                status="skipped",
                reason=f"template only in the {where}: listed, not compared",
            )
        )
    return out


def _unchanged(rule: MetricRule, key: SliceKey, piece: SharedSlice) -> RuleResult:
    """An unchanged slice, with its values on the cells both runs scored (equal by
    construction; none when neither scored one, and the reason says so)."""
    reason = (
        "unchanged: same request, target identity and stored answers in both runs; "
        "not a hypothesis, cannot fail"
    )
    if piece.baseline is None or piece.candidate is None:
        reason += f"; no values to show: {_why_no_values(rule, piece)}"
    return _with_values(
        RuleResult(
            rule=rule.name, kind="non-inferiority", metric=rule.metric, slice=dict(key),
            status="unchanged", margin=rule.margin_fraction, reason=reason,
        ),
        piece,
    )  # fmt: skip


def _undecided(
    rule: MetricRule,
    key: SliceKey,
    reason: str,
    cause: str,
    gate: Gate | None,
    piece: SharedSlice,
) -> RuleResult:
    """A changed slice the gate cannot decide, with the values it has (no interval); ``gate``
    is given when the cause is too few encounters, which its ``accept_small_slices`` accepts."""
    accepted = gate is not None and gate.accept_small_slices
    if accepted:
        reason += "; accepted undecided (the gate file's accept_small_slices)"
    return _with_values(
        RuleResult(
            rule=rule.name, kind="non-inferiority", metric=rule.metric, slice=dict(key),
            status="undecided", reason=reason, cause=cause, accepted=accepted,
            margin=rule.margin_fraction,
        ),
        piece,
    )  # fmt: skip


def _with_values(row: RuleResult, piece: SharedSlice) -> RuleResult:
    """The row with the slice's two values and their difference, when both runs scored it."""
    a, b = piece.baseline, piece.candidate
    if a is None or b is None:
        return row
    return replace(row, baseline=a.value, candidate=b.value, difference=b.value - a.value, n=a.n)


def _skipped(rule: MetricRule, key: SliceKey, reason: str) -> RuleResult:
    return RuleResult(
        rule=rule.name, kind="non-inferiority", metric=rule.metric, slice=dict(key),
        status="skipped", reason=reason,
    )  # fmt: skip


def _warnings(base: RunData, cand: RunData) -> list[str]:
    """What a reader of a passing verdict should still know."""
    out: list[str] = []
    if base.run.id == cand.run.id:
        out.append("baseline and candidate are the same run: the gate passes trivially")
    if base.run.target != cand.run.target:
        out.append("the runs used different targets (identity differs): no slice is unchanged")
    return out


def resolve_pair(
    store: RunStore, first: str | None, second: str | None, baseline_name: str | None
) -> tuple[RunRecord, RunRecord]:
    """The (baseline, candidate) runs from the positional references and ``--baseline``."""
    refs = [r for r in (first, second) if r]
    if baseline_name is not None:
        if len(refs) != 1:
            raise ConfigError("with --baseline NAME give exactly one run: the candidate")
        named = (baseline_name, refs[0])
    elif len(refs) != 2:
        raise ConfigError("give BASELINE_RUN and CANDIDATE_RUN, or --baseline NAME CANDIDATE_RUN")
    else:
        named = (refs[0], refs[1])
    baseline, candidate = store.resolve_run(named[0]), store.resolve_run(named[1])
    if baseline.id == candidate.id:
        # Every row would be `unchanged` and the gate would pass: the usual cause is a candidate
        # run that never started (`latest` is then still the run the baseline was blessed from).
        raise ConfigError(
            f"{named[1]!r} and {named[0]!r} are the same run ({candidate.id}): a run compared "
            "with itself proves nothing, and the gate would pass; run the candidate first, or "
            "name it by its id (`scribe-eval runs list`)"
        )
    return baseline, candidate
