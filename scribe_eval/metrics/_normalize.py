"""Named, versioned text normalisers: text in, a tuple of words out.

Every WER-family number records ``normalizer.label`` (``name@version``) because the same pair of
texts gives different numbers under different normalisers. A normaliser's version changes whenever
its output could change for some input; ``METRICS_VERSION`` changes with it.

- ``none``: split on whitespace, nothing else (what jiwer does by default).
- ``basic``: Unicode NFC, case-folding, punctuation stripped at word edges only, so "120/80",
  "3.5" and "follow-up" stay one word. Diacritics and every script survive.
- ``english-clinical``: ``basic`` plus Whisper-style English canonicalisation that is safe for
  clinical text (see ``_english``): fillers removed, contractions expanded but possessives kept,
  spelled numbers to digits, UK spellings to US, spoken units to abbreviations; parenthesised
  text, fractions and dotted dose abbreviations (b.i.d.) are kept.
- ``multilingual``: NFC, case-folding, every punctuation mark and symbol becomes a space unless it
  sits between two digits (or is an apostrophe inside a word). Combining marks are kept, so
  "erhöht" vs "erhäht" is an error and Devanagari words stay whole (Whisper's basic normaliser
  drops marks and breaks them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import regex  # type: ignore[import-untyped]

from scribe_eval.errors import MetricError
from scribe_eval.metrics import _english as en

__all__ = ["NORMALIZERS", "Normalizer", "get_normalizer"]

_EDGE_PUNCT = regex.compile(r"^\p{P}+|\p{P}+$")
_EDGE_PUNCT_CLINICAL = regex.compile(r"^[\p{P}--[%]]+|[\p{P}--[%]]+$", regex.V1)
_DOTTED_ABBREV = regex.compile(r"^(?:\p{L}\.){2,}$")
_INNER_HYPHEN = regex.compile(r"(?<=\p{L})-(?=\p{L})")
_THOUSANDS = regex.compile(r"^\d{1,3}(?:,\d{3})+$")
_NUMBER = regex.compile(r"^\d+(?:\.\d+)?$")
_BRACKETS = regex.compile(r"[()\[\]{}]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_CLAUSE_END = frozenset(",.;:!?")
_BOUNDARY = "\x00"
_PUNCT_OR_SYMBOL = regex.compile(r"[\p{P}\p{S}]")


@dataclass(frozen=True)
class Normalizer:
    """A named, versioned text normaliser.

    Attributes:
        name: Stable name (``basic``, ``english-clinical``, ...).
        version: Bumped whenever the output could change for some input.
        description: One sentence for reports.
        func: Text -> words; use ``words()`` rather than calling it directly.
    """

    name: str
    version: str
    description: str
    func: Callable[[str], tuple[str, ...]]

    @property
    def label(self) -> str:
        """``name@version``: what every number records."""
        return f"{self.name}@{self.version}"

    def words(self, text: str) -> tuple[str, ...]:
        """Normalise ``text`` and return its words."""
        return self.func(text)

    def text(self, text: str) -> str:
        """Normalise ``text`` and return its words joined by single spaces."""
        return " ".join(self.func(text))


def _none(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _basic(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold()
    return tuple(w for w in (_EDGE_PUNCT.sub("", t) for t in folded.split()) if w)


def _multilingual(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)

    def keep_or_space(match: Any) -> str:
        pos, char = match.start(), match.group()
        before = folded[pos - 1] if pos > 0 else " "
        after = folded[pos + 1] if pos + 1 < len(folded) else " "
        if before.isdigit() and after.isdigit():
            return str(char)
        if char == "'" and before.isalpha() and after.isalpha():
            return str(char)
        return " "

    return tuple(str(_PUNCT_OR_SYMBOL.sub(keep_or_space, folded)).split())


def _clinical_token(token: str) -> list[str]:
    """Edge punctuation, dotted abbreviations, thousands commas, hyphens, contractions."""
    if _DOTTED_ABBREV.match(token.rstrip(",;:!?")):
        return [token.rstrip(",;:!?")]
    token = str(_EDGE_PUNCT_CLINICAL.sub("", token))
    if _THOUSANDS.match(token):
        return [token.replace(",", "")]
    out: list[str] = []
    for part in str(_INNER_HYPHEN.sub(" ", token)).split():
        out.extend(_expand_contraction(part).split())
    return out


def _expand_contraction(word: str) -> str:
    if word in en.CONTRACTIONS:
        return en.CONTRACTIONS[word]
    for suffix, expansion in en.CONTRACTION_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)] + expansion
    stem, suffix = word[:-2], word[-2:]
    if suffix in en.PRONOUN_SUFFIXES and stem in en.PRONOUNS:
        return stem + en.PRONOUN_SUFFIXES[suffix]
    if suffix == "'s" and stem in en.S_IS_WORDS:
        return stem + " is"
    return word


def _english_clinical(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    folded = str(_BRACKETS.sub(" ", folded))
    words: list[str] = []
    for token in folded.split():
        words.extend(w for w in _clinical_token(token) if w not in en.FILLERS)
        if token[-1] in _CLAUSE_END:
            words.append(_BOUNDARY)  # "two hundred, five" is two numbers, not 205
    out: list[str] = []
    i = 0
    while i < len(words):
        parsed = en.parse_number(words, i)
        if parsed is not None:
            out.append(parsed[0])
            i += parsed[1]
            continue
        word = words[i]
        i += 1
        if word == _BOUNDARY:
            continue
        if word == "per" and i < len(words) and words[i] == "cent":
            word, i = "percent", i + 1
        if out and _NUMBER.match(out[-1]) and word in en.UNITS:
            unit = en.UNITS[word]
            if unit == "%":
                out[-1] += "%"
                continue
            word = unit
        elif word == "%":
            if out and _NUMBER.match(out[-1]):
                out[-1] += "%"
            continue
        word = en.TITLES.get(word.rstrip("."), word)
        out.append(en.UK_TO_US.get(word, word))
    return tuple(out)


def _make(
    name: str, version: str, description: str, func: Callable[[str], tuple[str, ...]]
) -> Normalizer:
    return Normalizer(name=name, version=version, description=description, func=func)


NORMALIZERS: Mapping[str, Normalizer] = MappingProxyType(
    {
        n.name: n
        for n in (
            _make("none", "1", "Whitespace split only.", _none),
            _make(
                "basic",
                "1",
                "NFC, case-folded, punctuation stripped at word edges.",
                _basic,
            ),
            _make(
                "english-clinical",
                "2",
                "basic + English canonicalisation safe for clinical text "
                "(numbers to digits, fillers, contractions, UK->US, units, titles).",
                _english_clinical,
            ),
            _make(
                "multilingual",
                "1",
                "NFC, case-folded, punctuation and symbols to spaces, diacritics and marks kept.",
                _multilingual,
            ),
        )
    }
)
"""Every built-in normaliser by name (read-only)."""


def get_normalizer(normalizer: str | Normalizer) -> Normalizer:
    """Return the normaliser named ``normalizer`` (or the object itself).

    Raises:
        MetricError: The name is not one of ``NORMALIZERS``.
    """
    if isinstance(normalizer, Normalizer):
        return normalizer
    try:
        return NORMALIZERS[normalizer]
    except KeyError:
        known = ", ".join(NORMALIZERS)
        raise MetricError(f"unknown normalizer {normalizer!r}: use one of {known}") from None
