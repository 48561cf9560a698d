"""The coordinator side: ``scribe-eval run EXPERIMENT --store URL --workers``.

It starts (or resumes) the run in the team store exactly as a local run does, takes the run's
lease (renewed while it waits), enqueues one procrastinate job per encounter, and waits until
every job is finished, whoever ran it. While it
waits it hands the jobs of workers that stopped sending heartbeats (killed, or their machine
gone) back to the queue. Then it marks the run completed (or failed, when a job used up its
attempts) and deletes what the run left on the target.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import procrastinate
import psycopg

from scribe_eval.dataset import Dataset, load_dataset
from scribe_eval.errors import ConfigError, RunLockedError
from scribe_eval.experiment import Experiment, build_matrix, resolve_templates
from scribe_eval.runner import (
    RemoteResources,
    RunOptions,
    RunOutcome,
    TargetSession,
    check_before_run,
    failure_line,
    judge_finished_run,
    left_on_target,
    open_target,
    start_or_resume,
    take_lease,
)
from scribe_eval.store import RunRecord, RunStore, is_postgres_url, open_store, store_spec, utc_now
from scribe_eval.workers._queue import TASK_NAME, ensure_queue_schema, make_app

_UNFINISHED = ("todo", "doing", "aborting")
# The run's end is seen at most this late; a poll reads only the jobs not finished yet, on a
# connection kept open, so polling often is cheap.
POLL_S = 0.25
# Jobs deferred per INSERT: one at a time, 2,000 encounters took the coordinator ~50 s of round
# trips on a loaded machine.
BATCH = 500
LEASE_TTL_S = 60.0


@dataclass
class WorkerOptions:
    """How a run is spread: ``cap`` encounters in flight per target (0: no cap), stall timeout."""

    cap: int = 0
    stall_after_s: float = 30.0


def run_with_workers(
    experiment: Experiment, options: RunOptions, workers: WorkerOptions
) -> RunOutcome:
    """Enqueue the run's encounters for `scribe-eval worker` processes and wait for them."""
    url = store_spec(options.store)
    if url is None or not is_postgres_url(url):
        raise ConfigError(
            "--workers needs a postgresql:// team store (--store URL or SCRIBE_EVAL_STORE): "
            "the workers find the run and its jobs there"
        )
    return asyncio.run(_coordinate(url, experiment, options, workers))


async def _coordinate(
    url: str, experiment: Experiment, options: RunOptions, workers: WorkerOptions
) -> RunOutcome:
    session = await asyncio.to_thread(open_target, experiment, options.runs_dir)
    try:
        dataset = await asyncio.to_thread(load_dataset, experiment.dataset)
        templates = resolve_templates(experiment)
        check_before_run(experiment, dataset, templates)
        matrix = build_matrix(experiment, dataset, templates)
        await asyncio.to_thread(ensure_queue_schema, url)
        with open_store(url, options.runs_dir) as store:
            run = start_or_resume(store, experiment, dataset, matrix, session, options)
            if options.on_start is not None:
                options.on_start(run, matrix)
            encounters = sorted({job.encounter_id for job in matrix.transcripts})
            # One coordinator per run: a second `--resume --workers` is refused while we wait.
            lease = take_lease(store, run.id, take_over=options.take_over, ttl_s=LEASE_TTL_S)
            try:
                renew = functools.partial(store.renew_lease, run.id, lease.token, ttl_s=LEASE_TTL_S)
                failed = await _enqueue_and_wait(url, run.id, encounters, workers, renew)
                return await _finish(store, run, experiment, session, failed, dataset=dataset)
            except RunLockedError:
                raise  # the run is someone else's now: its status is theirs to set
            except BaseException:
                # Ctrl-C, SIGTERM or a failure before the end: stored interrupted, resumable
                # (`--resume --workers`), as a local run is; it stayed 'running'. Jobs already
                # taken by workers go on; the resumed coordinator keeps those still waiting.
                with contextlib.suppress(Exception), session.ledger.carry() as carry:
                    store.update_run(
                        run.id, status="interrupted", finished=utc_now(),
                        api_calls_delta=carry.calls,
                    )  # fmt: skip
                raise
            finally:
                store.release_lease(run.id, lease.token)
    finally:
        await session.aclose()


async def _enqueue_and_wait(
    url: str, run_id: str, encounters: list[str], workers: WorkerOptions, renew: Callable[[], None]
) -> int:
    app = make_app(url)
    # One connection for the whole wait: a new one per poll cost the server a backend process
    # (about 4 ms of its CPU) twice a second.
    async with app.open_async():
        conn = await psycopg.AsyncConnection.connect(url, application_name=APPLICATION_NAME)
        try:
            ids = await _enqueue_all(app, conn, run_id, encounters, workers.cap)
            watch = JobWatch(ids)
            renewed = checked = time.monotonic()
            while True:
                try:
                    pending = await watch.poll(conn)
                except psycopg.OperationalError:
                    # The server dropped the connection (a restart, a killed backend): the
                    # watch's state is in memory, so poll again on a new one. A server still
                    # down raises from the connect, as a poll's own connection did.
                    await conn.close()
                    conn = await psycopg.AsyncConnection.connect(
                        url, application_name=APPLICATION_NAME
                    )
                    pending = await watch.poll(conn)
                if not pending:
                    return watch.failed
                # Stalled jobs are looked for ten times per stall timeout, not at every poll:
                # the query joins the jobs with the workers' heartbeats.
                if time.monotonic() - checked >= workers.stall_after_s / 10:
                    await _retry_stalled(app, watch.pending, workers.stall_after_s)
                    checked = time.monotonic()
                if time.monotonic() - renewed > LEASE_TTL_S / 3:
                    renew()
                    renewed = time.monotonic()
                await asyncio.sleep(POLL_S)
        finally:
            await conn.close()


#: How the coordinator's connection is named to the server (``pg_stat_activity``), so a DBA sees
#: which backend waits for a run.
APPLICATION_NAME = "scribe-eval coordinator"


class JobWatch:
    """The run's jobs not finished yet; each poll reads only those, not the whole run again."""

    def __init__(self, ids: list[int]) -> None:
        self.pending = set(ids)
        self.failed = 0

    async def poll(self, conn: psycopg.AsyncConnection[Any]) -> bool:
        """Forget the jobs that finished since the last poll; whether any is still pending."""
        cursor = await conn.execute(
            "SELECT id, status::text FROM procrastinate_jobs WHERE id = ANY(%s) "
            "AND status::text <> ALL(%s)",
            (sorted(self.pending), list(_UNFINISHED)),
        )
        for job, status in await cursor.fetchall():
            self.pending.discard(int(job))
            self.failed += status in ("failed", "cancelled")
        await conn.commit()  # no snapshot held open between polls
        return bool(self.pending)


async def _enqueue_all(
    app: procrastinate.App,
    conn: psycopg.AsyncConnection[Any],
    run_id: str,
    encounters: list[str],
    cap: int,
) -> list[int]:
    """One job per encounter, deferred in batches; a job of the run still waiting (the run is
    resumed while an earlier coordinator's job is queued) is kept, not enqueued twice."""
    locks = {f"{run_id}/{encounter}": encounter for encounter in encounters}
    waiting = await _waiting(conn, list(locks))
    template = app.configure_task(TASK_NAME).job
    fresh = [
        template.evolve(
            queueing_lock=lock, task_kwargs={"run_id": run_id, "encounter_id": e, "cap": cap}
        )
        for lock, e in locks.items()
        if lock not in waiting
    ]
    ids = list(waiting.values())
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        try:  # one INSERT: all of the batch or none
            ids += [int(job.id or 0) for job in await app.job_manager.batch_defer_jobs_async(batch)]
        except procrastinate.exceptions.AlreadyEnqueued:  # queued meanwhile: one at a time
            for job in batch:
                ids.append(await _enqueue(app, conn, run_id, locks[str(job.queueing_lock)], cap))
    return ids


async def _waiting(conn: psycopg.AsyncConnection[Any], locks: list[str]) -> dict[str, int]:
    """The ids of the jobs still waiting under these queueing locks."""
    cursor = await conn.execute(
        "SELECT queueing_lock, id FROM procrastinate_jobs "
        "WHERE queueing_lock = ANY(%s) AND status = 'todo'",
        (locks,),
    )
    rows = await cursor.fetchall()
    await conn.commit()
    return {str(lock): int(job) for lock, job in rows}


async def _enqueue(
    app: procrastinate.App, conn: psycopg.AsyncConnection[Any], run_id: str, encounter: str,
    cap: int,
) -> int:  # fmt: skip
    lock = f"{run_id}/{encounter}"
    deferrer = app.configure_task(TASK_NAME, queueing_lock=lock)
    try:
        return int(await deferrer.defer_async(run_id=run_id, encounter_id=encounter, cap=cap))
    except procrastinate.exceptions.AlreadyEnqueued:  # a resume while the job still waits
        waiting = (await _waiting(conn, [lock])).get(lock)
        if waiting is None:  # it started meanwhile: enqueue again, the cells done are skipped
            return await _enqueue(app, conn, run_id, encounter, cap)
        return waiting


async def _retry_stalled(app: procrastinate.App, mine: set[int], stall_after_s: float) -> None:
    stalled = await app.job_manager.get_stalled_jobs(
        task_name=TASK_NAME, seconds_since_heartbeat=stall_after_s
    )
    for job in stalled:
        if job.id in mine:
            await app.job_manager.retry_job(job)


async def _finish(
    store: RunStore,
    run: RunRecord,
    experiment: Experiment,
    session: TargetSession,
    failed: int,
    *,
    dataset: Dataset | None = None,
) -> RunOutcome:
    """The end of a run whose jobs are over: its clean-up, its judge stage (with ``dataset``),
    then its status. Stored completed only after both, as a local run is: killed in the judge
    stage, it read 'completed' with notes not judged yet."""
    deleted = 0
    if not failed and experiment.cleanup.delete_interactions:
        remote = RemoteResources(
            store, run.id, str(run.target.get("kind", "?")), None, session.ledger
        )
        # The jobs delete their encounters' interactions: with none left, no client is made (an
        # embedded target would be started just to find nothing to delete).
        if any(r.state != "deleted" for r in store.remotes(run.id, kind="interaction")):
            deleted = await remote.delete_leftovers(await session.client())
    # The judge stage, as in a local run (a no-op without `judge:`; its failures are recorded
    # per note and make `run` exit 3).
    judged = None
    if dataset is not None:
        judged = await judge_finished_run(store, run.id, experiment.judge, dataset)
    notes = f"{failed} encounter job(s) failed after every attempt" if failed else None
    with session.ledger.carry() as carry:  # the calls no row written carried
        store.update_run(
            run.id, status="failed" if failed else "completed", finished=utc_now(),
            api_calls_delta=carry.calls, notes=notes,
        )  # fmt: skip
    kept = bool(failed) and experiment.cleanup.delete_interactions
    return dataclasses.replace(_outcome(store, run.id, session, deleted, kept=kept), judge=judged)


def _outcome(
    store: RunStore, run_id: str, session: TargetSession, deleted: int, *, kept: bool = False
) -> RunOutcome:
    """The run's outcome as a local run gives it, its failure line and (``kept``: a run that
    failed, whose interactions are kept for --resume) what it left on the target included."""
    # Counted by the store, as a local run does: loading every cell (scores parsed) took the
    # coordinator seconds at the end of a 2,000-encounter run, after the last job.
    counts = store.cell_counts(run_id).items()
    record = store.get_run(run_id)
    calls: dict[str, Any] = session.calls
    return RunOutcome(
        run=record, api_calls=record.api_calls, calls=calls,
        cells=sum(n for (kind, _, _), n in counts if kind == "document"),
        errors=sum(n for (_, status, _), n in counts if status == "error"),
        succeeded=sum(n for (_, status, _), n in counts if status == "ok"),
        from_cache=sum(n for (kind, _, cached), n in counts if kind == "document" and cached),
        deleted_interactions=deleted, notes=[], expired=record.expired_cache,
        failure=failure_line(store, run_id),
        left_on_target=left_on_target(store, run_id) if kept else 0,
    )  # fmt: skip
