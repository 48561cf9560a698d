"""Data and helpers for the ``english-clinical`` normaliser: number words, spellings, fillers.

Written for this project (no downloads), in the spirit of Whisper's English normaliser but with
clinical safety first: possessives, parenthesised text, fractions and dose abbreviations survive.
"""

from __future__ import annotations

from collections.abc import Sequence

FILLERS = frozenset({"hmm", "hm", "mm", "mhm", "mmm", "uh", "um", "uhm", "umm", "uh-huh"})
"""Disfluencies dropped before scoring. "er" is kept on purpose: it is the emergency room."""

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
