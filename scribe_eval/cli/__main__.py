"""``python -m scribe_eval.cli``: the ``scribe-eval`` command, as the runner starts it."""

from __future__ import annotations

from scribe_eval.cli._main import main

if __name__ == "__main__":
    main()
