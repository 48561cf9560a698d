"""The audit on the sample dataset: the direction of each metric's change per kind of error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval.audit import AUDIT_METRICS, AuditResult, PerturbationKind, audit_metrics
from scribe_eval.cli import main
from scribe_eval.dataset import load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
ROUGE = ("rouge1_f", "rouge2_f", "rougeL_f", "rougeLsum_f")


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit_metrics(load_dataset(SAMPLE))


# For each kind: metrics that must fall on average, and metrics that must not move at all.
DIRECTIONS: list[tuple[PerturbationKind, tuple[str, ...], tuple[str, ...]]] = [
    ("drop_fact", (*ROUGE, "fact_recall"), ()),
    ("dose_tenfold", (*ROUGE, "fact_recall", "fact_precision"), ("section_coverage",)),
    # The flipped note asserts what the reference negates: a contradiction, against precision.
    ("flip_negation", (*ROUGE, "fact_recall", "fact_precision"), ("section_coverage",)),
    ("flip_laterality", (*ROUGE, "fact_recall", "fact_precision"), ("section_coverage",)),
    ("swap_medication", (*ROUGE, "fact_recall"), ("section_coverage",)),
    ("add_finding", (*ROUGE, "fact_precision"), ("section_coverage", "fact_recall")),
    ("reorder_sections", ("rougeL_f",),
     ("rouge1_f", "rougeLsum_f", "section_coverage", "fact_recall", "fact_precision")),
    ("paraphrase", ROUGE, ("section_coverage", "fact_recall", "fact_precision")),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "falls", "still"), DIRECTIONS, ids=[d[0] for d in DIRECTIONS])
def test_direction_of_each_effect(
    result: AuditResult, kind: PerturbationKind, falls: tuple[str, ...], still: tuple[str, ...]
) -> None:
    for metric in falls:
        cell = result.cell(kind, metric)
        assert cell.notes > 0
        assert cell.mean_delta is not None
        assert cell.mean_delta < 0, metric
    for metric in still:
        assert result.cell(kind, metric).moved == 0.0, metric


def test_rouge_barely_notices_a_tenfold_dose_but_facts_do(result: AuditResult) -> None:
    rouge_drop = result.cell("dose_tenfold", "rougeLsum_f").mean_delta
    fact_drop = result.cell("dose_tenfold", "fact_precision").mean_delta
    assert rouge_drop is not None
    assert fact_drop is not None
    assert fact_drop < 5 * rouge_drop  # both negative: the fact drop is over five times larger


def test_every_flipped_negation_costs_fact_precision(result: AuditResult) -> None:
    assert result.cell("flip_negation", "fact_precision").moved == 1.0


def test_cli_prints_the_table_and_json() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["audit", "metrics", str(SAMPLE)])
    assert table.exit_code == 0, table.output
    assert "dose_tenfold" in table.output
    assert "fact_precision" in table.output
    data = json.loads(runner.invoke(main, ["audit", "metrics", str(SAMPLE), "--json"]).output)
    assert data["metrics"] == list(AUDIT_METRICS)
    assert len(data["cells"]) == 8 * len(AUDIT_METRICS)


def test_cli_names_a_missing_dataset(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["audit", "metrics", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "Error:" in result.output
