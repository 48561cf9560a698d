"""``scribe-eval compare``: gate a candidate run on a baseline (exit 0 pass, 2 gate failed,
3 inconclusive)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.cli._tables import format_option, print_table
from scribe_eval.compare import (
    evaluate_gate,
    gate_json,
    gate_junit,
    gate_markdown,
    gate_table,
    load_gate,
    resolve_pair,
)
from scribe_eval.store import RunRecord, read_utc

EXIT_REGRESSION = 2
EXIT_INCONCLUSIVE = 3


@click.command("compare")
@click.argument("runs", nargs=-1, metavar="[BASELINE_RUN] CANDIDATE_RUN")
@click.option("--baseline", "baseline_name", metavar="NAME", help="A blessed baseline's name.")
@click.option(
    "--gate", "gate_file", type=click.Path(dir_okay=False, path_type=Path),
    help="The gate file (YAML: rules, margins, limits); default: the built-in gate.",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Compare even if datasets or metric settings differ.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown summary (CI job summaries).")
@click.option(
    "--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the gate as a JUnit XML report to FILE (one test case per row).",
)  # fmt: skip
@format_option
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
    table_format: str,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Compare CANDIDATE_RUN with BASELINE_RUN (or --baseline NAME) and apply the gate.

    Each template is compared with the baseline's template of the same label, per language and
    source; unchanged templates are reported, not tested. Without --gate the built-in gate
    applies: per template at most 2 points of ROUGE-Lsum F and 5 of fact recall lost, per
    language at most 2 points of WER, and at most 2 points more failed or unscored cells.
    Every slice is measured on the cells both runs have. Values are points (0-100); JSON
    carries fractions.

    Exit code 0: pass (every changed slice decided and passed, both runs complete); 2: the gate
    failed (a loss beyond a margin could not be ruled out, or a limit was broken); 3:
    inconclusive, nothing failed but the rollout is not proven safe (a changed slice could not
    be decided: too few shared encounters or no scores in a run; or a run is interrupted or
    unfinished), the headline says which; 1: a tool or input error. A gate file with
    `accept_small_slices: true` accepts slices undecided only for too few encounters (counted in
    the headline).
    """
    if len(runs) > 2:
        raise click.UsageError("give at most two runs: BASELINE_RUN CANDIDATE_RUN")
    first = runs[0] if runs else None
    second = runs[1] if len(runs) > 1 else None
    gate = load_gate(gate_file) if gate_file else None
    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        baseline, candidate = resolve_pair(store, first, second, baseline_name)
        _warn_if_swapped(baseline, candidate)
        result = evaluate_gate(store, baseline, candidate, gate, force=force)
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(gate_junit(result), encoding="utf-8")
    if as_json:
        click.echo(gate_json(result))
    elif markdown:
        click.echo(gate_markdown(result), nl=False)
    else:
        print_table(gate_table(result), table_format)
    if result.verdict == "fail":
        sys.exit(EXIT_REGRESSION)
    if result.verdict == "inconclusive":
        sys.exit(EXIT_INCONCLUSIVE)


def _warn_if_swapped(baseline: RunRecord, candidate: RunRecord) -> None:
    """One line on standard error when the candidate was started before its baseline: the runs
    given the wrong way round gate the old run on the new one, and a loss reads as a gain."""
    started = read_utc(candidate.created), read_utc(baseline.created)
    if started[0] is None or started[1] is None or started[0] >= started[1]:
        return
    click.echo(
        f"Warning: the candidate {candidate.id} was started before the baseline {baseline.id}; "
        "if they are the wrong way round, give BASELINE_RUN first (or --baseline NAME "
        "CANDIDATE_RUN)",
        err=True,
    )
