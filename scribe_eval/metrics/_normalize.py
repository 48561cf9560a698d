"""Named, versioned text normalisers: text in, a tuple of words out.

Every WER-family number records ``normalizer.label`` (``name@version``) because the same pair of
texts gives different numbers under different normalisers. A normaliser's version changes whenever
its output could change for some input; ``METRICS_VERSION`` changes with it.

- ``none``: split on whitespace, nothing else (what jiwer does by default).
- ``basic``: Unicode NFC, case-folding, punctuation stripped at word edges only, so "120/80",
  "3.5" and "follow-up" stay one word. Diacritics and every script survive.
- ``english-clinical``: ``basic`` plus Whisper-style English canonicalisation that is safe for
  clinical text (see ``_english``): fillers removed, contractions expanded but possessives kept,
  spelled numbers to digits, UK spellings to US, spoken units to abbreviations, and a number
  written against its unit split from it ("5mg" is "5 mg": ASR writes either); parenthesised
  text, fractions and dotted dose abbreviations (b.i.d.) are kept. A naked decimal is written
  with its zero (".5 mg" is "0.5 mg", as "point five milligrams" and "zero point five" read).
  Ordinals are written as digits ("twenty first" is "21st"), "120 over 80" and "120 / 80" as
  "120/80", a clock time as it is said ("2:30" is "2 30", "2:00" "2 o'clock"), a decimal comma
  as a point ("38,5" is "38.5"; "1,500" stays), "'s"/"'d" before "been", "got", "gone" or "had"
  as "has"/"had"; a hyphen or dash joining a word to a word or number splits them
  ("45-year-old"), every dash between numbers is the range "-"; "uh-huh" and "mm-hmm" are
  dropped whole, while "uh-uh" (no) is kept as a word.
- ``multilingual``: NFC, case-folding, every punctuation mark and symbol becomes a space unless it
  sits between two digits (or is an apostrophe inside a word). Combining marks are kept, so
  "erhöht" vs "erhäht" is an error and Devanagari words stay whole (Whisper's basic normaliser
  drops marks and breaks them). Hesitations that are no word in any language it reads ("äh",
  "ähm", "euh", "hm") are dropped, a decimal comma that cannot be a thousands group is written
  as a point ("38,5" is "38.5"; "1,500" and "1.500" stay), "400mg" is "400 mg", a French elided
  word written apart is joined ("l' homme" is "l'homme"), and every dash between numbers is "-".
- ``english-clinical`` and ``multilingual`` read digits grouped by a no-break, narrow no-break
  or thin space ("1 000") as one number; a plain space still separates numbers.
- ``whisper-english``, ``whisper-english-keep-oh``, ``whisper-basic``: Whisper's normalisers from
  the ``whisper-normalizer`` package (see ``_whisper``), versioned with that package's release.
- Pipelines (see ``_pipeline``): a YAML file of ordered steps (built-in normalisers, word maps,
  regexes). ``primock57-board`` ships with the package; any other is used by its path. Their
  ``provenance`` (``name@version#hash``) adds the content hash.

``basic``, ``english-clinical`` and ``multilingual`` keep a sign at the start of a word when a
digit follows it: "-5", ".5" and "-.5" keep their "-" and "." (".5 mg" against "5 mg" is a
tenfold dose error, not a match), and the Unicode minus "−5" is written "-5". A dash with a space
after it ("- fever"), a hyphen between words or a range ("5-10 mg") are read as before.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex  # type: ignore[import-untyped]

from scribe_eval.errors import MetricError
from scribe_eval.metrics import _english as en
from scribe_eval.metrics._pipeline import load_pipeline
from scribe_eval.metrics._whisper_version import WHISPER_NORMALIZER_VERSION

__all__ = [
    "NORMALIZERS",
    "Normalizer",
    "get_normalizer",
    "load_normalizer",
    "normalizer_provenance",
]

# Punctuation stripped at word edges (``^\p{P}+|\p{P}+$`` per word), done over a whole text in
# one pass (4x faster): punctuation runs that touch str.split()'s whitespace or the text's ends.
# _SPLIT_SPACE is every character whose isspace() is true (a test checks the list).
_SPLIT_SPACE = (
    r"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A sign that starts a number ("-5", ".5", "-.5", "−5") is kept when a punctuation run at the
# start of a word is stripped: the run stops before it, and a run that is only the sign is left.
_SIGN = r"(?:[-\u2212]\.?|\.)\d"
_EDGE_PUNCT_TEXT = regex.compile(
    rf"(?<![^{_SPLIT_SPACE}])(?!{_SIGN})(?:\p{{P}}+?(?={_SIGN})|\p{{P}}+)"
    rf"|\p{{P}}+(?![^{_SPLIT_SPACE}])"
)
_EDGE_PUNCT_CLINICAL = regex.compile(
    rf"^(?!{_SIGN})(?:[\p{{P}}--[%]]+?(?={_SIGN})|[\p{{P}}--[%]]+)|[\p{{P}}--[%]]+$", regex.V1
)
_UNICODE_MINUS = regex.compile(rf"(?<![^{_SPLIT_SPACE}])\u2212(?=\.?\d)")
_NAKED_DECIMAL = regex.compile(r"^(-?)\.(?=\d)")
_DOTTED_ABBREV = regex.compile(r"^(?:\p{L}\.){2,}$")
# A hyphen joining two words, or a word and a number ("45-year-old", "covid-19"), is a space;
# between two numbers it is a range ("5-10") and stays.
_INNER_HYPHEN = regex.compile(r"(?<=\p{L})-(?=[\p{L}\d])|(?<=\d)-(?=\p{L})")
#: Every dash (U+2010-U+2015 and the small and full-width hyphens) is written "-": an en dash in
#: "5-10" is the range "5-10", an em dash in "well-I" splits the words as a hyphen does. The minus
#: sign U+2212 is `_UNICODE_MINUS`'s.
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\ufe58\ufe63\uff0d", "-")
)
#: Digits grouped by a no-break, narrow no-break or thin space ("1 000" in French and SI
#: typography) are one number; a plain space is left alone ("take 2 500 mg tablets").
_SPACE_GROUPED = regex.compile(r"(?<!\d)\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?!\d)")
#: A number with one decimal comma is a decimal unless it has a thousands group's shape: "38,5",
#: "0,5" and "1234,5" are written "38.5", "0.5", "1234.5"; "1,500" (ambiguous) stays.
_COMMA_NUMBER = regex.compile(r"^(-?)(\d+),(\d+)$")
#: "h:mm" is said as its hour and minutes ("2:30", "two thirty"); "h:00" as "o'clock".
_CLOCK = regex.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
#: A French elided word written apart from its word ("l' homme", "qu' il") is joined to it.
_ELISION_SPACE = regex.compile(
    r"(?<![\p{L}'])(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'\s+(?=\p{L})"
)
#: Hesitations that are no word in German, French or the other languages ``multilingual`` reads
#: ("um" is German, "eh" French: both kept). Dropped on both sides, as ``english-clinical`` does.
_MULTILINGUAL_FILLERS = frozenset(
    {"äh", "ähm", "öh", "öhm", "ähh", "hm", "hmm", "mhm", "mm", "mmh", "euh", "euhm", "ehm", "uhm"}
)
#: A number written against its unit ("400mg", "2,5ml"), split as it is spoken.
_GLUED_UNIT = regex.compile(r"^(-?\d+(?:[.,]\d+)?)(\p{L}+)$")
_MULTILINGUAL_UNITS = frozenset(
    {
        "mg",
        "mcg",
        "µg",
        "μg",
        "g",
        "kg",
        "ml",
        "l",
        "dl",
        "cl",
        "mmol",
        "cm",
        "mm",
        "mmhg",
        "ie",
        "ui",
    }
)
_THOUSANDS = regex.compile(r"^\d{1,3}(?:,\d{3})+$")
_NUMBER = regex.compile(r"^-?\d+(?:\.\d+)?$")
#: A number written against its unit ("5mg", "2.5ml"), split as the unit spoken after a number is
#: written (``english-clinical``): only the units `_english.UNITS` writes, so "2nd" or "5x" stay.
_NUMBER_UNIT = regex.compile(r"^(-?\d+(?:\.\d+)?)([a-z]+)$")
_WRITTEN_UNITS = frozenset(en.UNITS.values()) - {"%"}
_BRACKETS = regex.compile(r"[()\[\]{}]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_CLAUSE_END = frozenset(",.;:!?")
_BOUNDARY = "\x00"
_PUNCT_OR_SYMBOL = regex.compile(r"[\p{P}\p{S}]")
_SIGNS = frozenset("-.\u2212")
_SIGN_AT = regex.compile(_SIGN)


@dataclass(frozen=True)
class Normalizer:
    """A named, versioned text normaliser.

    Attributes:
        name: Stable name (``basic``, ``english-clinical``, ...).
        version: Bumped whenever the output could change for some input.
        description: One sentence for reports.
        func: Text -> words; use ``words()`` rather than calling it directly.
        content_hash: For a pipeline read from YAML, the hash of its resolved steps.
    """

    name: str
    version: str
    description: str
    func: Callable[[str], tuple[str, ...]]
    content_hash: str | None = None

    @property
    def label(self) -> str:
        """``name@version``: what every number records."""
        return f"{self.name}@{self.version}"

    @property
    def provenance(self) -> str:
        """``name@version#hash`` for a pipeline, ``name@version`` for a built-in normaliser."""
        return f"{self.label}#{self.content_hash}" if self.content_hash else self.label

    def words(self, text: str) -> tuple[str, ...]:
        """Normalise ``text`` and return its words."""
        return self.func(text)

    def text(self, text: str) -> str:
        """Normalise ``text`` and return its words joined by single spaces."""
        return " ".join(self.func(text))


def _none(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _basic(text: str) -> tuple[str, ...]:
    folded = str(_EDGE_PUNCT_TEXT.sub("", unicodedata.normalize("NFC", text).casefold()))
    if "\u2212" in folded:
        folded = str(_UNICODE_MINUS.sub("-", folded))
    return tuple(folded.split())


def _multilingual(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    folded = folded.translate(_DASHES)
    if "\u00a0" in folded or "\u202f" in folded or "\u2009" in folded:
        folded = str(_SPACE_GROUPED.sub(_join_groups, folded))
    if "'" in folded:
        folded = str(_ELISION_SPACE.sub(r"\1'", folded))  # "l' homme" is "l'homme"

    def keep_or_space(match: Any) -> str:
        pos, char = match.start(), match.group()
        before = folded[pos - 1] if pos > 0 else " "
        after = folded[pos + 1] if pos + 1 < len(folded) else " "
        if before.isdigit() and after.isdigit():
            return str(char)
        if char in _SIGNS and (after.isdigit() or after == ".") and _starts_number(folded, pos):
            return "-" if char == "\u2212" else str(char)
        if char == "'" and before.isalpha() and after.isalpha():
            return str(char)
        return " "

    out: list[str] = []
    for word in str(_PUNCT_OR_SYMBOL.sub(keep_or_space, folded)).split():
        if word in _MULTILINGUAL_FILLERS:
            continue
        if word[0].isdigit() or word[0] == "-":
            unit = None
            if (glued := _GLUED_UNIT.match(word)) and glued.group(2) in _MULTILINGUAL_UNITS:
                word, unit = glued.groups()  # "400mg" is "400 mg"
            if comma := _COMMA_NUMBER.match(word):
                word = _decimal_comma(comma)  # "38,5" is "38.5"; "1,500" stays
            out.append(word)
            if unit:
                out.append(unit)
            continue
        out.append(word)
    return tuple(out)


def _starts_number(text: str, pos: int) -> bool:
    """Whether the sign at ``text[pos]`` starts a word ("-5", ".5", "-.5") and a digit follows."""
    if pos > 0 and not (text[pos - 1].isspace() or _PUNCT_OR_SYMBOL.match(text[pos - 1])):
        return False
    return _SIGN_AT.match(text, pos) is not None


def _clinical_token(token: str) -> list[str]:
    """Edge punctuation, dotted abbreviations, thousands commas, hyphens, contractions."""
    if _DOTTED_ABBREV.match(token.rstrip(",;:!?")):
        return [token.rstrip(",;:!?")]
    token = str(_EDGE_PUNCT_CLINICAL.sub("", token))
    if token[:1] == "\u2212":
        token = "-" + token[1:]
    if token.startswith((".", "-.")):
        token = str(_NAKED_DECIMAL.sub(r"\g<1>0.", token))
    if token in en.FILLERS:
        return []  # "uh-huh" whole, before its hyphen splits it
    if token in en.NEGATIVE_BACKCHANNELS:
        return [token]
    if _THOUSANDS.match(token):
        return [token.replace(",", "")]
    if comma := _COMMA_NUMBER.match(token):
        return [_decimal_comma(comma)]
    if clock := _CLOCK.match(token):  # "2:30" as "two thirty" is said
        hour, minutes = str(int(clock.group(1))), clock.group(2)
        return [hour, "o'clock"] if minutes == "00" else [hour, minutes]
    if (glued := _NUMBER_UNIT.match(token)) and glued.group(2) in _WRITTEN_UNITS:
        return [glued.group(1), glued.group(2)]  # "5mg" is "5 mg", as "five milligrams" is
    out: list[str] = []
    for part in str(_INNER_HYPHEN.sub(" ", token)).split():
        out.extend(_expand_contraction(part).split())
    return out


def _decimal_comma(match: Any) -> str:
    """A comma number as a decimal with a point, unless it has a thousands group's shape."""
    sign, whole, fraction = match.group(1), match.group(2), match.group(3)
    if len(fraction) == 3 and len(whole) <= 3 and whole[0] != "0":
        return str(match.group())  # "1,500": a thousands group or a decimal, left as written
    return f"{sign}{whole}.{fraction}"


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
    folded = str(_BRACKETS.sub(" ", folded)).translate(_DASHES)
    if "\u00a0" in folded or "\u202f" in folded or "\u2009" in folded:
        folded = str(_SPACE_GROUPED.sub(_join_groups, folded))
    words: list[str] = []
    tokens = folded.split()
    for k, token in enumerate(tokens):
        following = tokens[k + 1] if k + 1 < len(tokens) else ""
        if token[-2:] in ("'s", "'d") and following in en.HAS_AFTER_S:
            # "he's been", "the dog's gone", "I'd been": "has" and "had", not "is" and "would"
            words.extend(_clinical_token(token[:-2]))
            words.append("has" if token[-1] == "s" else "had")
        elif token == "/":
            words.append("over")  # "120 / 80" as "120/80" and "120 over 80"
        else:
            words.extend(w for w in _clinical_token(token) if w not in en.FILLERS)
        if token[-1] in _CLAUSE_END:
            words.append(_BOUNDARY)  # "two hundred, five" is two numbers, not 205
    out: list[str] = []
    i = 0
    while i < len(words):
        parsed = en.parse_number(words, i)
        if parsed is None and words[i] == "point":
            parsed = en.parse_naked_decimal(words, i)
        if parsed is None and _NUMBER.match(words[i]):
            parsed = words[i], 1
        if parsed is not None:
            number, i = parsed[0], i + parsed[1]
            if i < len(words) and (ordinal := en.compound_ordinal(number, words[i])):
                number, i = ordinal, i + 1  # "twenty first", "30 second": one ordinal
            elif (
                i + 1 < len(words)
                and words[i] == "over"  # "120 over 80" is "120/80", as the reading is written
                and (below := _number_at(words, i + 1)) is not None
            ):
                number, i = f"{number}/{below[0]}", i + 1 + below[1]
            out.append(number)
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
        word = en.ORDINALS.get(word, word)
        out.append(en.UK_TO_US.get(word, word))
    return tuple(out)


def _number_at(words: list[str], i: int) -> tuple[str, int] | None:
    """The number (spelled or in digits) at ``words[i]``: (digits, words consumed), or None."""
    if _NUMBER.match(words[i]):
        return words[i], 1
    return en.parse_number(words, i)


def _join_groups(match: Any) -> str:
    return str(match.group()).replace("\u00a0", "").replace("\u202f", "").replace("\u2009", "")


def _whisper_step(name: str) -> Callable[[str], tuple[str, ...]]:
    """The ``_whisper`` normaliser ``name``, imported on its first call (see `_whisper_words`)."""
    return functools.partial(_whisper_words, name)


def _whisper_words(name: str, text: str) -> tuple[str, ...]:
    """``text``'s words by the ``_whisper`` normaliser ``name``.

    Imported here, on first use: whisper-normalizer's English module (~0.05-0.09 s to import and
    build) was paid by every command that reads this module, ``score notes`` and a run included,
    to offer three normalisers few use. A module-level function in a partial, so a normaliser
    still pickles.
    """
    from scribe_eval.metrics import _whisper

    func: Callable[[str], tuple[str, ...]] = getattr(_whisper, name)
    return func(text)


def _make(
    name: str, version: str, description: str, func: Callable[[str], tuple[str, ...]]
) -> Normalizer:
    return Normalizer(name=name, version=version, description=description, func=func)


_BUILTINS: tuple[Normalizer, ...] = (
    _make("none", "1", "Whitespace split only.", _none),
    _make("basic", "2", "NFC, case-folded, punctuation stripped at word edges.", _basic),
    _make(
        "english-clinical",
        "5",
        "basic + English canonicalisation safe for clinical text "
        "(numbers to digits, fillers, contractions, UK->US, units and 5mg as 5 mg, titles).",
        _english_clinical,
    ),
    _make(
        "multilingual",
        "3",
        "NFC, case-folded, punctuation and symbols to spaces, diacritics and marks kept; "
        "hesitations dropped, decimal commas and glued units written one way.",
        _multilingual,
    ),
    _make(
        "whisper-english",
        f"1+wn{WHISPER_NORMALIZER_VERSION}",
        "Whisper's EnglishTextNormalizer (whisper-normalizer package); 'oh' becomes 0.",
        _whisper_step("whisper_english"),
    ),
    _make(
        "whisper-english-keep-oh",
        f"1+wn{WHISPER_NORMALIZER_VERSION}",
        "Whisper's EnglishTextNormalizer with 'oh' kept as a word.",
        _whisper_step("whisper_english_keep_oh"),
    ),
    _make(
        "whisper-basic",
        f"1+wn{WHISPER_NORMALIZER_VERSION}",
        "Whisper's BasicTextNormalizer: bracketed text, symbols and marks removed.",
        _whisper_step("whisper_basic"),
    ),
)

PIPELINE_DIR = Path(__file__).parent / "normalizers"
_PIPELINE_SUFFIX = ".normalizer.yaml"
_LOADED: dict[str, Normalizer] = {}


def load_normalizer(path: str | Path) -> Normalizer:
    """Read a pipeline YAML file (see ``_pipeline``) into a ``Normalizer`` carrying its hash.

    The pipeline is remembered by name for this process, so a result's label finds it again.

    Raises:
        MetricError: the file is missing or malformed, or a step is unknown.
    """
    steps = {n.name: n.func for n in _BUILTINS}
    pipeline = load_pipeline(Path(path), steps)
    if pipeline.name in steps:
        raise MetricError(f"{path}: pipeline name {pipeline.name!r} is a built-in; rename it")
    normalizer = Normalizer(
        name=pipeline.name,
        version=pipeline.version,
        description=pipeline.description,
        func=pipeline.words,
        content_hash=pipeline.content_hash,
    )
    _LOADED[normalizer.name] = normalizer
    return normalizer


NORMALIZERS: Mapping[str, Normalizer] = MappingProxyType(
    {
        **{n.name: n for n in _BUILTINS},
        **{
            n.name: n
            for n in (load_normalizer(p) for p in sorted(PIPELINE_DIR.glob(f"*{_PIPELINE_SUFFIX}")))
        },
    }
)
"""Every built-in normaliser and shipped pipeline by name (read-only)."""


def get_normalizer(normalizer: str | Path | Normalizer) -> Normalizer:
    """Return the normaliser named ``normalizer``, read from a pipeline YAML path, or itself.

    Raises:
        MetricError: neither a name of ``NORMALIZERS`` nor an existing ``.yaml`` file.
    """
    if isinstance(normalizer, Normalizer):
        return normalizer
    key = str(normalizer)
    if key in NORMALIZERS:
        return NORMALIZERS[key]
    if key in _LOADED:
        return _LOADED[key]
    if key.endswith((".yaml", ".yml")) or Path(key).is_file():
        return load_normalizer(key)
    known = ", ".join(NORMALIZERS)
    raise MetricError(
        f"unknown normalizer {key!r}: use one of {known}, or the path of a pipeline YAML file"
    )


def normalizer_provenance(normalizer: str | Path | Normalizer) -> str:
    """``name@version#hash`` of a pipeline (``name@version`` of a built-in), for provenance."""
    return get_normalizer(normalizer).provenance
