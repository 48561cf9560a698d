from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scribe_eval.errors import StoreError
from scribe_eval.store import (
    STORE_FILENAME,
    CellRecord,
    RemoteRecord,
    RunRecord,
    RunStore,
    open_store,
    utc_now,
)


def _run(run_id: str, created: str = "2026-01-01T00:00:00Z") -> RunRecord:
    return RunRecord(
        id=run_id,
        name="demo",
        status="running",
        created=created,
        experiment_hash="e" * 64,
        dataset_name="sample",
        dataset_hash="d" * 64,
        target={"kind": "embedded", "identity": {"asr": "x"}},
        config={"templates": ["corti-soap"]},
        provenance={"seed": 7},
    )


def test_runs_round_trip_and_resolve(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        store.create_run(_run("20260101-aaaa", "2026-01-01T00:00:00Z"))
        store.create_run(_run("20260102-bbbb", "2026-01-02T00:00:00Z"))
        assert [r.id for r in store.list_runs()] == ["20260102-bbbb", "20260101-aaaa"]
        assert store.resolve_run("latest").id == "20260102-bbbb"
        assert store.resolve_run("20260101").id == "20260101-aaaa"
        with pytest.raises(StoreError, match="matches 2 runs"):
            store.resolve_run("2026")
        store.bless("20260101-aaaa", "prod")
        assert store.resolve_run("prod").id == "20260101-aaaa"
        store.update_run("20260101-aaaa", status="completed", api_calls_delta=5)
        store.update_run("20260101-aaaa", api_calls_delta=2)
        run = store.get_run("20260101-aaaa")
        assert (run.status, run.api_calls, run.target["identity"]) == ("completed", 7, {"asr": "x"})
        with pytest.raises(StoreError, match="already exists"):
            store.create_run(_run("20260101-aaaa"))


def test_unknown_run_names_the_fix(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store, pytest.raises(StoreError, match="runs list"):
        store.resolve_run("nope")


def test_cells_cache_and_remotes_survive_reopening(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        store.create_run(_run("r1"))
        store.put_cell(
            CellRecord(
                run_id="r1",
                cell_id="c1",
                kind="document",
                encounter_id="en-01",
                template_label="soap",
                language="en",
                recording_language="en",
                source="asr",
                status="error",
                stage="document",
                error_type="ServerError",
                scores={"rouge1_f": 0.5},
                timings={"document": 12.5},
            )
        )
        store.cache_put("k1", "transcript", {"id": "t", "transcripts": []}, request_id="rq")
        store.put_remote(
            RemoteRecord(
                run_id="r1",
                key="interaction:en-01",
                kind="interaction",
                target="embedded",
                identifier="scribe-eval:r1:en-01",
                state="pending",
                updated=utc_now(),
            )
        )
    with RunStore(tmp_path) as store:
        cell = store.get_cell("r1", "c1")
        assert cell is not None
        assert (cell.status, cell.scores, cell.timings) == (
            "error",
            {"rouge1_f": 0.5},
            {"document": 12.5},
        )
        entry = store.cache_get("k1")
        assert entry is not None
        assert entry.value == {"id": "t", "transcripts": []}
        assert entry.request_id == "rq"
        assert store.cache_get("missing") is None
        remote = store.get_remote("r1", "interaction:en-01")
        assert remote is not None
        assert remote.state == "pending"
        assert [r.key for r in store.remotes("r1", kind="interaction")] == ["interaction:en-01"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    RunStore(tmp_path).close()
    db = sqlite3.connect(tmp_path / "scribe-eval.sqlite")
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this"):
        RunStore(tmp_path)


def test_stores_opened_at_once_by_many_processes_migrate_once(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        pool.map(_open_and_close, [tmp_path] * 8)
    with RunStore(tmp_path) as store:
        assert store.list_runs() == []


def _open_and_close(folder: Path) -> None:
    RunStore(folder).close()


def test_a_store_opens_to_read_while_a_run_holds_the_write_lock(tmp_path: Path) -> None:
    # Opening took the write lock (for the migrations) even when there was nothing to migrate:
    # `runs list` waited behind a running run's write, up to the 30 s busy timeout.
    RunStore(tmp_path).close()
    writer = sqlite3.connect(tmp_path / STORE_FILENAME, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with open_store(None, tmp_path, read_only=True) as store:
            assert store.run_listings() == []
    finally:
        writer.execute("ROLLBACK")
        writer.close()
