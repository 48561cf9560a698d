"""PriMock57: mock primary-care consultations (babylonhealth/primock57).

Two layouts, found anywhere under SRC by file name:

- The original release: ``audio/<consultation>_doctor.wav`` and ``_patient.wav`` (one mono WAV
  per participant), ``transcripts/<consultation>_doctor.TextGrid`` and ``_patient.TextGrid``
  (Praat, one interval tier each, UTF-8 or UTF-16; ``<UNSURE>``/``<UNIN/>`` tags removed), and
  ``notes/<consultation>.json`` whose ``note`` field is the doctor's free-text note.
- The cleaned-transcript redistribution (as on the PriMock57 speech-to-text board):
  ``cleaned_transcripts/<consultation>_pure_text.txt`` (the whole consultation as text without
  speaker labels, imported as one speaker) and ``raw_audio/<consultation>_conversation.wav``
  (both speakers mixed).

A consultation with TextGrids uses them; its cleaned text is then ignored. Audio that is missing,
or still a Git LFS pointer in a clone made without ``git lfs``, is reported and the consultation
is imported without it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from scribe_eval.dataset._model import Role, Turn
from scribe_eval.dataset._notes import WHOLE_NOTE_HEADING
from scribe_eval.dataset._text import read_text_any
from scribe_eval.dataset.importers._common import parse_dialogue
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter, ImportedNote
from scribe_eval.errors import DatasetError

_ROLE_FILE = re.compile(r"^(?P<cid>.+)_(?P<role>doctor|patient|conversation|pure_text)$", re.I)
_LFS_POINTER = b"version https://git-lfs"
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
    """Import every consultation with a transcript; return the problems found."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(src.rglob("*")):
        match = _ROLE_FILE.match(path.stem)
        suffix = path.suffix.lower()
        if match and suffix in {".wav", ".textgrid", ".txt"}:
            kind = {".wav": "audio", ".textgrid": "grid", ".txt": "text"}[suffix]
            found.setdefault(match.group("cid"), {})[f"{kind}:{match.group('role').lower()}"] = path
    skipped: list[str] = []
    notes = _notes(src)
    without_audio: list[str] = []
    for cid, files in sorted(found.items()):
        encounter = _encounter(cid, files, skipped)
        if encounter is None:
            continue
        encounter.specialty, encounter.visit_type = "general-practice", "consultation"
        if not encounter.audio:
            without_audio.append(cid)
        if cid in notes:
            encounter.notes["gp-note"] = notes[cid]
        writer.add(encounter)
    if without_audio:
        skipped.append(
            f"{len(without_audio)} consultation(s) imported without audio (missing, or Git LFS "
            f"pointers: run 'git lfs pull' in the clone), e.g. {without_audio[0]}"
        )
    return skipped


def _encounter(cid: str, files: dict[str, Path], skipped: list[str]) -> ImportedEncounter | None:
    if "grid:doctor" in files and "grid:patient" in files:
        turns = [
            t
            for role in ("doctor", "patient")
            for t in parse_textgrid(read_text_any(files[f"grid:{role}"]), role)
        ]
        turns.sort(key=lambda t: (t.start_ms or 0, t.speaker))
        channels = [files.get("audio:doctor"), files.get("audio:patient")]
        audio = [a for a in channels if a is not None and _is_audio(a)]
        if len(audio) == 2:
            return ImportedEncounter(
                id=cid,
                turns=turns,
                audio=audio,
                per_channel=True,
                roles={0: "doctor", 1: "patient"},
            )
        return ImportedEncounter(id=cid, turns=turns)
    if "text:pure_text" in files:
        dialogue = parse_dialogue(read_text_any(files["text:pure_text"]))
        mixed = files.get("audio:conversation")
        mixed_audio = [mixed] if mixed is not None and _is_audio(mixed) else []
        roles: dict[int, Role] = {0: "multiple"} if mixed_audio else {}
        return ImportedEncounter(id=cid, turns=dialogue.turns, audio=mixed_audio, roles=roles)
    if any(k.startswith("grid:") for k in files):
        skipped.append(f"{cid}: needs both the doctor and the patient TextGrid, skipped")
    elif any(k.startswith("audio:") for k in files):
        skipped.append(f"{cid}: audio without a transcript, skipped")
    return None


def _is_audio(path: Path) -> bool:
    with path.open("rb") as handle:
        return not handle.read(len(_LFS_POINTER)).startswith(_LFS_POINTER)


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
