"""PriMock57: mock primary-care consultations (babylonhealth/primock57).

Layout read: ``audio/<consultation>_doctor.wav`` and ``<consultation>_patient.wav`` (one mono WAV
per participant), ``transcripts/<consultation>_doctor.TextGrid`` and ``..._patient.TextGrid``
(Praat, one interval tier each, UTF-8 or UTF-16), and ``notes/<consultation>.json`` whose
``note`` field is the doctor's free-text note. Files are found anywhere under SRC by name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from scribe_eval.dataset._model import Turn
from scribe_eval.dataset._notes import WHOLE_NOTE_HEADING
from scribe_eval.dataset._text import read_text_any
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter, ImportedNote
from scribe_eval.errors import DatasetError

_ROLE_FILE = re.compile(r"^(?P<cid>.+)_(?P<role>doctor|patient)$", re.I)
_INTERVAL = re.compile(
    r'xmin\s*=\s*([\d.]+)\s*xmax\s*=\s*([\d.]+)\s*text\s*=\s*"((?:[^"]|"")*)"', re.S
)
_TAG = re.compile(r"</?[A-Za-z_]+/?>")
_SHORT_TOKEN = re.compile(r'"(?:[^"]|"")*"|-?\d+(?:\.\d+)?')


def parse_textgrid(text: str, speaker: str) -> list[Turn]:
    """Every non-empty interval of a Praat TextGrid as a turn (markup tags removed).

    Reads Praat's long text format and, for the first interval tier, its short format.
    """
    intervals = _INTERVAL.findall(text) if "xmin =" in text else _short_intervals(text)
    turns = []
    for start, end, raw in intervals:
        words = " ".join(_TAG.sub(" ", raw.replace('""', '"')).split())
        if words:
            turns.append(
                Turn(
                    speaker=speaker,
                    text=words,
                    start_ms=round(float(start) * 1000),
                    end_ms=round(float(end) * 1000),
                )
            )
    return turns


def _short_intervals(text: str) -> list[tuple[str, str, str]]:
    # Short format: ... "IntervalTier" "name" xmin xmax count, then count (xmin, xmax, "text").
    tokens = _SHORT_TOKEN.findall(text)
    try:
        at = tokens.index('"IntervalTier"')
        count = int(tokens[at + 4])
    except (ValueError, IndexError):
        return []
    body = tokens[at + 5 : at + 5 + 3 * count]
    return [(body[i], body[i + 1], body[i + 2][1:-1]) for i in range(0, len(body) - 2, 3)]


def import_primock57(src: Path, writer: DatasetWriter) -> list[str]:
    """Import every consultation with both participants' audio; return what was skipped."""
    found: dict[str, dict[str, dict[str, Path]]] = {}
    for path in sorted(src.rglob("*")):
        match = _ROLE_FILE.match(path.stem)
        if match and path.suffix.lower() in {".wav", ".textgrid"}:
            kind = "audio" if path.suffix.lower() == ".wav" else "grid"
            cid, role = match.group("cid"), match.group("role").lower()
            found.setdefault(cid, {}).setdefault(kind, {})[role] = path
    skipped: list[str] = []
    notes = _notes(src)
    for cid, files in sorted(found.items()):
        audio, grids = files.get("audio", {}), files.get("grid", {})
        if set(audio) != {"doctor", "patient"} or set(grids) != {"doctor", "patient"}:
            skipped.append(f"{cid}: needs doctor and patient WAV and TextGrid files")
            continue
        turns = [
            t
            for role in ("doctor", "patient")
            for t in parse_textgrid(read_text_any(grids[role]), role)
        ]
        turns.sort(key=lambda t: (t.start_ms or 0, t.speaker))
        encounter = ImportedEncounter(
            id=cid,
            turns=turns,
            audio=[audio["doctor"], audio["patient"]],
            per_channel=True,
            roles={0: "doctor", 1: "patient"},
            specialty="general-practice",
            visit_type="consultation",
        )
        if cid in notes:
            encounter.notes["gp-note"] = notes[cid]
        writer.add(encounter)
    return skipped


def _notes(src: Path) -> dict[str, ImportedNote]:
    # notes/day1_consultation01.json holds {"day": 1, "consultation": 1, "note": "..."}; index
    # by file stem and by day/consultation, since other files of the corpus pad numbers differently.
    notes: dict[str, ImportedNote] = {}
    for path in sorted(src.rglob("*.json")):
        try:
            data = json.loads(read_text_any(path))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path} is not valid JSON ({exc.msg}); fix or remove it") from None
        text = data.get("note") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            continue
        note = ImportedNote(sections={WHOLE_NOTE_HEADING: text.strip()})
        notes[path.stem] = note
        day, number = data.get("day"), data.get("consultation")
        if isinstance(day, int) and isinstance(number, int):
            notes.setdefault(f"day{day}_consultation{number:02d}", note)
    return notes
