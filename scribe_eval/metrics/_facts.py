"""Cheap, deterministic, explainable clinical fact checks of a generated note.

Four kinds of facts are read from the reference and from the generated note with plain rules, each
fact being a short canonical string a reviewer can read:

- ``quantity``: a number with a unit or a ratio ("10 mg", "120/80", "2-3 day", "38.5 °c"), or a
  bare number whose unit the context implies ("Temperature today is 38.1" -> "38.1 °c"); numbers
  are read by the notes' language ("1,000 mg" is "1000 mg" in English, "1 mg" in German: see
  ``_numbers``), spelled numbers and spoken units are canonical (see ``_quantities``). A body
  temperature of one note written with a decimal ("38.5 °c") is also found as a bare number of
  the other ("last night it was 38.5"): the other note gives the unit no cue gave, and a
  decimal between 34 and 43 (94 and 108 °F) that equals it is no coincidence. Integers are not
  read so ("38" may be an age). A reading one note writes in °C and the other in °F is one fact
  ("38.5 °c" is "101.3 °f", to the decimal each is written with), and so is a weight in kilograms
  and in pounds ("70 kg" is "154 lb").
- ``medication``: a name from the caller's list (or a lexicon synonym of it), plus its dose,
  frequency and route as separate facts ("clarithromycin 500 mg", "clarithromycin twice daily").
- ``negation``: a finding in the scope of a negation cue, by ConText-style rules: conditionals
  ("return if not improving") and pseudo-negations ("no change") are not negations, scope ends at
  "but"/"however", and findings are canonical by a synonym lexicon ("no runny nose" is
  "no coryza"; see ``_context``). A finding one note negates and the other asserts is a
  contradiction: the asserting note gets the fact "<finding> (affirmed)" ("No fever." against
  "Patient has fever." gives the reference "no fever" and the note "fever (affirmed)"), which
  the other note never has. Findings are facts only as contradictions: asserted findings are
  not listed otherwise.
- ``laterality``: a side with the body part it qualifies ("left knee"; "Knie links" and
  "linkes Knie" both give "left knie"; "tender left cervical nodes" gives "left neck").

Recall is the share of reference facts found in the generated note, precision the share of
generated facts found in the reference; both are over sets of facts, per kind and pooled. A missed
fact is in the reference only; an invented one is in the generated note only (a hallucination
candidate); a contradiction is both, and is also listed under ``contradicted``. The lexicon is
versioned (``fact_lexicon`` in ``as_dict()``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from scribe_eval.metrics._context import affirmed, negations, stated_negations
from scribe_eval.metrics._entities import laterality
from scribe_eval.metrics._entities import medications as medication_facts
from scribe_eval.metrics._lexicon import LEXICON_LABEL
from scribe_eval.metrics._numbers import read_numbers
from scribe_eval.metrics._quantities import read_quantities
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = [
    "FACT_KINDS",
    "Contradiction",
    "FactCheckResult",
    "FactKind",
    "FactKindResult",
    "check_facts",
    "extract_facts",
]

FactKind = Literal["quantity", "medication", "negation", "laterality"]
FACT_KINDS: tuple[FactKind, ...] = ("quantity", "medication", "negation", "laterality")
Facts = dict[FactKind, tuple[str, ...]]


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
class Contradiction:
    """A finding one note negates and the other asserts: the two facts that contradict."""

    kind: FactKind
    reference: str
    generated: str


@dataclass(frozen=True)
class FactCheckResult:
    """Fact checks of every kind, recall/precision pooled over kinds, and the contradictions."""

    kinds: dict[FactKind, FactKindResult]
    contradictions: tuple[Contradiction, ...] = ()

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

    @property
    def invented(self) -> list[tuple[FactKind, str]]:
        """Every generated fact the reference lacks, as (kind, fact): hallucination candidates."""
        return [(kind, fact) for kind, res in self.kinds.items() for fact in res.unsupported]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: pooled scores, ``missed``/``invented`` facts and each kind."""
        return {
            "fact_recall": self.recall,
            "fact_precision": self.precision,
            "missed": [{"kind": k, "text": t} for k, t in self.misses],
            "invented": [{"kind": k, "text": t} for k, t in self.invented],
            "contradicted": [
                {"kind": c.kind, "reference": c.reference, "generated": c.generated}
                for c in self.contradictions
            ],
            "kinds": {kind: res.as_dict() for kind, res in self.kinds.items()},
            "fact_lexicon": LEXICON_LABEL,
            "metrics_version": METRICS_VERSION,
        }


def check_facts(
    reference: str, generated: str, *, medications: Iterable[str] = (), language: str = "en"
) -> FactCheckResult:
    """Compare the facts of ``generated`` with those of ``reference`` (see the module docstring).

    Args:
        reference: The reference note.
        generated: The generated note.
        medications: Medication names to look for (multi-word names allowed).
        language: The notes' language (BCP 47, e.g. ``de-DE``): how their numbers are written
            ("1,000" is a thousand in English, one in German; see ``_numbers``).
    """
    meds = tuple(medications)
    ref_text, gen_text = _prepared(reference, language), _prepared(generated, language)
    (ref, ref_bare), (gen, gen_bare) = _extract(ref_text, meds), _extract(gen_text, meds)
    ref["quantity"], gen["quantity"] = (
        _with_temperatures(ref["quantity"], ref_bare, gen["quantity"]),
        _with_temperatures(gen["quantity"], gen_bare, ref["quantity"]),
    )
    gen["quantity"] = _on_reference_scale(gen["quantity"], ref["quantity"])
    ref_affirmed, gen_affirmed = _contradicting(ref_text, ref, gen_text, gen)
    ref["negation"] = _sorted([*ref["negation"], *map(_affirmed_fact, ref_affirmed)])
    gen["negation"] = _sorted([*gen["negation"], *map(_affirmed_fact, gen_affirmed)])
    contradictions = [
        *(Contradiction("negation", f"no {f}", _affirmed_fact(f)) for f in gen_affirmed),
        *(Contradiction("negation", _affirmed_fact(f), f"no {f}") for f in ref_affirmed),
    ]
    return FactCheckResult(
        kinds={k: FactKindResult(k, ref[k], gen[k]) for k in FACT_KINDS},
        contradictions=tuple(contradictions),
    )


def _contradicting(
    ref_text: str, ref: Facts, gen_text: str, gen: Facts
) -> tuple[list[str], list[str]]:
    """The findings each note asserts while the other negates them (reference's, generated's).

    Only findings the other note negates in a plain statement, and this one never negates, are
    looked for: an asserted finding is a fact only as a contradiction, so precision is not
    flooded with every finding, and an instruction ("no football for two weeks") contradicts no
    history ("twisted his knee playing football").
    """
    ref_negated = {f.removeprefix("no ") for f in ref["negation"]}
    gen_negated = {f.removeprefix("no ") for f in gen["negation"]}
    return (
        sorted(affirmed(ref_text, stated_negations(gen_text) - ref_negated)),
        sorted(affirmed(gen_text, stated_negations(ref_text) - gen_negated)),
    )


def extract_facts(
    text: str, *, medications: Iterable[str] = (), language: str = "en"
) -> dict[FactKind, tuple[str, ...]]:
    """The facts of one text by kind, each a sorted tuple of distinct canonical strings.

    ``language`` says how the text writes numbers (see `check_facts`).
    """
    return _extract(_prepared(text, language), tuple(medications))[0]


def _prepared(text: str, language: str) -> str:
    """``text`` as the extractors read it: NFC, lower-case, numbers read by ``language``."""
    return read_numbers(unicodedata.normalize("NFC", text).lower(), language)


def _extract(low: str, medications: tuple[str, ...]) -> tuple[Facts, set[str]]:
    """The facts of a prepared text, and its bare numbers (`read_quantities`)."""
    amounts, bare = read_quantities(low)
    facts: Facts = {
        "quantity": _sorted(amounts),
        "medication": _sorted(medication_facts(low, medications)),
        "negation": _sorted(negations(low)),
        "laterality": _sorted(laterality(low)),
    }
    return facts, bare


#: Body temperatures a bare decimal may be, by scale (as the cue "temperature" reads them).
_TEMPERATURES = {"°c": (34.0, 43.0), "°f": (94.0, 108.0)}


def _with_temperatures(
    own: tuple[str, ...], bare: set[str], other: tuple[str, ...]
) -> tuple[str, ...]:
    """``own`` quantities, plus each body temperature of the ``other`` note's that this note
    writes as a bare decimal, one of its ``bare`` numbers (see the module docstring)."""
    found = []
    for fact in other:
        number, _, unit = fact.partition(" ")
        if unit not in _TEMPERATURES or fact in own or "." not in number or number not in bare:
            continue
        low, high = _TEMPERATURES[unit]
        if low <= float(number) <= high:
            found.append(fact)
    return _sorted([*own, *found]) if found else own


#: Units one reading may be written in either of: the dimension, the factor and offset that put
#: a value on the dimension's common scale (°F, pounds, centimetres, days), and whether the two
#: must agree exactly. A temperature or a weight is a measurement, the same when the two agree to
#: the precision each is written with ("38 °C" is "100 °F"); a length or a duration is exact:
#: "1.78 m" is "178 cm", "2 weeks" is "14 days" and "48 hours" "2 days", but "5 mm" is not "1 cm"
#: (a lesion twice the size), nor "10 days" "2 weeks".
_SCALES = {
    "°c": ("temperature", 9 / 5, 32.0, False),
    "°f": ("temperature", 1.0, 0.0, False),
    "kg": ("weight", 2.20462262, 0.0, False),
    "lb": ("weight", 1.0, 0.0, False),
    "mm": ("length", 0.1, 0.0, True),
    "cm": ("length", 1.0, 0.0, True),
    "m": ("length", 100.0, 0.0, True),
    "minute": ("duration", 1 / 1440, 0.0, True),
    "hour": ("duration", 1 / 24, 0.0, True),
    "day": ("duration", 1.0, 0.0, True),
    "week": ("duration", 7.0, 0.0, True),
}


def _on_reference_scale(generated: tuple[str, ...], reference: tuple[str, ...]) -> tuple[str, ...]:
    """The generated quantities, each reading the reference writes on the other scale written
    as the reference writes it ("101.3 °f" is "38.5 °c", "154 lb" is "70 kg", "1.78 m" is "178
    cm", "2 week" is "14 day", when the reference has that fact): one reading is one fact
    whichever scale a note uses, when the two agree to the precision each is written with (half
    a unit of its last digit, each side), or exactly for a length or a duration (`_SCALES`)."""
    theirs = [
        (reading, fact)
        for fact in reference
        if fact not in generated and (reading := _reading(fact)) is not None
    ]
    out = []
    for fact in generated:
        mine = _reading(fact) if fact not in reference else None
        same = [
            other
            for reading, other in theirs
            if mine is not None
            and reading[0] == mine[0]
            and reading[1] != mine[1]
            and abs(reading[2] - mine[2]) <= reading[3] + mine[3] + 1e-9
        ]
        out.append(same[0] if same else fact)
    return _sorted(out)


def _reading(fact: str) -> tuple[str, str, float, float] | None:
    """A single reading on a scale of `_SCALES`: its dimension, unit, value on the common scale
    and how far the true value may lie from it by the precision written (None for any other
    fact, or a range)."""
    number, _, unit = fact.partition(" ")
    if unit not in _SCALES or "-" in number:
        return None
    dimension, factor, offset, exact = _SCALES[unit]
    decimals = len(number.partition(".")[2])
    slack = 0.0 if exact else 0.5 * 10**-decimals * factor
    return dimension, unit, float(number) * factor + offset, slack


def _sorted(facts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(facts)))


def _affirmed_fact(finding: str) -> str:
    return f"{finding} (affirmed)"
