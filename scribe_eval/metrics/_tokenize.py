"""ROUGE tokenizers and an offline rule-based sentence splitter.

- ``unicode`` (default): NFC, lower-cased, tokens are runs of letters, digits and combining
  marks of any script, so German, French and Devanagari notes are scored on their words.
- ``rouge-score``: exactly rouge-score 0.1.2's tokenizer (lower-case, ``[^a-z0-9]+`` to spaces),
  for numbers comparable with published papers. Non-ASCII letters vanish in this mode.

Both stem with nltk's Porter stemmer (as rouge-score does: only tokens longer than 3 characters)
when asked, and only for English.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import regex  # type: ignore[import-untyped]

from scribe_eval.errors import MetricError

__all__ = ["TOKENIZERS", "TokenizerName", "split_sentences", "tokenize"]

TokenizerName = Literal["unicode", "rouge-score"]
TOKENIZERS: Mapping[str, str] = MappingProxyType(
    {"unicode": "unicode@1", "rouge-score": "rouge-score@0.1.2"}
)
"""Tokenizer name -> ``name@version`` recorded with every ROUGE number (read-only)."""

_RS_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_RS_SPACES = re.compile(r"\s+")
_RS_VALID = re.compile(r"^[a-z0-9]+$")
_UNICODE_TOKEN = regex.compile(r"[\p{L}\p{N}\p{M}]+")

_SENTENCE_END = regex.compile(r"(?:[.!?…]+[\"'”’)\]]*\s+|[。！？।॥]+\s*)")
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "nr",
        "vs",
        "etc",
        "approx",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "b.i.d",
        "t.i.d",
        "q.i.d",
        "q.d",
        "p.r.n",
        "q.h.s",
        "p.o",
        "i.v",
        "i.m",
        "s.c",
        "fig",
        "pt",
        "pts",
        "hx",
        "dx",
        "tx",
        "rx",
        "sx",
        "ca",
        "bzw",
        "z.b",
        "u.a",
        "ggf",
        "inkl",
        "sog",
    ]
)


@functools.cache
def _stemmer() -> Any:
    # nltk takes most of a second to import; only stemmed scores pay for it.
    from nltk.stem import porter

    return porter.PorterStemmer()


@functools.lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return str(_stemmer().stem(token))


def tokenize(
    text: str, tokenizer: TokenizerName = "unicode", *, stemmer: bool = False
) -> list[str]:
    """Split ``text`` into ROUGE tokens.

    Raises:
        MetricError: Unknown tokenizer name.
    """
    if tokenizer == "rouge-score":
        tokens = _RS_SPACES.split(_RS_NON_ALNUM.sub(" ", text.lower()))
        if stemmer:
            tokens = [_stem(t) if len(t) > 3 else t for t in tokens]
        return [t for t in tokens if _RS_VALID.match(t)]
    if tokenizer == "unicode":
        tokens = _UNICODE_TOKEN.findall(unicodedata.normalize("NFC", text).lower())
        if stemmer:
            return [_stem(t) if len(t) > 3 else t for t in tokens]
        return [str(t) for t in tokens]
    raise MetricError(f"unknown tokenizer {tokenizer!r}: use one of {', '.join(TOKENIZERS)}")


def split_sentences(text: str, tokenizer: TokenizerName = "unicode") -> list[str]:
    """Sentences for ROUGE-Lsum: lines, and in ``unicode`` mode also sentences within lines.

    Like rouge-score, empty lines are dropped but whitespace-only ones are kept (they tokenize
    to nothing). The rule-based splitter cuts after ``.``, ``!``, ``?`` (or a CJK/Devanagari
    full stop) when the next word starts with an upper-case letter, a digit or an uncased
    letter, and never after a known abbreviation (Dr., b.i.d., e.g.) or a single letter.
    """
    lines = [line for line in text.split("\n") if len(line)]
    if tokenizer == "rouge-score":
        return lines
    return [s for line in lines for s in _split_line(line)]


def _split_line(line: str) -> list[str]:
    out: list[str] = []
    begin = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.end()
        if end >= len(line) or not _starts_sentence(line[end]):
            continue
        if match.group()[0] == "." and _is_abbreviation(line[begin : match.start()]):
            continue
        out.append(line[begin:end].rstrip())
        begin = end
    out.append(line[begin:])
    return [s for s in out if s]


def _starts_sentence(char: str) -> bool:
    return char.isupper() or char.isdigit() or (char.isalpha() and char.lower() == char.upper())


def _is_abbreviation(before: str) -> bool:
    words = before.split()
    if not words:
        return False
    last = words[-1].lower().lstrip("([\"'")
    return len(last) == 1 or last in _ABBREVIATIONS
