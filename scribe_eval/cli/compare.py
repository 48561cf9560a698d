"""``scribe-eval compare``: gate a candidate run on a baseline (exit 0 pass, 2 regression)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.compare import (
    evaluate_gate,
    gate_json,
    gate_junit,
    gate_markdown,
    gate_table,
    load_gate,
    resolve_pair,
)

EXIT_REGRESSION = 2


@click.command("compare")
@click.argument("runs", nargs=-1, metavar="[BASELINE_RUN] CANDIDATE_RUN")
@click.option("--baseline", "baseline_name", metavar="NAME", help="A blessed baseline's name.")
@click.option("--gate", "gate_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Compare even if datasets or metric settings differ.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown summary (CI job summaries).")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path))
@runs_dir_option
@store_option
def compare(
    runs: tuple[str, ...],
    baseline_name: str | None,
    gate_file: Path | None,
    force: bool,
    as_json: bool,
    markdown: bool,
    junit_file: Path | None,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Compare CANDIDATE_RUN with BASELINE_RUN (or --baseline NAME) and apply the gate.

    Without --gate the built-in default applies: 2-point non-inferiority margins on pooled WER
    and mean ROUGE-L / ROUGE-Lsum F per language, and at most 2 points more failed cells.
    Exit code 0: pass; 2: a regression the data supports; 1: a tool or input error.
    """
    if len(runs) > 2:
        raise click.UsageError("give at most two runs: BASELINE_RUN CANDIDATE_RUN")
    first = runs[0] if runs else None
    second = runs[1] if len(runs) > 1 else None
    gate = load_gate(gate_file) if gate_file else None
    with open_cli_store(store_url, runs_dir) as store:
        baseline, candidate = resolve_pair(store, first, second, baseline_name)
        result = evaluate_gate(store, baseline, candidate, gate, force=force)
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(gate_junit(result), encoding="utf-8")
    if as_json:
        click.echo(gate_json(result))
    elif markdown:
        click.echo(gate_markdown(result), nl=False)
    else:
        Console().print(gate_table(result))
    if not result.passed:
        sys.exit(EXIT_REGRESSION)
