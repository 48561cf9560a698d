"""Did-you-mean suggestions for misspelt keys, fields, languages and paths."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable
from pathlib import Path


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``word`` (case-insensitive), if any is close enough."""
    lowered = {choice.lower(): choice for choice in choices}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str], otherwise: str) -> str:
    """``did you mean X?`` for the closest choice, else ``otherwise``."""
    guess = closest(word, choices)
    return f"did you mean {guess}?" if guess else otherwise


def closest_path(path: Path, *, folder: bool | None = None) -> Path | None:
    """The existing path most like a missing ``path``, each missing part replaced by its
    closest sibling (``datasets/smaple`` -> ``datasets/sample``), else None.

    ``folder``: the last part must be a folder (True) or a file (False); None takes either.
    """
    current = Path(path.anchor)
    parts = path.parts[1:] if path.anchor else path.parts
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if (current / part).exists() and not (last and not _kind_fits(current / part, folder)):
            current = current / part
            continue
        guess = _closest_name(part, _entries(current, folder if last else True))
        if guess is None:
            return None
        current = current / guess
    return None if current == path else current


def _closest_name(name: str, names: list[str]) -> str | None:
    """The closest of ``names``; among those with ``name``'s suffix, by their stems (a shared
    ``.yaml`` makes any two names look alike), else by whole names (``.yml`` for ``.yaml``)."""
    stem, suffix = _split(name)
    if suffix:
        same = {_split(n)[0]: n for n in names if _split(n)[1] == suffix}
        if (guess := closest(stem, same)) is not None:
            return same[guess]
        names = [n for n in names if _split(n)[1] != suffix]
    return closest(name, names)


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    return (stem, f".{suffix}") if dot and stem else (name, "")


def _entries(folder: Path, want_folder: bool | None) -> list[str]:
    try:
        entries = list(itertools.islice(folder.iterdir(), _MAX_ENTRIES))
    except OSError:
        return []
    return [e.name for e in entries if _kind_fits(e, want_folder)]


def _kind_fits(path: Path, folder: bool | None) -> bool:
    return folder is None or path.is_dir() == folder


#: Folders with more entries than this are searched in part (a guess, not a listing).
_MAX_ENTRIES = 2000
