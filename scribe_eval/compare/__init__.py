"""The results layer, and baseline vs candidate: the rollout gate and its outputs.

The results layer lives here. `load_run_data` is the one read model of a run (its record, its
cells' summaries with their typed figures, its dataset checked against the recorded hash; one
encounter's full cells on demand) and `samples` the one way cells become per-encounter statistics
samples; the gate, ``compare`` and every page of the report use both, with labels, directions and
formats from the metric catalogue (`scribe_eval.metrics.METRICS`).

`evaluate_gate` refuses runs whose dataset, normalisers, tokenizer or metric versions differ
(unless forced), then judges each rule per slice — by default per template, language and source:
non-inferiority on paired-bootstrap intervals over encounters (Bonferroni over the gate's
hypotheses; unchanged slices are not hypotheses), and hard limits on the cells both runs have.
Rules without data are skipped, never failed.
"""

from __future__ import annotations

from scribe_eval.compare._data import (
    RunData,
    SliceKey,
    describe_slice,
    load_run_data,
    page_name,
    per_encounter_values,
    samples,
    scored,
)
from scribe_eval.compare._evaluate import (
    comparability_problems,
    describe_difference,
    evaluate_gate,
    judge_difference,
    resolve_pair,
)
from scribe_eval.compare._gate import DEFAULT_GATE, Gate, LimitRule, MetricRule, load_gate
from scribe_eval.compare._result import GateResult, RuleResult, RuleStatus
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
    method_note,
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
    "SliceKey",
    "TrendPoint",
    "comparability_problems",
    "describe_difference",
    "describe_slice",
    "evaluate_gate",
    "fmt_difference",
    "gate_json",
    "gate_junit",
    "gate_markdown",
    "gate_table",
    "identity_changes",
    "identity_hash",
    "identity_short",
    "identity_text",
    "judge_difference",
    "load_gate",
    "load_run_data",
    "method_note",
    "page_name",
    "per_encounter_values",
    "resolve_pair",
    "samples",
    "scored",
    "target_identity",
    "trend_rows",
    "trends",
    "unchanged",
]
