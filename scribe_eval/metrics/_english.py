"""Data and helpers for the ``english-clinical`` normaliser: number words, spellings, fillers.

Written for this project (no downloads), in the spirit of Whisper's English normaliser but with
clinical safety first: possessives, parenthesised text, fractions and dose abbreviations survive.
"""

from __future__ import annotations

from collections.abc import Sequence

FILLERS = frozenset(
    {"hmm", "hm", "mm", "mhm", "mmm", "uh", "um", "uhm", "umm", "uh-huh", "mm-hmm", "mm-hm"}
)
"""Disfluencies dropped before scoring, matched as whole tokens ("uh-huh" too, before its hyphen
splits it). "er" is kept on purpose: it is the emergency room."""

NEGATIVE_BACKCHANNELS = frozenset({"uh-uh", "mm-mm", "huh-uh", "nuh-uh"})
"""Spoken "no" kept as one word: made of filler syllables, they would otherwise vanish, and a
patient's "uh-uh" heard as "uh-huh" (no heard as yes) would cost nothing."""

HAS_AFTER_S = frozenset({"been", "got", "gotten", "gone", "had"})
"""After these, "'s" is "has" ("he's been", "the dog's gone") and "'d" is "had" ("I'd been")."""

# Only pronouns and wh-words take "'s" = "is": every other "'s" may be a possessive.
S_IS_WORDS = frozenset(
    {"it", "that", "there", "here", "what", "where", "who", "how", "he", "she", "this"}
)
CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "let's": "let us",
    "ain't": "is not",
    "shan't": "shall not",
}
CONTRACTION_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ll", " will"), ("'ve", " have"))
PRONOUN_SUFFIXES = {"'m": " am", "'d": " would"}
PRONOUNS = frozenset({"i", "you", "he", "she", "it", "we", "they", "that", "there", "who"})

_UK_US_BASE = {
    "anaemia": "anemia",
    "anaemic": "anemic",
    "anaesthesia": "anesthesia",
    "anaesthetic": "anesthetic",
    "anaesthetist": "anesthetist",
    "haemoglobin": "hemoglobin",
    "haemorrhage": "hemorrhage",
    "haemorrhoid": "hemorrhoid",
    "haematoma": "hematoma",
    "haematuria": "hematuria",
    "haematology": "hematology",
    "haemoptysis": "hemoptysis",
    "oesophagus": "esophagus",
    "oesophageal": "esophageal",
    "oesophagitis": "esophagitis",
    "oedema": "edema",
    "oestrogen": "estrogen",
    "paediatric": "pediatric",
    "paediatrician": "pediatrician",
    "orthopaedic": "orthopedic",
    "gynaecology": "gynecology",
    "gynaecological": "gynecological",
    "diarrhoea": "diarrhea",
    "dyspnoea": "dyspnea",
    "apnoea": "apnea",
    "leukaemia": "leukemia",
    "ischaemia": "ischemia",
    "ischaemic": "ischemic",
    "septicaemia": "septicemia",
    "foetus": "fetus",
    "foetal": "fetal",
    "coeliac": "celiac",
    "caesarean": "cesarean",
    "tumour": "tumor",
    "colour": "color",
    "behaviour": "behavior",
    "favour": "favor",
    "labour": "labor",
    "humour": "humor",
    "centre": "center",
    "litre": "liter",
    "millilitre": "milliliter",
    "metre": "meter",
    "centimetre": "centimeter",
    "millimetre": "millimeter",
    "fibre": "fiber",
    "sulphate": "sulfate",
    "sulphur": "sulfur",
    "aluminium": "aluminum",
    "grey": "gray",
    "ageing": "aging",
    "programme": "program",
    "analyse": "analyze",
    "paralyse": "paralyze",
    "recognise": "recognize",
    "organise": "organize",
    "hospitalise": "hospitalize",
    "immunise": "immunize",
    "stabilise": "stabilize",
    "minimise": "minimize",
    "catheterise": "catheterize",
    "characterise": "characterize",
    "catalogue": "catalog",
    "dialyse": "dialyze",
    "manoeuvre": "maneuver",
    "mould": "mold",
    "plough": "plow",
    "practise": "practice",
    "licence": "license",
    "defence": "defense",
    "offence": "offense",
}


def _inflect(base: dict[str, str]) -> dict[str, str]:
    """Add the regular plural and verb forms of each UK -> US pair (both sides inflect alike)."""
    out = dict(base)
    for uk, us in base.items():
        if uk.endswith("ise") and us.endswith("ize"):
            stem_uk, stem_us = uk[:-1], us[:-1]
            out.update({stem_uk + "ed": stem_us + "ed", stem_uk + "es": stem_us + "es"})
            out[stem_uk[:-2] + "sing"] = stem_us[:-2] + "zing"
            out[stem_uk[:-2] + "sation"] = stem_us[:-2] + "zation"
        elif uk.endswith("e") and us.endswith("er"):
            out[uk + "s"] = us + "s"
        else:
            out.setdefault(uk + "s", us + "s")
    return out


UK_TO_US = _inflect(_UK_US_BASE)
"""UK spelling -> US spelling, the US form being canonical."""

TITLES = {
    "mr": "mister",
    "mrs": "missus",
    "dr": "doctor",
    "prof": "professor",
    "jr": "junior",
    "sr": "senior",
}
"""Abbreviated titles -> the spoken word (as Whisper's English normaliser does), with or without
the dot: a recogniser writing "Mr Green" for the spoken "mister Green" is not an error."""

UNITS = {
    "milligram": "mg",
    "milligrams": "mg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "gram": "g",
    "grams": "g",
    "kilogram": "kg",
    "kilograms": "kg",
    "milliliter": "ml",
    "milliliters": "ml",
    "millilitre": "ml",
    "millilitres": "ml",
    "percent": "%",
    "per cent": "%",
}
"""Spoken unit words -> their written abbreviation (after a number only)."""
_UNIT_ABBREVIATIONS = frozenset(UNITS.values()) - {"%"}

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
    "thousandth": 1000,
}  # fmt: skip


def ordinal_suffix(value: int) -> str:
    """``value`` written as a digit ordinal: 1st, 2nd, 3rd, 11th, 21st, 112th."""
    if value % 100 in (11, 12, 13):
        return f"{value}th"
    return f"{value}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(value % 10, 'th') }"


ORDINALS = {word: ordinal_suffix(value) for word, value in _ORDINAL_WORDS.items()}
"""Spelled ordinals -> digits with their suffix ("second" -> "2nd"), as recognisers write them.
"second" the unit of time goes the same way on both sides, so it costs nothing."""


def compound_ordinal(number: str, word: str) -> str | None:
    """A tens or hundreds number followed by a smaller ordinal as one ordinal: ("20", "first")
    is "21st", ("100", "fifth") "105th"; None when they do not compose ("5", "first")."""
    value = _ORDINAL_WORDS.get(word)
    if value is None or not number.isdigit() or value >= 100:
        return None
    base = int(number)
    if (value < 10 and base >= 20 and base % 10 == 0) or (base >= 100 and base % 100 == 0):
        return ordinal_suffix(base + value)
    return None


ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


def _is_number_word(word: str) -> bool:
    return word in ONES or word in TENS or word in SCALES


def parse_number(words: Sequence[str], start: int) -> tuple[str, int] | None:
    """Read spelled digits at ``words[start:]``; return (digits, words consumed) or None.

    Handles "one hundred and twenty five" -> "125", "three point five" -> "3.5" and
    "twenty-five" (after hyphen splitting). A lone "and" or "point" is never consumed.
    """
    total, current, i, seen = 0, 0, start, False
    while i < len(words):
        word = words[i]
        if word in ONES:
            if seen and (current % 10 or 0 < current < 20):
                break  # "five six" is two numbers, not fifty-six
            current += ONES[word]
        elif word in TENS:
            if seen and current % 100:
                break
            current += TENS[word]
        elif word in SCALES and seen:
            scale = SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        elif word == "and" and seen and i + 1 < len(words) and _is_number_word(words[i + 1]):
            i += 1
            continue
        else:
            break
        seen = True
        i += 1
    if not seen:
        return None
    digits = str(total + current)
    if i + 1 < len(words) and words[i] == "point" and words[i + 1] in ONES:
        decimals = []
        i += 1
        while i < len(words) and words[i] in ONES and ONES[words[i]] < 10:
            decimals.append(str(ONES[words[i]]))
            i += 1
        digits += "." + "".join(decimals)
    return digits, i - start


def parse_naked_decimal(words: Sequence[str], start: int) -> tuple[str, int] | None:
    """Read "point five milligrams" at ``words[start:]`` as "0.5"; return (digits, words consumed).

    Only before a dose unit ("mg", "milligrams", "ml", "percent"), so that "at that point two
    nurses came" keeps its "point"; the unit itself is left for the caller.
    """
    i = start + 1
    if start >= len(words) or words[start] != "point":
        return None
    while i < len(words) and ONES.get(words[i], 10) < 10:
        i += 1
    if i == start + 1 or i >= len(words):
        return None
    if words[i] not in UNITS and words[i] not in _UNIT_ABBREVIATIONS:
        return None
    return "0." + "".join(str(ONES[w]) for w in words[start + 1 : i]), i - start
