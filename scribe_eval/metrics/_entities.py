"""Medication and laterality facts: "clarithromycin 500 mg", "left neck".

A medication named in the caller's list (or a lexicon synonym of it: "acetaminophen" is
"paracetamol") gives the fact ``name``, and, from the words after it up to the next listed
medication or the sentence end, ``name dose`` (the first dose quantity, or one written just
before the name), ``name frequency`` ("twice daily", from "b.i.d.", "2x täglich" or "1-0-1") and
``name route`` ("oral", "inhaled").

A side ("left", "bilateral", "both sides", "links", "beidseits", "rechtes") gives ``side part``
with the nearest body part of the lexicon in its clause, after it first ("tender left anterior
cervical lymph nodes" -> "left neck"), then before it ("neck tender on the left side"); without
one, the next word is the part unless it is a function word ("left-sided weakness" ->
"left weakness"; "she left the room" gives nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scribe_eval.metrics._context import sentences
from scribe_eval.metrics._lexicon import lexicon
from scribe_eval.metrics._quantities import PER_UNITS, quantities

__all__ = ["laterality", "medications"]

_DOSE_UNITS = frozenset({"mg", "mcg", "ml", "unit", "puff", "tablet", "%", "g", "l"})
_SIDES = {
    "left": "left", "right": "right", "bilateral": "bilateral", "bilaterally": "bilateral",
    "both sides": "bilateral", "both": "bilateral", "links": "left", "rechts": "right",
    "beidseits": "bilateral", "beidseitig": "bilateral", "beidseitige": "bilateral",
    "beidseitigen": "bilateral",
    **{f"link{e}": "left" for e in ("e", "en", "er", "es", "em")},
    **{f"recht{e}": "right" for e in ("e", "en", "er", "es", "em")},
}  # fmt: skip
_SIDE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, _SIDES), key=len, reverse=True)) + r")(?!\w)"
)
# German sides written after what they qualify: "Schmerzen rechts".
_POSTPOSED = frozenset({"links", "rechts", "beidseits"})
_CLAUSE = re.compile(r"[,;]|\b(?:and|but|und|aber)\b")
_SKIP = frozenset(
    [
        "side",
        "sided",
        "seite",
        "seitig",
        "the",
        "a",
        "an",
        "of",
        "and",
        "to",
        "in",
        "on",
        "at",
        "im",
        "am",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "sehr",
        "mit",
        "with",
        "is",
        "was",
        "are",
        "were",
        "ist",
        "sind",
        "zur",
        "zum",
        "nach",
        "von",
        "vom",
        "bei",
        "ins",
        "auf",
        "an",
        "in",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


def medications(text: str, names: Iterable[str]) -> Iterable[str]:
    """Medication facts of ``text`` (lower-case) for the listed names (see the module docstring)."""
    lex = lexicon()
    wanted = {lex.medications.rewrite(n.lower().strip()) for n in names if n.strip()}
    if not wanted:
        return
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(wanted, key=len, reverse=True))) + r")\b"
    )
    for sentence in sentences(lex.frequency.rewrite(lex.medications.rewrite(text))):
        mentions = list(pattern.finditer(sentence))
        for i, mention in enumerate(mentions):
            end = mentions[i + 1].start() if i + 1 < len(mentions) else len(sentence)
            start = mentions[i - 1].end() if i else 0
            yield from _medication(mention.group(1), sentence[start : mention.start()],
                                   sentence[mention.end() : end])  # fmt: skip


def _medication(name: str, before: str, after: str) -> Iterable[str]:
    lex = lexicon()
    yield name
    after = after.lstrip("-")
    dose = _dose(" ".join(before.split()[-3:])) or _dose(after)
    if dose:
        yield f"{name} {dose}"
    for _, _, frequency in lex.frequency.find(after):
        yield f"{name} {frequency}"
    route = lex.route.find(after)
    if route:
        yield f"{name} {route[0][2]}"


def _dose(text: str) -> str | None:
    for fact in quantities(text):
        # A dose unit, or one per body weight, area or time ("15 mg/kg", "5 ml/hour").
        base, *per = fact.rsplit(" ", 1)[-1].split("/")
        if base in _DOSE_UNITS and all(p in PER_UNITS for p in per):
            return fact
    return None


def laterality(text: str) -> Iterable[str]:
    """Laterality facts of ``text`` (lower-case) as "side part" (see the module docstring)."""
    for sentence in sentences(text):
        for clause in _CLAUSE.split(sentence):
            yield from _clause_sides(clause)


def _clause_sides(clause: str) -> Iterable[str]:
    parts = lexicon().body_parts.find(clause)
    for side in _SIDE_RE.finditer(clause):
        after = [p for p in parts if p[0] >= side.end()]
        before = [p for p in parts if p[1] <= side.start()]
        if side.group() == "both" and not (after and after[0][0] - side.end() <= 1):
            continue
        part = None
        if after and len(_WORD.findall(clause[side.end() : after[0][0]])) <= 3:
            part = after[0][2]
        elif before and len(_WORD.findall(clause[before[-1][1] : side.start()])) <= 6:
            part = before[-1][2]
        elif side.group() in _POSTPOSED and _WORD.search(clause[: side.start()]):
            part = _next_word(" ".join(reversed(_WORD.findall(clause[: side.start()]))))
        else:
            part = _next_word(clause[side.end() :])
        if part is not None:
            yield f"{_SIDES[side.group()]} {part}"


def _next_word(rest: str) -> str | None:
    words = _WORD.findall(rest)
    while words and words[0] in ("side", "sided", "seite", "seitig"):
        words.pop(0)
    if not words or words[0] in _SKIP or words[0] in _SIDES:
        return None
    # A German compound names its body part first: "Schulterschmerzen" -> "schulter".
    parts = lexicon().body_parts.canonical
    prefix = max((v for v in parts if len(v) >= 4 and words[0].startswith(v)), key=len, default="")
    return parts[prefix] if prefix else words[0]
