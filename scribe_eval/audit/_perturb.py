"""Controlled perturbations of a reference note: one clinical error (or none) at a time.

Each perturbation takes a note as ``heading -> text`` sections and returns a changed copy, or
``None`` when the note offers no place for it (a note without a dose cannot have its dose changed
tenfold). All are deterministic: the first place that fits is changed, so a run is repeatable.

- ``drop_fact``: the first sentence that carries a fact is removed.
- ``dose_tenfold``: the first dose (mg, mcg, g, ml, units) is multiplied by ten.
- ``flip_negation``: the first negated finding loses its negation ("No fever" -> "Fever").
- ``flip_laterality``: the first left becomes right or the reverse (also German forms).
- ``swap_medication``: the first listed medication named in the note becomes another one.
- ``add_finding``: an invented finding is appended to the first section.
- ``reorder_sections``: the sections in reverse order, texts unchanged (no clinical error).
- ``paraphrase``: words swapped for synonyms that keep every fact (no clinical error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from scribe_eval.metrics import extract_facts, read_numbers

__all__ = ["ERROR_KINDS", "PERTURBATIONS", "PerturbationKind", "perturb"]

PerturbationKind = Literal[
    "drop_fact",
    "dose_tenfold",
    "flip_negation",
    "flip_laterality",
    "swap_medication",
    "add_finding",
    "reorder_sections",
    "paraphrase",
]
Sections = dict[str, str]

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?!\d)|\n|$)")
_DOSE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(\s*(?:mg|mcg|µg|g|ml|units?|ie|iu)\b)",
    re.I,
)
_NEGATION = re.compile(
    r"\b(no|denies|denied|without|kein(?:e|en|em|er|es)?|ohne)\s+(?=[^\W\d_])", re.IGNORECASE
)
_SIDE_SWAP = {
    "left": "right", "right": "left", "links": "rechts", "rechts": "links",
    **{f"link{e}": f"recht{e}" for e in ("e", "en", "er", "es", "em")},
    **{f"recht{e}": f"link{e}" for e in ("e", "en", "er", "es", "em")},
}  # fmt: skip
_SIDE = re.compile(r"\b(" + "|".join(sorted(_SIDE_SWAP, key=len, reverse=True)) + r")\b", re.I)
_OTHER_MEDICATIONS = ("amlodipine", "ibuprofen", "metformin", "sertraline")
_INVENTED = {
    "en": " New chest pain radiating to the left arm.",
    "de": " Neu aufgetretene Brustschmerzen mit Ausstrahlung in den linken Arm.",
}
_PARAPHRASE = (
    (r"\btwice daily\b", "twice a day"), (r"\bfour times daily\b", "four times a day"),
    (r"\bonce daily\b", "once a day"), (r"\bpresents with\b", "comes in with"),
    (r"\bworsening\b", "getting worse"), (r"\bchest clear\b", "lungs clear"),
    (r"\bfatigue\b", "tiredness"), (r"\bfollow-up\b", "review"),
    (r"\bdreimal täglich\b", "3x täglich"), (r"\bzweimal täglich\b", "2x täglich"),
    (r"\bseit\b", "bereits seit"), (r"\bKontrolle\b", "Wiedervorstellung"),
)  # fmt: skip


def _first_sub(
    sections: Sections, pattern: re.Pattern[str], repl: Callable[..., str]
) -> Sections | None:
    for heading, text in sections.items():
        match = pattern.search(text)
        if match:
            changed = text[: match.start()] + repl(match) + text[match.end() :]
            return {**sections, heading: changed}
    return None


def _drop_fact(sections: Sections, medications: Sequence[str], language: str) -> Sections | None:
    before = _facts(sections, medications, language)
    for heading, text in sections.items():
        for sentence in _SENTENCE.finditer(text):
            changed = {**sections, heading: (text[: sentence.start()] + text[sentence.end() :])}
            # Only a sentence whose removal loses a fact: a repeated dose is not a dropped fact.
            if before - _facts(changed, medications, language):
                return {h: t.strip() for h, t in changed.items()}
    return None


def _facts(sections: Sections, medications: Sequence[str], language: str) -> set[tuple[str, str]]:
    found = extract_facts("\n".join(sections.values()), medications=medications, language=language)
    return {(kind, fact) for kind, facts in found.items() for fact in facts}


def _dose_tenfold(sections: Sections, medications: Sequence[str], language: str) -> Sections | None:
    def tenfold(m: re.Match[str]) -> str:
        value = float(read_numbers(m.group(1), language)) * 10
        return f"{value:g}{m.group(2)}"

    return _first_sub(sections, _DOSE, tenfold)


def _flip_negation(
    sections: Sections, medications: Sequence[str], language: str
) -> Sections | None:
    def flip(m: re.Match[str]) -> str:
        cue = m.group(1).lower()
        return {"denies": "reports ", "denied": "reported "}.get(cue, "")

    flipped = _first_sub(sections, _NEGATION, flip)
    if flipped is None:
        return None
    # A sentence that now starts with a lower-case finding reads oddly, but the facts are what
    # count here; capitalisation does not change any metric's tokens.
    return flipped


def _flip_laterality(
    sections: Sections, medications: Sequence[str], language: str
) -> Sections | None:
    def swap(m: re.Match[str]) -> str:
        word = _SIDE_SWAP[m.group(1).lower()]
        return word.capitalize() if m.group(1)[0].isupper() else word

    return _first_sub(sections, _SIDE, swap)


def _swap_medication(
    sections: Sections, medications: Sequence[str], language: str
) -> Sections | None:
    for name in medications:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
        other = next(m for m in _OTHER_MEDICATIONS if m != name.lower())
        swapped = _first_sub(sections, pattern, lambda m, o=other: o)
        if swapped is not None:
            return swapped
    return None


def _add_finding(sections: Sections, medications: Sequence[str], language: str) -> Sections | None:
    if not sections:
        return None
    heading = next(iter(sections))
    invented = _INVENTED.get(language.split("-")[0], _INVENTED["en"])
    return {**sections, heading: sections[heading].rstrip() + invented}


def _reorder(sections: Sections, medications: Sequence[str], language: str) -> Sections | None:
    return dict(reversed(list(sections.items()))) if len(sections) > 1 else None


def _paraphrase(sections: Sections, medications: Sequence[str], language: str) -> Sections | None:
    changed = dict(sections)
    for pattern, replacement in _PARAPHRASE:
        changed = {h: re.sub(pattern, replacement, t, flags=re.I) for h, t in changed.items()}
    return changed if changed != sections else None


PERTURBATIONS: dict[PerturbationKind, Callable[[Sections, Sequence[str], str], Sections | None]] = {
    "drop_fact": _drop_fact,
    "dose_tenfold": _dose_tenfold,
    "flip_negation": _flip_negation,
    "flip_laterality": _flip_laterality,
    "swap_medication": _swap_medication,
    "add_finding": _add_finding,
    "reorder_sections": _reorder,
    "paraphrase": _paraphrase,
}
"""Every perturbation by kind, in the order the audit table shows them."""

ERROR_KINDS: frozenset[PerturbationKind] = frozenset(PERTURBATIONS) - {
    "reorder_sections",
    "paraphrase",
}
"""Perturbations that make a clinical error (the other two keep every fact)."""


def perturb(
    kind: PerturbationKind,
    sections: Mapping[str, str],
    *,
    medications: Sequence[str] = (),
    language: str = "en",
) -> dict[str, str] | None:
    """A copy of ``sections`` with one perturbation of ``kind``, or ``None`` if none fits."""
    return PERTURBATIONS[kind](dict(sections), medications, language)
