"""Shared helpers of the importers: splitting free-text notes into sections, mapping headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scribe_eval.dataset._model import Turn
from scribe_eval.dataset._notes import WHOLE_NOTE_HEADING, parse_markdown_sections
from scribe_eval.dataset._transcript import parse_plain_transcript, speaker_of
from scribe_eval.dataset.importers._writer import ImportedNote

UNLABELLED_SPEAKER = "speaker 1"
"""The one speaker of a transcript that names no speakers (every line is a turn of it)."""

# Headings as public datasets write them (lower-cased) -> the vendor's standard section keys.
HEADING_KEYS: dict[str, str] = {
    "subjective": "corti-subjective",
    "objective": "corti-objective",
    "assessment": "corti-assessment",
    "impression": "corti-assessment",
    "plan": "corti-plan",
    "assessment and plan": "corti-assessment-and-plan",
    "chief complaint": "corti-chief-complaint",
    "cc": "corti-chief-complaint",
    "history of present illness": "corti-hpi",
    "hpi": "corti-hpi",
    "review of systems": "corti-review-of-systems",
    "past medical history": "corti-past-medical-history",
    "past history": "corti-past-medical-history",
    "medical history": "corti-past-medical-history",
    "medications": "corti-medications",
    "current medications": "corti-medications",
    "allergies": "corti-allergies",
    "family history": "corti-family-history",
    "social history": "corti-social-history-w-smoking-and-alcohol",
    "physical examination": "corti-physical-exam-with-vitals",
    "physical exam": "corti-physical-exam-with-vitals",
    "exam": "corti-physical-exam-with-vitals",
    "vitals": "corti-vital-signs",
    "vital signs": "corti-vital-signs",
    "results": "corti-diagnostic-results",
    "diagnostic results": "corti-diagnostic-results",
}
_UPPER_HEADING = re.compile(r"^(?=.*[A-Z]{2})[A-Z][A-Z0-9 /&,()'-]{1,60}:?$")
_INLINE_TURN = re.compile(r"[ \t]+(?=\[(?:doctor|patient|nurse)[a-z_]*\])", re.I)
_BRACKET_TURN = re.compile(r"^\s*\[([A-Za-z_ ]{1,30})\]\s*(.*)$")


def map_sections(sections: dict[str, str]) -> ImportedNote:
    """Attach standard vendor keys to the headings that have one (each key used once)."""
    keys: dict[str, str] = {}
    for heading in sections:
        key = HEADING_KEYS.get(heading.lower().rstrip(":").strip())
        if key and key not in keys.values():
            keys[heading] = key
    return ImportedNote(sections=sections, section_keys=keys)


def split_note(text: str) -> ImportedNote:
    """Split a free-text note at ``## Heading`` lines or at upper-case heading lines.

    ``CHIEF COMPLAINT`` becomes ``Chief complaint``; a note without headings is one ``Note``
    section with no vendor key.
    """
    if re.search(r"^#{2,3}\s", text, flags=re.M):
        return map_sections(parse_markdown_sections(text)[0])
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    preamble: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if _UPPER_HEADING.match(stripped) and len(stripped.split()) <= 8:
            heading = stripped.rstrip(":").strip().capitalize()
            current = sections.setdefault(heading, [])
        elif current is not None:
            current.append(line)
        else:
            preamble.append(line)
    if not sections:
        return ImportedNote(sections={WHOLE_NOTE_HEADING: text.strip()})
    result = {h: "\n".join(body).strip() for h, body in sections.items()}
    if "\n".join(preamble).strip():
        result = {WHOLE_NOTE_HEADING: "\n".join(preamble).strip(), **result}
    return map_sections({h: body for h, body in result.items() if body})


@dataclass(frozen=True)
class Dialogue:
    """Turns read from a source dialogue, and what was dropped on the way."""

    turns: list[Turn]
    empty_turns: int = 0
    stray_lines: int = 0
    unlabelled: bool = False

    def problem(self, where: str) -> str | None:
        """One line for the import report when something was dropped, else None."""
        parts = [f"{self.empty_turns} empty turn(s)"] if self.empty_turns else []
        if self.stray_lines:
            parts.append(f"{self.stray_lines} line(s) before the first speaker label")
        return f"{where}: dropped {' and '.join(parts)}" if parts else None


def parse_dialogue(text: str) -> Dialogue:
    """Parse a dialogue written as ``Doctor: ...`` lines or ``[doctor] ...`` lines.

    Lines without a label continue the turn before them; turns with no words are dropped and
    counted. A text with no speaker label at all is one speaker's, one turn per non-empty line.
    """
    lines = []
    text = text.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1]  # a dialogue quoted twice over in its CSV cell (MTS-Dialog)
    text = _INLINE_TURN.sub("\n", text.replace("\r\n", "\n"))
    for line in text.splitlines():
        match = _BRACKET_TURN.match(line)
        if match and speaker_of(match.group(1)) is not None:
            line = f"{match.group(1).strip()}: {match.group(2)}"
        lines.append(line)
    turns, problems = parse_plain_transcript("\n".join(lines))
    if not turns:
        spoken = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        turns = [Turn(speaker=UNLABELLED_SPEAKER, text=t) for t in spoken]
        return Dialogue(turns, unlabelled=True)
    kept = [t for t in turns if t.text.strip()]
    stray = sum(1 for p in problems if "before any speaker label" in p)
    return Dialogue(kept, len(turns) - len(kept), stray)
