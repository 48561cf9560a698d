"""``python -m scribe_eval.cli``: the same command as ``scribe-eval`` (used to start subprocesses)."""

from __future__ import annotations

from scribe_eval.cli._main import main

if __name__ == "__main__":
    main()
