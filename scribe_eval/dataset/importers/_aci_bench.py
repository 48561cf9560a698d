"""ACI-Bench: doctor-patient dialogues with full visit notes, no audio (Yim et al., 2023).

CSV files with ``encounter_id`` (or ``id``), ``dialogue`` and ``note`` columns (``dataset`` is
kept as a tag), or JSON files ``{"data": [{"file": ..., "src": dialogue, "tgt": note}]}``. The
dialogue uses ``[doctor]``/``[patient]`` turns; the note's upper-case headings (``CHIEF
COMPLAINT``, ``ASSESSMENT AND PLAN``...) become sections mapped to the vendor's keys.
"""

from __future__ import annotations

from pathlib import Path

from scribe_eval.dataset.importers._common import parse_dialogue, split_note
from scribe_eval.dataset.importers._tables import (
    read_csv_rows,
    read_json,
    require_columns,
    table_files,
)
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter

NOTE_TYPE = "visit-note"


def import_aci_bench(src: Path, writer: DatasetWriter) -> list[str]:
    """Import every dialogue + note pair as a transcript-only encounter."""
    skipped: list[str] = []
    for path in table_files(src, (".csv", ".json")):
        for index, (eid, dialogue, note, tag) in enumerate(_records(path)):
            turns = parse_dialogue(dialogue)
            if not turns or not note.strip():
                skipped.append(f"{path.name} row {index + 1}: empty dialogue or note")
                continue
            writer.add(
                ImportedEncounter(
                    id=eid or f"{path.stem}-{index + 1}",
                    turns=turns,
                    notes={NOTE_TYPE: split_note(note)},
                    tags=[tag] if tag else [],
                )
            )
    return skipped


def _records(path: Path) -> list[tuple[str, str, str, str]]:
    if path.suffix.lower() == ".json":
        data = read_json(path)
        items = data.get("data", []) if isinstance(data, dict) else data
        return [
            (str(item.get("file", "")), str(item.get("src", "")), str(item.get("tgt", "")), "")
            for item in items
            if isinstance(item, dict)
        ]
    rows = read_csv_rows(path)
    id_column = "encounter_id" if rows and "encounter_id" in rows[0] else "id"
    require_columns(path, rows, [id_column, "dialogue", "note"])
    return [(r[id_column], r["dialogue"], r["note"], r.get("dataset", "")) for r in rows]
