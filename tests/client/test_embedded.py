"""The one way commands start the embedded emulator: a real child process on a free port."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from scribe_eval.client import EmbeddedServer, WarmStart
from scribe_eval.errors import ConfigError


@pytest.mark.slow
def test_the_server_answers_at_its_url_and_stops(tmp_path: Path) -> None:
    server = EmbeddedServer(
        tmp_path / "data", tmp_path / "emulator.log", ["--asr-engine", "instant"]
    )

    async def scenario() -> tuple[int, str, int | None]:
        url = await server.base_url()
        assert await server.base_url() == url  # Started once.
        pid = server.pid
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{url}/health")
        await server.stop()
        return health.status_code, url, pid

    status, url, pid = asyncio.run(scenario())
    assert status == 200
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v2")
    assert pid is not None
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert (tmp_path / "data").is_dir()


@pytest.mark.slow
@pytest.mark.parametrize("warm", [False, True], ids=["new-process", "warm-start"])
def test_a_server_that_cannot_start_names_its_last_words_and_its_log(
    tmp_path: Path, warm: bool
) -> None:
    """A warm start given bad options fails as a new process would: same line, same log."""
    log = tmp_path / "emulator.log"
    server = EmbeddedServer(tmp_path / "data", log, ["--latency-ms", "-5"])
    if warm:
        server.spawn(WarmStart())
    with pytest.raises(ConfigError) as caught:
        asyncio.run(server.base_url())
    message = str(caught.value)
    assert "exited (code 1) before it was ready" in message
    assert "latency" in message.lower()
    assert str(log) in message
    assert "\n" not in message


def test_stopping_a_server_never_started_does_nothing(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "data", tmp_path / "emulator.log")
    asyncio.run(server.stop())
    assert server.pid is None
    assert not (tmp_path / "emulator.log").exists()


@pytest.mark.slow
def test_an_idle_server_is_killed_at_once_and_keeps_what_it_answered(tmp_path: Path) -> None:
    """``stop(idle=True)`` (a completed run) kills the server without its graceful shutdown:
    what it answered is stored all the same, and a delete it answered stays deleted."""
    data, log = tmp_path / "data", tmp_path / "emulator.log"
    first = EmbeddedServer(data, log, ["--asr-engine", "instant"])

    async def make_two_delete_one() -> tuple[str, str, subprocess.Popen[str]]:
        url = await first.base_url()
        async with httpx.AsyncClient() as http:
            ids = []
            for patient in ("kept", "deleted"):
                made = await http.post(
                    f"{url}/interactions/",
                    json={"encounter": {"identifier": patient, "status": "planned", "type":
                          "first_consultation", "period": {"startedAt": "2026-01-01T00:00:00Z"}},
                          "patient": {"identifier": patient}},
                )  # fmt: skip
                assert made.status_code == 201, made.text
                ids.append(made.json()["interactionId"])
            assert (await http.delete(f"{url}/interactions/{ids[1]}")).status_code == 204
        process = first._process
        assert process is not None
        await first.stop(idle=True)
        return ids[0], ids[1], process

    kept, deleted, process = asyncio.run(make_two_delete_one())
    assert process.returncode == -signal.SIGKILL  # killed, not asked: no graceful shutdown
    assert first.pid is None
    wal = data / "emulator.sqlite3-wal"
    assert b"deleted" not in (wal.read_bytes() if wal.exists() else b"")
    second = EmbeddedServer(data, log, ["--asr-engine", "instant"])

    async def look() -> tuple[int, int]:
        url = await second.base_url()
        try:
            async with httpx.AsyncClient() as http:
                a = await http.get(f"{url}/interactions/{kept}")
                b = await http.get(f"{url}/interactions/{deleted}")
        finally:
            await second.stop()
        return a.status_code, b.status_code

    assert asyncio.run(look()) == (200, 404)


@pytest.mark.slow
def test_a_folder_in_use_is_refused_in_one_line_until_its_server_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once on one runs folder would share one emulator data dir: the second is
    refused with the folder and the fix; a crash (SIGKILL) of the first leaves it free."""
    import scribe_eval.client._embedded as embedded

    data, log = tmp_path / "data", tmp_path / "emulator.log"
    first = EmbeddedServer(data, log, ["--asr-engine", "instant"])
    fix = "wait for the other run to finish, or give this one another --runs-dir"
    second = EmbeddedServer(data, log, ["--asr-engine", "instant"], busy_fix=fix)
    try:
        asyncio.run(first.base_url())
        pid = first.pid
        expected = f"the emulator data dir {data} is in use by another emulator (process {pid}); "
        with pytest.raises(ConfigError) as caught:
            second.spawn()  # refused before a process is started
        assert str(caught.value) == expected + fix
        assert second.pid is None
        # A server started anyway (`emulator serve` by hand) refuses the folder itself.
        serve = [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
                 "--data-dir", str(data), "--asr-engine", "instant", "--no-preload"]  # fmt: skip
        done = subprocess.run(serve, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 1
        assert done.stderr.strip().splitlines() == [
            f"Error: {expected}wait for it to stop, or give this server another --data-dir"
        ]
        # Taken between the look and the start: the same line, not "exited before ready".
        looks = iter([None])
        monkeypatch.setattr(embedded, "holder", lambda d: next(looks, embedded_holder(d)))
        with pytest.raises(ConfigError) as caught:
            asyncio.run(second.base_url())
        assert str(caught.value) == expected + fix
        monkeypatch.undo()
        assert first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        asyncio.run(first.stop())  # reaps the killed process: nothing of it released the lock
        asyncio.run(second.base_url())
        assert second.pid is not None
    finally:
        first.terminate()
        second.terminate()


def embedded_holder(data_dir: Path) -> int | None:
    from scribe_eval._datalock import holder

    return holder(data_dir)


def _health_then_stop(server: EmbeddedServer) -> int:
    """The status of the started server's ``/health``; the server is stopped after."""

    async def scenario() -> int:
        url = await server.base_url()
        async with httpx.AsyncClient() as http:
            status = (await http.get(f"{url}/health")).status_code
        await server.stop()
        return status

    return asyncio.run(scenario())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_a_warm_start_becomes_the_server_with_its_options_and_its_log(tmp_path: Path) -> None:
    """Started before its options are known, it imports the server meanwhile; handed them, it is
    the server a new process would be: same options, its messages in the log."""
    warm = WarmStart()
    warm_pid = warm.pid
    log = tmp_path / "emulator.log"
    server = EmbeddedServer(tmp_path / "data", log, ["--asr-engine", "instant"])
    server.spawn(warm)
    assert server.pid == warm_pid  # adopted, not a second process
    assert warm.pid is None
    warm.discard()  # handed on: no longer the warm start's to end

    assert _health_then_stop(server) == 200
    assert warm_pid is not None
    assert not _alive(warm_pid)
    assert f"data in {tmp_path / 'data'}" in log.read_text(encoding="utf-8")
    assert "speech instant" in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_discarded_warm_start_ends_having_written_nothing(tmp_path: Path) -> None:
    warm = WarmStart()
    pid = warm.pid
    assert pid is not None
    assert _alive(pid)
    warm.discard()
    warm.discard()  # idempotent
    assert not _alive(pid)
    assert warm.take() is None


@pytest.mark.slow
def test_a_warm_start_that_died_is_replaced_by_a_new_process(tmp_path: Path) -> None:
    warm = WarmStart()
    pid = warm.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    while _alive(pid):
        pass  # the kill is asynchronous; a dead child is a zombie until reaped
    server = EmbeddedServer(
        tmp_path / "data", tmp_path / "emulator.log", ["--asr-engine", "instant"]
    )
    server.spawn(warm)
    assert server.pid is not None
    assert server.pid != pid

    assert _health_then_stop(server) == 200


def test_a_warm_start_pins_the_cpu_backend_before_its_imports() -> None:
    """The warm start imports the server before `serve` runs: NumPy, read then, must already
    be held to AVX2 (its setting is read once, at import), as in a process started cold."""
    import platform

    if platform.machine().lower() not in {"x86_64", "amd64"}:
        pytest.skip("the pins are x86 names")
    probe = """
import json, os, sys
from scribe_eval.cli import _warm_emulator
_warm_emulator.main()  # end of input at once: imports, then returns unused
from numpy._core._multiarray_umath import __cpu_features__
print(json.dumps([os.environ.get("NPY_DISABLE_CPU_FEATURES"), __cpu_features__.get("X86_V4")]))
"""
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    done = subprocess.run(
        [sys.executable, "-c", probe], input="", capture_output=True, text=True, check=True,
        env=env,
    )  # fmt: skip
    setting, avx512 = json.loads(done.stdout.strip().splitlines()[-1])
    assert setting
    assert avx512 is False


def test_a_warm_start_loads_ahead_only_while_no_order_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Time before the order goes to what the server would load after its ready line; an
    order that is waiting starts the server at once, with no step run before it."""
    from scribe_eval.cli import _warm_emulator

    ran: list[str] = []
    steps = tuple((lambda name=name: ran.append(name)) for name in ("decoder", "catalogue"))
    monkeypatch.setattr(_warm_emulator, "_later", lambda: steps)
    read, write = os.pipe()
    with os.fdopen(read, "r") as stdin, os.fdopen(write, "w") as order:
        monkeypatch.setattr(sys, "stdin", stdin)
        _warm_emulator._until_ordered()  # nothing waiting: every step runs
        assert ran == ["decoder", "catalogue"]
        ran.clear()
        order.write('{"args": []}\n')
        order.flush()
        _warm_emulator._until_ordered()  # the order waits: none runs
        assert ran == []
        assert stdin.readline() == '{"args": []}\n'  # and the order is still there to read


def test_a_failed_step_ahead_is_left_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step that fails (a missing extra) is the server's to report when it needs it."""
    from scribe_eval.cli import _warm_emulator

    ran: list[str] = []

    def broken() -> None:
        raise ImportError("no PyAV")

    monkeypatch.setattr(_warm_emulator, "_later", lambda: (broken, lambda: ran.append("next")))
    read, write = os.pipe()
    with os.fdopen(read, "r") as stdin, os.fdopen(write, "w"):
        monkeypatch.setattr(sys, "stdin", stdin)
        _warm_emulator._until_ordered()
    assert ran == ["next"]
