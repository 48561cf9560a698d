"""`scribe-eval run` is loud when it failed: exit codes, run-wide failures stop the run early."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RunOptions, exit_code, run_experiment
from scribe_eval.store import RemoteRecord, RunRecord, RunStore, utc_now

WriteExperiment = Callable[..., Path]
StartEmulator = Callable[..., AbstractContextManager[str]]
pytestmark = pytest.mark.slow


def _run_cli(path: Path, runs: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(
        main, ["run", str(path), "--runs-dir", str(runs), "--no-progress", "--json", *extra]
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_some_failed_cells_exit_3_and_allow_errors_exits_0(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    # Every transcript fails on the target; the text-only encounter's documents still succeed.
    target = {"kind": "embedded", "asr_engine": "instant", "faults": {"transcript-failed": 1.0}}
    path = write_experiment(target=target)
    code, outcome, _ = _run_cli(path, tmp_path / "runs")
    assert code == 3
    assert outcome["errors"]
    assert outcome["succeeded"]
    assert outcome["stopped_run_wide"] is False
    code, _, _ = _run_cli(path, tmp_path / "again", "--allow-errors")
    assert code == 0


def test_an_unreachable_host_stops_the_run_after_a_few_failures_with_exit_4(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    target = {
        "kind": "url",
        "base_url": f"http://127.0.0.1:{_free_port()}/v2",
        "auth": "none",
        "tenant": "acme",
    }
    path = write_experiment(target=target, execution={"retries": 0, "concurrency": 1})
    code, outcome, stderr = _run_cli(path, tmp_path / "runs", "--allow-errors")
    assert code == 4  # --allow-errors never hides a run that could not work
    assert outcome["stopped_run_wide"] is True
    assert outcome["succeeded"] <= 1  # at most the text-only encounter's reference transcript
    # Stopped after three identical failures, not after failing all nine cells one by one.
    assert "stopped after 3 identical failures" in stderr
    # The URL is the experiment file's: the fix names that key and file, not an unset variable.
    assert f"check target.base_url in {path} and that it is up" in stderr
    assert "SCRIBE_EVAL_BASE_URL" not in stderr
    assert outcome["api_calls"] == 0  # nothing answered: no attempt reached a server
    # Nothing was sent, so nothing can be on the target: no "may still be there" line.
    assert outcome["left_on_target"] == 0
    assert "may still be on the target" not in stderr


def test_refused_credentials_ask_for_a_token_once_and_stop_the_run(
    write_experiment: WriteExperiment,
    tmp_path: Path,
    start_emulator: StartEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSPITAL_ID", "scribe-eval-ci")
    monkeypatch.setenv("HOSPITAL_SECRET", "wrong-secret")
    client = "acme:scribe-eval-ci:the-right-secret"
    with start_emulator(
        tmp_path / "remote", "--auth", "client-credentials", "--client", client
    ) as base:
        token_url = base.removesuffix("/v2") + "/auth/realms/{tenant}/protocol/openid-connect/token"
        target = {
            "kind": "url", "base_url": base, "tenant": "acme", "auth": "client-credentials",
            "token_url": token_url,
            "client_id_env": "HOSPITAL_ID", "client_secret_env": "HOSPITAL_SECRET",
        }  # fmt: skip
        code, outcome, stderr = _run_cli(write_experiment(target=target), tmp_path / "runs")
    assert code == 4
    assert "stopped after 3 identical failures" in stderr
    assert "SCRIBE_EVAL_CLIENT_SECRET" in stderr or "secret" in stderr.lower()
    calls = outcome["calls"]
    assert isinstance(calls, dict)
    token_calls = sum(n for name, n in calls.items() if "token" in name)
    assert token_calls == 1, calls  # one token request for the whole run, not one per cell


@pytest.mark.parametrize("suffix", ["", "/v9"])
def test_a_base_url_that_is_not_the_api_root_stops_the_run_naming_the_url(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator, suffix: str
) -> None:
    """A server answers, but not the API at that path (the /v2 left out, or mistyped): every
    call gets 404. The run used to fail every cell on its own, then blame an id ("check the id
    or key") and report the interactions it never created as "could not be deleted"."""
    with start_emulator(tmp_path / "remote") as base:
        target = {
            "kind": "url", "base_url": base.removesuffix("/v2") + suffix, "auth": "none",
            "tenant": "acme",
        }  # fmt: skip
        path = write_experiment(target=target, execution={"retries": 0, "concurrency": 1})
        code, outcome, stderr = _run_cli(path, tmp_path / "runs")
    assert code == 4
    assert outcome["stopped_run_wide"] is True
    assert "stopped after 3 identical failures" in stderr
    assert f"check that target.base_url in {path} ends in /v2" in stderr
    assert "check the id or key" not in stderr
    assert "could not be deleted" not in stderr


def test_interactions_the_target_refused_to_create_are_not_reported_as_left_behind(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    """Every call answered 429 (throttled; nothing done): the run used to keep a pending row per
    refused create, look each up again at the end (429 too) and report "4 remote interaction(s)
    could not be deleted", and `runs cleanup` then failed alike: a false alarm about clinical
    data left on the target."""
    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "remote", "--fault-429", "1", "--retry-after-s", "0") as base:
        target = {"kind": "url", "base_url": base, "auth": "none", "tenant": "acme"}
        path = write_experiment(target=target, execution={"retries": 0})
        code, outcome, stderr = _run_cli(path, runs)
        cleanup = CliRunner().invoke(
            main, ["runs", "cleanup", outcome["id"], "--runs-dir", str(runs)]
        )
    assert code in (3, 4)
    assert "could not be deleted" not in stderr
    assert cleanup.exit_code == 0, cleanup.output
    with RunStore(runs) as store:
        rows = store.remotes(outcome["id"], kind="interaction")
    assert rows
    assert {(r.state, r.remote_id) for r in rows} == {("deleted", None)}


def test_a_run_with_failed_cells_says_why_and_where_to_see_them_all(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    """Exit 3 used to come with "6 failed cells" and nothing on why: the most common failure,
    one message of it and the command that lists them all are printed now."""
    target = {"kind": "embedded", "asr_engine": "instant", "faults": {"transcript-failed": 1.0}}
    path = write_experiment(target=target)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--no-progress"])
    assert result.exit_code == 3, result.output
    run_id = result.stdout.strip().splitlines()[-1]
    lines = [line for line in result.stderr.splitlines() if "cell(s) failed" in line]
    assert len(lines) == 1, result.stderr
    assert "with TranscriptFailedError" in lines[0]
    assert "no transcript to write from" not in lines[0]  # the cause, not its echo
    assert f"Every failure: scribe-eval runs show {run_id} --errors" in lines[0]
    assert lines[0].endswith(f"to retry them: scribe-eval run --resume {run_id} --rerun-errors")
    code, outcome, stderr = _run_cli(path, tmp_path / "again")
    assert code == 3
    assert "with TranscriptFailedError" in outcome["failure"]
    assert "error: " in stderr
    assert "cell(s) failed" in stderr


def test_a_resume_that_completes_drops_the_note_of_the_attempt_that_stopped(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    """The target was down (the run stopped run-wide), then up: the resume completed, yet the
    run kept saying "stopped after 3 identical failures ... ConnectError" (printed by the resume
    itself, by `runs show` and stored) as if it had stopped."""
    port = _free_port()
    runs = tmp_path / "runs"
    target = {"kind": "url", "base_url": f"http://127.0.0.1:{port}/v2", "auth": "none",
              "tenant": "acme"}  # fmt: skip
    path = write_experiment(target=target, execution={"retries": 0, "concurrency": 1})
    code, outcome, _ = _run_cli(path, runs)
    assert code == 4
    with start_emulator(tmp_path / "remote", "--port", str(port)) as base:
        assert base == f"http://127.0.0.1:{port}/v2"
        code, _, stderr = _run_cli(path, runs, "--resume", outcome["id"], "--rerun-errors")
    assert code == 0, stderr
    assert "stopped after" not in stderr
    shown = CliRunner().invoke(main, ["runs", "show", outcome["id"], "--runs-dir", str(runs)])
    assert "stopped after" not in shown.output
    with RunStore(runs) as store:
        assert store.get_run(outcome["id"]).notes is None


def test_a_run_that_could_not_delete_an_interaction_does_not_exit_0(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    """Every cell succeeded but an interaction the run made stayed on the target (its delete
    was refused): clinical data lingers, which the experiment asked not to happen. The run said
    so in a note and exited 0, which CI reads as "done as asked"."""
    runs = tmp_path / "runs"

    def plant(record: RunRecord, _matrix: Any) -> None:
        # A row the target will refuse to delete (400: not a UUID), as if an interaction of an
        # earlier attempt could not be deleted.
        with RunStore(runs) as store:
            store.put_remote(
                RemoteRecord(
                    run_id=record.id, key="interaction:gone:en", kind="interaction",
                    target="url", identifier=f"scribe-eval:{record.id}:gone:en",
                    remote_id="not-a-uuid", state="created", updated=utc_now(),
                )
            )  # fmt: skip

    with start_emulator(tmp_path / "remote") as base:
        target = {"kind": "url", "base_url": base, "auth": "none", "tenant": "acme"}
        path = write_experiment(target=target, execution={"retries": 0})
        options = RunOptions(runs_dir=runs, progress=False, on_start=plant)
        outcome = run_experiment(load_experiment(path), options)
    assert outcome.errors == 0
    assert "1 remote interaction(s) could not be deleted" in (outcome.run.notes or "")
    assert exit_code(outcome) == 3
    assert exit_code(outcome, allow_errors=True) == 3  # not a failed cell: never hidden


def test_a_run_stopped_early_says_what_it_left_on_the_target(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    """--fail-fast (like --max-errors or a run-wide failure) stops the run with interactions
    still on the target (recordings, transcripts: clinical data), kept for --resume. The run
    used to say nothing about them; it names them and the clean-up command now."""
    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "remote", "--fault-transcript-failed", "1") as base:
        target = {"kind": "url", "base_url": base, "auth": "none", "tenant": "acme"}
        path = write_experiment(target=target, execution={"concurrency": 4, "retries": 0})
        code, outcome, stderr = _run_cli(path, runs, "--fail-fast")
        stored = httpx.get(f"{base}/_emulator/stats").json()["stored"]["interactions"]
    assert code in (3, 4)
    assert stored >= 1
    assert outcome["left_on_target"] == stored
    assert f"{stored} interaction(s) of this run" in stderr
    assert f"scribe-eval runs cleanup {outcome['id']}" in stderr


def test_a_web_server_that_is_not_the_api_stops_the_run_naming_the_url(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    """A plain web server at the URL (a wrong port, say) answers POST with 501: the run retried
    it on every cell as a server failure ("try again later") and then reported interactions it
    never made as "could not be deleted"."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert "Serving HTTP" in server.stdout.readline()
        target = {"kind": "url", "base_url": f"http://127.0.0.1:{port}/v2", "auth": "none",
                  "tenant": "acme"}  # fmt: skip
        path = write_experiment(target=target, execution={"concurrency": 1})
        code, outcome, stderr = _run_cli(path, tmp_path / "runs")
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stdout is not None:
            server.stdout.close()
    assert code == 4
    assert outcome["stopped_run_wide"] is True
    assert "answered 501" in stderr
    assert f"check that target.base_url in {path} ends in /v2" in stderr
    assert "could not be deleted" not in stderr
