"""``scribe-eval audit``: check what each metric catches before gating on it."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scribe_eval.audit import AUDIT_METRICS, PERTURBATIONS, AuditResult, audit_metrics
from scribe_eval.dataset import load_dataset
from scribe_eval.metrics import fmt_points

__all__ = ["audit", "format_audit_table"]


@click.group("audit")
def audit() -> None:
    """Audit the metrics: controlled errors in reference notes and how much each metric moves."""


@audit.command("metrics")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def metrics(dataset: Path, as_json: bool) -> None:
    """Perturb every reference note of DATASET once per kind of error; tabulate each metric.

    A cell reads "moved% meanΔ": the share of notes on which the metric changed, and its mean
    change in points (negative: the metric penalises the error). Reordering and paraphrase keep
    every fact, so a good clinical metric stays still there and moves for the other kinds.
    """
    result = audit_metrics(load_dataset(dataset))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    Console(width=160).print(format_audit_table(result))


def format_audit_table(result: AuditResult) -> Table:
    """The audit as a rich table: a row per kind of perturbation, a column per metric."""
    table = Table(title=f"metric audit of dataset {result.dataset} (moved% meanΔ in points)")
    table.add_column("perturbation")
    table.add_column("notes", justify="right")
    for metric in AUDIT_METRICS:
        table.add_column(metric, justify="right")
    for kind in PERTURBATIONS:
        cells = [result.cell(kind, m) for m in AUDIT_METRICS]
        row = [
            "-"
            if c.moved is None or c.mean_delta is None
            else f"{c.moved:.0%} {fmt_points(c.mean_delta, signed=True)}"
            for c in cells
        ]
        table.add_row(kind, str(max(c.notes for c in cells)), *row)
    return table
