"""A run's API calls reach the store with the writes the runner makes anyway.

Each remote row, answer and cell written carries the calls made since the previous write; a write
that fails or stores nothing gives them back to the next. The end of the run adds what is left: a
process killed before it keeps its count up to its last write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.client import AmbientClient
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RemoteResources, RunOptions, run_experiment
from scribe_eval.runner._ledger import CallLedger
from scribe_eval.store import RemoteRecord, RunRecord, RunStore
from scribe_eval.store._store import SqliteRunStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
WriteExperiment = Callable[..., Path]


def test_a_write_takes_the_calls_not_carried_yet_and_gives_them_back_if_it_fails() -> None:
    made = 0
    ledger = CallLedger(lambda: made)
    made = 3
    with ledger.carry() as carry:
        assert carry.calls == 3
    made = 5

    def failed_write() -> None:
        with ledger.carry() as carry:
            assert carry.calls == 2
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError, match="the write failed"):
        failed_write()
    with ledger.carry() as carry:  # the failed write's calls go with the next one
        assert carry.calls == 2
        carry.give_back()  # it stored nothing
        carry.give_back()  # given back once only
    assert ledger.pending == 2
    assert ledger.take().calls == 2
    assert ledger.pending == 0


class _FlakyStore(SqliteRunStore):
    """Fails the next ``fail`` row writes (after which nothing of them is stored)."""

    fail = 0

    def put_remote(self, record: RemoteRecord, *, api_calls_delta: int = 0) -> None:
        if self.fail:
            self.fail -= 1
            raise OSError("disk full")
        super().put_remote(record, api_calls_delta=api_calls_delta)


class _Target:
    """Answers interaction creates and look-ups, each one call of a shared counter."""

    def __init__(self) -> None:
        self.calls = 0

    async def create_interaction(self, body: CreateInteractionRequest) -> Any:
        self.calls += 1
        return SimpleNamespace(interaction_id=f"i-{self.calls}")

    async def find_interaction(self, identifier: str) -> Any:
        self.calls += 1
        return None


def _run(run_id: str) -> RunRecord:
    return RunRecord.model_validate(
        {
            "id": run_id, "name": "n", "status": "running", "created": "2026-01-01T00:00:00Z",
            "experiment_hash": "e", "dataset_name": "d", "dataset_hash": "h", "target": {},
            "config": {}, "provenance": {},
        }
    )  # fmt: skip


def test_rows_carry_the_calls_and_a_failed_write_leaves_them_to_the_next(tmp_path: Path) -> None:
    encounter = load_dataset(MINI).encounter("en-01-cough")
    target = _Target()
    ledger = CallLedger(lambda: target.calls)
    client = cast(AmbientClient, target)

    async def create(store: RunStore, language: str) -> str:
        remote = RemoteResources(store, "r1", "url", None, ledger)
        return await remote.interaction(client, encounter, language)

    with _FlakyStore(tmp_path) as store:
        store.create_run(_run("r1"))
        assert asyncio.run(create(store, "en")) == "i-1"
        # The pending row carried nothing (no call yet), the created row the create call.
        assert store.get_run("r1").api_calls == 1
        target.calls += 2  # calls no row carried yet (a transcript's polls, say)
        # The next pending row carries those two; the created row after the create call fails,
        # and its call stays pending.
        store.fail = 1
        with pytest.raises(OSError, match="disk full"):
            asyncio.run(create(store, "de"))
        assert (store.get_run("r1").api_calls, ledger.pending) == (3, 1)
        # The retried job looks the pending row up (a call: none found), writes its intent again
        # (carrying the failed write's call and the look-up), creates, and writes the row.
        assert asyncio.run(create(store, "de")) == "i-6"
        assert store.get_run("r1").api_calls == target.calls == 6
        assert ledger.pending == 0


def test_a_process_killed_before_the_end_of_its_run_keeps_its_call_count(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The end-of-run update is dropped, as if the process died just before it.
    at_the_end: list[int] = []
    original = SqliteRunStore.update_run

    def killed(self: RunStore, run_id: str, **changes: Any) -> None:
        at_the_end.append(changes.pop("api_calls_delta", 0))
        if "finished" not in changes:
            original(self, run_id, **changes)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteRunStore, "update_run", killed)
    path = write_experiment(cleanup={"delete_interactions": True})
    outcome = run_experiment(
        load_experiment(path), RunOptions(runs_dir=tmp_path / "runs", progress=False)
    )
    with RunStore(tmp_path / "runs") as store:
        recorded = store.get_run(outcome.run.id).api_calls
    # Every call was followed by a write (the last: an interaction's deleted row).
    assert outcome.api_calls > 10
    assert recorded == outcome.api_calls
    assert at_the_end[-1] == 0
