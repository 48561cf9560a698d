"""The remote bookkeeping is read once per encounter, and still creates nothing twice.

A job reads its encounter's rows in one query and keeps them with its own writes. The tests
count the store's reads of a whole run, resume an interaction create that was killed in flight,
and let a stale copy of the rows (a worker taken for dead that still runs) meet a row written
meanwhile: the intent to create is then refused by the store, and the row is read again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.client import AmbientClient
from scribe_eval.dataset import Encounter, load_dataset
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RemoteResources, RunOptions, run_experiment
from scribe_eval.store import RemoteRecord, RunStore
from scribe_eval.store._store import SqliteRunStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
WriteExperiment = Callable[..., Path]
KEY = "interaction:en-01-cough:en"


def test_a_run_reads_each_encounters_remote_rows_once(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: Counter[str] = Counter()
    for name in ("get_remote", "get_remotes"):
        original = getattr(SqliteRunStore, name)

        def counted(self: RunStore, *args: Any, _name: str = name, _f: Any = original) -> Any:
            reads[_name] += 1
            return _f(self, *args)

        monkeypatch.setattr(SqliteRunStore, name, counted)
    path = write_experiment(cleanup={"delete_interactions": True})
    outcome = run_experiment(
        load_experiment(path), RunOptions(runs_dir=tmp_path / "runs", progress=False)
    )
    assert outcome.run.status == "completed"
    assert outcome.deleted_interactions == 3
    with RunStore(tmp_path / "runs") as store:
        rows = store.remotes(outcome.run.id)
    # 3 interactions, 2 recordings, 2 transcripts, 6 documents: 13 rows, each written at least
    # twice (pending, created), and every one read again by the next call that needed it.
    assert len(rows) == 13
    assert dict(reads) == {"get_remotes": 3}  # one read per encounter; none per call


def test_a_documents_created_row_is_written_with_its_answer(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_alone: Counter[str] = Counter()
    with_answer: list[RemoteRecord] = []
    put_remote, cache_put = SqliteRunStore.put_remote, SqliteRunStore.cache_put

    def count_row(self: RunStore, record: RemoteRecord, **kwargs: Any) -> None:
        rows_alone[f"{record.kind} {record.state}"] += 1
        put_remote(self, record, **kwargs)  # type: ignore[arg-type]

    def count_answer(self: RunStore, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("remote") is not None:
            with_answer.append(kwargs["remote"])
        cache_put(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteRunStore, "put_remote", count_row)
    monkeypatch.setattr(SqliteRunStore, "cache_put", count_answer)
    outcome = run_experiment(
        load_experiment(write_experiment()), RunOptions(runs_dir=tmp_path / "runs", progress=False)
    )
    assert outcome.run.status == "completed"
    # The transcripts', interactions' and recordings' created rows are writes of their own
    # (and the interactions' deletions, after their encounters); no document's row is.
    assert rows_alone == {
        "interaction created": 3, "recording created": 2, "transcript created": 2,
        "interaction deleted": 3,
    }  # fmt: skip
    with RunStore(tmp_path / "runs") as store:
        documents = store.remotes(outcome.run.id, kind="document")
        assert sorted(r.key for r in with_answer) == [r.key for r in documents]
        assert len(documents) == 6
        for row in documents:
            cell = store.get_cell(outcome.run.id, row.key.removeprefix("document:"))
            assert cell is not None
            assert cell.cache_key is not None
            entry = store.cache_get(cell.cache_key)
            assert entry is not None
            assert (row.state, row.remote_id) == ("created", entry.value["id"])


class _Target:
    """An interaction create that can be held in flight; counts every call made on it."""

    def __init__(self, store: RunStore | None = None, found: str | None = None) -> None:
        self.calls: list[str] = []
        self.store = store
        self.found = found
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()
        self.seen_before_create: RemoteRecord | None = None

    async def create_interaction(self, body: CreateInteractionRequest) -> Any:
        self.calls.append("create")
        if self.store is not None:  # what another process sees when the create goes out
            self.seen_before_create = self.store.get_remote("r1", KEY)
        self.in_flight.set()
        await self.release.wait()
        return SimpleNamespace(interaction_id="i-new")

    async def find_interaction(self, identifier: str) -> Any:
        self.calls.append("find")
        return None if self.found is None else SimpleNamespace(id=self.found)


def _encounter() -> Encounter:
    return load_dataset(MINI).encounter("en-01-cough")


def _resources(store: RunStore) -> RemoteResources:
    remote = RemoteResources(store, "r1", "url", None)
    remote.expect("en-01-cough", ["en"], ["en-01-cough|transcript|en|asr"])
    return remote


def test_a_job_resumed_after_a_kill_sees_the_killed_attempts_intent(tmp_path: Path) -> None:
    encounter = _encounter()

    async def killed_attempt() -> None:
        with RunStore(tmp_path) as store, RunStore(tmp_path) as other:
            target = _Target(store=other)
            task = asyncio.create_task(
                _resources(store).interaction(cast(AmbientClient, target), encounter, "en")
            )
            await target.in_flight.wait()
            task.cancel()  # killed with the create in flight: no created row follows
            await asyncio.gather(task, return_exceptions=True)
            # The intent was committed before the create went out.
            assert target.seen_before_create is not None
            assert target.seen_before_create.state == "pending"

    async def resumed_job() -> tuple[str, list[str]]:
        with RunStore(tmp_path) as store:
            target = _Target(found="i-landed")  # the killed create did land
            got = await _resources(store).interaction(cast(AmbientClient, target), encounter, "en")
            return got, target.calls

    asyncio.run(killed_attempt())
    assert asyncio.run(resumed_job()) == ("i-landed", ["find"])  # found, not created again
    with RunStore(tmp_path) as store:
        row = store.get_remote("r1", KEY)
    assert row is not None
    assert (row.state, row.remote_id) == ("created", "i-landed")


def test_a_stale_copy_of_the_rows_never_creates_twice(tmp_path: Path) -> None:
    encounter = _encounter()

    async def scenario() -> tuple[str, str, list[str]]:
        with RunStore(tmp_path) as mine, RunStore(tmp_path) as theirs:
            stale = _resources(mine)
            assert stale.known_interaction("en-01-cough", "en") is None  # rows read: none yet
            # Meanwhile the job's retry elsewhere creates the interaction, start to end.
            other = _Target()
            other.release.set()
            created = await _resources(theirs).interaction(
                cast(AmbientClient, other), encounter, "en"
            )
            late = _Target()
            late.release.set()
            got = await stale.interaction(cast(AmbientClient, late), encounter, "en")
            return created, got, late.calls

    created, got, calls = asyncio.run(scenario())
    assert (created, got) == ("i-new", "i-new")
    assert calls == []  # the refused intent read the created row: no call, no second create
