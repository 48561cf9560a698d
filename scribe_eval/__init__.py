"""scribe-eval: evaluate ambient AI-scribe APIs before every rollout."""

from __future__ import annotations

from scribe_eval._version import __version__

__all__ = ["__version__"]
