"""Quantities of a note as canonical strings: "10 mg", "120/80", "2-3 day", "38.5 °c".

Spelled English numbers become digits first ("thirty eight point five" -> "38.5"), a German decimal
comma becomes a point, and spoken units are canonical ("10 milligrams" is "10 mg", "145 over 90"
and "145 zu 90" are "145/90"). A ratio drops its "mmHg" (a blood pressure is written both ways);
beats per minute are "/min"; grams below 10 become milligrams ("1 g" is "1000 mg").

A number without a unit is a fact only when the context implies one: the nearest measurement cue
within the previous ``_CUE_WINDOW`` words ("Temperature today is 38.1", "Have you had a fever?
Yes, it was 38.5") gives the unit when the value is plausible for it (34-43 for °C, 40-220 for a
pulse, ...). Frequencies ("twice daily") are medication facts, not quantities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scribe_eval.metrics import _english as en

__all__ = ["quantities", "spelled_to_digits"]

_UNITS = {
    "mg/dl": "mg/dl", "umol/l": "umol/l", "µmol/l": "umol/l", "cm": "cm", "mm": "mm",
    "mmol/l": "mmol/l", "mmol/mol": "mmol/mol", "mmhg": "mmhg", "mcg": "mcg",
    "µg": "mcg", "μg": "mcg", "mg": "mg", "kg": "kg", "g": "g", "ml": "ml", "l": "l", "%": "%",
    "°c": "°c", "° c": "°c", "grad": "°c", "°f": "°f", "bpm": "/min", "/min": "/min",
    "per minute": "/min", "beats per minute": "/min", "schläge pro minute": "/min",
    "units": "unit", "unit": "unit", "iu": "unit", "ie": "unit", "einheiten": "unit",
    "days": "day", "day": "day", "tage": "day", "tagen": "day", "tag": "day",
    "weeks": "week", "week": "week", "wochen": "week", "woche": "week",
    "months": "month", "month": "month", "monate": "month", "monaten": "month", "monat": "month",
    "years": "year", "year": "year", "jahre": "year", "jahren": "year", "jahr": "year",
    "hours": "hour", "hour": "hour", "h": "hour", "hrs": "hour", "stunden": "hour",
    "stunde": "hour", "minutes": "minute", "minute": "minute", "min": "minute",
    "minuten": "minute", "tablets": "tablet", "tablet": "tablet", "tabletten": "tablet",
    "tablette": "tablet", "puffs": "puff", "puff": "puff", "hübe": "puff", "hub": "puff",
    "milligrams": "mg", "milligram": "mg", "milligramm": "mg", "micrograms": "mcg",
    "microgram": "mcg", "mikrogramm": "mcg", "kilograms": "kg", "kilogram": "kg", "kilos": "kg",
    "kilogramm": "kg", "kilo": "kg", "grams": "g", "gram": "g", "gramm": "g",
    "millilitres": "ml", "milliliters": "ml", "millilitre": "ml", "milliliter": "ml",
    "litres": "l", "liters": "l", "litre": "l", "liter": "l", "percent": "%", "per cent": "%",
    "prozent": "%", "degrees": "°c", "degrees celsius": "°c", "grad celsius": "°c",
    "millimetres of mercury": "mmhg", "millimeters of mercury": "mmhg",
}  # fmt: skip
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUM = r"\d+(?:[.,]\d+)?"
_RATIO = r"\s*(?:/|\bover\b|\bzu\b)\s*"
_RANGE = r"\s*(?:-|–|\bto\b|\bbis\b)\s*"
_QUANTITY = re.compile(
    rf"(?<![\w.,/-])({_NUM})(?:{_RATIO}({_NUM})|{_RANGE}({_NUM}))?"
    rf"(?:\s*({_UNIT_RE})(?![\w/]))?(?![\w/-]|[.,]\d)",
    re.IGNORECASE,
)
_NUMBER_WORDS = "|".join([*en.ONES, *en.TENS, *en.SCALES])
_SPELLED = re.compile(
    rf"\b(?:{_NUMBER_WORDS})(?:(?:[\s-]+(?:and\s+)?)(?:{_NUMBER_WORDS}))*"
    rf"(?:\s+point(?:\s+(?:{'|'.join(en.ONES)}))+)?\b"
)
_GERMAN_NUMBERS = {
    "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7",
    "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12", "vierzehn": "14",
    "zwanzig": "20", "dreißig": "30",
}  # fmt: skip
_GERMAN_SPELLED = re.compile(
    rf"\b({'|'.join(_GERMAN_NUMBERS)})(?=\s+(?:{_UNIT_RE}|bis)\b)", re.IGNORECASE
)
# Measurement cues and the unit they imply for a bare number in the plausible range.
_CUES: tuple[tuple[re.Pattern[str], str, float, float], ...] = (
    (re.compile(r"temp\w*|fever\w*|febrile|pyrexi\w*|fieber\w*|körpertemperatur"), "°c", 34, 43),
    (re.compile(r"temp\w*|fever\w*|febrile"), "°f", 94, 108),
    (re.compile(r"pulse|hr|heart|puls|herzfrequenz|hf"), "/min", 30, 220),
    (re.compile(r"sats?|saturation|spo2|sao2|oxygen|sättigung|sauerstoffsättigung"), "%", 70, 100),
    (re.compile(r"weight|weighs|weighed|gewicht|wiegt"), "kg", 2, 250),
    (re.compile(r"hba1c"), "%", 4, 15),
)
_CUE_WINDOW = 12
_WORD = re.compile(r"[^\W_]+")


def spelled_to_digits(text: str) -> str:
    """Spelled English numbers (and German ones before a unit) as digits."""

    def convert(match: re.Match[str]) -> str:
        words = match.group().replace("-", " ").split()
        parsed = en.parse_number(words, 0)
        if parsed is None or parsed[1] != len(words):
            return match.group()
        return parsed[0]

    text = _SPELLED.sub(convert, text)
    return _GERMAN_SPELLED.sub(lambda m: _GERMAN_NUMBERS[m.group(1).lower()], text)


def canonical_number(number: str) -> str:
    """ "38,50" -> "38.5"; "010" stays as written apart from the decimal part."""
    number = number.replace(",", ".")
    return number.rstrip("0").rstrip(".") if "." in number else number


def quantities(text: str) -> Iterable[str]:
    """Every quantity fact of ``text`` (lower-case, spelled numbers already allowed)."""
    text = spelled_to_digits(text)
    for match in _QUANTITY.finditer(text):
        fact = _fact(match) or _implied(text, match)
        if fact is not None:
            yield fact


def _fact(match: re.Match[str]) -> str | None:
    value, denominator, upper, unit_text = match.groups()
    unit = _UNITS[unit_text.lower()] if unit_text else None
    if denominator is not None:
        return f"{canonical_number(value)}/{canonical_number(denominator)}" + (
            f" {unit}" if unit not in (None, "mmhg") else ""
        )
    if unit is None:
        return None
    if unit == "g" and float(value.replace(",", ".")) < 10 and upper is None:
        return f"{_scaled(value, 1000)} mg"
    number = canonical_number(value)
    if upper is not None:
        number += "-" + canonical_number(upper)
    return f"{number} {unit}"


def _scaled(value: str, factor: int) -> str:
    scaled = round(float(value.replace(",", ".")) * factor, 6)
    return canonical_number(f"{scaled:f}")


def _implied(text: str, match: re.Match[str]) -> str | None:
    value, denominator, upper, _ = match.groups()
    if denominator is not None or upper is not None:
        return None
    number = float(value.replace(",", "."))
    before = _WORD.findall(text[: match.start()])[-_CUE_WINDOW:]
    for word in reversed(before):
        if word in _UNITS:
            return None  # the cue belongs to an earlier quantity that wrote its unit
        units = [(u, lo, hi) for cue, u, lo, hi in _CUES if cue.fullmatch(word)]
        if units:
            for unit, lo, hi in units:
                if lo <= number <= hi:
                    return f"{canonical_number(value)} {unit}"
            return None
    return None
