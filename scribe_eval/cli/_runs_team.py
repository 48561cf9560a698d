"""The team side of ``scribe-eval runs``: baseline history, trend, and cells reused from others."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Column, Table

from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.cli._tables import print_table
from scribe_eval.errors import ConfigError


@click.command("baselines")
@click.option("--name", help="Only this baseline's history.")
@runs_dir_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="A JSON list of blessings, oldest first.")
def baselines_command(
    name: str | None, runs_dir: Path | None, store_url: str | None, as_json: bool
) -> None:
    """Every blessing of every baseline: which run, who, when and why, oldest first."""
    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        events = store.baseline_history(name)
        current = store.baselines()
    if as_json:
        click.echo(json.dumps([e.model_dump() for e in events], indent=2))
        return
    table = Table("baseline", "run", "blessed", "by", "reason", "replaced", "current")
    for event in events:
        table.add_row(
            event.name, event.run_id, event.blessed, event.user, event.reason or "",
            (event.previous_run_id or "") + (" (forced)" if event.forced else ""),
            "yes" if current.get(event.name) == event.run_id else "",
        )  # fmt: skip
    print_table(table)


@click.command("trend")
@click.option("--template", required=True, help="The template's label in the experiments.")
@click.option("--language", required=True, help="The output language (e.g. en).")
@click.option(
    "--metric", default="rougeLsum_f", show_default=True, help="A metric of the catalogue."
)
@click.option("--dataset", help="The dataset's name [default: that of the newest such run].")
@runs_dir_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="A JSON list of points, oldest first.")
def trend_command(
    template: str,
    language: str,
    metric: str,
    dataset: str | None,
    runs_dir: Path | None,
    store_url: str | None,
    as_json: bool,
) -> None:
    """One point per run for the same dataset: the metric's mean and 95% interval over time.

    A `*` marks a run whose target identity (the vendor's model versions) differs from the
    run before: a step there is likely a vendor update. A `+` marks a run whose template (its
    spec hash, shown) differs from the run before: the template was edited under its name.
    """
    # Imported here: `runs list` loads this module and must not pay for compare and metrics.
    from scribe_eval.compare import identity_hash, identity_short, identity_text, trend_rows
    from scribe_eval.metrics import metric as metric_spec

    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        points = trend_rows(
            store, template=template, language=language, metric=metric, dataset=dataset
        )
    if not points:
        raise ConfigError(f"no run of dataset {dataset!r} has {metric!r} for {template!r}")
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in points], indent=2))
        return
    spec = metric_spec(metric)  # its scale: points, or a percent for the length ratio
    table = Table("created", "n", f"{metric} ({spec.unit})", "95% interval", "template", "identity")
    # The id is what people copy: never wrapped or cut (as in `runs list`).
    table.columns.insert(0, Column("run", no_wrap=True, min_width=24))
    previous: dict[str, Any] | None = None
    for p in points:
        mark = ("*" if p.identity_changed else " ") + ("+" if p.template_changed else " ")
        table.add_row(
            f"{mark} {p.run_id}", p.created, str(p.n),
            spec.fmt(p.value), spec.fmt_interval(p.low, p.high) or "too few for an interval",
            ", ".join(p.templates) or "-", identity_short(p.identity, previous),
        )  # fmt: skip
        previous = p.identity
    print_table(table)
    click.echo(
        "marks: * target identity changed (a model update); + template spec changed (edited)"
    )
    # Each identity in full once, under its short hash (every field: --json).
    for text in dict.fromkeys(identity_text(p.identity) for p in points):
        click.echo(f"identity {identity_hash(json.loads(text))}: {text}")


def shared_summary(shared: dict[str, str]) -> dict[str, Any]:
    """``runs show``'s account of cells served by answers other runs paid for."""
    return {"cells": len(shared), "by_run": dict(sorted(Counter(shared.values()).items()))}


def print_shared(console: Console, summary: dict[str, Any]) -> None:
    """One line per run whose calls this run reused (nothing when there are none)."""
    for run_id, count in summary["by_run"].items():
        console.print(f"{count} cell(s) reused answers made by run {run_id}")
