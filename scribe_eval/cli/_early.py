"""The embedded emulator's warm process, started before the command line is parsed.

``scribe-eval run`` needs its emulator ready before its first call, and the emulator's start-up
(its imports, ~0.45 s) is the longest part of the way there. Started by `run` itself, it came
after the command line was parsed and click and the command's modules imported (60-100 ms); the
console script (`scribe_eval.cli.entry`) starts it first thing instead, and the root command
(`python -m scribe_eval.cli`, or a test invoking it) as it begins, when the words typed say a run
is coming (`wanted`); `run` takes it (`take`). A command that never takes it (one that fails to
parse, ``--help``) leaves it to be ended at exit, having written nothing
(`scribe_eval.client.WarmStart`).
"""

from __future__ import annotations

import atexit
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scribe_eval.client import WarmStart

#: Options of ``run`` with which it never starts an emulator of its own.
_NO_EMULATOR = frozenset({"--workers", "--help", "-h"})

_started: list[WarmStart] = []


def wanted(argv: Sequence[str]) -> bool:
    """Whether ``argv`` (the words after ``scribe-eval``) is a ``run`` that may start an emulator:
    the first word that is not a root option is ``run``, and no option rules it out."""
    command = next((word for word in argv if not word.startswith("-")), None)
    return command == "run" and not _NO_EMULATOR.intersection(argv)


def start(argv: Sequence[str]) -> None:
    """Start the warm process now when ``argv`` is a run that may need it (see `wanted`)."""
    if _started or not wanted(argv):
        return
    from scribe_eval.client import WarmStart

    warm = WarmStart()
    atexit.register(warm.discard)  # a no-op once `run` has taken it and handed it on
    _started.append(warm)


def take() -> WarmStart | None:
    """The warm process started for this command, once (None when none was started)."""
    return _started.pop() if _started else None
