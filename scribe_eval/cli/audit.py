"""``scribe-eval audit``: check what each metric catches before gating on it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scribe_eval.audit import (
    AUDIT_METRICS,
    JUDGE_AUDIT_NOTES,
    PERTURBATIONS,
    AuditResult,
    JudgeAuditResult,
    audit_judge,
    audit_metrics,
)
from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.dataset import load_dataset
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import load_experiment
from scribe_eval.metrics import fmt_points

__all__ = ["audit", "format_audit_table", "format_judge_audit"]


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


@audit.command("judge")
@click.argument("experiment_file", metavar="EXPERIMENT", type=click.Path(path_type=Path))
@click.option(
    "--notes", "max_notes", type=click.IntRange(1), default=JUDGE_AUDIT_NOTES, show_default=True,
    help="Reference notes to audit (each costs nine claim judgements; cached).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@runs_dir_option
@store_option
def judge(
    experiment_file: Path,
    max_notes: int,
    as_json: bool,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Run the metric audit's perturbations through EXPERIMENT's judge; tabulate detection.

    Each reference note is judged as it is and once per controlled error; the judge detects an
    error when it finds more unsupported, contradicted or omitted claims than in the original.
    For reordering and paraphrase (no error) the same share is the false-alarm rate. Notes with
    clinician ratings in the dataset are scored with the rubric and compared (weighted kappa,
    Spearman). Judgements are cached in the run store, and the result marks the judge's metrics
    as validated in reports of runs on this dataset with this judge.
    """
    experiment = load_experiment(experiment_file)
    if experiment.judge is None:
        raise ConfigError(f"{experiment_file} has no judge: block; add one with base_url and model")
    dataset = load_dataset(experiment.dataset)
    with open_cli_store(store_url, runs_dir) as store:
        result = asyncio.run(
            audit_judge(dataset, experiment.judge, store=store, max_notes=max_notes)
        )
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    console = Console(width=160)
    for table in format_judge_audit(result):
        console.print(table)


def format_judge_audit(result: JudgeAuditResult) -> list[Table]:
    """The judge audit as rich tables: detection per kind, then agreement when rated."""
    model = result.judge.get("model", "?")
    table = Table(
        title=f"judge audit of dataset {result.dataset} with {model} "
        f"({result.notes} notes, {result.calls} judge calls)"
    )
    for name in ("perturbation", "error", "notes", "flagged", "rate", "judge failures"):
        table.add_column(name, justify="left" if name == "perturbation" else "right")
    for d in result.detections:
        rate = "-" if d.rate is None else f"{d.rate:.0%}"
        shown = f"{rate} {'detected' if d.error else 'false alarms'}"
        table.add_row(d.kind, "yes" if d.error else "no", str(d.notes), str(d.flagged), shown,
                      str(d.failed))  # fmt: skip
    tables = [table]
    if result.agreement:
        agree = Table(title="judge vs clinician ratings (PDQI-9)")
        for name in ("attribute", "notes", "weighted kappa", "Spearman"):
            agree.add_column(name, justify="left" if name == "attribute" else "right")
        for a in result.agreement:
            kappa = "-" if a.kappa is None else f"{a.kappa:.2f}"
            rho = "-" if a.spearman is None else f"{a.spearman:.2f}"
            agree.add_row(a.item, str(a.n), kappa, rho)
        tables.append(agree)
    return tables
