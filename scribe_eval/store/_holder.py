"""Whether a run's lease holder is still there: its process on this machine, or its heartbeat."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scribe_eval.store._clock import read_utc

if TYPE_CHECKING:
    from scribe_eval.store._base import RunStore
    from scribe_eval.store._records import Lease, RunRecord
    from scribe_eval.store._rows import RunListing

#: How a run stored ``running`` whose runner is gone (`runner_gone`) is said to people: it is
#: resumable, and nothing will finish it by itself.
RUNNER_GONE = "interrupted (runner gone)"


def process_alive(pid: int) -> bool:
    """True when a process with this id exists on this machine (ours included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return True
    return _not_a_zombie(pid)


def _not_a_zombie(pid: int) -> bool:
    # A killed child its parent has not reaped yet still answers kill(pid, 0).
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[-1].split()
    except OSError:
        return True
    return not (fields and fields[0] in ("Z", "X"))


def holder_gone(lease: Lease | None, *, now: datetime | None = None) -> bool:
    """Whether nobody runs a run stored ``running``: no lease, a holder on this machine whose
    process is gone (``kill -9``, a crash, a reboot), or a lease past its expiry (no heartbeat).
    """
    if lease is None:
        return True
    if lease.host == socket.gethostname() and not process_alive(lease.pid):
        return True
    expires = read_utc(lease.expires)
    return expires is not None and expires < (now or datetime.now(UTC))


def runner_gone(store: RunStore, run: RunRecord | RunListing) -> bool:
    """Whether ``run`` is stored ``running`` while nobody runs it any more (`holder_gone`): a
    runner killed with SIGKILL, or crashed, leaves it so."""
    return run.status == "running" and holder_gone(store.lease(run.id))
