"""Starting, resuming and finishing a run."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import platform
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from scribe_eval._version import __version__
from scribe_eval.client import EmbeddedServer
from scribe_eval.dataset import Dataset, load_dataset
from scribe_eval.errors import ConfigError, RunLockedError
from scribe_eval.experiment import (
    Experiment,
    Matrix,
    build_matrix,
    experiment_hash,
    resolve_templates,
)
from scribe_eval.metrics import METRICS_VERSION, preload_scorers
from scribe_eval.runner._checks import check_before_run
from scribe_eval.runner._cleanup import CleanupReport
from scribe_eval.runner._engine import NO_TRANSCRIPT, ExecutionLimits, MatrixExecutor
from scribe_eval.runner._lease import leased, take_lease
from scribe_eval.runner._prestart import likely_to_call
from scribe_eval.runner._progress import RunProgress
from scribe_eval.runner._remote import RemoteResources
from scribe_eval.runner._score import normalizer_for
from scribe_eval.runner._target import IdentityReader, TargetSession, open_target
from scribe_eval.store import RunRecord, RunStore, open_store, utc_now

if TYPE_CHECKING:
    from scribe_eval.runner._judging import JudgeOutcome

_DEPENDENCIES = (
    "httpx", "pydantic", "jiwer", "rapidfuzz", "rouge-score", "numpy", "soundfile",
    "faster-whisper", "ctranslate2",
)  # fmt: skip


@dataclass
class RunOptions:
    """How to run: where the store is, resume, error budget, progress bars."""

    runs_dir: Path
    store: str | None = None
    resume: str | None = None
    rerun_errors: bool = False
    fail_fast: bool = False
    max_errors: int | None = None
    progress: bool = True
    on_start: Callable[[RunRecord, Matrix], None] | None = None
    take_over: bool = False
    #: How the embedded emulator's identity is read (see `embedded_identity`): None runs
    #: ``scribe-eval emulator identity`` in a subprocess; the CLI passes the emulator's function.
    read_identity: IdentityReader | None = None
    #: The embedded emulator the caller spawned for this run (`prestart_embedded`, before it
    #: imported the runner): the run adopts it and stops it. The caller still stops it when the
    #: run fails before adopting it (stopping twice does nothing).
    server: EmbeddedServer | None = None
    #: Whether the run will most likely call its embedded target (`likely_to_call`), when the
    #: caller found out already (the CLI asks before it spawns ``server``); None: the run asks.
    prestart: bool | None = None


@dataclass
class RunOutcome:
    """What a finished (or stopped) run did."""

    run: RunRecord
    api_calls: int
    calls: dict[str, int]
    cells: int
    errors: int
    from_cache: int
    deleted_interactions: int
    notes: list[str]
    startup_s: float = 0.0
    api_span_s: float = 0.0
    #: Cells (transcripts and documents) that ended ``ok``.
    succeeded: int = 0
    #: True when the run stopped on a failure every call would hit (credentials, host, TLS).
    run_wide: bool = False
    #: Cached answers found older than the cache's age limit and bought again (a local run: by
    #: this process; a run over workers: by all of them). ``RunRecord.expired_cache`` sums them,
    #: counted as each new answer is stored (a killed process's too).
    expired: int = 0
    #: The judge stage (None without a ``judge:`` block): a judge task that failed on a note
    #: makes ``run`` exit 3 as a failed cell does (the note's judge scores are missing).
    judge: JudgeOutcome | None = None
    #: One line on why cells failed (the most common kind of failure, one message of it, and
    #: where to see them all); None when none did.
    failure: str | None = None
    #: What the run's clean-up could not delete on the target (one line), when it asked for
    #: a clean-up (``cleanup.delete_interactions``) and some interaction stayed there.
    cleanup_left: str | None = None
    #: Interactions of the run still (or maybe: a create in flight) on the target after a run
    #: that stopped before its end (``failed``: --fail-fast, --max-errors, a run-wide failure):
    #: kept for ``--resume``, and said, since they hold clinical data.
    left_on_target: int = 0


#: ``scribe-eval run`` exit codes (documented in the README and ``run --help``).
EXIT_OK = 0
EXIT_CELLS_FAILED = 3
EXIT_RUN_FAILED = 4


def exit_code(outcome: RunOutcome, *, allow_errors: bool = False) -> int:
    """0 when every cell succeeded (or ``allow_errors``), 3 when some failed, 4 when none could.

    4 means the run could not work at all: it stopped on a run-wide failure (credentials,
    unreachable host, TLS) or not one cell succeeded. ``allow_errors`` never hides a 4. A judge
    that failed on some notes (or could not start) is a 3: their judge scores are missing. So is
    an interaction the clean-up could not delete, whatever ``allow_errors`` says: clinical data
    stays on the target (`scribe-eval runs cleanup RUN` deletes it later).
    """
    if outcome.run_wide or (outcome.errors and not outcome.succeeded):
        return EXIT_RUN_FAILED
    if outcome.cleanup_left:
        return EXIT_CELLS_FAILED
    judge_failed = outcome.judge is not None and outcome.judge.failed > 0
    if (outcome.errors or outcome.run.status == "failed" or judge_failed) and not allow_errors:
        return EXIT_CELLS_FAILED
    return EXIT_OK


def run_experiment(experiment: Experiment, options: RunOptions) -> RunOutcome:
    """Run (or resume) an experiment to the end and return what happened.

    Ctrl-C stops cleanly: the run is marked ``interrupted`` and ``--resume RUN_ID`` finishes it.
    """
    return asyncio.run(_run(experiment, options))


async def _run(experiment: Experiment, options: RunOptions) -> RunOutcome:
    # Asking the target for its identity (a subprocess for `embedded`) overlaps with reading
    # and checking the dataset: both take about a second.
    # A first run starts the emulator now (unless the CLI did already, see _prestart), and loads
    # the scorers' models once its first call is out (see likely_to_call and _Scorers). The API
    # phase waits for neither: the first call waits for the emulator, the first score for the
    # models (loading them took longer than starting the emulator, and held up every call for
    # 0.5-3 s; loaded during the start-up, they took its CPU and delayed the first call).
    prestart = options.server is not None
    if not prestart:
        prestart = options.prestart if options.prestart is not None else likely_to_call(
            experiment, options.store, options.runs_dir, resume=options.resume,
            rerun_errors=options.rerun_errors,
        )  # fmt: skip
    opening = asyncio.create_task(
        asyncio.to_thread(
            open_target,
            experiment,
            options.runs_dir,
            prestart=prestart,
            read_identity=options.read_identity,
            server=options.server,
        )
    )
    # Only a run that will call its target has answers to score; a re-run answered from the
    # cache reads its scores too, and one that rescores loads the models on its scoring thread.
    scorers = _Scorers(wanted=prestart)
    try:
        dataset = await asyncio.to_thread(load_dataset, experiment.dataset)
        templates = resolve_templates(experiment)
        check_before_run(experiment, dataset, templates)
    except BaseException:
        await scorers.settle()
        for done in await asyncio.gather(opening, return_exceptions=True):
            if isinstance(done, TargetSession):
                await done.aclose()
        raise
    matrix = build_matrix(experiment, dataset, templates)
    try:
        session = await opening
    except BaseException:
        await scorers.settle()
        raise
    session.on_started = scorers.start
    with open_store(options.store, options.runs_dir) as store:
        try:
            # A resumed run is claimed before anything about it changes; a new one once it exists.
            lease = None
            if options.resume is not None:
                lease = take_lease(
                    store, store.resolve_run(options.resume).id, take_over=options.take_over
                )
            try:
                run = start_or_resume(store, experiment, dataset, matrix, session, options)
            except BaseException:
                if lease is not None:
                    store.release_lease(lease.run_id, lease.token)
                raise
        except BaseException:
            await session.aclose()
            await scorers.settle()
            raise
        if options.on_start is not None:
            options.on_start(run, matrix)
        limits = ExecutionLimits(options.fail_fast, options.max_errors, options.rerun_errors)
        progress = RunProgress(len(matrix.transcripts), len(matrix.cells), enabled=options.progress)
        executor = MatrixExecutor(
            run_id=run.id, experiment=experiment, dataset=dataset, matrix=matrix, store=store,
            session=session, progress=progress, limits=limits, scorers_loaded=scorers.task,
            start_scorers=scorers.start,
        )  # fmt: skip
        deleted = 0
        status: Any = "interrupted"
        lost: str | None = None
        idle = False  # every call answered, none in flight: the run and its clean-up completed
        judged: JudgeOutcome | None = None
        working = asyncio.create_task(executor.run())
        try:
            async with leased(store, run.id, lambda _why: working.cancel(), lease=lease) as keeper:
                try:
                    with progress:
                        await working
                except asyncio.CancelledError:
                    if keeper.lost is None:
                        raise
                lost = keeper.lost
                if lost is None:
                    if not executor.aborted:
                        deleted = await executor.cleanup()
                        idle = True
                    # The clean-up and the judge stage are the run's too: it is stored
                    # completed (or failed) only once both are over, under its lease, so a kill
                    # or Ctrl-C in either leaves it resumable ('interrupted', or 'running' with
                    # its runner gone), never 'completed' with interactions left or notes not
                    # judged (blessed so, a gate read judge metrics on part of the notes).
                    judged = await _judge_stage(store, run.id, experiment, dataset)
                    lost = keeper.lost
                    if lost is None:
                        status = "failed" if executor.aborted else "completed"
        finally:
            working.cancel()
            calls = session.calls
            # A completed run awaited every call and its clean-up: nothing is in flight, so the
            # emulator is stopped at once instead of after its graceful shutdown (~0.15 s).
            await session.aclose(idle=idle)
            await scorers.settle()
            # Every store write carried the calls made before it (see CallLedger): only those
            # made since the last one are added here. The answers bought again for being too old
            # were counted as each was stored.
            with session.ledger.carry() as carry:
                if lost is None:
                    # The notes say why this attempt stopped or what it left: those of an
                    # earlier attempt (a resumed run's) are cleared, not shown as this one's.
                    store.update_run(
                        run.id, status=status, finished=utc_now(), api_calls_delta=carry.calls,
                        notes=executor.aborted or executor.cleanup_left or "",
                    )  # fmt: skip
                else:  # the run is someone else's now: its status is theirs to set
                    store.update_run(run.id, api_calls_delta=carry.calls)
        if lost is not None:
            raise RunLockedError(lost)
        # Counted by the store: loading every cell (twice) peaked at 400+ MB at 10,000 cells.
        counts = store.cell_counts(run.id).items()
        return RunOutcome(
            run=store.get_run(run.id),
            api_calls=sum(calls.values()),
            calls=calls,
            cells=sum(n for (kind, _, _), n in counts if kind == "document"),
            errors=sum(n for (_, status, _), n in counts if status == "error"),
            succeeded=sum(n for (_, status, _), n in counts if status == "ok"),
            run_wide=executor.breaker.tripped is not None,
            from_cache=sum(n for (kind, _, cached), n in counts if kind == "document" and cached),
            deleted_interactions=deleted,
            notes=matrix.notes,
            startup_s=session.startup_s,
            api_span_s=executor.api_span_s,
            expired=executor.cache.expired,
            judge=judged,
            failure=failure_line(store, run.id) if counts_failed(counts) else None,
            cleanup_left=executor.cleanup_left,
            left_on_target=(
                left_on_target(store, run.id)
                if status == "failed" and experiment.cleanup.delete_interactions
                else 0
            ),
        )


async def _judge_stage(
    store: RunStore, run_id: str, experiment: Experiment, dataset: Dataset
) -> JudgeOutcome | None:
    """The judge stage of a run whose experiment has a judge (None without one)."""
    if experiment.judge is None:
        return None
    # The judge stage's modules only for a run with one.
    from scribe_eval.runner._judging import judge_finished_run

    return await judge_finished_run(store, run_id, experiment.judge, dataset)


def left_on_target(store: RunStore, run_id: str) -> int:
    """The run's interactions that may still be on the target: created, or pending (a create
    cut short) unless no call of the run ever reached a server (a dead address: nothing sent)."""
    rows = store.remotes(run_id, kind="interaction")
    reached = store.get_run(run_id).api_calls > 0
    return sum(r.state == "created" or (r.state == "pending" and reached) for r in rows)


def counts_failed(counts: Any) -> bool:
    """Whether ``cell_counts`` items hold a failed cell."""
    return any(status == "error" and n for (_, status, _), n in counts)


def failure_line(store: RunStore, run_id: str) -> str | None:
    """One line on why the run's cells failed: how many, the most common kind (error type) with
    one of its messages (the cause itself, not a document's "no transcript" echo of it), the
    command that lists every failure and the one that retries them (a plain ``--resume`` keeps
    failed cells). Without it a failed run said only "12 failed cells"."""
    failed = [c for c in store.cell_summaries(run_id) if c.status == "error"]
    if not failed:
        return None
    kinds = Counter(c.error_type or "?" for c in failed)
    kind, n = kinds.most_common(1)[0]
    of_kind = [c for c in failed if (c.error_type or "?") == kind]
    first = next(
        (c for c in of_kind if not (c.error_message or "").startswith(NO_TRANSCRIPT)), of_kind[0]
    )
    message = (first.error_message or "no message").removeprefix(NO_TRANSCRIPT)
    others = f" ({len(kinds) - 1} other kind(s) too)" if len(kinds) > 1 else ""
    return (
        f"{len(failed)} cell(s) failed, {n} with {kind}{others}, such as {first.cell_id} at "
        f"{first.stage or '?'}: {message}. Every failure: scribe-eval runs show {run_id} "
        f"--errors; to retry them: scribe-eval run --resume {run_id} --rerun-errors"
    )


async def _nothing() -> None:
    return None


class _Scorers:
    """The scorers' preload (`preload_scorers`) of a run that will call its target (``wanted``).

    It starts with the run's first call (`start`, the session's ``on_started``), or with the first
    score if that comes first: not before, so loading the models (1-3 s of CPU) does not compete
    with the emulator's start-up and the runner's own for the cores and delay the first call.
    """

    def __init__(self, *, wanted: bool) -> None:
        self._go = asyncio.Event()
        self.task = asyncio.create_task(self._load() if wanted else _nothing())

    async def _load(self) -> None:
        await self._go.wait()
        await asyncio.to_thread(preload_scorers)

    def start(self) -> None:
        """Start loading now (again: nothing)."""
        self._go.set()

    async def settle(self) -> None:
        """Wait for a started preload; drop one never started (the run scored nothing).

        A failed preload is not raised: every cell's scorer met the same failure and stored it
        as the cell's error.
        """
        if not self._go.is_set():
            self.task.cancel()
        await asyncio.wait({self.task})
        if not self.task.cancelled():
            self.task.exception()


def start_or_resume(
    store: RunStore,
    experiment: Experiment,
    dataset: Dataset,
    matrix: Matrix,
    session: TargetSession,
    options: RunOptions,
) -> RunRecord:
    """The run record to execute: a new run, or ``options.resume`` checked against the experiment.

    A resumed run must have the same experiment and dataset hashes; otherwise a ConfigError says
    which changed. Used by the local runner and by the workers' coordinator alike.
    """
    digest = experiment_hash(experiment)
    if options.resume is not None:
        run = store.resolve_run(options.resume)
        if run.experiment_hash != digest or run.dataset_hash != dataset.content_hash:
            raise ConfigError(
                f"run {run.id} was made from a different experiment or dataset; resume only "
                "finishes the same experiment — start a new run instead"
            )
        store.update_run(run.id, status="running")
        return store.get_run(run.id)
    if options.rerun_errors:
        raise ConfigError("--rerun-errors needs --resume RUN_ID (the run whose errors to retry)")
    run = RunRecord(
        id=_new_run_id(),
        name=experiment.name,
        status="running",
        created=utc_now(),
        experiment_path=str(experiment.path) if experiment.path else None,
        experiment_hash=digest,
        dataset_name=dataset.name,
        dataset_hash=dataset.content_hash,
        target=session.description,
        config=experiment.model_dump(mode="json", by_alias=True),
        provenance=_provenance(experiment, dataset, matrix),
    )
    store.create_run(run)
    return run


def _new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _provenance(experiment: Experiment, dataset: Dataset, matrix: Matrix) -> dict[str, Any]:
    languages = sorted({e.language for e in dataset.encounters})
    metrics = experiment.metrics
    return {
        "scribe_eval": __version__,
        "python": platform.python_version(),
        "dependencies": {name: _version_of(name) for name in _DEPENDENCIES},
        "dataset": {"name": dataset.name, "hash": dataset.content_hash, "root": str(dataset.root)},
        "templates": [
            {
                "label": t.label,
                "spec_hash": t.spec.spec_hash,
                "template_key": t.spec.template_key,
                "source": str(t.spec.source) if t.spec.source else None,
                "reference": t.reference,
                "request": t.spec.request_fields(),
            }
            for t in matrix.templates
        ],
        "metrics": {
            "version": METRICS_VERSION,
            "normalizers": {lang: normalizer_for(metrics, lang) for lang in languages},
            "tokenizer": metrics.tokenizer,
            "stemmer": metrics.stemmer,
            "seed": metrics.seed,
            "bootstrap": metrics.bootstrap,
        },
        "matrix": {
            "transcripts": len(matrix.transcripts),
            "documents": len(matrix.cells),
            "notes": matrix.notes,
        },
    }


def _version_of(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def outcome_json(outcome: RunOutcome) -> str:
    """The outcome as JSON (for ``--json`` output)."""
    return json.dumps(
        {
            "id": outcome.run.id,
            "status": outcome.run.status,
            "api_calls": outcome.api_calls,
            "calls": outcome.calls,
            "cells": outcome.cells,
            "errors": outcome.errors,
            "succeeded": outcome.succeeded,
            "stopped_run_wide": outcome.run_wide,
            "from_cache": outcome.from_cache,
            "expired_cache": outcome.expired,
            "deleted_interactions": outcome.deleted_interactions,
            "judge": None if outcome.judge is None else dataclasses.asdict(outcome.judge),
            "failure": outcome.failure,
            "cleanup_left": outcome.cleanup_left,
            "left_on_target": outcome.left_on_target,
        },
        indent=2,
    )


def cleanup_run(
    run_ref: str, runs_dir: Path, *, store: str | None = None, take_over: bool = False
) -> tuple[str, CleanupReport]:
    """Delete what a run left on its target (e.g. after an interruption); (run id, report).

    Every interaction is tried, transient failures again; the report lists what is left. The
    run's lease is held meanwhile, so a clean-up never pulls interactions from under a runner.
    The target comes from the run's stored experiment; credentials, for a URL target, from the
    environment variables it names.
    """
    return asyncio.run(_cleanup(run_ref, runs_dir, store, take_over))


async def _cleanup(
    run_ref: str, runs_dir: Path, spec: str | None, take_over: bool
) -> tuple[str, CleanupReport]:
    with open_store(spec, runs_dir) as store:
        run = store.resolve_run(run_ref)
        if not any(r.state != "deleted" for r in store.remotes(run.id, kind="interaction")):
            return run.id, CleanupReport()
        try:
            experiment = Experiment.model_validate(run.config)
        except ValidationError as exc:
            raise ConfigError(
                f"run {run.id} was stored by another version of scribe-eval; its target cannot "
                "be rebuilt for clean-up"
            ) from exc
        lease = take_lease(store, run.id, take_over=take_over)
        session = open_target(experiment, store.runs_dir)
        kind = str(run.target.get("kind", "?"))
        remote = RemoteResources(store, run.id, kind, None, session.ledger)
        try:
            async with leased(store, run.id, lambda _why: None, lease=lease) as keeper:
                client = await session.client()
                report = await remote.clean_up(client)
                if keeper.lost is not None:
                    raise RunLockedError(keeper.lost)
        finally:
            await session.aclose()
            with session.ledger.carry() as carry:  # the calls no row written carried
                store.update_run(run.id, api_calls_delta=carry.calls)
        return run.id, report
