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

__all__ = ["TOKENIZERS", "TokenizerName", "sentence_tokens", "split_sentences", "tokenize"]

TokenizerName = Literal["unicode", "rouge-score"]
TOKENIZERS: Mapping[str, str] = MappingProxyType(
    {"unicode": "unicode@1", "rouge-score": "rouge-score@0.1.2"}
)
"""Tokenizer name -> ``name@version`` recorded with every ROUGE number (read-only)."""

# rouge-score's tokenizer turns every run of non-[a-z0-9] characters (after lower-casing) into
# a space with a regex; str.translate does it per character ~100x faster, and runs of spaces
# split the same.
_RS_ASCII_SPACES = {c: " " for c in range(128) if not chr(c).isalnum()}
_RS_ASCII_SPACES_LINES = {c: s for c, s in _RS_ASCII_SPACES.items() if c != ord("\n")}
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
    # Importing nltk costs most of a second (its package imports scipy): only when stemming.
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
        text = _rs_ascii(text.lower()).translate(_RS_ASCII_SPACES)
        return _rs_stemmed(text.split()) if stemmer else text.split()
    if tokenizer == "unicode":
        tokens = _UNICODE_TOKEN.findall(unicodedata.normalize("NFC", text).lower())
        if stemmer:
            return [_stem(t) if len(t) > 3 else t for t in tokens]
        return [str(t) for t in tokens]
    raise MetricError(f"unknown tokenizer {tokenizer!r}: use one of {', '.join(TOKENIZERS)}")


def _rs_ascii(text: str) -> str:
    # Every non-ASCII character becomes "?", which the translation then turns into a space:
    # a non-ASCII character can only ever separate rouge-score tokens.
    return text if text.isascii() else text.encode("ascii", "replace").decode("ascii")


def _rs_stemmed(tokens: list[str]) -> list[str]:
    # As rouge-score: stem, then keep what is still a valid token.
    stemmed = [_stem(t) if len(t) > 3 else t for t in tokens]
    return [t for t in stemmed if _RS_VALID.match(t)]


def sentence_tokens(
    text: str, tokenizer: TokenizerName = "unicode", *, stemmer: bool = False
) -> list[list[str]]:
    """The tokens of each ROUGE-Lsum sentence of ``text`` (``split_sentences``), in order.

    Their concatenation is ``tokenize(text)``: sentences are lines, or pieces of lines cut
    after whitespace or a full stop, and no token spans such a cut.
    """
    if tokenizer != "rouge-score":
        return [tokenize(s, tokenizer, stemmer=stemmer) for s in split_sentences(text, tokenizer)]
    # Lower-casing, the per-character map and the regex never turn a non-empty line empty,
    # so the lines kept are split_sentences' lines.
    text = _rs_ascii(text.lower()).translate(_RS_ASCII_SPACES_LINES)
    lines = [line.split() for line in text.split("\n") if line]
    return [_rs_stemmed(line) for line in lines] if stemmer else lines


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
