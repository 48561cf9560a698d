"""One emulator per data folder: the lock is exclusive between processes, names its holder,
and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scribe_eval._datalock import LOCK_FILENAME, DataDirLock, holder
from scribe_eval.errors import StoreError


@contextmanager
def _held_by_another_process(data: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process holding ``data``'s lock until it is killed (SIGKILL: a crash)."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib\n"
         "from scribe_eval._datalock import DataDirLock\n"
         f"lock = DataDirLock.hold(pathlib.Path({str(data)!r}), fix='wait')\n"
         "print('held', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        yield child
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def test_another_process_is_refused_until_the_holder_dies(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert holder(data) is None  # no folder yet: free, and asking creates nothing
    assert not data.exists()
    with _held_by_another_process(data) as child:
        assert holder(data) == child.pid
        with pytest.raises(StoreError) as caught:
            DataDirLock.hold(data, fix="wait for it, or use another folder", error=StoreError)
        assert str(caught.value) == (
            f"the emulator data dir {data} is in use by another emulator (process {child.pid}); "
            "wait for it, or use another folder"
        )
        assert holder(data) == child.pid  # a refused attempt takes nothing from the holder
    # Killed (a crash): the lock file stays, with the dead pid in it, and the folder is free.
    assert (data / LOCK_FILENAME).read_text().strip() == str(child.pid)
    assert holder(data) is None
    DataDirLock.hold(data, fix="wait").release()


def test_the_holding_process_may_open_its_folder_again_until_its_last_release(
    tmp_path: Path,
) -> None:
    """The danger is two processes; two apps on one folder in one process (tests) may share."""
    data = tmp_path / "data"
    first = DataDirLock.hold(data, fix="wait")
    second = DataDirLock.hold(data, fix="wait")
    assert holder(data) == os.getpid()
    first.release()
    first.release()  # idempotent: it does not drop the second hold
    assert holder(data) == os.getpid()
    second.release()
    assert holder(data) is None
    with _held_by_another_process(data) as child:  # released for real: another process may
        assert holder(data) == child.pid
