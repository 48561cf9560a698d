"""Starting the embedded emulator early: only when the run will call it, and always stopped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.client import EmbeddedServer, WarmStart
from scribe_eval.emulator.engines import engine_identity
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import EmbeddedTarget, experiment_hash, load_experiment
from scribe_eval.runner._prestart import embedded_server, likely_to_call, prestart_embedded
from scribe_eval.runner._target import EmbeddedSession, embedded_identity, open_target
from scribe_eval.store import STORE_FILENAME, RunRecord, RunStore, SqliteRunStore

from .conftest import StartEmulator, WriteExperiment


def _record(run_id: str, digest: str, status: str) -> RunRecord:
    return RunRecord(
        id=run_id, name="mini", status=status, created="2026-12-01T00:00:00Z",
        experiment_hash=digest, dataset_name="mini", dataset_hash="d" * 64,
        target={"kind": "embedded"}, config={}, provenance={},
    )  # fmt: skip


def test_no_store_yet_means_calls_and_creates_no_file(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    experiment = load_experiment(write_experiment())
    assert likely_to_call(experiment, None, tmp_path / "runs", resume=None)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("same_experiment", "status", "resume", "expected"),
    [
        pytest.param(True, "completed", False, False, id="re-run of a completed experiment"),
        pytest.param(True, "completed", True, False, id="resume of a completed run"),
        pytest.param(True, "interrupted", True, True, id="resume of an interrupted run"),
        pytest.param(True, "failed", True, True, id="resume of a failed run"),
        pytest.param(True, "interrupted", False, True, id="earlier run not completed"),
        pytest.param(False, "completed", False, True, id="another experiment"),
    ],
)
def test_a_completed_run_of_the_same_experiment_means_no_early_start(
    tmp_path: Path,
    write_experiment: WriteExperiment,
    same_experiment: bool,
    status: str,
    resume: bool,
    expected: bool,
) -> None:
    experiment = load_experiment(write_experiment())
    digest = experiment_hash(experiment) if same_experiment else "0" * 64
    with RunStore(tmp_path / "runs") as store:
        store.create_run(_record(RUN_ID, digest, status))
    resumed = RUN_ID if resume else None
    assert likely_to_call(experiment, None, tmp_path / "runs", resume=resumed) is expected


RUN_ID = "20261201-000000-aaaaaa"


def test_the_early_start_check_reads_run_listings_not_whole_records(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run command asks; a record parses its run's whole configuration and provenance."""
    experiment = load_experiment(write_experiment())
    runs = tmp_path / "runs"
    with RunStore(runs) as store:
        store.create_run(_record("20261130-000000-bbbbbb", "0" * 64, "completed"))
        store.create_run(_record(RUN_ID, experiment_hash(experiment), "completed"))

    def refused(_self: object) -> None:
        raise AssertionError("every run's record was read")

    monkeypatch.setattr(SqliteRunStore, "list_runs", refused)
    assert not likely_to_call(experiment, None, runs, resume=None)


def test_a_completed_run_with_something_left_to_do_is_resumed_with_its_emulator(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = load_experiment(write_experiment())
    runs = tmp_path / "runs"
    with RunStore(runs) as store:
        store.create_run(_record(RUN_ID, experiment_hash(experiment), "completed"))
    assert not likely_to_call(experiment, None, runs, resume=RUN_ID, rerun_errors=True)
    # Failed cells to retry: only with --rerun-errors.
    failed = {("document", "error", False): 1, ("document", "ok", False): 3}
    monkeypatch.setattr(SqliteRunStore, "cell_counts", lambda _self, _run_id: failed)
    assert likely_to_call(experiment, None, runs, resume=RUN_ID, rerun_errors=True)
    assert not likely_to_call(experiment, None, runs, resume=RUN_ID)
    # Remote interactions its clean-up could not delete: a resume deletes them.
    with RunStore(runs) as store:
        store.update_run(RUN_ID, notes="2 interactions left on the target")
    assert likely_to_call(experiment, None, runs, resume=RUN_ID)


def test_a_resume_of_no_run_starts_nothing(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    """The runner refuses it with its own message; no emulator is needed for that."""
    experiment = load_experiment(write_experiment())
    runs = tmp_path / "runs"
    assert not likely_to_call(experiment, None, runs, resume=RUN_ID)
    assert not runs.exists()
    with RunStore(runs) as store:
        store.create_run(_record(RUN_ID, experiment_hash(experiment), "interrupted"))
    assert not likely_to_call(experiment, None, runs, resume="20261201-000000-bbbbbb")


def test_url_targets_are_never_started(tmp_path: Path, write_experiment: WriteExperiment) -> None:
    target = {"kind": "url", "base_url": "http://127.0.0.1:9/v2", "tenant": "acme"}
    path = write_experiment(target=target)
    assert not likely_to_call(load_experiment(path), None, tmp_path / "runs", resume=RUN_ID)


@pytest.mark.slow
def test_a_prestarted_emulator_is_stopped_by_aclose(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    session = open_target(load_experiment(write_experiment()), tmp_path / "runs", prestart=True)
    assert isinstance(session, EmbeddedSession)
    pid = session.server.pid
    assert pid is not None
    os.kill(pid, 0)  # Running: no error.
    asyncio.run(session.aclose())
    assert session.server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # Stopped and reaped.


def test_the_identity_is_the_one_the_emulator_command_prints_with_the_faults() -> None:
    target = EmbeddedTarget(asr_engine="instant", faults={"transcript-failed": 0.1}, fault_seed=3)
    command = [sys.executable, "-m", "scribe_eval.cli", "emulator", "identity"]
    printed = subprocess.run(
        [*command, "--asr-engine", "instant"], capture_output=True, text=True, check=True
    ).stdout
    # The CLI's reader (in process) and the runner's own default (that command, a subprocess).
    identity = embedded_identity(target, engine_identity)
    assert embedded_identity(target) == identity
    # The cache keys of every earlier run were made from the printed identity: they still match.
    assert {k: identity[k] for k in ("emulator", "asr", "notes")} == json.loads(printed)
    assert (identity["faults"], identity["fault_seed"]) == ({"transcript-failed": 0.1}, 3)


def test_an_unknown_engine_is_one_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="unknown speech engine 'nope'; use whisper-base"):
        embedded_identity(EmbeddedTarget(asr_engine="nope"), engine_identity)
    with pytest.raises(ConfigError, match="unknown speech engine 'nope'; use whisper-base"):
        embedded_identity(EmbeddedTarget(asr_engine="nope"))


def test_the_identity_and_the_checks_import_no_server(write_experiment: WriteExperiment) -> None:
    probe = f"""
import sys
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import load_experiment, resolve_templates
from scribe_eval.runner._checks import check_before_run
from scribe_eval.runner._target import embedded_identity
from scribe_eval.cli.run import _engine_identity
experiment = load_experiment({str(write_experiment())!r})
check_before_run(experiment, load_dataset(experiment.dataset), resolve_templates(experiment))
embedded_identity(experiment.target, _engine_identity)
print(sorted(m for m in sys.modules if m.split(".")[0] in {{"fastapi", "uvicorn", "starlette"}}
             or m.startswith("scribe_eval.emulator._app")))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_session_adopts_the_server_spawned_for_it(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    experiment = load_experiment(write_experiment())
    runs = tmp_path / "runs"
    assert isinstance(experiment.target, EmbeddedTarget)
    ours = embedded_server(experiment.target, runs)
    session = open_target(experiment, runs, server=ours, read_identity=engine_identity)
    assert isinstance(session, EmbeddedSession)
    assert session.server is ours  # so aclose stops the very process the CLI spawned
    # A server made for another runs folder is not this run's: not adopted.
    other = embedded_server(experiment.target, tmp_path / "elsewhere")
    session = open_target(experiment, runs, server=other, read_identity=engine_identity)
    assert isinstance(session, EmbeddedSession)
    assert session.server is not other
    assert session.server.data_dir == runs / "emulator"


def test_reading_the_experiment_and_spawning_import_neither_runner_nor_audio(
    write_experiment: WriteExperiment,
) -> None:
    """`run` spawns its emulator before these imports, so its start-up overlaps with them."""
    probe = f"""
import sys
import scribe_eval.cli.run
from scribe_eval.experiment import load_experiment
from scribe_eval.runner._prestart import embedded_server, likely_to_call
experiment = load_experiment({str(write_experiment())!r})
embedded_server(experiment.target, __import__("pathlib").Path("runs"))
heavy = {{"numpy", "httpx", "rich", "scribe_eval.metrics", "scribe_eval.runner._run",
          "scribe_eval.dataset", "scribe_eval.judge._client"}}
print(sorted(m for m in heavy if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_a_run_refused_after_the_early_start_stops_its_emulator(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI spawns the emulator before the runner takes it over; a run refused before that
    (here: the target's identity, an unknown speech engine) stops it all the same."""
    import scribe_eval.runner
    from scribe_eval.cli import main

    spawned: list[EmbeddedServer] = []

    def spy(*args: Any, **kwargs: Any) -> EmbeddedServer | None:
        server = prestart_embedded(*args, **kwargs)
        if server is not None:
            spawned.append(server)
        return server

    monkeypatch.setattr(scribe_eval.runner, "prestart_embedded", spy)
    path = write_experiment(target={"kind": "embedded", "asr_engine": "nope"})
    runs = tmp_path / "runs"
    result = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert result.exit_code == 1, result.output
    assert "unknown speech engine 'nope'" in result.output
    assert len(spawned) == 1  # the emulator was started early...
    assert spawned[0].pid is None  # ...and stopped
    assert not _emulators_on(runs / "emulator")
    # The runs folder it made for the emulator's data and log is gone: nothing ran.
    assert not runs.exists()
    # A folder that was there before keeps everything (it may hold other runs' emulator data).
    runs.mkdir()
    (runs / "keep.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert result.exit_code == 1, result.output
    assert (runs / "keep.txt").exists()
    assert (runs / "emulator.log").exists()


def _emulators_on(data_dir: Path) -> list[int]:
    """Processes serving an emulator on ``data_dir``, and this process's warm starts (their
    command line names no folder), zombies excluded: they are not running."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        warm = b"scribe_eval.cli._warm_emulator" in cmdline and parent == os.getpid()
        if (str(data_dir).encode() in cmdline or warm) and state != "Z":
            found.append(int(proc.name))
    return found


@pytest.mark.slow
def test_ctrl_c_right_after_the_early_spawn_leaves_no_emulator(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI registers the stop before the spawn: an interrupt between the spawn and the
    registration (here: as the spawn returns) stops the process all the same."""
    from scribe_eval.cli import main

    spawn = EmbeddedServer.spawn
    spawned: list[EmbeddedServer] = []

    def interrupted(self: EmbeddedServer, warm: WarmStart | None = None) -> None:
        spawn(self, warm)
        spawned.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(EmbeddedServer, "spawn", interrupted)
    runs = tmp_path / "runs"
    try:
        result = CliRunner().invoke(main, ["run", str(write_experiment()), "--runs-dir", str(runs)])
        assert len(spawned) == 1, result.output
        assert result.exit_code == 130, result.output
        assert "Interrupted before the run started; nothing was done." in result.stderr
        assert spawned[0].pid is None
        assert not _emulators_on(runs / "emulator")
    finally:
        _kill(_emulators_on(runs / "emulator"))  # an orphan must not outlive a failed test


@pytest.mark.slow
def test_a_session_whose_identity_fails_stops_the_server_it_spawned(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    def broken(_asr: str, _notes: str) -> dict[str, Any]:
        raise ConfigError("unknown speech engine 'nope'; use whisper-base")

    runs = tmp_path / "runs"
    try:
        with pytest.raises(ConfigError, match="unknown speech engine"):
            open_target(
                load_experiment(write_experiment()), runs, prestart=True, read_identity=broken
            )
        assert not _emulators_on(runs / "emulator")
    finally:
        _kill(_emulators_on(runs / "emulator"))


@pytest.mark.slow
def test_resuming_a_completed_run_starts_no_emulator(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scribe_eval.cli import main

    runs = tmp_path / "runs"
    path = write_experiment()
    first = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert first.exit_code == 0, first.output
    run_id = json.loads(first.stdout)["id"]
    spawned: list[list[str]] = []
    monkeypatch.setattr(EmbeddedServer, "spawn", lambda self: spawned.append(self.command))
    for args in (["--resume", run_id], ["--resume", run_id, "--rerun-errors"], [str(path)]):
        again = CliRunner().invoke(main, ["run", *args, "--runs-dir", str(runs), "--json"])
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout)["api_calls"] == 0
    assert spawned == []  # not even to be stopped unused


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_a_second_run_on_a_runs_folder_in_use_is_one_line_naming_it_and_the_fix(
    tmp_path: Path, write_experiment: WriteExperiment, start_emulator: StartEmulator
) -> None:
    from scribe_eval.cli import main

    runs = tmp_path / "runs"
    with start_emulator(runs / "emulator"):  # the first run's emulator, still serving
        result = CliRunner().invoke(main, ["run", str(write_experiment()), "--runs-dir", str(runs)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: the emulator data dir {runs / 'emulator'} is in use by ")
    assert lines[0].endswith(
        f"; wait for the other run using {runs} to finish (a new run may also use another "
        "--runs-dir)"
    )
    assert not (runs / STORE_FILENAME).exists()  # refused before any run was recorded


@pytest.mark.slow
def test_a_cached_rerun_imports_no_client_scorer_judge_or_server(
    tmp_path: Path, write_experiment: WriteExperiment
) -> None:
    """A re-run answered from the cache makes no call and scores nothing: it imports neither
    the HTTP client (httpx, pydantic-settings), nor the scorers' preload, nor the judge stage."""
    from scribe_eval.cli import main

    runs, path = tmp_path / "runs", write_experiment()
    first = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert first.exit_code == 0, first.output
    out = tmp_path / "modules.txt"
    probe = f"""
import atexit, runpy, sys
atexit.register(lambda: open({str(out)!r}, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["scribe-eval", "run", {str(path)!r}, "--runs-dir", {str(runs)!r}, "--json"]
runpy.run_module("scribe_eval.cli", run_name="__main__")
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["api_calls"] == 0
    modules = set(out.read_text().split())
    unused = {
        "httpx", "httpcore", "pydantic_settings", "fastapi", "uvicorn",
        "scribe_eval.client._client", "scribe_eval.metrics._attribution",
        "scribe_eval.runner._judging", "scribe_eval.runner._pool",
    }  # fmt: skip
    assert modules & unused == set()


@pytest.mark.slow
def test_run_serves_from_its_warm_start_and_discards_it_when_no_emulator_is_needed(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` starts the emulator's imports before reading its experiment: the run's emulator is
    that process; a run that needs none (a URL target, a cached re-run) ends it unused."""
    from scribe_eval.cli import main

    taken: list[bool] = []
    take = WarmStart.take

    def spy(self: WarmStart) -> Any:
        process = take(self)
        taken.append(process is not None)
        return process

    monkeypatch.setattr(WarmStart, "take", spy)
    runs = tmp_path / "runs"
    path = write_experiment()
    first = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert first.exit_code == 0, first.output
    assert taken == [True]
    assert not _emulators_on(runs / "emulator")

    again = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["api_calls"] == 0
    assert taken == [True], "a cached re-run adopts nothing"
    assert not _emulators_on(runs / "emulator")

    monkeypatch.delenv("SCRIBE_EVAL_TOKEN", raising=False)
    url = write_experiment("url", target={"kind": "url", "base_url": "http://127.0.0.1:9/v2"})
    refused = CliRunner().invoke(main, ["run", str(url), "--runs-dir", str(tmp_path / "u")])
    assert refused.exit_code == 1, refused.output
    assert taken == [True]
    assert not _emulators_on(tmp_path / "u" / "emulator")


def test_ctrl_c_while_the_experiment_is_read_is_an_interruption_not_an_abort(
    tmp_path: Path, write_experiment: WriteExperiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Click's "Aborted!" and exit 1 came out of a Ctrl-C while the experiment was read (the
    warm start of the emulator is already running then): it is an interruption (130), and the
    warm start ends with the command."""
    import scribe_eval.experiment
    from scribe_eval.cli import main

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(scribe_eval.experiment, "load_experiment", interrupted)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(main, ["run", str(write_experiment()), "--runs-dir", str(runs)])
    assert result.exit_code == 130, result.output
    assert "Interrupted before the run started; nothing was done." in result.stderr
    assert not _emulators_on(runs / "emulator")
