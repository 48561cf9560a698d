"""Cheap, deterministic, explainable clinical fact checks of a generated note.

Four kinds of facts are read from the reference and from the generated note with plain rules, each
fact being a short canonical string a reviewer can read:

- ``quantity``: a number with a unit or a ratio ("10 mg", "120/80", "3 day", "38.5 °c"); spelled
  English numbers become digits first, a German decimal comma becomes a point, spoken forms are
  canonical too ("10 milligrams" is "10 mg", "145 over 90" is "145/90").
- ``medication``: a name from the caller's list, matched as whole words.
- ``negation``: a finding after a negation cue ("no fever", "denies chest pain", "kein fieber"),
  one fact per item of a list ("no fever or chills" -> "no fever", "no chills").
- ``laterality``: a side with the body part it qualifies ("left knee"; "Knie links" and
  "linkes Knie" both give "left knie").

Recall is the share of reference facts found in the generated note, precision the share of
generated facts found in the reference; both are over sets of facts, per kind and pooled.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from scribe_eval.metrics import _english as en
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = ["FactCheckResult", "FactKindResult", "check_facts", "extract_facts"]

FactKind = Literal["quantity", "medication", "negation", "laterality"]
FACT_KINDS: tuple[FactKind, ...] = ("quantity", "medication", "negation", "laterality")

_UNITS = {
    "mg/dl": "mg/dl", "mmol/l": "mmol/l", "mmhg": "mmhg", "mcg": "mcg", "µg": "mcg", "μg": "mcg",
    "mg": "mg", "kg": "kg", "g": "g", "ml": "ml", "l": "l", "%": "%", "°c": "°c", "°f": "°f",
    "bpm": "bpm", "/min": "/min", "units": "unit", "unit": "unit", "iu": "unit", "ie": "unit",
    "days": "day", "day": "day", "tage": "day", "tagen": "day", "tag": "day",
    "weeks": "week", "week": "week", "wochen": "week", "woche": "week",
    "months": "month", "month": "month", "monate": "month", "monaten": "month", "monat": "month",
    "years": "year", "year": "year", "jahre": "year", "jahren": "year", "jahr": "year",
    "hours": "hour", "hour": "hour", "h": "hour", "stunden": "hour", "stunde": "hour",
    "minutes": "minute", "minute": "minute", "min": "minute", "minuten": "minute",
    "tablets": "tablet", "tablet": "tablet", "tabletten": "tablet", "tablette": "tablet",
    "times": "time", "mal": "time", "puffs": "puff", "puff": "puff",
    # Units as spoken: a note written from a transcript says "10 milligrams", not "10 mg".
    "milligrams": "mg", "milligram": "mg", "milligramm": "mg", "micrograms": "mcg",
    "microgram": "mcg", "mikrogramm": "mcg", "kilograms": "kg", "kilogram": "kg", "kilos": "kg",
    "kilogramm": "kg", "kilo": "kg", "grams": "g", "gram": "g", "gramm": "g",
    "millilitres": "ml", "milliliters": "ml", "millilitre": "ml", "milliliter": "ml",
    "litres": "l", "liters": "l", "litre": "l", "liter": "l", "percent": "%", "per cent": "%",
    "prozent": "%", "beats per minute": "bpm", "millimetres of mercury": "mmhg",
    "millimeters of mercury": "mmhg",
}  # fmt: skip
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUM = r"\d+(?:[.,]\d+)?"
_QUANTITY = re.compile(
    rf"(?<![\w.,/])({_NUM})(?:\s*(?:/|\bover\b)\s*({_NUM}))?(?:\s*({_UNIT_RE})(?![\w/]))?",
    re.IGNORECASE,
)
_NUMBER_WORDS = "|".join([*en.ONES, *en.TENS, *en.SCALES])
_SPELLED = re.compile(rf"\b(?:{_NUMBER_WORDS})(?:(?:[\s-]+(?:and\s+)?)(?:{_NUMBER_WORDS}))*\b")

_NEG_CUES = re.compile(
    r"\b(?:no evidence of|negative for|free of|absence of|denies|denied|denying|without|"
    r"no|not|never|kein(?:e|en|em|er|es)?|ohne|keinerlei)\b"
)
_SCOPE_END = re.compile(r"[.;:!?\n()]|\b(?:but|however|aber|jedoch|except|apart from)\b")
_ITEM_SPLIT = re.compile(r",|\b(?:or|and|nor|oder|und|noch)\b")
_DROP = frozenset(
    [
        "any",
        "a",
        "an",
        "the",
        "of",
        "signs",
        "sign",
        "symptoms",
        "history",
        "recent",
        "known",
        "acute",
        "obvious",
        "further",
        "has",
        "have",
        "had",
        "is",
        "was",
        "are",
        "were",
        "reports",
        "report",
        "complains",
        "of",
        "with",
        "no",
        "not",
        "never",
        "denies",
        "denied",
        "without",
        "ohne",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "keines",
    ]
)
_SIDES = {
    "left": "left", "right": "right", "bilateral": "bilateral", "bilaterally": "bilateral",
    "links": "left", "rechts": "right", "beidseits": "bilateral", "beidseitig": "bilateral",
    **{f"link{e}": "left" for e in ("e", "en", "er", "es", "em")},
    **{f"recht{e}": "right" for e in ("e", "en", "er", "es", "em")},
}  # fmt: skip
_POSTPOSED = frozenset({"links", "rechts", "beidseits", "bilaterally"})
_SIDE_SKIP = frozenset(["lower", "upper", "side", "sided", "the", "of", "and", "a", "sehr"])
_WORD = re.compile(r"[^\W\d_]+|[(),.;:!?\n]")


@dataclass(frozen=True)
class FactKindResult:
    """Facts of one kind: reference, generated, and which reference facts were missed."""

    kind: FactKind
    reference: tuple[str, ...]
    generated: tuple[str, ...]

    @property
    def matched(self) -> tuple[str, ...]:
        """Reference facts also in the generated note."""
        gen = set(self.generated)
        return tuple(f for f in self.reference if f in gen)

    @property
    def misses(self) -> tuple[str, ...]:
        """Reference facts the generated note lacks."""
        gen = set(self.generated)
        return tuple(f for f in self.reference if f not in gen)

    @property
    def unsupported(self) -> tuple[str, ...]:
        """Generated facts the reference lacks (possible inventions)."""
        ref = set(self.reference)
        return tuple(f for f in self.generated if f not in ref)

    @property
    def recall(self) -> float | None:
        """Matched / reference facts (``None`` without reference facts)."""
        return len(self.matched) / len(self.reference) if self.reference else None

    @property
    def precision(self) -> float | None:
        """Matched / generated facts (``None`` without generated facts)."""
        return len(self.matched) / len(self.generated) if self.generated else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "recall": self.recall,
            "precision": self.precision,
            "reference": list(self.reference),
            "generated": list(self.generated),
            "misses": list(self.misses),
            "unsupported": list(self.unsupported),
        }


@dataclass(frozen=True)
class FactCheckResult:
    """Fact checks of every kind, and recall/precision pooled over kinds."""

    kinds: dict[FactKind, FactKindResult]

    @property
    def recall(self) -> float | None:
        """Pooled: matched / reference facts over all kinds."""
        total = sum(len(k.reference) for k in self.kinds.values())
        return sum(len(k.matched) for k in self.kinds.values()) / total if total else None

    @property
    def precision(self) -> float | None:
        """Pooled: matched / generated facts over all kinds."""
        total = sum(len(k.generated) for k in self.kinds.values())
        return sum(len(k.matched) for k in self.kinds.values()) / total if total else None

    @property
    def misses(self) -> list[tuple[FactKind, str]]:
        """Every missed reference fact as (kind, fact)."""
        return [(kind, fact) for kind, res in self.kinds.items() for fact in res.misses]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``fact_recall``, ``fact_precision`` and each kind."""
        return {
            "fact_recall": self.recall,
            "fact_precision": self.precision,
            "kinds": {kind: res.as_dict() for kind, res in self.kinds.items()},
            "metrics_version": METRICS_VERSION,
        }


def check_facts(
    reference: str, generated: str, *, medications: Iterable[str] = ()
) -> FactCheckResult:
    """Compare the facts of ``generated`` with those of ``reference`` (see the module docstring).

    Args:
        reference: The reference note.
        generated: The generated note.
        medications: Medication names to look for (multi-word names allowed).
    """
    meds = tuple(medications)
    ref, gen = (
        extract_facts(reference, medications=meds),
        extract_facts(generated, medications=meds),
    )
    return FactCheckResult(
        kinds={k: FactKindResult(k, ref[k], gen[k]) for k in FACT_KINDS},
    )


def extract_facts(text: str, *, medications: Iterable[str] = ()) -> dict[FactKind, tuple[str, ...]]:
    """The facts of one text by kind, each a sorted tuple of distinct canonical strings."""
    low = unicodedata.normalize("NFC", text).casefold()
    return {
        "quantity": _sorted(_quantities(low)),
        "medication": _sorted(_medications(low, medications)),
        "negation": _sorted(_negations(low)),
        "laterality": _sorted(_laterality(low)),
    }


def _sorted(facts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(facts)))


def _spelled_to_digits(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        words = match.group().replace("-", " ").split()
        parsed = en.parse_number(words, 0)
        if parsed is None or parsed[1] != len(words):
            return match.group()
        return parsed[0]

    return _SPELLED.sub(convert, text)


def _canonical_number(number: str) -> str:
    number = number.replace(",", ".")
    return number.rstrip("0").rstrip(".") if "." in number else number


def _quantities(text: str) -> Iterable[str]:
    for match in _QUANTITY.finditer(_spelled_to_digits(text)):
        value, denominator, unit = match.groups()
        if denominator is None and unit is None:
            continue
        fact = _canonical_number(value)
        if denominator is not None:
            fact += "/" + _canonical_number(denominator)
        if unit is not None:
            fact += " " + _UNITS[unit.lower()]
        yield fact


def _medications(text: str, medications: Iterable[str]) -> Iterable[str]:
    for name in medications:
        words = name.casefold().split()
        if words and re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", text):
            yield " ".join(words)


def _negations(text: str) -> Iterable[str]:
    for cue in _NEG_CUES.finditer(text):
        rest = text[cue.end() :]
        end = _SCOPE_END.search(rest)
        scope = rest[: end.start()] if end else rest
        for item in _ITEM_SPLIT.split(scope):
            words = [en.UK_TO_US.get(w, w) for w in re.findall(r"[^\W_]+", item)]
            while words and words[0] in _DROP:
                words.pop(0)
            if words:
                yield "no " + " ".join(words[:4])


def _laterality(text: str) -> Iterable[str]:
    tokens = _WORD.findall(text)
    for i, token in enumerate(tokens):
        side = _SIDES.get(token)
        if side is None:
            continue
        j = i - 1 if i == 0 or tokens[i - 1] != "(" else i - 2
        before = tokens[j] if j >= 0 and tokens[j].isalpha() else None
        after = next(
            (t for t in tokens[i + 1 : i + 4] if not t.isalpha() or t not in _SIDE_SKIP), None
        )
        after = after if after and after.isalpha() and after not in _SIDES else None
        postposed = token in _POSTPOSED or after is None
        part = (before if postposed and before and before not in _DROP else None) or after
        if part is not None:
            yield f"{side} {part}"
