"""OSCE-style interviews: a folder of recordings and ``D:``/``P:`` text transcripts.

As in the simulated patient-physician interview dataset of Fareez et al. (2022): ``RES0001.mp3``
and ``RES0001.txt`` anywhere under SRC, matched by file stem. Transcripts may be UTF-8, UTF-16
with a byte-order mark or cp1252, and long turns may be wrapped over several lines. A recording
holds both speakers on one channel (role ``multiple``). A transcript without a recording becomes
a transcript-only encounter.
"""

from __future__ import annotations

from pathlib import Path

import soundfile as sf

from scribe_eval.dataset._model import Role
from scribe_eval.dataset._text import read_text_any
from scribe_eval.dataset.importers._common import parse_dialogue
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter

AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".webm")


def import_osce(src: Path, writer: DatasetWriter) -> list[str]:
    """Import every transcript, with its recording when one has the same stem."""
    audio = {p.stem: p for p in sorted(src.rglob("*")) if p.suffix.lower() in AUDIO_SUFFIXES}
    skipped: list[str] = []
    transcripts = sorted(src.rglob("*.txt"))
    for path in transcripts:
        dialogue = parse_dialogue(read_text_any(path))
        if not dialogue.turns:
            skipped.append(f"{path.name}: empty transcript, skipped")
            continue
        if dialogue.unlabelled:
            # An OSCE transcript labels every turn (D:, P:); a text without one label is some
            # other file under SRC (a README, requirements.txt), not a visit.
            skipped.append(f"{path.name}: no speaker label (D:, P:) on any line; not a transcript")
            continue
        problem = dialogue.problem(path.name)
        if problem:
            skipped.append(problem)
        recording = audio.get(path.stem)
        writer.add(
            ImportedEncounter(
                id=path.stem,
                turns=dialogue.turns,
                audio=[recording] if recording else [],
                roles=_roles(recording) if recording else {},
                tags=["osce"],
            )
        )
    stems = {p.stem for p in transcripts}
    skipped += [
        f"{p.name}: recording without a transcript" for s, p in audio.items() if s not in stems
    ]
    return skipped


def _roles(recording: Path) -> dict[int, Role]:
    try:
        channels = sf.info(str(recording)).channels
    except (sf.LibsndfileError, RuntimeError):
        return {0: "multiple"}  # validation reports the undecodable file
    if channels == 2:
        return {0: "doctor", 1: "patient"}
    return {0: "multiple"}
