"""Did-you-mean suggestions for misspelt keys, fields and languages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``word`` (case-insensitive), if any is close enough."""
    lowered = {choice.lower(): choice for choice in choices}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str], otherwise: str) -> str:
    """``did you mean X?`` for the closest choice, else ``otherwise``."""
    guess = closest(word, choices)
    return f"did you mean {guess}?" if guess else otherwise
