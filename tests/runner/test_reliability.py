"""Reliability: exactly once on the target under faults and kill -9, one runner per run.

Every test runs a real emulator on 127.0.0.1 (a free port) and counts what the run left there
through the API: interactions, recordings, transcripts and documents, against what the run needed.
The emulator answers every transcript with 202 (``--async-threshold-s 0``), so runners poll.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.client import AmbientClient, RetryPolicy
from scribe_eval.errors import NotFoundError, RunLockedError, ServerError
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import LeaseKeeper, RemoteResources, RunOptions, run_experiment, take_lease
from scribe_eval.store import RemoteRecord, RunStore, utc_now

WriteExperiment = Callable[..., Path]
StartEmulator = Callable[..., AbstractContextManager[str]]
pytestmark = pytest.mark.slow

KINDS = ("interactions", "recordings", "transcripts", "documents")
TEMPLATES = [
    {"key": "corti-soap", "label": "soap"},
    {"key": "corti-brief-clinical-note", "label": "brief", "reference": "soap"},
    {"key": "corti-h-and-p", "label": "hp", "reference": "soap"},
    {"key": "corti-patient-summary", "label": "summary", "reference": "soap"},
]


def census(base_url: str, run_id: str) -> dict[str, int]:
    """The run's interactions on the target and the recordings, transcripts, documents in them."""

    async def count() -> dict[str, int]:
        found: Counter[str] = Counter(dict.fromkeys(KINDS, 0))
        retry = RetryPolicy(max_attempts=30, initial_backoff=0.01, max_backoff=0.1)
        async with AmbientClient(base_url, retry=retry) as client:
            async for interaction in client.iter_interactions(page_size=50):
                identifier = interaction.encounter.identifier if interaction.encounter else ""
                if f":{run_id}:" not in identifier:
                    continue
                found["interactions"] += 1
                found["recordings"] += len(await client.list_recordings(interaction.id))
                found["transcripts"] += len(await client.list_transcripts(interaction.id))
                found["documents"] += len(await client.list_documents(interaction.id))
        return dict(found)

    return asyncio.run(count())


def needed(runs: Path, run_id: str) -> dict[str, int]:
    """What a run on an empty cache needs: an interaction per encounter and recording language,
    a recording and a transcript per recognised transcript cell, a document per document cell."""
    with RunStore(runs) as store:
        cells = store.cells(run_id)
    asr = [c for c in cells if c.kind == "transcript" and c.source == "asr"]
    return {
        "interactions": len({(c.encounter_id, c.recording_language) for c in cells}),
        "recordings": len(asr),
        "transcripts": len(asr),
        "documents": sum(c.kind == "document" for c in cells),
    }


def _url_experiment(write: WriteExperiment, base: str, name: str = "exp", **changes: Any) -> Path:
    target = {"kind": "url", "base_url": base, "tenant": "base", "auth": "none"}
    execution = {"concurrency": 3, "transcript_concurrency": 2, "document_concurrency": 2}
    return write(
        name, target=target, templates=TEMPLATES, cleanup={"delete_interactions": False},
        execution={**execution, "retries": 12, **changes.pop("execution", {})}, **changes,
    )  # fmt: skip


def _command(path: Path, runs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scribe_eval.cli", "run", str(path), "--runs-dir", str(runs),
            "--no-progress", *extra]  # fmt: skip


def _start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(
    runs: Path, child: subprocess.Popen[str], met: Callable[[RunStore], bool], timeout: float = 90
) -> bool:
    """Poll the store until ``met`` holds (True) or the child exits first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if (runs / "scribe-eval.sqlite").exists():
            with RunStore(runs) as store:
                if store.list_runs() and met(store):
                    return True
        time.sleep(0.02)
    return False


def _kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)


def _run_id(runs: Path) -> str:
    with RunStore(runs) as store:
        return store.list_runs()[0].id


def _rows(store: RunStore, kind: str, state: str) -> list[RemoteRecord]:
    run = store.list_runs()[0]
    return [r for r in store.remotes(run.id, kind=kind) if r.state == state]


def _polling(store: RunStore) -> bool:
    """A transcript was asked for (its id is stored) and is not finished: the runner polls."""
    run = store.list_runs()[0]
    done = {c.encounter_id for c in store.cells(run.id) if c.kind == "transcript"}
    return any(
        r.key.split(":")[1].split("|")[0] not in done for r in _rows(store, "transcript", "created")
    )


def _cells_at_least(n: int) -> Callable[[RunStore], bool]:
    return lambda store: len(store.cells(store.list_runs()[0].id)) >= n


@pytest.mark.parametrize("seed", [11, 29])
def test_under_seeded_faults_each_resource_is_created_exactly_once(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator, seed: int
) -> None:
    faults = ["--fault-429", "0.1", "--fault-500", "0.1", "--fault-503", "0.05",
              "--fault-drop", "0.08", "--fault-seed", str(seed), "--retry-after-s", "0",
              "--async-threshold-s", "0"]  # fmt: skip
    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "target", *faults) as base:
        path = _url_experiment(write_experiment, base)
        outcome = run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))
        assert outcome.run.status == "completed"
        with RunStore(runs) as store:
            cells = store.cells(outcome.run.id)
        assert [c.error_message for c in cells if c.status != "ok"] == []
        assert len(cells) == 3 + 3 * len(TEMPLATES)
        # Faults were met (and retried): more calls than the clean run's
        assert outcome.api_calls > 3 + 2 * 2 + 3 * len(TEMPLATES)
        want = needed(runs, outcome.run.id)
        assert want == {"interactions": 3, "recordings": 2, "transcripts": 2, "documents": 12}
        assert census(base, outcome.run.id) == want


def test_kill_9_at_several_points_then_resume_creates_each_resource_once(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    points: list[tuple[str, Callable[[RunStore], bool]]] = [
        ("an interaction create in flight", lambda s: bool(_rows(s, "interaction", "pending"))),
        ("a recording upload in flight", lambda s: bool(_rows(s, "recording", "pending"))),
        ("a transcript being polled", _polling),
        ("a document create in flight", lambda s: bool(_rows(s, "document", "pending"))),
        ("some documents written", _cells_at_least(8)),
    ]
    with start_emulator(
        tmp_path / "target", "--latency-ms", "150", "--async-threshold-s", "0"
    ) as base:
        path = _url_experiment(write_experiment, base)
        hit: list[str] = []
        for index, (label, met) in enumerate(points):
            extra = ("--resume", _run_id(runs)) if index else ()
            child = _start(_command(path, runs, *extra))
            if _wait_for(runs, child, met):
                _kill(child)
                hit.append(label)
            else:  # it finished before reaching this point
                _, err = child.communicate(timeout=60)
                assert child.returncode == 0, err
                break
        run_id = _run_id(runs)
        final = _start(_command(path, runs, "--resume", run_id))
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        assert "Traceback" not in err
        # The kill points that matter were reached: mid-create and mid-poll.
        assert {"an interaction create in flight", "a transcript being polled",
                "a document create in flight"} <= set(hit), hit  # fmt: skip
        with RunStore(runs) as store:
            run = store.get_run(run_id)
            cells = store.cells(run_id)
        assert run.status == "completed"
        assert all(c.status == "ok" for c in cells), [c.error_message for c in cells]
        want = needed(runs, run_id)
        assert want == {"interactions": 3, "recordings": 2, "transcripts": 2, "documents": 12}
        assert census(base, run_id) == want


def test_two_runners_on_one_run_one_is_refused_naming_the_holder(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    with start_emulator(
        tmp_path / "target", "--latency-ms", "200", "--async-threshold-s", "0"
    ) as base:
        path = _url_experiment(write_experiment, base)
        first = _start(_command(path, runs))
        assert _wait_for(runs, first, _cells_at_least(1))
        _kill(first)  # its lease stays behind, held by a process that is gone
        run_id = _run_id(runs)
        # Two resumes at once: one takes the dead runner's lease over, the other is refused.
        racers = [_start(_command(path, runs, "--resume", run_id)) for _ in range(2)]
        answers = [racer.communicate(timeout=120) for racer in racers]
        codes = sorted(racer.returncode for racer in racers)
        assert codes == [0, 1], answers
        winner, loser = (0, 1) if racers[0].returncode == 0 else (1, 0)
        refusal = answers[loser][1].strip().splitlines()
        assert len(refusal) == 1, refusal
        assert f"run {run_id} is being run by host " in refusal[0]
        assert f"(pid {racers[winner].pid}) since" in refusal[0]
        assert "--take-over" in refusal[0]
        assert "Traceback" not in answers[loser][1]
        want = needed(runs, run_id)
        assert census(base, run_id) == want
        with RunStore(runs) as store:
            assert store.get_run(run_id).status == "completed"
            assert store.lease(run_id) is None  # released by the winner


def test_a_runner_whose_lease_was_taken_over_is_told(tmp_path: Path) -> None:
    lost: list[str] = []

    async def scenario() -> None:
        with RunStore(tmp_path) as store:
            lease = take_lease(store, "r1")
            keeper = LeaseKeeper(store, lease, lost.append, ttl_s=5, every_s=0.02)
            beating = asyncio.create_task(keeper.beat())
            await asyncio.sleep(0.1)
            assert not lost  # renewing our own lease goes on quietly
            with pytest.raises(RunLockedError, match=r"--take-over"):
                take_lease(store, "r1")  # our pid is alive: refused
            store.acquire_lease("r1", take_over=True)
            await asyncio.wait_for(beating, timeout=5)

    asyncio.run(scenario())
    assert len(lost) == 1
    assert lost[0].startswith("this runner lost the run's lease: run r1 is being run by host")


def test_runs_cleanup_deletes_what_it_can_and_exits_1_listing_the_rest(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    with start_emulator(
        tmp_path / "target", "--fault-503", "0.2", "--fault-seed", "5", "--retry-after-s", "0"
    ) as base:
        path = _url_experiment(write_experiment, base)
        outcome = run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))
        run_id = outcome.run.id
        assert census(base, run_id)["interactions"] == 3
        bogus = RemoteRecord(
            run_id=run_id, key="interaction:bogus:en", kind="interaction", target="url",
            identifier=f"scribe-eval:{run_id}:bogus:en", remote_id="not-a-uuid",
            state="created", updated=utc_now(),
        )  # fmt: skip
        with RunStore(runs) as store:  # a row the target will refuse to delete (400, bad id)
            store.put_remote(bogus)
        result = CliRunner().invoke(main, ["runs", "cleanup", run_id, "--runs-dir", str(runs)])
        assert result.exit_code == 1, result.output
        assert f"{run_id}: 3 remote interaction(s) deleted" in result.output
        assert "not deleted: interaction not-a-uuid" in result.output
        assert "Traceback" not in result.output
        assert census(base, run_id)["interactions"] == 0


class FlakyDeletes:
    """A fake client: each interaction's delete fails with a 503 ``failures[id]`` times."""

    def __init__(self, failures: dict[str, int]) -> None:
        self.failures = failures
        self.deleted: list[str] = []

    async def delete_interaction(self, interaction_id: str) -> None:
        if self.failures.get(interaction_id, 0) > 0:
            self.failures[interaction_id] -= 1
            raise ServerError("503 from DELETE /interactions/x after every retry", status_code=503)
        self.deleted.append(interaction_id)

    async def find_interaction(self, identifier: str) -> None:
        return None


def test_clean_up_retries_passing_failures_and_reports_the_rest(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        remote = RemoteResources(store, "r1", "url", None)
        for name in ("a", "b", "c"):
            row = RemoteRecord(
                run_id="r1", key=f"interaction:{name}:en", kind="interaction", target="url",
                identifier=f"scribe-eval:r1:{name}:en", remote_id=name, state="created",
                updated=utc_now(),
            )  # fmt: skip
            store.put_remote(row)
        fake = FlakyDeletes({"a": 1, "b": 5})
        report = asyncio.run(remote.clean_up(cast(AmbientClient, fake), rounds=3, pause_s=0))
        assert sorted(fake.deleted) == ["a", "c"]  # "a" on its second try
        assert report.deleted == 2
        assert len(report.left) == 1
        assert report.left[0].startswith("interaction b (scribe-eval:r1:b:en): 503")
        states = {r.key: r.state for r in store.remotes("r1")}
        assert states["interaction:b:en"] == "created"
        assert states["interaction:a:en"] == "deleted"


def test_a_run_killed_with_sigkill_is_listed_as_interrupted_not_running(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    """kill -9 leaves the run `running` in the store (nothing could mark it); `runs list` and
    `runs show` said `running` for ever, as if it were still going. They read its lease now."""
    runs = tmp_path / "runs"
    slow = {"kind": "embedded", "asr_engine": "instant", "latency_ms": 300}
    path = write_experiment(target=slow, execution={"concurrency": 1, "document_concurrency": 1})
    child = _start(_command(path, runs))
    assert _wait_for(runs, child, _cells_at_least(1), timeout=120)
    _kill(child)
    run_id = _run_id(runs)
    with RunStore(runs) as store:
        assert store.get_run(run_id).status == "running"
    listed = CliRunner().invoke(main, ["runs", "list", "--runs-dir", str(runs)])
    assert "interrupted (runner gone)" in listed.output, listed.output
    as_json = CliRunner().invoke(main, ["runs", "list", "--runs-dir", str(runs), "--json"])
    assert json.loads(as_json.stdout)[0]["runner_gone"] is True
    shown = CliRunner().invoke(main, ["runs", "show", run_id, "--runs-dir", str(runs)])
    assert "interrupted (runner gone)" in shown.output
    assert f"scribe-eval run --resume {run_id}" in shown.output
    assert "unfinished: " in shown.output  # how much of it: "1 of 6 documents, ..."
    assert " of 6 documents" in shown.output
    # Resumed and finished, it is no longer said to be gone.
    final = _start(_command(path, runs, "--resume", run_id))
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    listed = CliRunner().invoke(main, ["runs", "list", "--runs-dir", str(runs), "--json"])
    assert json.loads(listed.stdout)[0]["runner_gone"] is False


class GoneAlready:
    """A fake client: the interactions in ``gone`` were deleted already (404 on delete)."""

    def __init__(self, gone: set[str]) -> None:
        self.gone = gone

    async def delete_interaction(self, interaction_id: str) -> None:
        if interaction_id in self.gone:
            raise NotFoundError("DELETE /interactions/x answered 404", status_code=404)

    async def find_interaction(self, identifier: str) -> None:
        return None


def _created_interactions(store: RunStore, names: str) -> None:
    """Run r1's interactions, one per letter of ``names``, stored as created on the target."""
    for name in names:
        store.put_remote(
            RemoteRecord(
                run_id="r1", key=f"interaction:{name}:en", kind="interaction", target="url",
                identifier=f"scribe-eval:r1:{name}:en", remote_id=name, state="created",
                updated=utc_now(),
            )
        )  # fmt: skip


def test_clean_up_counts_only_the_interactions_it_deleted(tmp_path: Path) -> None:
    """A run killed while its deletes were out leaves rows `created` whose interactions are gone:
    `runs cleanup` said "4 remote interaction(s) deleted" when 2 were on the target."""
    with RunStore(tmp_path) as store:
        remote = RemoteResources(store, "r1", "url", None)
        _created_interactions(store, "abcd")
        fake = GoneAlready({"a", "b"})
        report = asyncio.run(remote.clean_up(cast(AmbientClient, fake), pause_s=0))
        assert report.deleted == 2
        assert report.left == []
        assert {r.state for r in store.remotes("r1")} == {"deleted"}


def test_clean_up_says_how_many_were_gone_already(tmp_path: Path) -> None:
    """Re-run after a clean-up killed with its deletes out, `runs cleanup` said "0 remote
    interaction(s) deleted" of the 4 the run had made, as if none had been touched."""
    with RunStore(tmp_path) as store:
        remote = RemoteResources(store, "r1", "url", None)
        _created_interactions(store, "abc")
        report = asyncio.run(
            remote.clean_up(cast(AmbientClient, GoneAlready({"a", "b"})), pause_s=0)
        )
    assert (report.deleted, report.gone, report.left) == (1, 2, [])


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_runs_cleanup_stopped_mid_way_says_what_may_be_left(
    write_experiment: WriteExperiment,
    tmp_path: Path,
    start_emulator: StartEmulator,
    monkeypatch: pytest.MonkeyPatch,
    stop: signal.Signals,
    code: int,
) -> None:
    """Ctrl-C in `runs cleanup` printed 'Aborted!' and SIGTERM killed it silently, with deletes
    in flight and the rest not tried: nothing said what was left or what to do. Run again, it
    deletes the rest and counts those an interrupted delete removed as gone."""
    from scribe_eval.runner import _cleanup

    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "target") as base:
        path = _url_experiment(write_experiment, base)
        run_id = run_experiment(
            load_experiment(path), RunOptions(runs_dir=runs, progress=False)
        ).run.id
        assert census(base, run_id)["interactions"] == 3
        real = _cleanup.RemoteCleanup.delete
        calls: list[str] = []

        async def stopped(self: Any, client: AmbientClient, row: RemoteRecord) -> bool:
            calls.append(row.key)
            if len(calls) == 1:  # the first delete lands; its row is not written
                assert row.remote_id is not None
                await client.delete_interaction(row.remote_id)
                signal.raise_signal(stop)
            await asyncio.sleep(30)  # the others are in flight: cancelled by the signal
            return True

        monkeypatch.setattr(_cleanup.RemoteCleanup, "delete", stopped)
        result = CliRunner().invoke(main, ["runs", "cleanup", run_id, "--runs-dir", str(runs)])
        assert result.exit_code == code, result.output
        assert (
            f"Interrupted: 3 remote interaction(s) of {run_id} may still be on the target; run "
            f"`scribe-eval runs cleanup {run_id}` again"
        ) in result.output
        monkeypatch.setattr(_cleanup.RemoteCleanup, "delete", real)
        again = CliRunner().invoke(main, ["runs", "cleanup", run_id, "--runs-dir", str(runs)])
        assert again.exit_code == 0, again.output
        assert f"{run_id}: 2 remote interaction(s) deleted, 1 already gone" in again.output
        assert census(base, run_id)["interactions"] == 0
