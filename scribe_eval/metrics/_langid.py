"""Which language a text is written in, by py3langid (langid.py's maintained fork).

py3langid ships its naive Bayes model inside the PyPI package, so identification works offline
with nothing downloaded at run time. The model is loaded once, on first use (about half a
second), and restricted to a candidate set: the European languages scribes write in plus the
requested one, which makes short clinical texts far less likely to be taken for a language no
one asked for. Identification is unreliable on a handful of words, so texts shorter than
``MIN_WORDS`` letter-words are not judged at all.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import regex  # type: ignore[import-untyped]

from scribe_eval.errors import MetricError

LANGUAGE_CANDIDATES: Final[tuple[str, ...]] = (
    "da", "de", "en", "es", "fi", "fr", "it", "nl", "no", "pl", "pt", "sv",
)  # fmt: skip
"""Languages a text may be identified as (the requested language is always added)."""
MIN_WORDS: Final = 4
"""Fewest letter-words a text needs before its language is judged."""
LANGID_NAME: Final = "py3langid"
_WORD: Final = regex.compile(r"\p{L}{2,}")


@dataclass(frozen=True)
class LanguageGuess:
    """The identified language of a text (a base code such as ``de``) and its probability."""

    language: str
    probability: float


def base_language(code: str) -> str:
    """The base code of a contract language (``de-CH`` -> ``de``; ``nb`` -> ``no``)."""
    base = code.strip().split("-")[0].split("_")[0].lower()
    return "no" if base in ("nb", "nn") else base


def is_identifiable(code: str) -> bool:
    """True when the identifier's model knows the base language of ``code``."""
    return base_language(code) in _base_model().labels


def identify_language(text: str, candidates: Iterable[str] = ()) -> LanguageGuess | None:
    """The most likely language of ``text`` among ``LANGUAGE_CANDIDATES`` and ``candidates``.

    Returns None when the text has fewer than ``MIN_WORDS`` letter-words.
    """
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    wanted = tuple(sorted({*LANGUAGE_CANDIDATES, *(base_language(c) for c in candidates)}))
    language, probability = _identifier(wanted).classify(text)
    return LanguageGuess(str(language), float(probability))


@functools.lru_cache(maxsize=1)
def langid_version() -> str:
    """``py3langid@<version>``, for provenance."""
    from importlib.metadata import version

    return f"{LANGID_NAME}@{version(LANGID_NAME)}"


@functools.lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> Any:
    known = [code for code in languages if code in _base_model().labels]
    if not known:
        raise MetricError(f"py3langid knows none of {list(languages)} — use ISO 639-1 codes")
    identifier = _model(fresh=True)
    identifier.set_languages(known)
    return identifier


@functools.lru_cache(maxsize=1)
def _base_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _model(*, fresh: bool = False) -> Any:
    # set_languages() narrows an identifier in place, so each candidate set gets its own copy.
    import copy

    return copy.copy(_base_model()) if fresh else _base_model()
