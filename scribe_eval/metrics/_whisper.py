"""Whisper's English and basic text normalisers, taken from the maintained ``whisper-normalizer``.

Public ASR leaderboards (Hugging Face's Open ASR Leaderboard, the PriMock57 board) normalise both
sides with the normalisers OpenAI published with Whisper. Using the packaged copy rather than our
own keeps our figures comparable with theirs; the package version is pinned in ``pyproject.toml``
and every label records it, because a new release could change the words for some input.

- ``whisper-english``: ``EnglishTextNormalizer`` as published ("oh" becomes the digit 0).
- ``whisper-english-keep-oh``: the same with "oh" kept as a word. In conversation "oh" is an
  interjection far more often than a spoken zero (the PriMock57 board's first fix).
- ``whisper-basic``: ``BasicTextNormalizer``: lower case, bracketed text removed, symbols and
  punctuation to spaces (NFKC). Any language, but combining marks become spaces, which breaks
  Devanagari words (see ``multilingual``).
"""

from __future__ import annotations

from collections.abc import Callable

from whisper_normalizer.basic import BasicTextNormalizer
from whisper_normalizer.english import EnglishTextNormalizer

from scribe_eval.metrics._whisper_version import WHISPER_NORMALIZER_VERSION

__all__ = ["PACKAGE_VERSION", "whisper_basic", "whisper_english", "whisper_english_keep_oh"]

PACKAGE_VERSION = WHISPER_NORMALIZER_VERSION
"""The installed ``whisper-normalizer`` release, part of every Whisper normaliser's label."""

_ENGLISH = EnglishTextNormalizer()
_BASIC = BasicTextNormalizer()


def _english_without_oh() -> Callable[[str], str]:
    normalizer = EnglishTextNormalizer()
    numbers = normalizer.standardize_numbers
    # The number parser copies its zero words into two derived sets at construction time.
    for words in (numbers.zeros, numbers.decimals, numbers.words):
        words.discard("oh")
    return normalizer  # type: ignore[no-any-return]


_ENGLISH_KEEP_OH = _english_without_oh()


def whisper_english(text: str) -> tuple[str, ...]:
    """Whisper's English normaliser, as published."""
    return tuple(_ENGLISH(text).split())


def whisper_english_keep_oh(text: str) -> tuple[str, ...]:
    """Whisper's English normaliser that leaves "oh" a word instead of the digit 0."""
    return tuple(_ENGLISH_KEEP_OH(text).split())


def whisper_basic(text: str) -> tuple[str, ...]:
    """Whisper's basic (language-independent) normaliser."""
    return tuple(_BASIC(text).split())
