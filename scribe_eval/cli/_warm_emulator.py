"""``python -m scribe_eval.cli._warm_emulator``: the embedded emulator, imported before its options.

`scribe_eval.client.WarmStart` starts this as soon as ``run`` begins: the server's imports
(FastAPI, uvicorn, the emulator; ~0.4 s) overlap with the run reading its experiment, which says
whether the emulator is needed at all and with which options. Then one JSON line on standard
input, ``{"args": [...], "log": PATH}``, makes this process ``scribe-eval ARGS`` with its standard
error appended to ``PATH``, exactly as a process started with that command would be. End of input
instead (the run needs no emulator) ends it having written nothing.

Time left before the line arrives goes to what the server otherwise loads on a thread once it is
ready (`_later`: the audio decoder, the template catalogue, the note writing), one step at a time,
each only while no line is waiting: a line that is there starts the server at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import warnings
from collections.abc import Callable
from typing import TextIO


def _import_ahead() -> None:
    """What ``emulator serve`` imports, done now; a failure is the command's to report, in the
    log, when it imports the same again."""
    try:
        import uvicorn  # noqa: F401

        import scribe_eval.cli._main
        import scribe_eval.cli.emulator  # noqa: F401

        # The package loads its parts on first use: these are what `serve` uses (FastAPI and
        # the app; the speech decoders wait for the options, which pin how they compute).
        from scribe_eval.emulator import (  # noqa: F401
            DroppedConnectionFilter,
            EmulatorSettings,
            create_app,
        )

        # FastAPI imports pydantic's v1 package (~0.1 s) while it builds the first route, to ask
        # whether a parameter is a v1 model: part of `create_app`, so done now too (silenced as
        # FastAPI does: it warns on Pythons it does not support).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            import pydantic.v1  # noqa: F401
    except Exception:
        pass


def _later() -> tuple[Callable[[], object], ...]:
    """What the server otherwise loads on a thread once it is ready (`preload_steps`: PyAV and
    NumPy, the catalogue, the note writing). Loaded here instead, they do not hold up its first
    answers (~0.2 s of CPU) and its first calls find them loaded. NumPy is imported after
    `pin_cpu_backend`, as there."""
    try:
        from scribe_eval.emulator import preload_steps

        return preload_steps()
    except Exception:  # the server reports it, when it imports the same
        return ()


def _waiting(stream: TextIO) -> bool:
    """Whether a line (or the end of input) is waiting on ``stream`` (a pipe: never blocks)."""
    try:
        ready, _, _ = select.select([stream], [], [], 0)
    except (OSError, ValueError):  # no select on this stream: read it at once
        return True
    return bool(ready)


def _until_ordered() -> None:
    """Take the `_later` steps while no line is waiting; a failure is the server's to report."""
    for step in _later():
        if _waiting(sys.stdin):
            return
        with contextlib.suppress(Exception):
            step()


def main() -> None:
    from scribe_eval.emulator.engines._cpu import pin_cpu_backend

    pin_cpu_backend()  # as `serve` does, before anything imports NumPy (it reads it once)
    _import_ahead()
    _until_ordered()
    line = sys.stdin.readline()
    if not line.strip():
        return
    order = json.loads(line)
    log = os.open(order["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    os.dup2(log, 2)
    os.close(log)
    from scribe_eval.cli._main import main as scribe_eval

    scribe_eval(args=list(order["args"]), prog_name="scribe-eval")


if __name__ == "__main__":
    main()
