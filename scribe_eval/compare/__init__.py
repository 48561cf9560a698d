"""The results layer, and baseline vs candidate: the rollout gate and its outputs.

The results layer lives here. `load_run_data` is the one read model of a run (its record, its
cells' summaries with their typed figures, its dataset checked against the recorded hash; one
encounter's full cells on demand) and `samples` the one way cells become per-encounter statistics
samples; the gate, ``compare`` and every page of the report use both, with labels, directions and
formats from the metric catalogue (`scribe_eval.metrics.METRICS`).

`evaluate_gate` refuses runs whose dataset, normalisers, tokenizer or metric versions differ
(unless forced), then judges each rule per slice — by default per template, language and source —
on the cells both runs have in it (`shared_samples`): non-inferiority on paired-bootstrap intervals
over encounters, each row on its own interval (the gate passes only when every row passes: an
intersection-union test, so no row is adjusted for the others; unchanged slices are not
hypotheses), and hard limits. Its verdict is fail, inconclusive (a changed slice undecided, or
a run incomplete: `incomplete_run`) or pass; a slice with nothing to compare is skipped, never
failed.
"""

from __future__ import annotations

from scribe_eval.compare._complete import incomplete_run, run_progress
from scribe_eval.compare._data import (
    RunData,
    SliceKey,
    describe_slice,
    load_run_data,
    page_name,
    per_encounter_values,
    samples,
    scored,
    slice_keys,
)
from scribe_eval.compare._evaluate import (
    comparability_problems,
    describe_difference,
    evaluate_gate,
    judge_difference,
    resolve_pair,
)
from scribe_eval.compare._gate import DEFAULT_GATE, Gate, LimitRule, MetricRule, load_gate
from scribe_eval.compare._result import GateResult, RuleResult, RuleStatus, Verdict
from scribe_eval.compare._shared import SharedSlice, shared_samples
from scribe_eval.compare._trend import (
    TrendPoint,
    identity_changes,
    identity_hash,
    identity_short,
    identity_text,
    target_identity,
    trend_rows,
    trends,
)
from scribe_eval.compare._unchanged import unchanged
from scribe_eval.compare._writers import (
    fmt_difference,
    gate_json,
    gate_junit,
    gate_markdown,
    gate_table,
    headline,
    method_note,
    tally,
)

__all__ = [
    "DEFAULT_GATE",
    "Gate",
    "GateResult",
    "LimitRule",
    "MetricRule",
    "RuleResult",
    "RuleStatus",
    "RunData",
    "SharedSlice",
    "SliceKey",
    "TrendPoint",
    "Verdict",
    "comparability_problems",
    "describe_difference",
    "describe_slice",
    "evaluate_gate",
    "fmt_difference",
    "gate_json",
    "gate_junit",
    "gate_markdown",
    "gate_table",
    "headline",
    "identity_changes",
    "identity_hash",
    "identity_short",
    "identity_text",
    "incomplete_run",
    "judge_difference",
    "load_gate",
    "load_run_data",
    "method_note",
    "page_name",
    "per_encounter_values",
    "resolve_pair",
    "run_progress",
    "samples",
    "scored",
    "shared_samples",
    "slice_keys",
    "tally",
    "target_identity",
    "trend_rows",
    "trends",
    "unchanged",
]
