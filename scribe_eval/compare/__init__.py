"""Baseline vs candidate: the rollout gate and its outputs (table, JSON, Markdown, JUnit).

``evaluate_gate`` refuses runs whose dataset, normalisers, tokenizer or metric versions differ
(unless forced), then checks each rule per slice: non-inferiority margins on paired-bootstrap
intervals over encounters, and hard limits. Rules without data are skipped, never failed.
"""

from __future__ import annotations

from scribe_eval.compare._data import RunData, describe_slice, load_run_data, per_encounter
from scribe_eval.compare._evaluate import (
    GateResult,
    RuleResult,
    RuleStatus,
    comparability_problems,
    evaluate_gate,
    resolve_pair,
)
from scribe_eval.compare._gate import DEFAULT_GATE, METRICS, Gate, LimitRule, MetricRule, load_gate
from scribe_eval.compare._writers import gate_json, gate_junit, gate_markdown, gate_table

__all__ = [
    "DEFAULT_GATE",
    "METRICS",
    "Gate",
    "GateResult",
    "LimitRule",
    "MetricRule",
    "RuleResult",
    "RuleStatus",
    "RunData",
    "comparability_problems",
    "describe_slice",
    "evaluate_gate",
    "gate_json",
    "gate_junit",
    "gate_markdown",
    "gate_table",
    "load_gate",
    "load_run_data",
    "per_encounter",
    "resolve_pair",
]
