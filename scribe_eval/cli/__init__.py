"""The ``scribe-eval`` command line: one module per sub-command, assembled in ``_main``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scribe_eval.cli._main import main

__all__ = ["entry", "main"]


def entry() -> None:
    """The ``scribe-eval`` console script: a run's emulator starts first thing (`_early`), before
    click and the commands are imported, then the command line is read (`main`)."""
    from scribe_eval.cli._early import start

    start(sys.argv[1:])
    from scribe_eval.cli._main import main

    main()


def __getattr__(name: str) -> Any:
    # `main`, the click group, is imported on first use, so that `entry` starts a run's emulator
    # before paying for click and the commands.
    if name == "main":
        from scribe_eval.cli._main import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
