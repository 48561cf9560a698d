"""Reference transcripts: ``Doctor:``/``Patient:`` plain text, or JSON segments with times.

Plain text: each turn starts with a speaker label and a colon; a line without a known label
continues the turn before it (long turns are often wrapped). JSON: a list of segments, or an object
with a ``segments`` list; each segment has ``speaker`` and ``text`` and optionally ``start_ms`` and
``end_ms`` (or ``start`` and ``end`` in seconds).
"""

from __future__ import annotations

import re
from typing import Any

from scribe_eval.dataset._model import Turn

# Labels map to the role names the API uses where one exists; others are kept, lower-cased.
SPEAKER_LABELS: dict[str, str] = {
    "doctor": "doctor",
    "dr": "doctor",
    "d": "doctor",
    "clinician": "doctor",
    "physician": "doctor",
    "gp": "doctor",
    "arzt": "doctor",
    "ärztin": "doctor",
    "médecin": "doctor",
    "medecin": "doctor",
    "patient": "patient",
    "patientin": "patient",
    "p": "patient",
    "pt": "patient",
    "nurse": "nurse",
    "parent": "parent",
    "mother": "parent",
    "father": "parent",
    "caregiver": "caregiver",
    "relative": "relative",
    "interpreter": "interpreter",
    # Speaker names used by public datasets (MTS-Dialog, ACI-Bench).
    "guest_family": "relative",
    "patient_guest": "relative",
    "guest_clinician": "nurse",
    "doctor_guest": "nurse",
}
_LABEL = re.compile(r"^\s*\[?([^\W\d_][\w .'-]{0,30}?)\]?\s*:\s*(.*)$")
_SPEAKER_N = re.compile(r"^speaker[ _]?\d{1,2}$")


def speaker_of(label: str) -> str | None:
    """The normalised speaker for a label (``D`` -> ``doctor``), or None if it is not a label."""
    key = label.strip().lower()
    if key in SPEAKER_LABELS:
        return SPEAKER_LABELS[key]
    if _SPEAKER_N.match(key):
        return key.replace("_", " ")
    return None


def parse_plain_transcript(text: str) -> tuple[list[Turn], list[str]]:
    """Parse labelled plain text into turns; also return problems (one sentence each)."""
    turns: list[Turn] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LABEL.match(line)
        speaker = speaker_of(match.group(1)) if match else None
        if match and speaker is not None:
            turns.append(Turn(speaker=speaker, text=match.group(2).strip()))
        elif turns:
            last = turns[-1]
            joined = f"{last.text} {line}".strip()
            turns[-1] = last.model_copy(update={"text": joined})
        else:
            problems.append(
                f"line {number} comes before any speaker label; start each turn with "
                "'Doctor:' or 'Patient:'"
            )
    empty = [i for i, turn in enumerate(turns, start=1) if not turn.text]
    if empty:
        problems.append(f"turns {empty[:5]} have no text; remove them or add the spoken words")
    return turns, problems


def parse_json_transcript(data: Any) -> tuple[list[Turn], list[str]]:
    """Parse JSON segments (a list, or ``{"segments": [...]}``) into turns and problems."""
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        data = data["segments"]
    if not isinstance(data, list):
        return [], ["JSON transcript must be a list of segments or {'segments': [...]}"]
    turns: list[Turn] = []
    problems: list[str] = []
    for index, segment in enumerate(data):
        turn = _segment_turn(segment)
        if turn is None:
            problems.append(
                f"segment {index} needs 'speaker' and 'text' strings and integer "
                "'start_ms'/'end_ms' (or 'start'/'end' in seconds)"
            )
        else:
            turns.append(turn)
    return turns, problems


def _segment_turn(segment: Any) -> Turn | None:
    if not isinstance(segment, dict):
        return None
    speaker, text = segment.get("speaker"), segment.get("text")
    if not isinstance(speaker, str | int) or not isinstance(text, str):
        return None
    times: list[int | None] = []
    for ms_key, s_key in (("start_ms", "start"), ("end_ms", "end")):
        value = segment.get(ms_key)
        if value is None and isinstance(segment.get(s_key), int | float):
            value = round(float(segment[s_key]) * 1000)
        if value is not None and not isinstance(value, int):
            return None
        times.append(value)
    label = speaker_of(str(speaker)) or str(speaker).strip().lower()
    return Turn(speaker=label, text=text.strip(), start_ms=times[0], end_ms=times[1])


def format_plain_transcript(turns: list[Turn]) -> str:
    """Write turns as labelled plain text (``Doctor: ...``), one turn per line."""
    return "".join(f"{turn.speaker.capitalize()}: {turn.text}\n" for turn in turns)
