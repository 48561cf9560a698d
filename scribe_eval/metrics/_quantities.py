"""Quantities of a note as canonical strings: "10 mg", "120/80", "2-3 day", "38.5 °c".

The text's numbers are read first, by its language (``_numbers.read_numbers``: "10,000 units" in
English and "10.000 Einheiten" in German are both "10000 unit"). Spelled English numbers then become
digits ("thirty eight point five" -> "38.5"; German and French ones before a unit, "deux jours") and
spoken units are canonical in English, German and French ("10 milligrams" is "10 mg", "145 over 90",
"145 zu 90" and "145 sur 90" are "145/90", "6 mois" is "6 month"). A ratio drops its "mmHg" (a blood
pressure is written both ways); beats per minute are "/min"; grams below 10 become milligrams ("1 g"
is "1000 mg"); a volume is in litres from one litre and in millilitres below ("1500 ml" is "1.5 l",
"0.5 l" is "500 ml"); a weight in pounds stays in pounds ("154 lb": the fact check matches it with
the kilograms of the other note, ``_facts``), a length in the unit it is written in ("1.78 m"; the
fact check matches it with "178 cm"). Clinical shorthand for a duration is that duration ("x 5/7"
is "5 day", "2/52 ago" "2 week", "for 3/12" "3 month"), "a fortnight" is "2 week", and "7 out
of 10" is "7/10". A unit per body weight, area or time is part of the
quantity ("15 mg/kg", "0.1 mcg/kg/min", "2 l/min"), but a lone per-day or per-week is the dose's
frequency ("60 mg/day" is "60 mg", as "60 mg daily" is).

Temperatures keep their scale: "101.3F" is "101.3 °f" (converting would round: 38.1 °C is
100.58 °F; the fact check matches a reading across scales, ``_facts``). A letter glued or next
to a number is a scale only for a body temperature on it ("38.1C": 30-45 °C; "101.3F": 94-108
°F, so "82F", an 82-year-old woman, is no temperature); a scale-less "degrees" is °F in the °F
range, else °C.

A number without a unit is a fact only when the context implies one: the nearest measurement cue
within the previous ``_CUE_WINDOW`` words ("Temperature today is 38.1", "Have you had a fever?
Yes, it was 38.5") gives the unit when the value is plausible for it (34-43 for °C, 40-220 for a
pulse, ...), and to a range when both its ends are ("Fever 38 to 39.5" is "38-39.5 °c"). A
duration, dose or count on the way ("Temperature up and down for 3 days, today 38.1") does not
end the search; any other unit word does (the cue before it had its value written with its unit:
"Pulse 96/min, age 45" gives no pulse of 45). "T" is a temperature cue
only right before its value and inside a run of vital signs ("T 38.1 HR 96", "BP 120/80, T
37.9"): alone, "T 38" is too often something else. Frequencies ("twice daily") are medication
facts, not quantities.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from scribe_eval.metrics import _english as en

__all__ = ["quantities", "spelled_to_digits"]

_UNITS = {
    "mg/dl": "mg/dl", "umol/l": "umol/l", "µmol/l": "umol/l", "cm": "cm", "mm": "mm",
    "mmol/l": "mmol/l", "mmol/mol": "mmol/mol", "mmhg": "mmhg", "mcg": "mcg",
    "µg": "mcg", "μg": "mcg", "mg": "mg", "kg": "kg", "g": "g", "ml": "ml", "l": "l", "%": "%",
    "°c": "°c", "° c": "°c", "ºc": "°c", "º c": "°c", "℃": "°c", "grad": "°c", "°f": "°f",
    "° f": "°f", "ºf": "°f", "º f": "°f", "℉": "°f", "c": "°c", "f": "°f", "bpm": "/min",
    "/min": "/min",
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
    "kilogramm": "kg", "kilo": "kg", "lb": "lb", "lbs": "lb", "pounds": "lb", "pound": "lb",
    "grams": "g", "gram": "g", "gramm": "g",
    "millilitres": "ml", "milliliters": "ml", "millilitre": "ml", "milliliter": "ml",
    "litres": "l", "liters": "l", "litre": "l", "liter": "l", "percent": "%", "per cent": "%",
    "prozent": "%", "degrees": "°c", "degree": "°c", "degrees celsius": "°c", "degrees c": "°c",
    "grad celsius": "°c", "degrees fahrenheit": "°f", "degrees f": "°f", "fahrenheit": "°f",
    "millimetres of mercury": "mmhg", "millimeters of mercury": "mmhg",
    "m": "m", "metres": "m", "meters": "m", "metre": "m", "meter": "m", "centimetres": "cm",
    "centimeters": "cm", "centimetre": "cm", "centimeter": "cm", "millimetres": "mm",
    "millimeters": "mm", "millimetre": "mm", "millimeter": "mm", "zentimeter": "cm",
    "mètres": "m", "mètre": "m", "centimètres": "cm", "centimètre": "cm",
    "millimètres": "mm", "millimètre": "mm",
    # French
    "jours": "day", "jour": "day", "semaines": "week", "semaine": "week", "mois": "month",
    "ans": "year", "an": "year", "années": "year", "année": "year", "heures": "hour",
    "heure": "hour", "comprimés": "tablet", "comprimé": "tablet", "bouffées": "puff",
    "bouffée": "puff", "milligrammes": "mg", "microgrammes": "mcg", "kilogrammes": "kg",
    "grammes": "g", "unités": "unit", "pour cent": "%", "degrés": "°c", "degré": "°c",
    "battements par minute": "/min",
}  # fmt: skip
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"  # numbers are read first (`read_numbers`): a point decimal, no groups
_RATIO = r"\s*(?:/|\bover\b|\bout\s+of\b|\bzu\b|\bvon\b|\bsur\b)\s*"
_RANGE = r"\s*(?:-|–|\bto\b|\bbis\b|\bà\b)\s*"
# A dose per body weight or area, or a rate per time: "15 mg/kg", "2 l/min", "0.1 mcg/kg/min".
_PER = {
    "kg": "kg", "m2": "m2", "m²": "m2", "h": "hour", "hr": "hour", "hour": "hour", "min": "min",
    "minute": "min", "d": "day", "day": "day", "24h": "day", "week": "week", "wk": "week",
}  # fmt: skip
#: The canonical names a compound unit's parts after its first take ("mg/kg/hour").
PER_UNITS = frozenset(_PER.values())
#: A lone per-day or per-week is the dose's frequency, as "daily" is: "60 mg/day" is "60 mg".
_FREQUENCY = frozenset({"day", "week"})
_PER_RE = "|".join(re.escape(u) for u in sorted(_PER, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w.,/-])({_NUM})(?:{_RATIO}({_NUM})|{_RANGE}({_NUM}))?"
    rf"(?:\s*({_UNIT_RE})((?:/(?:{_PER_RE}))*)(?![\w/]))?(?![\w/-]|[.,]\d)",
    re.IGNORECASE,
)
_NUMBER_WORDS = "|".join([*en.ONES, *en.TENS, *en.SCALES])
_SPELLED = re.compile(
    rf"\b(?:{_NUMBER_WORDS})(?:(?:[\s-]+(?:and\s+)?)(?:{_NUMBER_WORDS}))*"
    rf"(?:\s+point(?:\s+(?:{'|'.join(en.ONES)}))+)?\b"
)
# German and French numbers spelled before a unit ("zwei Tage", "deux jours", "une semaine").
_SPELLED_BEFORE_UNIT = {
    "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7",
    "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12", "vierzehn": "14",
    "zwanzig": "20", "dreißig": "30",
    "un": "1", "une": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7",
    "huit": "8", "dix": "10", "quinze": "15", "vingt": "20", "trente": "30",
}  # fmt: skip
_SPELLED_BEFORE = re.compile(
    rf"\b({'|'.join(_SPELLED_BEFORE_UNIT)})(?=\s+(?:{_UNIT_RE}|bis|à)\b)", re.IGNORECASE
)
# Measurement cues and the unit they imply for a bare number in the plausible range.
# ("t" only before its value in a vitals run: see `_implied`.)
_CUES: tuple[tuple[re.Pattern[str], str, float, float], ...] = (
    (re.compile(r"t|temp\w*|tmax|fever\w*|febrile|pyrexi\w*|fieber\w*|körpertemperatur|fièvre"),
     "°c", 34, 43),
    (re.compile(r"t|temp\w*|tmax|fever\w*|febrile"), "°f", 94, 108),
    (re.compile(r"pulse|hr|heart|puls|herzfrequenz|hf|pouls|cardiaque|fc"), "/min", 30, 220),
    (re.compile(r"sats?|saturations?|spo2|sao2|oxygen|sättigung|sauerstoffsättigung"), "%", 70,
     100),
    (re.compile(r"weight|weighs|weighed|gewicht|wiegt|poids|pèse"), "kg", 2, 250),
    (re.compile(r"hba1c"), "%", 4, 15),
)  # fmt: skip
_CUE_WINDOW = 12
_WORD = re.compile(r"[^\W_]+")
# Units a cue gives: a quantity written with one of them used its cue up.
_MEASURED = frozenset({*(unit for _, unit, _, _ in _CUES), "mmhg", "lb"})
# A scale letter is a unit only for a body temperature on that scale, "m" only for a height in
# metres ("45 M" is a 45-year-old man); "degrees" names no scale.
_SCALE_LETTERS = {"c": (30.0, 45.0), "f": (94.0, 108.0), "m": (0.3, 2.5)}
_SCALELESS = frozenset({"degrees", "degree", "grad", "degrés", "degré"})
# "T" is a temperature only in a run of vital signs: one of these within _VITALS_REACH words.
_VITAL_SIGN = re.compile(
    r"(?<![\w/])(?:hr|pulse|bp|rr|resp|spo2|sao2|sats?|o2|bpm|mmhg|\d+/\d+)(?![\w/])"
)
_VITALS_REACH = 6
# A lone "x" glued to a number is a multiplication sign: "cough x3 days" is "cough x 3 days".
_TIMES = re.compile(r"(?<![\w.])x(?=\d)")
# Clinical shorthand for a duration: "x 5/7" is 5 days, "2/52 ago" 2 weeks, "for 3/12" 3 months.
# Sevenths and fifty-seconds are nothing else in a note (a pain score is out of 10, power out of
# 5); twelfths are months only after "x", "for", "in", "since", "last", "past" or "over", or
# before "ago", "hx" or "history" ("6/12" alone is as likely a visual acuity).
_SHORTHAND = re.compile(r"(?<![\w.,/-])(\d{1,2})/(7|52|12)(?![\w/-]|[.,]\d)")
_SHORTHAND_UNITS = {"7": "days", "52": "weeks", "12": "months"}
_MONTHS_BEFORE = re.compile(r"(?:\bx|\b(?:for|in|since|last|past|over))\s*$", re.IGNORECASE)
_MONTHS_AFTER = re.compile(r"\s*(?:ago|hx|history)\b", re.IGNORECASE)
_FORTNIGHT = re.compile(r"\b(?:(?:a|one)\s+)?fortnight\b", re.IGNORECASE)


def spelled_to_digits(text: str) -> str:
    """Spelled English numbers (and German and French ones before a unit) as digits."""

    def convert(match: re.Match[str]) -> str:
        words = match.group().replace("-", " ").split()
        parsed = en.parse_number(words, 0)
        if parsed is None or parsed[1] != len(words):
            return match.group()
        return parsed[0]

    text = _SPELLED.sub(convert, text)
    return _SPELLED_BEFORE.sub(lambda m: _SPELLED_BEFORE_UNIT[m.group(1).lower()], text)


def canonical_number(number: str) -> str:
    """ "38.50" -> "38.5"; "010" stays as written apart from the decimal part (read numbers)."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def quantities(text: str) -> Iterable[str]:
    """Every quantity fact of ``text``: lower-case, its numbers read (`read_numbers`)."""
    return read_quantities(text)[0]


def read_quantities(text: str) -> tuple[list[str], set[str]]:
    """The quantity facts of ``text`` (`quantities`), and in one reading its *bare numbers*: the
    numbers that are no quantity (no unit, ratio or range, none implied by a cue), canonical
    ("38.50" is "38.5"). Only the other note can say what those measure."""
    facts: list[str] = []
    bare: set[str] = set()
    for match, fact in _read(text):
        if fact is not None:
            facts.append(fact)
        elif not any(match.groups()[1:4]):
            bare.add(canonical_number(match.group(1)))
    return facts, bare


def _read(text: str) -> Iterable[tuple[re.Match[str], str | None]]:
    """Each number of ``text`` with the quantity fact it makes, if any."""
    text = _shorthand(_FORTNIGHT.sub("2 weeks", _TIMES.sub("x ", spelled_to_digits(text))))
    matches = list(_QUANTITY.finditer(text))
    words = list(_WORD.finditer(text))
    passed = [(m.start(), m.end()) for m in matches if _unit(m) not in (None, *_MEASURED)]
    for match in matches:
        yield match, _fact(match) or _implied(text, match, words, passed)


def _shorthand(text: str) -> str:
    """Clinical duration shorthand as words: "x 5/7" is "x 5 days" (see `_SHORTHAND`)."""

    def words(match: re.Match[str]) -> str:
        count, denominator = match.groups()
        if denominator == "12" and not (
            _MONTHS_BEFORE.search(text, max(0, match.start() - 12), match.start())
            or _MONTHS_AFTER.match(text, match.end())
        ):
            return match.group()
        return f"{count} {_SHORTHAND_UNITS[denominator]}" if int(count) else match.group()

    return _SHORTHAND.sub(words, text)


def _unit(match: re.Match[str]) -> str | None:
    """The canonical unit a match wrote, if any (a scale letter only for a body temperature)."""
    value, _, _, unit_text, _ = match.groups()
    if not unit_text:
        return None
    unit_text = unit_text.lower()
    number = float(value)
    if unit_text in _SCALE_LETTERS:
        lo, hi = _SCALE_LETTERS[unit_text]
        return _UNITS[unit_text] if lo <= number <= hi else None
    if unit_text in _SCALELESS:
        lo, hi = _SCALE_LETTERS["f"]
        return "°f" if lo <= number <= hi else "°c"
    return _UNITS[unit_text]


def _fact(match: re.Match[str]) -> str | None:
    value, denominator, upper, _, _ = match.groups()
    unit = _unit(match)
    if unit is not None:
        unit += _per(match)
    if denominator is not None:
        return f"{canonical_number(value)}/{canonical_number(denominator)}" + (
            f" {unit}" if unit not in (None, "mmhg") else ""
        )
    if unit is None:
        return None
    base, slash, per = unit.partition("/")
    ends = [value] if upper is None else [value, upper]
    if base == "g" and all(float(end) < 10 for end in ends):
        # "1 g" is "1000 mg", and "1-2 g" is "1000-2000 mg".
        return "-".join(_scaled(end, 1000) for end in ends) + f" mg{slash}{per}"
    if base in _VOLUME:
        # Litres from one litre, millilitres below: "1500 ml" is "1.5 l", "0.5 l" is "500 ml".
        millilitres = [float(end) * _VOLUME[base] for end in ends]
        base, factor = ("l", 0.001) if max(millilitres) >= 1000 else ("ml", 1.0)
        written = (_scaled(str(value), factor) for value in millilitres)
        return "-".join(written) + f" {base}{slash}{per}"
    return "-".join(canonical_number(end) for end in ends) + f" {unit}"


#: Volume units in millilitres (a volume is written in litres from one litre, `_fact`).
_VOLUME = {"ml": 1.0, "l": 1000.0}


def _per(match: re.Match[str]) -> str:
    """The rest of a compound unit ("/kg/hour"), canonical; a lone per-day or per-week, the
    dose's frequency, is dropped ("60 mg/day" is "60 mg", as "60 mg daily" is)."""
    parts = [_PER[p.lower()] for p in (match.group(5) or "").split("/") if p]
    if len(parts) == 1 and parts[0] in _FREQUENCY:
        return ""
    return "".join(f"/{p}" for p in parts)


def _scaled(value: str, factor: float) -> str:
    scaled = round(float(value) * factor, 6)
    return canonical_number(f"{scaled:f}")


def _implied(
    text: str,
    match: re.Match[str],
    words: Sequence[re.Match[str]],
    passed: Sequence[tuple[int, int]],
) -> str | None:
    """The unit the nearest cue before a bare number, or a range of them ("Fever 38 to 39.5",
    both ends plausible), gives it (see the module docstring)."""
    value, denominator, upper, _, _ = match.groups()
    if denominator is not None:
        return None
    ends = [float(value)] if upper is None else [float(value), float(upper)]
    shown = canonical_number(value) + ("" if upper is None else f"-{canonical_number(upper)}")
    end = bisect_left([w.start() for w in words], match.start())
    before = words[max(0, end - _CUE_WINDOW) : end]
    for i, word in enumerate(reversed(before)):
        if any(lo <= word.start() < hi for lo, hi in passed):
            continue  # a duration, dose or count: the cue may still be further back
        if word.group() in _UNITS and word.group() not in _SCALE_LETTERS:
            # The cue belongs to an earlier quantity that wrote its unit. A scale letter is no
            # unit word: "38.5 °C last night, 37.8 today" keeps its second temperature.
            return None
        if word.group() == "t" and (i > 0 or not _in_vitals_run(text, words, end - 1)):
            continue
        units = [(u, lo, hi) for cue, u, lo, hi in _CUES if cue.fullmatch(word.group())]
        if units:
            for unit, lo, hi in units:
                if all(lo <= number <= hi for number in ends):
                    return f"{shown} {unit}"
            return None
    return None


def _in_vitals_run(text: str, words: Sequence[re.Match[str]], cue: int) -> bool:
    """Whether another vital sign is near the word ``cue`` (and its value), on the same line."""
    first = words[max(0, cue - _VITALS_REACH)].start()
    last = words[min(len(words) - 1, cue + 1 + _VITALS_REACH)].end()
    line_start = text.rfind("\n", 0, words[cue].start()) + 1
    line_end = text.find("\n", words[cue].end())
    region = text[max(first, line_start) : last if line_end < 0 else min(last, line_end)]
    return _VITAL_SIGN.search(region) is not None
