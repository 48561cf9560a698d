"""Durations as people write them in an experiment file or on the command line: ``7d``, ``12h``."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_FIX = "write a number and one unit of s, m, h, d or w (30m, 12h, 7d, 2w), or `none` for no limit"


def parse_duration(value: object) -> float | None:
    """Seconds of a duration such as ``90s``, ``30m``, ``12h``, ``7d`` or ``2w``; None for ``none``.

    Raises:
        ValueError: ``value`` is not such a duration; the message says what to write instead.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not a duration; {_FIX}")
    if not isinstance(value, str):
        raise ValueError(f"{value} has no unit; {_FIX}")
    text = value.strip().lower()
    if text == "none":
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{value!r} is not a duration; {_FIX}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def format_duration(seconds: float) -> str:
    """``seconds`` in the largest unit up to days that divides it (604800 -> ``7d``, 90 -> ``90s``).

    Weeks are left out: "7d" reads more plainly than "1w" in a note about the cache.
    """
    for unit in ("d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
