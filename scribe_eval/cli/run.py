"""``scribe-eval run``: execute an experiment (or resume one) into the run store."""

from __future__ import annotations

import shutil
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scribe_eval.cli._common import open_cli_store, resolve_runs_dir, runs_dir_option, store_option
from scribe_eval.errors import ConfigError

if TYPE_CHECKING:
    from scribe_eval.experiment import Experiment, Matrix
    from scribe_eval.runner import RunOutcome
    from scribe_eval.store import RunRecord


@click.command("run")
@click.argument("experiment", type=click.Path(dir_okay=False, path_type=Path), required=False)
@runs_dir_option
@store_option
@click.option("--resume", metavar="RUN_ID", help="Finish an interrupted run (same experiment).")
@click.option("--rerun-errors", is_flag=True, help="With --resume: retry the failed cells too.")
@click.option(
    "--take-over", is_flag=True,
    help="With --resume: take the run from another runner whose process is gone.",
)  # fmt: skip
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed cell.")
@click.option(
    "--max-errors", type=click.IntRange(min=0), help="Stop after more than N failed cells."
)
@click.option(
    "--allow-errors", is_flag=True,
    help="Exit 0 although some cells or judge tasks failed (a run that could not work at all "
    "still exits 4).",
)  # fmt: skip
@click.option(
    "--cache-max-age", metavar="DURATION|none",
    help="Buy again cached answers older than this (30m, 12h, 7d, 2w; none: no limit). "
    "Default: the experiment's cache.max_age, else 7d for a URL target, none for embedded.",
)  # fmt: skip
@click.option("--no-progress", is_flag=True, help="No progress bars (they go to stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option(
    "--workers", is_flag=True, help="Enqueue the encounters for `scribe-eval worker` processes."
)
@click.option(
    "--global-concurrency", type=click.IntRange(min=0), default=0,
    help="With --workers: most encounters in flight on the target across all workers (0: none).",
)  # fmt: skip
@click.option(
    "--stall-after", type=click.FloatRange(min=1), default=30.0, show_default=True,
    help="With --workers: seconds without a worker heartbeat before its jobs are retried.",
)  # fmt: skip
def run(**options: Any) -> None:
    """Run EXPERIMENT (a YAML file) against its target and store every answer and score.

    A re-run of an unchanged experiment is served from the cache with no API call. With
    --resume RUN_ID the experiment file may be omitted: the run's own file is used.

    Exit codes: 0 every cell succeeded; 1 nothing ran (bad experiment, dataset or settings);
    3 some cells failed, or the judge failed on some notes (see `scribe-eval runs show RUN`;
    --allow-errors makes this 0), or an interaction could not be deleted (see `scribe-eval runs
    cleanup RUN`);
    4 the run could not work at all: it stopped on a failure every call would hit (missing or
    refused credentials, unreachable host, TLS) or not one cell succeeded; 130 interrupted
    (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP), each resumable.
    """
    with sigterm_as_interrupt() as terminated:
        _run_command(**options, terminated=terminated)


@contextmanager
def sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (sent by `kill`, `timeout`, systemd, Docker, a cancelled CI job) and SIGHUP (the
    terminal or SSH session closed; unless ignored, as under nohup) stop the run as Ctrl-C does:
    marked ``interrupted``, its lease released, the resume hint printed. Without this the process
    died at once, leaving the run ``running``. Yields a list that gets the signal's number when
    one came (the exit code is then 128 + it: 143, 129; Ctrl-C's is 130)."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return

    def on_signal(signum: int, frame: Any) -> None:
        got.append(signum)
        # Whatever handles Ctrl-C now does the work: asyncio's runner cancels the run's main
        # task (whose clean-up marks the run interrupted); outside it, KeyboardInterrupt.
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    previous: dict[signal.Signals, Any] = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, on_signal)
    try:
        yield got
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def interrupted_code(terminated: list[int]) -> int:
    """The exit code of an interrupted command: 128 + the signal (143 after SIGTERM, 129 after
    SIGHUP), 130 after Ctrl-C."""
    return 128 + terminated[0] if terminated else 130


def _run_command(
    experiment: Path | None,
    runs_dir: Path | None,
    store_url: str | None,
    resume: str | None,
    rerun_errors: bool,
    take_over: bool,
    fail_fast: bool,
    max_errors: int | None,
    allow_errors: bool,
    cache_max_age: str | None,
    no_progress: bool,
    as_json: bool,
    workers: bool,
    global_concurrency: int,
    stall_after: float,
    terminated: list[int],
) -> None:
    folder = resolve_runs_dir(runs_dir)
    try:  # a Ctrl-C before the run starts says so (exit 130), at any point
        # The emulator's imports (~0.4 s) run in a process that writes nothing until it is given
        # its options, beside reading the experiment (which says whether it is needed at all):
        # started by the entry point before the command line was read (`_early`), else now.
        # This module imports the experiment and the runner only after, for the same reason.
        from scribe_eval.cli._early import take
        from scribe_eval.client import WarmStart

        # `_early` starts none for --workers (the workers start their own).
        warm = None if workers else (take() or WarmStart())
        if warm is not None:
            click.get_current_context().call_on_close(warm.discard)
        from scribe_eval.experiment import load_experiment
        from scribe_eval.runner import prestart_embedded

        path = experiment or _experiment_of(store_url, folder, resume)
        loaded = with_cache_max_age(load_experiment(path), cache_max_age)
        # A run that will call its embedded emulator spawns it now, before importing the runner:
        # the server's start-up (~0.7 s) overlaps with the runner's imports, the dataset and the
        # store, and the run adopts it. Stopped when the command ends, on every path (a run refused
        # by its checks, Ctrl-C, a bug); stopping the server the run already stopped does nothing.
        # The stop is registered before the process is spawned: a Ctrl-C right after the spawn
        # still stops it.
        started_ids: list[str] = []
        if not workers and not folder.exists():
            # Registered before the spawn, so it runs after the server's stop (last in, first out).
            click.get_current_context().call_on_close(lambda: _remove_unused(folder, started_ids))
        server = None if workers else prestart_embedded(
            loaded, store_url, folder, resume=resume, rerun_errors=rerun_errors,
            stop_with=click.get_current_context().call_on_close, warm=warm,
        )  # fmt: skip
        if warm is not None:
            warm.discard()  # not needed (handed on, it is no longer ours: nothing happens)

        from rich.console import Console

        from scribe_eval.runner import (
            RunOptions,
            cache_note,
            exit_code,
            outcome_json,
            run_experiment,
        )
    except KeyboardInterrupt:
        click.echo("Interrupted before the run started; nothing was done.", err=True)
        sys.exit(interrupted_code(terminated))

    # Wrapped for a terminal; whole lines in a log or a pipe (a note cut mid-sentence misleads).
    console = Console(stderr=True, soft_wrap=not sys.stderr.isatty())

    def started(record: RunRecord, matrix: Matrix) -> None:
        started_ids.append(record.id)
        verb = "Resuming" if resume else "Run"
        console.print(
            f"{verb} [bold]{record.id}[/]: {len(matrix.transcripts)} transcripts, "
            f"{len(matrix.cells)} documents, target {record.target.get('kind')}"
        )
        for note in matrix.notes:
            console.print(f"  note: {note}")
        limit = cache_note(loaded)
        if limit is not None:
            console.print(f"  note: {limit}", markup=False)

    options = RunOptions(
        runs_dir=folder, resume=resume, rerun_errors=rerun_errors, fail_fast=fail_fast,
        max_errors=max_errors, progress=not no_progress and not as_json, on_start=started,
        store=store_url, take_over=take_over, read_identity=_engine_identity, server=server,
        prestart=None if workers else server is not None,
    )  # fmt: skip
    try:
        if workers:
            from scribe_eval.workers import WorkerOptions, run_with_workers

            spread = WorkerOptions(cap=global_concurrency, stall_after_s=stall_after)
            outcome = run_with_workers(loaded, options, spread)
        else:
            outcome = run_experiment(loaded, options)
    except KeyboardInterrupt:
        run_id = started_ids[-1] if started_ids else "<RUN_ID>"
        click.echo(
            f"Interrupted; what was done is stored. Finish it with: scribe-eval run --resume "
            f"{run_id} (or delete what it left remotely: scribe-eval runs cleanup {run_id})",
            err=True,
        )
        sys.exit(interrupted_code(terminated))
    if as_json:
        click.echo(outcome_json(outcome))
        if outcome.run.notes:  # why the run stopped is said on the console, not only stored
            click.echo(f"error: {outcome.run.notes}", err=True)
        if outcome.failure and not outcome.run_wide:
            click.echo(f"error: {outcome.failure}", err=True)
        if outcome.left_on_target:
            click.echo(f"error: {left_on_target(outcome)}", err=True)
    else:
        record = outcome.run
        console.print(
            f"{record.status}: {outcome.cells} documents ({outcome.from_cache} from cache), "
            f"{outcome.errors} failed cells, {outcome.api_calls} API calls"
            + (
                f", {outcome.expired} cached answers past the age limit bought again"
                if outcome.expired
                else ""
            )
            + (
                f", {outcome.deleted_interactions} interactions deleted"
                if outcome.deleted_interactions
                else ""
            )
        )
        if record.notes:
            console.print(record.notes)
        if outcome.failure and not outcome.run_wide:  # the breaker's note said why already
            console.print(outcome.failure, markup=False, highlight=False)
        if outcome.left_on_target:
            console.print(left_on_target(outcome), markup=False, highlight=False)
        if outcome.judge is not None:
            console.print(outcome.judge.summary())
        click.echo(record.id)
    code = exit_code(outcome, allow_errors=allow_errors)
    if code:
        sys.exit(code)


def left_on_target(outcome: RunOutcome) -> str:
    """The line a run that stopped early prints about the interactions it kept on the target."""
    run_id = outcome.run.id
    return (
        f"{outcome.left_on_target} interaction(s) of this run, with their recordings and "
        f"transcripts, may still be on the target (made, or their create cut short), kept for "
        f"`scribe-eval run --resume {run_id} "
        f"--rerun-errors`; if you will not resume, delete them: scribe-eval runs cleanup {run_id}"
    )


def with_cache_max_age(experiment: Experiment, value: str | None) -> Experiment:
    """``experiment`` with ``--cache-max-age`` as its ``cache.max_age`` (unchanged without it).

    Raises:
        ConfigError: ``value`` is not a duration (the message says what to write).
    """
    from scribe_eval.experiment import CacheOptions, parse_duration

    if value is None:
        return experiment
    try:
        parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"--cache-max-age: {exc}") from None
    return experiment.model_copy(update={"cache": CacheOptions(max_age=value)})


def _experiment_of(store_url: str | None, runs_dir: Path, resume: str | None) -> Path:
    if resume is None:
        raise ConfigError("give an EXPERIMENT file, or --resume RUN_ID to finish a run")
    with open_cli_store(store_url, runs_dir) as store:
        record = store.resolve_run(resume)
    if not record.experiment_path:
        raise ConfigError(f"run {record.id} has no experiment file on record; give it explicitly")
    return Path(record.experiment_path)


def _engine_identity(asr_engine: str, note_engine: str) -> dict[str, Any]:
    """The embedded emulator's identity worked out in this process (the CLI may import the
    emulator; the runner may not): ~0.06 s of CPU against ~0.6 s for the subprocess the runner
    would otherwise start, a second of a cached re-run."""
    from scribe_eval.emulator.engines import engine_identity

    return engine_identity(asr_engine, note_engine)


def _remove_unused(folder: Path, started_ids: list[str]) -> None:
    """Remove the runs folder this command made only for an emulator it started early, when no
    run started after all (refused by its checks, interrupted): a refused run leaves nothing."""
    if started_ids or not folder.is_dir():
        return
    if {p.name for p in folder.iterdir()} <= {"emulator", "emulator.log"}:
        shutil.rmtree(folder, ignore_errors=True)
