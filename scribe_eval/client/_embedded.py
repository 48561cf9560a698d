"""The embedded emulator as a child process: the one way every command starts it.

``scribe-eval emulator serve --port 0`` runs in a subprocess (so nothing of ours imports the
emulator), prints its base URL when ready, logs to a file and dies with its parent, even when the
parent is killed with SIGKILL (Linux). `run` keeps one for the whole run in the runs directory;
`templates pull/validate` start one on a temporary folder to read its catalogue.

A `WarmStart` is that process started before its options are known: it imports the server while
`run` reads its experiment, then serves what `EmbeddedServer.spawn` sends it, or is discarded.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scribe_eval._datalock import holder, in_use_message
from scribe_eval.errors import ConfigError

#: How long the emulator may take to print its base URL (a first start loads speech models).
START_TIMEOUT_S = 300.0
_READY = re.compile(r"(http://127\.0\.0\.1:\d+/v2)")
_PR_SET_PDEATHSIG = 1


class EmbeddedServer:
    """``scribe-eval emulator serve`` on 127.0.0.1 and a free port, data in ``data_dir``.

    ``options`` are further ``serve`` options (engines, latency, faults). ``spawn()`` starts the
    process now (idempotent: a caller may start it early to overlap its start-up with other
    work); ``await base_url()`` starts it if needed and waits until it is ready; ``await stop()``
    ends it. Its standard error goes to ``log`` (appended).
    """

    def __init__(
        self,
        data_dir: Path,
        log: Path,
        options: Sequence[str] = (),
        *,
        busy_fix: str = "wait for it to stop, or use another data folder",
    ) -> None:
        self.data_dir = data_dir
        self.log = log
        self.options = tuple(options)
        #: What to do when another emulator holds ``data_dir``: ends that one-line error.
        self.busy_fix = busy_fix
        self._process: subprocess.Popen[str] | None = None
        self._url: str | None = None

    @property
    def pid(self) -> int | None:
        """The process id while the server process exists (started and not yet stopped)."""
        return None if self._process is None else self._process.pid

    @property
    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [*_scribe_eval_command(), *self._args]

    @property
    def _args(self) -> list[str]:
        return [
            "emulator", "serve", "--host", "127.0.0.1", "--port", "0",
            "--data-dir", str(self.data_dir), *self.options,
        ]  # fmt: skip

    def spawn(self, warm: WarmStart | None = None) -> None:
        """Start the process unless it runs already; with ``warm``, by handing that process the
        command (it has imported the server meanwhile), else as a new process. A warm process
        that died (nothing it did is lost: it wrote nothing) is replaced by a new one.

        Raises:
            ConfigError: Another emulator holds ``data_dir`` (one server per folder, see
                ``scribe_eval._datalock``); the message names the folder and ``busy_fix``.
        """
        if self._process is not None:
            return
        self._refuse_if_busy()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.touch()  # there from the spawn on, whichever process writes it
        process = warm.take() if warm is not None else None
        if process is not None and _hand_over(process, self._args, self.log):
            self._process = process
            return
        with self.log.open("a", encoding="utf-8") as log:
            # The child keeps its own copy of the descriptor; ours closes with this block.
            self._process = _child(self.command, stderr=log)

    async def base_url(self, timeout: float = START_TIMEOUT_S) -> str:
        """The server's base URL (``http://127.0.0.1:PORT/v2``), once it is ready."""
        import asyncio  # Here: not on the way to an early spawn.

        if self._url is None:
            self.spawn()
            assert self._process is not None
            try:
                self._url = await asyncio.wait_for(
                    asyncio.to_thread(self._read_ready_line, self._process), timeout=timeout
                )
            except BaseException:
                await self.stop()  # Never leave a half-started server behind.
                raise
        return self._url

    async def stop(self, *, idle: bool = False) -> None:
        """Stop the server, off the event loop; see `terminate`."""
        import asyncio

        await asyncio.to_thread(self.terminate, idle=idle)

    def terminate(self, *, idle: bool = False) -> None:
        """Stop the server and reap it; idempotent.

        By default SIGTERM: the server finishes the requests in flight, then exits (SIGKILL
        after 15 s). ``idle`` says that no request is in flight and none will come (the caller's
        client is closed and every call it made was answered): the server has nothing left to
        do, so it is killed (SIGKILL) and reaped at once instead of waiting ~0.15 s for its
        graceful shutdown. Nothing is lost: it stores each call's effects (SQLite, WAL) before
        answering, a delete included, and a graceful exit does nothing more (it ends on the
        re-raised SIGTERM without closing its database either).

        The synchronous form of `stop`, for a caller without an event loop (``run`` stops the
        server it spawned before the runner took it over, on every path).
        """
        process, self._process, self._url = self._process, None, None
        if process is None:
            return
        if process.poll() is None:
            if idle:
                process.kill()
            else:
                process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def _refuse_if_busy(self) -> None:
        pid = holder(self.data_dir)
        if pid is not None:
            raise ConfigError(in_use_message(self.data_dir, pid, self.busy_fix))

    def _read_ready_line(self, process: subprocess.Popen[str]) -> str:
        assert process.stdout is not None
        for line in process.stdout:
            if match := _READY.search(line):
                # Keep reading in the background so a chatty server never blocks on a full pipe.
                threading.Thread(target=_drain, args=(process,), daemon=True).start()
                return match.group(1)
        code = process.wait()
        self._refuse_if_busy()  # taken between our look and its start: said as plainly
        raise ConfigError(
            f"the embedded emulator exited (code {code}) before it was ready"
            f"{_last_lines(self.log)} — see {self.log}"
        )


def read_embedded_identity(asr_engine: str, note_engine: str) -> dict[str, Any]:
    """The emulator's version and engine identities (``scribe-eval emulator identity``).

    Read without starting the server, so a fully cached run can key its cache on it.
    """
    command = [
        *_scribe_eval_command(), "emulator", "identity",
        "--asr-engine", asr_engine, "--note-engine", note_engine,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), check=False)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ConfigError(f"cannot start the embedded emulator: {message.removeprefix('Error: ')}")
    identity: dict[str, Any] = json.loads(done.stdout)
    return identity


class WarmStart:
    """An emulator process started before its options are known (``python -m
    scribe_eval.cli._warm_emulator``).

    It imports the server (~0.4 s) while the caller does its own work, and writes nothing (no
    folder, no log) until `EmbeddedServer.spawn` hands it its command; `discard` ends it unused.
    The caller owns it until then and must discard it on every path (a no-op once handed on).
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = _child(
            [sys.executable, "-m", "scribe_eval.cli._warm_emulator"],
            stderr=subprocess.DEVNULL,
            stdin=subprocess.PIPE,
        )

    @property
    def pid(self) -> int | None:
        """The process id until it is handed on or discarded."""
        return None if self._process is None else self._process.pid

    def take(self) -> subprocess.Popen[str] | None:
        """The process, once (None after that, after `discard`, or when it has exited)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is not None:
            _close(process)
            return None
        return process

    def discard(self) -> None:
        """End the process unused (killed: it has nothing to finish) and reap it; idempotent."""
        process, self._process = self._process, None
        if process is not None:
            _end(process)


def _hand_over(process: subprocess.Popen[str], args: list[str], log: Path) -> bool:
    """Send a warm process its command and log file (one JSON line); False if it is gone."""
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps({"args": args, "log": str(log)}) + "\n")
        process.stdin.close()
    except OSError:  # it exited (a broken pipe): the caller starts a new process instead
        _end(process)
        return False
    return True


def _child(command: list[str], *, stderr: Any, stdin: Any = None) -> subprocess.Popen[str]:
    """An emulator child: output read as text from a pipe, our environment (`child_env`), and
    it dies with us (Linux)."""
    return subprocess.Popen(
        command,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=child_env(),
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )


def _end(process: subprocess.Popen[str]) -> None:
    """Kill a process that has nothing to finish, reap it and close its pipes."""
    process.kill()
    process.wait()
    _close(process)


def _close(process: subprocess.Popen[str]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def child_env() -> dict[str, str]:
    """The environment of an emulator child: ours, with unbuffered output."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _scribe_eval_command() -> list[str]:
    return [sys.executable, "-m", "scribe_eval.cli"]


def _drain(process: subprocess.Popen[str]) -> None:
    stdout = process.stdout
    try:
        while stdout is not None and stdout.readline():
            pass
    except (OSError, ValueError):
        pass  # Closed by stop().


def _last_lines(log: Path, count: int = 3) -> str:
    try:
        lines = [s.strip() for s in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [s for s in lines if s][-count:]
    return f" (last output: {' | '.join(lines)})" if lines else ""


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, even by SIGKILL (Linux prctl)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
