"""One emulator per data folder: an OS lock on ``<data dir>/emulator.lock``.

Two emulators on one folder would trample each other: each deletes the half-received uploads it
finds at start-up (the other's uploads in flight) and resumes the transcripts left
``processing`` (the other's jobs, decoded twice). The server takes the lock when it opens the
folder and holds it while it lives (`hold`); the operating system drops it when the process
ends, however it ends, so a crash never leaves the folder locked. The process that starts a
server can ask first (`holder`) and refuse at once with a clear message instead of a server that
dies at start-up. Both import nothing of ours but ``errors``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import weakref
from pathlib import Path

from scribe_eval.errors import ConfigError, ScribeEvalError

__all__ = ["LOCK_FILENAME", "DataDirLock", "holder", "in_use_message"]

#: The lock file, in the data folder; it holds the pid of the process that took the lock last.
LOCK_FILENAME = "emulator.lock"


class DataDirLock:
    """The exclusive lock of one data folder, held until `release` or the process's end.

    The lock is the process's, as the danger is two processes: within one, the folder may be
    opened again (two apps on one folder in a test) and stays locked until the last release.
    """

    def __init__(self, data_dir: Path, key: str) -> None:
        self.data_dir = data_dir
        # Dropped by `release`, or when this object is collected without one.
        self._release = weakref.finalize(self, _drop, key)

    @classmethod
    def hold(
        cls, data_dir: Path, *, fix: str, error: type[ScribeEvalError] = ConfigError
    ) -> DataDirLock:
        """Take ``data_dir``'s lock (creating the folder), or raise ``error`` naming the holder.

        ``fix`` ends the message: what to do instead (wait, or another folder).
        """
        data_dir.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(data_dir)
        with _GUARD:
            if key in _HELD:
                fd, count = _HELD[key]
                _HELD[key] = (fd, count + 1)
                return cls(data_dir, key)
            fd = os.open(data_dir / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _lock_exclusive(fd):
                    raise error(in_use_message(data_dir, _read_pid(fd), fix))
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except BaseException:
                os.close(fd)
                raise
            _HELD[key] = (fd, 1)
        return cls(data_dir, key)

    def release(self) -> None:
        """Drop this hold (idempotent); the last one unlocks the folder (the file stays)."""
        self._release()


#: The folders this process holds: real path -> (locked descriptor, holds).
_HELD: dict[str, tuple[int, int]] = {}
_GUARD = threading.Lock()


def _drop(key: str) -> None:
    with _GUARD:
        fd, count = _HELD[key]
        if count > 1:
            _HELD[key] = (fd, count - 1)
            return
        del _HELD[key]
    with contextlib.suppress(OSError):
        os.close(fd)  # drops the lock


def holder(data_dir: Path) -> int | None:
    """The pid of the process holding ``data_dir``'s lock (0 if unknown), or None when free.

    Only asks: the lock is not kept. A folder or lock file that does not exist is free.
    """
    try:
        fd = os.open(data_dir / LOCK_FILENAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        # A shared lock conflicts with the holder's exclusive one and with nothing else.
        return None if _try_flock(fd, exclusive=False) else _read_pid(fd)
    finally:
        os.close(fd)


def in_use_message(data_dir: Path, pid: int | None, fix: str) -> str:
    """One line: which folder is in use, by which process, and ``fix``."""
    by = f"another emulator (process {pid})" if pid else "another emulator"
    return f"the emulator data dir {data_dir} is in use by {by}; {fix}"


def _lock_exclusive(fd: int) -> bool:
    """Whether the exclusive lock was taken. A few tries: `holder`'s probe holds a shared lock
    for a few microseconds, and must not make a server starting at that moment give up."""
    for attempt in range(_TRIES):
        if _try_flock(fd, exclusive=True):
            return True
        if attempt < _TRIES - 1:
            time.sleep(0.02)
    return False


def _try_flock(fd: int, *, exclusive: bool) -> bool:
    """Whether the lock was taken at once (never waits)."""
    if sys.platform == "win32":  # no flock: one server per folder is not enforced there
        return True
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


_TRIES = 5


def _read_pid(fd: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii", "replace").strip() or 0)
    return 0
