"""The ``scribe-eval`` command line: one module per sub-command, assembled in ``_main``."""

from __future__ import annotations

from scribe_eval.cli._main import main

__all__ = ["main"]
