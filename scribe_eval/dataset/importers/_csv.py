"""A generic CSV: one encounter per row, with the columns named by the user.

The transcript column holds ``Doctor: ...``/``Patient: ...`` lines (or ``[doctor] ...``, or text
without speaker labels, imported as one speaker); the note
column holds Markdown ``## Heading`` blocks or upper-case headings (mapped to vendor keys where the
heading is a standard one); the audio column holds a path relative to the CSV file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scribe_eval.dataset.importers._common import parse_dialogue, split_note
from scribe_eval.dataset.importers._tables import read_csv_rows, require_columns, table_files
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter
from scribe_eval.errors import DatasetError

_FLAGS_HINT = "name the columns with --id-column, --transcript-column, --note-column"


@dataclass(frozen=True)
class CsvColumns:
    """Which CSV columns hold what; only ``id`` and one of transcript/note are required."""

    id: str = "id"
    transcript: str | None = "transcript"
    note: str | None = "note"
    audio: str | None = None
    language: str | None = None
    note_type: str = "soap"
    delimiter: str = ","


def import_csv(src: Path, writer: DatasetWriter, columns: CsvColumns) -> list[str]:
    """Import every row of the CSV file(s)."""
    if not (columns.transcript or columns.note):
        raise DatasetError(
            "name a transcript column or a note column (--transcript-column, --note-column)"
        )
    skipped: list[str] = []
    for path in table_files(src, (".csv", ".tsv")):
        rows = read_csv_rows(path, delimiter=columns.delimiter)
        wanted = [
            c
            for c in (columns.id, columns.transcript, columns.note, columns.audio, columns.language)
            if c
        ]
        require_columns(path, rows, wanted, hint=_FLAGS_HINT)
        for index, row in enumerate(rows, start=1):
            problem = _add_row(path, row, columns, writer)
            if problem:
                skipped.append(f"{path.name} row {index}: {problem}")
    return skipped


def _add_row(path: Path, row: dict[str, str], columns: CsvColumns, writer: DatasetWriter) -> str:
    dialogue = parse_dialogue(row[columns.transcript]) if columns.transcript else None
    turns = dialogue.turns if dialogue else []
    note_text = row[columns.note].strip() if columns.note else ""
    audio: list[Path] = []
    if columns.audio and row[columns.audio].strip():
        audio = [(path.parent / row[columns.audio].strip()).resolve()]
        if not audio[0].is_file():
            return f"audio file {row[columns.audio]!r} not found next to the CSV"
    if not turns and not note_text:
        return "empty transcript and note"
    writer.add(
        ImportedEncounter(
            id=row[columns.id] or f"{path.stem}-row",
            turns=turns,
            notes={columns.note_type: split_note(note_text)} if note_text else {},
            audio=audio,
            language=row[columns.language].strip() if columns.language else None,
        )
    )
    dropped = dialogue.problem("transcript") if dialogue else None
    return f"imported; {dropped}" if dropped else ""
