"""Written numbers read by the note's language: "1,000" is a thousand in English, one in German.

Conventions (by the language's base code; ``en-GB`` is ``en``):

- decimal point (``en``, ``ga``, ``he``, ``hi``, ``ja``, ``ko``, ``ms``, ``th``, ``zh``): a comma
  groups thousands ("10,000 units"), a point is the decimal ("38.1").
- decimal comma (every other language: German, French, most of Europe): a point groups thousands
  ("10.000 Einheiten"), a comma is the decimal ("38,1").
- In every language a space groups thousands: a plain, no-break (U+00A0), narrow no-break
  (U+202F) or thin (U+2009) space ("5 000 unités", SI style).

A separator groups thousands only in the shape of a grouped number: a first group of 1-3 digits
that does not start with 0, then groups of exactly three digits. Every other separator between
digits is a decimal mark, whichever the language, so a note written in the other convention is
still read ("38,1" in English and "38.5" in German are decimals). The ambiguous forms, and the
rule for each:

- "1,500" in English and "1.500" in German are 1500 (the language's grouping shape wins);
  "1.500" in English and "1,500" in German are 1.5 (the language's decimal mark).
- "1,5", "38,25", "0,125" in English: a decimal comma (no thousands group has 1, 2 or 4 digits
  or starts with 0); likewise "38.5", "0.125" in German are decimals.
- "1.000,5" or "1,000.5" (both marks): the last mark is the decimal, the other groups, in every
  language.
- A space groups only between digit groups of that shape and not before a ratio ("45 120/80" is
  two numbers). Digits typed apart with a plain space ("Take 2 500 mg tablets") read as one
  number (2500); spelled counts are safe ("two 500 mg tablets" stays 2 and 500, because numbers
  are read before spelled numbers become digits).

A point that starts a number after a space or a bracket is its decimal point, in every language:
".5 mg" is "0.5 mg" (a naked decimal, read 5 mg by mistake: a tenfold error, not a missing fact).

The output writes every number with a point as the decimal and no grouping ("10000", "38.1"),
the form the fact extractors parse. Read a text once: reading "1,125" (German: 1.125) again as
German would group it.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["DecimalMark", "decimal_mark", "read_numbers"]

DecimalMark = Literal[".", ","]

_DECIMAL_POINT = frozenset({"en", "ga", "he", "hi", "ja", "ko", "ms", "th", "zh"})
_SPACE = "[ \u00a0\u202f\u2009]"


def _groups(mark: str) -> str:
    """A first group of 1-3 digits (not starting with 0), then groups of three after ``mark``."""
    return rf"[1-9]\d{{0,2}}(?:{mark}\d{{3}})+"


# The shapes a written number can take; which mark is the decimal is decided by `_canonical`.
_NUMBER = re.compile(
    r"(?<![\w.,])(?:"
    + _groups(r"\.")
    + r"(?:,\d+)?"
    + "|"
    + _groups(",")
    + r"(?:\.\d+)?"
    # Space-grouped, never before a ratio: "45 120/80" is two numbers.
    + "|"
    + _groups(_SPACE)
    + rf"(?:[.,]\d+)?(?!{_SPACE}*/)"
    + r"|\d+(?:[.,]\d+)?"
    + r")(?!\d|[.,]\d)"
)
_GROUPED = re.compile(_groups(","))
# A naked decimal, ".5" (a point starting a number, not after a word, number or mark): "0.5".
_LEADING_POINT = re.compile(r"(?<![\w.,])\.(?=\d)")


def decimal_mark(language: str) -> DecimalMark:
    """The decimal mark of ``language`` (a BCP 47 tag such as ``en``, ``de-DE``, ``fr``)."""
    base = language.replace("_", "-").split("-")[0].strip().lower()
    return "." if base in _DECIMAL_POINT else ","


def read_numbers(text: str, language: str = "en") -> str:
    """``text`` with every written number as digits, a point decimal and no grouping."""
    decimal = decimal_mark(language)
    text = _LEADING_POINT.sub("0.", text)
    return _NUMBER.sub(lambda m: _canonical(m.group(), decimal), text)


def _canonical(number: str, decimal: DecimalMark) -> str:
    """One written number (a match of `_NUMBER`) as digits with a point decimal."""
    digits = re.sub(_SPACE, "", number)
    if "." in digits and "," in digits:
        last = "." if digits.rindex(".") > digits.rindex(",") else ","
        group = "," if last == "." else "."
        return digits.replace(group, "").replace(last, ".")
    mark = "." if "." in digits else "," if "," in digits else ""
    if not mark:
        return digits
    if mark != decimal and _GROUPED.fullmatch(digits.replace(mark, ",")):
        return digits.replace(mark, "")
    if digits.count(mark) > 1:
        return digits.replace(mark, "")  # "1.000.000": only grouping repeats its mark
    return digits.replace(mark, ".")
