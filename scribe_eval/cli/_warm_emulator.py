"""``python -m scribe_eval.cli._warm_emulator``: the embedded emulator, imported before its options.

`scribe_eval.client.WarmStart` starts this as soon as ``run`` begins: the server's imports
(FastAPI, uvicorn, the emulator; ~0.4 s) overlap with the run reading its experiment, which says
whether the emulator is needed at all and with which options. Then one JSON line on standard
input, ``{"args": [...], "log": PATH}``, makes this process ``scribe-eval ARGS`` with its standard
error appended to ``PATH``, exactly as a process started with that command would be. End of input
instead (the run needs no emulator) ends it having written nothing.
"""

from __future__ import annotations

import json
import os
import sys


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
    except Exception:
        pass


def main() -> None:
    from scribe_eval.emulator.engines._cpu import pin_cpu_backend

    pin_cpu_backend()  # as `serve` does, before anything imports NumPy (it reads it once)
    _import_ahead()
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
