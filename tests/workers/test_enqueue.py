"""The coordinator defers a run's encounter jobs in batches, never twice for a waiting job."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest

from scribe_eval.runner._ledger import CallLedger
from scribe_eval.store import CellRecord, RemoteRecord, RunRecord, RunStore
from scribe_eval.workers import _coordinator
from scribe_eval.workers._queue import ensure_queue_schema, make_app


async def test_jobs_are_deferred_in_batches_and_a_waiting_job_is_kept(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_coordinator, "BATCH", 2)
    ensure_queue_schema(pg_url)
    app = make_app(pg_url)
    async with app.open_async(), await psycopg.AsyncConnection.connect(pg_url) as conn:
        first = await _coordinator._enqueue_all(app, conn, "run-1", ["en-b"], 3)
        # A resume: en-b's job still waits, the other four are new (three batches of <= 2).
        ids = await _coordinator._enqueue_all(
            app, conn, "run-1", ["en-a", "en-b", "en-c", "en-d", "en-e"], 3
        )
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT id, queueing_lock, args FROM procrastinate_jobs").fetchall()
    assert len(rows) == 5
    assert first[0] in ids
    assert sorted(ids) == sorted(row[0] for row in rows)
    by_lock = {row[1]: row[2] for row in rows}
    assert by_lock["run-1/en-d"] == {"run_id": "run-1", "encounter_id": "en-d", "cap": 3}


async def test_the_wait_reads_only_unfinished_jobs_and_counts_the_failed_once(
    pg_url: str,
) -> None:
    ensure_queue_schema(pg_url)
    app = make_app(pg_url)
    encounters = ["en-a", "en-b", "en-c", "en-d"]
    async with app.open_async(), await psycopg.AsyncConnection.connect(pg_url) as conn:
        ids = await _coordinator._enqueue_all(app, conn, "run-1", encounters, 0)
        watch = _coordinator.JobWatch(ids)
        assert await watch.poll(conn)
        assert watch.pending == set(ids)
        assert watch.failed == 0

        async def finish(job: int, status: str) -> None:
            await conn.execute(
                "UPDATE procrastinate_jobs SET status = %s::procrastinate_job_status WHERE id = %s",
                (status, job),
            )
            await conn.commit()

        await finish(ids[0], "failed")
        await finish(ids[1], "succeeded")
        await finish(ids[2], "doing")
        assert await watch.poll(conn)
        assert watch.pending == {ids[2], ids[3]}
        assert watch.failed == 1
        assert await watch.poll(conn)  # the failed job is not counted twice
        assert watch.failed == 1
        await finish(ids[2], "cancelled")
        await finish(ids[3], "succeeded")
        assert not await watch.poll(conn)
        assert watch.pending == set()
        assert watch.failed == 2


def _run() -> RunRecord:
    return RunRecord.model_validate(
        {
            "id": "r1", "name": "demo", "status": "running", "created": "2026-01-01T00:00:00Z",
            "experiment_hash": "e" * 64, "dataset_name": "d", "dataset_hash": "d" * 64,
            "target": {"kind": "url"}, "config": {}, "provenance": {}, "api_calls": 7,
            "expired_cache": 2,
        }
    )  # fmt: skip


def test_the_outcome_counts_every_cell_as_a_local_run_does(tmp_path: Path) -> None:
    runs = _run()
    base = {"run_id": "r1", "encounter_id": "en-1", "language": "en", "recording_language": "en"}
    cells: list[dict[str, object]] = [
        {"cell_id": "t1", "kind": "transcript", "status": "ok", "source": "reference"},
        {"cell_id": "t2", "kind": "transcript", "status": "error", "source": "asr"},
        {"cell_id": "d1", "kind": "document", "status": "ok", "source": "asr"},
        {"cell_id": "d2", "kind": "document", "status": "ok", "source": "asr", "from_cache": True},
        {"cell_id": "d3", "kind": "document", "status": "error", "source": "asr"},
    ]
    session = SimpleNamespace(calls={"create_document": 1})
    with RunStore(tmp_path) as store:
        store.create_run(runs)
        for data in cells:
            store.put_cell(CellRecord.model_validate({**base, **data}))
        outcome = _coordinator._outcome(store, "r1", session, 4)  # type: ignore[arg-type]
    assert (outcome.cells, outcome.errors, outcome.succeeded, outcome.from_cache) == (3, 2, 3, 1)
    assert (outcome.api_calls, outcome.expired, outcome.deleted_interactions) == (7, 2, 4)
    assert outcome.calls == {"create_document": 1}


@pytest.mark.parametrize(
    ("states", "client_made"),
    [
        pytest.param(["deleted", "deleted"], False, id="all-deleted-by-the-jobs"),
        pytest.param(["deleted", "created"], True, id="one-left"),
    ],
)
async def test_the_finish_makes_a_client_only_for_interactions_left(
    tmp_path: Path, states: list[str], client_made: bool
) -> None:
    made: list[bool] = []

    class Session:
        api_calls = 0
        calls: dict[str, int] = {}  # noqa: RUF012
        ledger = CallLedger(lambda: 0)

        async def client(self) -> object:
            made.append(True)
            raise RuntimeError("no target here")

    experiment = SimpleNamespace(cleanup=SimpleNamespace(delete_interactions=True))
    with RunStore(tmp_path) as store:
        store.create_run(_run())
        for i, state in enumerate(states):
            store.put_remote(
                RemoteRecord.model_validate(
                    {
                        "run_id": "r1",
                        "key": f"interaction:en-{i}:en",
                        "kind": "interaction",
                        "target": "url",
                        "identifier": f"i{i}",
                        "state": state,
                        "updated": "2026-01-01T00:00:00Z",
                    }
                )
            )
        run = store.get_run("r1")
        if client_made:
            with pytest.raises(RuntimeError, match="no target here"):
                await _coordinator._finish(store, run, experiment, Session(), 0)  # type: ignore[arg-type]
        else:
            outcome = await _coordinator._finish(store, run, experiment, Session(), 0)  # type: ignore[arg-type]
            assert outcome.run.status == "completed"
    assert made == ([True] if client_made else [])


async def test_the_wait_survives_its_connection_being_dropped(pg_url: str) -> None:
    # The coordinator keeps one connection for the whole wait; a server that drops it (a restart,
    # a killed backend) must cost one reconnect, not the run's coordinator.
    ensure_queue_schema(pg_url)
    options = SimpleNamespace(cap=0, stall_after_s=3600.0)
    wait = asyncio.create_task(
        _coordinator._enqueue_and_wait(pg_url, "run-1", ["en-a", "en-b"], options, lambda: None)  # type: ignore[arg-type]
    )
    try:
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as admin:
            for _ in range(200):
                cursor = await admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                    (_coordinator.APPLICATION_NAME,),
                )
                found = [row[0] for row in await cursor.fetchall()]
                jobs = await admin.execute("SELECT count(*) FROM procrastinate_jobs")
                if found and (await jobs.fetchone() or (0,))[0] == 2:
                    break
                await asyncio.sleep(0.05)
            assert found, "the coordinator never connected"
            await asyncio.sleep(2 * _coordinator.POLL_S)  # both jobs enqueued: it is polling now
            for pid in found:
                await admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            await asyncio.sleep(2 * _coordinator.POLL_S)
            assert not wait.done(), wait
            await admin.execute(
                "UPDATE procrastinate_jobs SET status = 'succeeded'::procrastinate_job_status"
            )
        assert await asyncio.wait_for(wait, 20) == 0
    finally:
        wait.cancel()


async def test_the_run_is_stored_completed_only_after_its_judge_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coordinator stored the run 'completed', then judged its notes: killed in the judge
    stage, the run read completed (and could be blessed) with notes not judged."""
    seen: list[str] = []

    async def judge(store: RunStore, run_id: str, config: object, dataset: object) -> None:
        seen.append(store.get_run(run_id).status)

    monkeypatch.setattr(_coordinator, "judge_finished_run", judge)
    session = SimpleNamespace(calls={}, ledger=CallLedger(lambda: 0))
    experiment = SimpleNamespace(
        cleanup=SimpleNamespace(delete_interactions=False), judge=SimpleNamespace()
    )
    with RunStore(tmp_path) as store:
        store.create_run(_run())
        run = store.get_run("r1")
        dataset: Any = SimpleNamespace()
        outcome = await _coordinator._finish(store, run, experiment, session, 0, dataset=dataset)  # type: ignore[arg-type]
    assert seen == ["running"]
    assert outcome.run.status == "completed"


@pytest.mark.slow
async def test_an_interrupted_coordinator_stores_its_run_interrupted(
    pg_url: str, tmp_path: Path
) -> None:
    """Ctrl-C or SIGTERM (the coordinator's task cancelled) exited 130/143 with the resume hint
    while the run stayed 'running' in the store; a local run is stored 'interrupted'."""
    from scribe_eval.experiment import Experiment
    from scribe_eval.runner import RunOptions
    from scribe_eval.store import open_store

    mini = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
    experiment = Experiment.model_validate(
        {
            "name": "mini", "dataset": str(mini),
            "target": {"kind": "url", "base_url": "http://127.0.0.1:9/v2", "tenant": "t",
                       "auth": "none"},
            "templates": [{"key": "corti-soap", "label": "soap"}],
        }
    )  # fmt: skip
    options = RunOptions(runs_dir=tmp_path, store=pg_url, progress=False)
    workers = _coordinator.WorkerOptions(stall_after_s=3600.0)
    task = asyncio.create_task(_coordinator._coordinate(pg_url, experiment, options, workers))
    with open_store(pg_url, tmp_path) as store:
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as admin:
            for _ in range(400):  # no worker runs: once its jobs are queued, it waits for them
                jobs = await admin.execute("SELECT to_regclass('procrastinate_jobs')")
                if (await jobs.fetchone() or (None,))[0] is not None:
                    queued = await admin.execute("SELECT count(*) FROM procrastinate_jobs")
                    if (await queued.fetchone() or (0,))[0]:
                        break
                await asyncio.sleep(0.05)
        await asyncio.sleep(2 * _coordinator.POLL_S)  # it is polling now
        runs = store.list_runs()
        assert runs, "the coordinator never started the run"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        run = store.get_run(runs[0].id)
        assert (run.status, store.lease(run.id)) == ("interrupted", None)
