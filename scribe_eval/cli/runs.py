"""``scribe-eval runs``: list, show and bless the runs of the run store."""

from __future__ import annotations

import json
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Column, Table

from scribe_eval.cli._common import open_cli_store, resolve_runs_dir, runs_dir_option, store_option
from scribe_eval.cli._runs_team import (
    baselines_command,
    print_shared,
    shared_summary,
    trend_command,
)
from scribe_eval.cli._tables import format_option, print_table
from scribe_eval.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scribe_eval.store import CellSummary, RunListing, RunRecord, RunStore


@click.group("runs")
def runs() -> None:
    """List, inspect and bless stored runs."""


@runs.command("list")
@runs_dir_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="A JSON list of objects, newest first.")
@format_option
def list_runs(
    runs_dir: Path | None, store_url: str | None, as_json: bool, table_format: str
) -> None:
    """Every run, newest first (ids, statuses and dates are never cut when piped)."""
    # Listings, not records: the typed records' pydantic models would be most of the start-up.
    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        records = store.run_listings()
        baselines = store.baselines()
        failed = store.failed_cell_counts()
        gone = runners_gone(store, records)
    blessed: dict[str, list[str]] = {}
    for name, run_id in baselines.items():
        blessed.setdefault(run_id, []).append(name)
    if as_json:
        summaries = [
            _summary(r, blessed.get(r.id, []), failed.get(r.id, 0), runner_gone=r.id in gone)
            for r in records
        ]
        click.echo(json.dumps(summaries, indent=2))
        return
    # For a person the status says how many cells failed; CSV/JSON keep the status a status
    # and give the count a column of its own.
    machine = table_format in ("csv", "json")
    headers = ["name", "status", *(["failed cells"] if machine else [])]
    table = Table(*headers, "created", "dataset", "API calls", "baseline")
    # The id is what people copy: never wrapped or cut.
    table.columns.insert(0, Column("id", no_wrap=True, min_width=22))
    for record in records:
        n_failed = failed.get(record.id, 0)
        status = (
            [record.status, str(n_failed)]
            if machine
            else [status_text(record.status, n_failed, runner_gone=record.id in gone)]
        )
        table.add_row(
            record.id, record.name, *status, record.created, record.dataset_name,
            str(record.api_calls), ", ".join(blessed.get(record.id, [])),
        )  # fmt: skip
    print_table(table, table_format)


@runs.command("show")
@click.argument("run_id")
@runs_dir_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--errors",
    "with_tracebacks",
    is_flag=True,
    help="Every failed cell in full, with the trimmed traceback of an error that is not ours.",
)
def show_run(
    run_id: str, runs_dir: Path | None, store_url: str | None, as_json: bool, with_tracebacks: bool
) -> None:
    """Status, cell counts, API calls, errors and stage timings of RUN_ID (or `latest`).

    A cell that failed on an error scribe-eval did not expect (a bug, an unexpected answer) keeps
    a trimmed traceback in the store; --errors shows it, for a bug report.
    """
    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        record = store.resolve_run(run_id)
        # Summaries: a run's counts, timings and errors need none of its cells' scores.
        cells = store.cell_summaries(record.id)
        tracebacks = store.failed_tracebacks(record.id)
        shared = store.shared_cells(record.id)
        gone = bool(runners_gone(store, [record]))
    detail = _detail(record, cells, tracebacks=tracebacks if with_tracebacks else None)
    detail["runner_gone"] = gone
    detail["shared_cache"] = shared_summary(shared)
    if with_tracebacks and not as_json:
        _print_errors(detail["errors"])
        return
    if as_json:
        click.echo(json.dumps(detail, indent=2))
        return
    console = Console()
    status = status_text(record.status, detail["failed_cells"], runner_gone=gone)
    console.print(f"[bold]{record.id}[/] {record.name} — {status}", highlight=False)
    if record.status != "completed":  # its counts below are of the cells it got to
        from scribe_eval.compare import run_progress

        console.print(f"unfinished: {run_progress(record, cells)}", highlight=False)
    if gone:
        console.print(
            "Its runner is gone (killed, crashed or its machine stopped) before it finished; "
            f"finish it with `scribe-eval run --resume {record.id}`",
            markup=False,
            highlight=False,
        )
    if record.notes:  # why a run stopped (a run-wide failure, --fail-fast, --max-errors)
        console.print(record.notes, markup=False)
    console.print(f"created {record.created}, finished {record.finished or '-'}")
    console.print(f"dataset {record.dataset_name} ({record.dataset_hash[:12]})")
    # The target's kind and identity hash here; the identity in full once, at the end.
    from scribe_eval.compare import identity_hash, identity_text, target_identity

    target_hash = identity_hash(target_identity(record))
    kind = record.target.get("kind", "?")
    console.print(f"target {kind}, identity {target_hash} (in full below)")
    if record.target.get("model_version"):  # the API reports none: the team declared it
        click.echo(f"vendor model version {record.target['model_version']} (declared)")
    console.print(f"API calls: {record.api_calls}")
    counts = Table("kind", "ok", "error", "skipped", "pending", "from cache")
    for kind, row in detail["counts"].items():
        counts.add_row(
            kind, *(str(row[k]) for k in ("ok", "error", "skipped", "pending", "from_cache"))
        )
    print_table(counts)
    print_shared(console, detail["shared_cache"])
    if detail["timings_ms"]:
        timings = Table(
            "stage", "n", "median ms", "p95 ms",
            title="Calls this run made for its cells, timed",
            caption="The API calls above also count the deletes, the polls and the retries.",
        )  # fmt: skip
        for stage, row in detail["timings_ms"].items():
            timings.add_row(stage, str(row["n"]), f"{row['median']:.0f}", f"{row['p95']:.0f}")
        print_table(timings)
    elif cells and record.api_calls == 0:
        console.print("No stage timings: this run made no call (answers from the cache or a run).")
    if detail["errors"]:
        errors = Table("cell", "stage", "error", "message", "request id")
        for item in detail["errors"][:50]:
            errors.add_row(
                item["cell_id"], item["stage"] or "", item["error_type"] or "",
                (item["message"] or "")[:120], item["request_id"] or "",
            )  # fmt: skip
        print_table(errors)
        if any(tracebacks.values()):
            console.print(
                f"Unexpected errors kept a traceback: scribe-eval runs show {record.id} --errors"
            )
    # Compact JSON, printed as is: a terminal too narrow wraps it rather than rich folding it.
    click.echo(f"target (identity {target_hash}): {identity_text(record.target)}")


@runs.command("bless")
@click.argument("run_id")
@click.option("--name", default="baseline", show_default=True, help="The baseline's name.")
@click.option("--reason", help="Why this run is the baseline (kept in `runs baselines`).")
@click.option("--force", is_flag=True, help="Move a baseline that names another run.")
@click.option(
    "--incomplete",
    is_flag=True,
    help="Bless a run that did not complete (only the cells it finished become the baseline).",
)
@runs_dir_option
@store_option
def bless_run(
    run_id: str,
    name: str,
    reason: str | None,
    force: bool,
    incomplete: bool,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Name RUN_ID as a baseline; `compare --baseline NAME` finds it.

    Who ($SCRIBE_EVAL_USER, else the OS user), when and why are recorded; a baseline naming
    another run moves only with --force. A run that did not complete (interrupted, failed,
    still running) holds only the cells it finished: it is refused unless --incomplete, which
    then says what it blesses. The two are separate so that moving a baseline never blesses an
    unfinished run by the way.
    """
    from scribe_eval.compare import incomplete_run

    with open_cli_store(store_url, runs_dir) as store:
        record = store.resolve_run(run_id)
        unfinished = None
        if record.status != "completed":  # only then are its cells read, to count them
            gone = record.id in runners_gone(store, [record])
            unfinished = incomplete_run(record, store.cell_summaries(record.id), runner_gone=gone)
        if unfinished is not None and not incomplete:
            raise StoreError(
                f"{unfinished}: a baseline must be a completed run; finish it with "
                f"`scribe-eval run --resume {record.id}` (or bless it anyway with --incomplete)"
            )
        event = store.bless(record.id, name, reason=reason, force=force)
    if unfinished is not None:
        click.echo(f"Warning: blessed with --incomplete although {unfinished}", err=True)
    if event is None:
        click.echo(f"{record.id} is already baseline {name!r}")
    else:
        click.echo(f"{record.id} is now baseline {name!r} (blessed by {event.user})")


@runs.command("cleanup")
@click.argument("run_id")
@runs_dir_option
@store_option
@click.option(
    "--take-over", is_flag=True,
    help="Clean up even though another process holds the run's lease (it is gone).",
)  # fmt: skip
def cleanup(run_id: str, runs_dir: Path | None, store_url: str | None, take_over: bool) -> None:
    """Delete the remote interactions RUN_ID left on its target (after an interruption).

    A finished run deletes its own; an interrupted one keeps them so that --resume can reuse
    them. Clinical data should not linger: run this when you will not resume. Every interaction
    is tried (passing failures again); what could not be deleted is listed and the exit code is
    1, so run it again later.
    """
    from scribe_eval.cli.run import interrupted_code, sigterm_as_interrupt
    from scribe_eval.runner import cleanup_run

    folder = resolve_runs_dir(runs_dir)
    with sigterm_as_interrupt() as terminated:
        try:
            resolved, report = cleanup_run(run_id, folder, store=store_url, take_over=take_over)
        except KeyboardInterrupt:
            # Killed mid-way it said 'Aborted!' (Ctrl-C) or nothing (SIGTERM): what is left is
            # what the store does not know deleted (a delete in flight may have landed).
            with open_cli_store(store_url, folder) as store:
                resolved = store.resolve_run(run_id).id
                rows = store.remotes(resolved, kind="interaction")
            left = sum(r.state != "deleted" for r in rows)
            click.echo(
                f"Interrupted: {left} remote interaction(s) of {resolved} may still be on the "
                f"target; run `scribe-eval runs cleanup {resolved}` again",
                err=True,
            )
            sys.exit(interrupted_code(terminated))
    gone = (
        f", {report.gone} already gone (an interrupted clean-up's delete landed, or a create "
        "cut short never did)"
        if report.gone
        else ""
    )
    click.echo(f"{resolved}: {report.deleted} remote interaction(s) deleted{gone}")
    if report.left:
        for line in report.left:
            click.echo(f"  not deleted: {line}", err=True)
        click.echo(
            f"Error: {len(report.left)} remote interaction(s) of {resolved} are still on the "
            f"target; run `scribe-eval runs cleanup {resolved}` again later",
            err=True,
        )
        sys.exit(1)


def runners_gone(store: RunStore, records: Iterable[RunListing | RunRecord]) -> set[str]:
    """The ids of the runs stored ``running`` that nobody runs any more (`runner_gone`): a run
    whose runner was killed with SIGKILL (or crashed) stays ``running`` in the store."""
    from scribe_eval.store import runner_gone

    return {r.id for r in records if runner_gone(store, r)}


def status_text(status: str, failed_cells: int, *, runner_gone: bool = False) -> str:
    """A run's status with its failed cells: a run that ended with some (exit 3) is `completed`
    in the store, which alone reads as a clean run. A ``running`` run whose runner is gone reads
    ``interrupted (runner gone)``: it is resumable, and nothing will finish it by itself."""
    if runner_gone:
        from scribe_eval.store import RUNNER_GONE

        status = RUNNER_GONE
    if not failed_cells:
        return status
    if status == "failed":  # the run itself stopped (--fail-fast, --max-errors, run-wide)
        return f"failed, {failed_cells} cell{'s' if failed_cells != 1 else ''} failed"
    return f"{status}, {failed_cells} failed"


def _summary(
    record: RunListing | RunRecord,
    baselines: list[str],
    failed_cells: int,
    *,
    runner_gone: bool = False,
) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "status": record.status,
        "runner_gone": runner_gone,
        "failed_cells": failed_cells,
        "created": record.created,
        "finished": record.finished,
        "dataset": record.dataset_name,
        "target": record.target.get("kind"),
        "api_calls": record.api_calls,
        "baselines": baselines,
    }


def _print_errors(errors: list[dict[str, Any]]) -> None:
    """Each failed cell whole: identity, stage, error line, request id and any traceback."""
    if not errors:
        click.echo("No failed cell.")
        return
    for item in errors:
        click.echo(f"{item['cell_id']} [{item['stage'] or '-'}] {item['error_type'] or 'error'}")
        click.echo(f"  {item['message'] or ''}")
        if item["request_id"]:
            click.echo(f"  request id {item['request_id']}")
        if item.get("traceback"):
            click.echo(textwrap.indent(item["traceback"], "  "))
        click.echo("")


def _detail(
    record: RunRecord,
    cells: list[CellSummary],
    *,
    tracebacks: dict[str, str] | None = None,
) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {}
    for kind in ("transcript", "document"):
        of_kind = [c for c in cells if c.kind == kind]
        by_status = Counter(c.status for c in of_kind)
        counts[kind] = {s: by_status.get(s, 0) for s in ("ok", "error", "skipped", "pending")}
        counts[kind]["from_cache"] = sum(c.from_cache for c in of_kind)
    # Only calls this run made: a cached or rescored cell keeps the timings of the run that
    # bought its answer, which say nothing about this one.
    samples: dict[str, list[float]] = {}
    for cell in cells:
        for stage, ms in cell.timings.items() if not cell.from_cache else ():
            samples.setdefault(stage, []).append(ms)
    timings = {stage: _spread(values) for stage, values in sorted(samples.items())}
    errors = [
        {
            "cell_id": c.cell_id,
            "stage": c.stage,
            "error_type": c.error_type,
            "message": c.error_message,
            "request_id": c.request_id,
            **({"traceback": tracebacks.get(c.cell_id)} if tracebacks is not None else {}),
        }
        for c in cells
        if c.status == "error"
    ]
    return {
        **_summary(record, [], len(errors)),
        "counts": counts,
        "timings_ms": timings,
        "errors": errors,
        "notes": record.notes,
    }


def _spread(values: list[float]) -> dict[str, float]:
    import statistics  # here: `runs list`, which shares this module, has no use for it

    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "median": statistics.median(ordered), "p95": p95}


runs.add_command(baselines_command)
runs.add_command(trend_command)
