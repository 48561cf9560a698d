"""Cheap, deterministic, explainable clinical fact checks of a generated note.

Four kinds of facts are read from the reference and from the generated note with plain rules, each
fact being a short canonical string a reviewer can read:

- ``quantity``: a number with a unit or a ratio ("10 mg", "120/80", "2-3 day", "38.5 °c"), or a
  bare number whose unit the context implies ("Temperature today is 38.1" -> "38.1 °c"); spelled
  numbers and spoken units are canonical (see ``_quantities``).
- ``medication``: a name from the caller's list (or a lexicon synonym of it), plus its dose,
  frequency and route as separate facts ("clarithromycin 500 mg", "clarithromycin twice daily").
- ``negation``: a finding in the scope of a negation cue, by ConText-style rules: conditionals
  ("return if not improving") and pseudo-negations ("no change") are not negations, scope ends at
  "but"/"however", and findings are canonical by a synonym lexicon ("no runny nose" is
  "no coryza"; see ``_context``).
- ``laterality``: a side with the body part it qualifies ("left knee"; "Knie links" and
  "linkes Knie" both give "left knie"; "tender left cervical nodes" gives "left neck").

Recall is the share of reference facts found in the generated note, precision the share of
generated facts found in the reference; both are over sets of facts, per kind and pooled. A missed
fact is in the reference only; an invented one is in the generated note only (a hallucination
candidate). The lexicon is versioned (``fact_lexicon`` in ``as_dict()``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from scribe_eval.metrics._context import negations
from scribe_eval.metrics._entities import laterality
from scribe_eval.metrics._entities import medications as medication_facts
from scribe_eval.metrics._lexicon import LEXICON_LABEL
from scribe_eval.metrics._quantities import quantities
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = [
    "FACT_KINDS",
    "FactCheckResult",
    "FactKind",
    "FactKindResult",
    "check_facts",
    "extract_facts",
]

FactKind = Literal["quantity", "medication", "negation", "laterality"]
FACT_KINDS: tuple[FactKind, ...] = ("quantity", "medication", "negation", "laterality")


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
            "kinds": {kind: res.as_dict() for kind, res in self.kinds.items()},
            "fact_lexicon": LEXICON_LABEL,
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
    low = unicodedata.normalize("NFC", text).lower()
    return {
        "quantity": _sorted(quantities(low)),
        "medication": _sorted(medication_facts(low, medications)),
        "negation": _sorted(negations(low)),
        "laterality": _sorted(laterality(low)),
    }


def _sorted(facts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(facts)))
