"""The order of a run's calls: scoring off the chain of calls, slots by stage, a bounded window."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import yaml

from scribe_eval.client._http import Http
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RunOptions, RunOutcome, _engine, run_experiment
from scribe_eval.runner._score import score_document, score_transcript
from scribe_eval.runner._slots import OPEN_PER_SLOT, RankedSlots
from scribe_eval.store import RunStore

WriteExperiment = Callable[..., Path]


def _run(path: Path, runs: Path) -> RunOutcome:
    outcome = run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))
    assert outcome.run.status == "completed"
    assert not outcome.errors, outcome.errors
    return outcome


def _waits_for(event: threading.Event, scorer: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        # Fails (the cell's scoring raises) instead of hanging when the event never comes.
        assert event.wait(30), "the call this score waited for was never made"
        return scorer(*args, **kwargs)

    return wrapped


def test_documents_and_deletes_do_not_wait_for_scores(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each scoring waited for the next call of its chain: the documents for the transcript's
    score, the delete for the documents' scores (and at first for the scorers' models)."""
    asked_document, deleted = threading.Event(), threading.Event()
    fetch, forget = _engine.MatrixExecutor._fetch_document, _engine.MatrixExecutor._forget

    async def fetch_document(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked_document.set()
        return await fetch(self, *args, **kwargs)

    async def delete(self: Any, *args: Any, **kwargs: Any) -> None:
        await forget(self, *args, **kwargs)
        deleted.set()

    monkeypatch.setattr(_engine.MatrixExecutor, "_fetch_document", fetch_document)
    monkeypatch.setattr(_engine.MatrixExecutor, "_forget", delete)
    # One scorer thread: a transcript's score that waits for a document call blocks every later
    # score, so on the old order no document (nor delete) was ever asked for.
    monkeypatch.setattr(_engine, "score_transcript", _waits_for(asked_document, score_transcript))
    monkeypatch.setattr(_engine, "score_document", _waits_for(deleted, score_document))
    runs = tmp_path / "runs"
    outcome = _run(write_experiment(), runs)
    with RunStore(runs) as store:
        cells = store.cells(outcome.run.id)
        assert {c.status for c in cells} == {"ok"}
        assert all(c.scores for c in cells)
        assert all(r.state == "deleted" for r in store.remotes(outcome.run.id, kind="interaction"))


def _before_each_call(monkeypatch: pytest.MonkeyPatch, seen: Callable[[str], object]) -> None:
    """Call ``seen(stage)`` as each API call starts, inside its slot."""
    slot = _engine.MatrixExecutor._slot
    stages = {rank: stage for stage, rank in _engine._RANK.items()}

    @contextlib.asynccontextmanager
    async def watched(self: Any, rank: int, clock: Any) -> AsyncIterator[None]:
        async with slot(self, rank, clock):
            seen(stages[rank])
            yield

    monkeypatch.setattr(_engine.MatrixExecutor, "_slot", watched)


def _tone_dataset(folder: Path, encounters: int) -> Path:
    """Two-channel tones of distinct lengths (distinct instant transcripts), short references."""
    (folder / "audio").mkdir(parents=True)
    items = []
    for i in range(encounters):
        t = np.arange(16000 + 400 * i) / 16000
        tone = (0.1 * np.sin(2 * np.pi * (220 + 20 * i) * t)).astype(np.float32)
        sf.write(folder / "audio" / f"e{i}.flac", np.stack([tone, tone[::-1]], axis=1), 16000)
        items.append(
            {
                "id": f"e{i}",
                "audio": {"path": f"audio/e{i}.flac", "roles": {0: "doctor", 1: "patient"}},
                "notes": {"soap": {"sections": {"Subjective": "Dry cough for 3 days."}}},
            }
        )
    manifest = {"name": "tones", "licence": "Apache-2.0", "default_language": "en",
                "encounters": items}  # fmt: skip
    (folder / "dataset.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return folder


def test_encounters_in_progress_are_bounded_and_a_new_one_goes_before_the_waiting_deletes(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First come, first served, with every encounter started at once: at one slot, all six
    interactions were open before the first document; and a bounded window alone would queue
    the next encounter's create behind every waiting delete, so the run ended on lone chains."""
    order: list[str] = []
    # Inside the slot: with one slot, calls run in this order.
    _before_each_call(monkeypatch, order.append)
    dataset = _tone_dataset(tmp_path / "tones", 6)
    path = write_experiment(
        dataset=str(dataset),
        templates=[{"key": "corti-soap", "label": "soap"}],
        execution={"concurrency": 1, "transcript_concurrency": 6, "document_concurrency": 6},
    )
    _run(path, tmp_path / "runs")
    assert order.count("interaction") == order.count("delete") == 6
    open_at_most = 0
    for index, _ in enumerate(order):
        made = order[: index + 1].count("interaction")
        open_at_most = max(open_at_most, made - order[:index].count("delete"))
    assert open_at_most == OPEN_PER_SLOT, order
    creates = [i for i, stage in enumerate(order) if stage == "interaction"]
    deletes = [i for i, stage in enumerate(order) if stage == "delete"]
    # A delete frees a place; the next encounter's create goes before the deletes still waiting
    # (a delete already waiting when a slot frees may take it first: it was there).
    stages = " ".join(stage[:3] for stage in order)
    assert creates[4] < deletes[2], stages


async def _waiter(slots: RankedSlots, served: list[str], name: str, rank: int) -> None:
    """Wait for a slot at ``rank``, say so in ``served``, and give the slot back."""
    await slots.acquire(rank)
    served.append(name)
    slots.release()


def _ranks_served(waiting: list[tuple[str, int]], limit: int = 1) -> list[str]:
    """The order in which waiters (name, rank) queued behind ``limit`` busy holders get a slot."""

    async def scenario() -> list[str]:
        slots = RankedSlots(limit)
        for _ in range(limit):
            await slots.acquire(0)
        served: list[str] = []

        tasks = []
        for name, rank in waiting:
            tasks.append(asyncio.create_task(_waiter(slots, served, name, rank)))
            await asyncio.sleep(0)  # queued in this order
        for _ in range(limit):
            slots.release()
        await asyncio.gather(*tasks)
        return served

    return asyncio.run(scenario())


def test_ranked_slots_serve_the_earliest_stage_first_and_arrivals_in_order_within_one() -> None:
    waiting = [("doc-1", 3), ("delete-1", 4), ("upload-2", 1), ("doc-2", 3), ("create-3", 0)]
    assert _ranks_served(waiting) == ["create-3", "upload-2", "doc-1", "doc-2", "delete-1"]
    assert _ranks_served([("a", 2), ("b", 2), ("c", 2)], limit=2) == ["a", "b", "c"]


def test_ranked_slots_survive_cancelled_waiters() -> None:
    async def scenario() -> tuple[list[str], int]:
        slots = RankedSlots(1)
        await slots.acquire(0)
        served: list[str] = []

        gone = asyncio.create_task(_waiter(slots, served, "gone", 0))
        kept = asyncio.create_task(_waiter(slots, served, "kept", 1))
        await asyncio.sleep(0)
        gone.cancel()  # cancelled while waiting: gives nothing up, takes nothing
        await asyncio.sleep(0)
        handed = asyncio.create_task(_waiter(slots, served, "handed", 0))
        await asyncio.sleep(0)
        slots.release()  # handed the slot (rank 0) ...
        handed.cancel()  # ... and cancelled before it ran: the slot passes on
        await asyncio.gather(gone, handed, kept, return_exceptions=True)
        await slots.acquire(5)  # the one slot is free again: no wait
        return served, slots.waiting

    assert asyncio.run(scenario()) == (["kept"], 0)


def test_a_failed_score_under_fail_fast_stops_the_calls_although_it_is_scored_off_the_chain(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A score fails in a task of its own, which raises only when its encounter awaits it: the
    run still stops at once, and no call goes out after the failure was counted."""
    failed = threading.Event()
    calls_after: list[str] = []

    def after_failure(stage: str) -> None:
        if failed.is_set():
            calls_after.append(stage)

    _before_each_call(monkeypatch, after_failure)

    def broken(*args: Any, **kwargs: Any) -> Any:
        failed.set()
        raise ValueError("a scorer bug")

    monkeypatch.setattr(_engine, "score_document", broken)
    # Calls slow enough that the run is still calling when the first score fails.
    target = {"kind": "embedded", "asr_engine": "instant", "latency_ms": 150}
    path = write_experiment(target=target, execution={"concurrency": 1})
    outcome = run_experiment(
        load_experiment(path),
        RunOptions(runs_dir=tmp_path / "runs", progress=False, fail_fast=True),
    )
    assert outcome.run.status == "failed"
    assert outcome.errors == 1
    assert "--fail-fast" in (outcome.run.notes or "")
    assert calls_after == []


def test_a_transcript_scorer_failure_is_that_cell_s_and_its_documents_are_still_written(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transcript's score that raised went up through the encounter's task and ended the run
    (a document's was a failed cell already)."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a scorer bug")

    monkeypatch.setattr(_engine, "score_transcript", broken)
    runs = tmp_path / "runs"
    outcome = run_experiment(
        load_experiment(write_experiment()), RunOptions(runs_dir=runs, progress=False)
    )
    assert outcome.run.status == "completed"
    with RunStore(runs) as store:
        cells = {c.cell_id: c for c in store.cells(outcome.run.id)}
    asr = [c for c in cells.values() if c.kind == "transcript" and c.source == "asr"]
    assert len(asr) == 2
    assert all((c.status, c.stage, c.error_type) == ("error", "score", "ValueError") for c in asr)
    assert all(c.timings.get("transcript") for c in asr)  # the call's timing is kept
    documents = [c for c in cells.values() if c.kind == "document"]
    assert len(documents) == 6
    assert {c.status for c in documents} == {"ok"}
    assert outcome.errors == 2


def test_a_stop_cancels_the_encounter_s_other_calls_and_counts_nothing_more(
    write_experiment: WriteExperiment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With --fail-fast, a document that failed stopped the run while its sibling's call was
    out: the sibling's answer came back after the stop, its scoring task raised where nothing
    awaited it ("Task exception was never retrieved"), and calls cut short by the stop were
    stored as failed cells (which a plain --resume then skips)."""
    import gc

    from scribe_eval.errors import ScribeEvalError

    fetch = _engine.MatrixExecutor._fetch_document
    answered: set[str] = set()

    async def fetch_document(self: Any, encounter: Any, cell: Any, *args: Any) -> Any:
        if cell.template.label == "brief":
            while encounter.id not in answered:
                await asyncio.sleep(0.01)
            raise ScribeEvalError("the brief note failed")
        document = await fetch(self, encounter, cell, *args)
        answered.add(encounter.id)
        while not self.aborted:  # answers only once the run is stopping
            await asyncio.sleep(0.001)
        return document

    monkeypatch.setattr(_engine.MatrixExecutor, "_fetch_document", fetch_document)
    outcome = run_experiment(
        load_experiment(write_experiment()),
        RunOptions(runs_dir=tmp_path / "runs", progress=False, fail_fast=True),
    )
    gc.collect()
    assert outcome.run.status == "failed"
    assert outcome.errors == 1
    with RunStore(tmp_path / "runs") as store:
        failed = [c for c in store.cells(outcome.run.id) if c.status == "error"]
    assert [(c.template_label, c.error_message) for c in failed] == [
        ("brief", "the brief note failed")
    ]
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


def test_a_transcript_being_made_holds_no_slot_between_its_polls(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slot of the overall limit is a call on the wire. Held for the whole transcript, polls
    and the pauses between them included (minutes, for a real visit on the vendor's API), it
    kept every other encounter waiting: at one slot, the next transcript was asked for only
    once the one before was finished."""
    calls: list[tuple[str, str]] = []
    attempt = Http._attempt

    async def watched(self: Http, request: Any, number: int) -> Any:
        calls.append((request.method, request.template))
        return await attempt(self, request, number)

    monkeypatch.setattr(Http, "_attempt", watched)
    # Every transcript is made in the background (202), then polled until it is finished.
    target = {"kind": "embedded", "asr_engine": "instant", "async_threshold_s": 0}
    path = write_experiment(target=target, execution={"concurrency": 1})
    _run(path, tmp_path / "runs")
    asked = [i for i, (m, t) in enumerate(calls) if m == "POST" and t.endswith("/transcripts/")]
    polled = [i for i, (m, t) in enumerate(calls) if m == "GET" and "/transcripts/" in t]
    assert len(asked) >= 2, calls
    assert polled, calls
    assert asked[1] < polled[0], calls
