"""MTS-Dialog: short doctor-patient dialogues, each with one note section (Ben Abacha et al., 2023).

CSV columns ``ID``, ``section_header``, ``section_text`` and ``dialogue``. The dialogue uses
``Doctor:``/``Patient:`` (and ``Guest_family:``/``Guest_clinician:``) lines. Each row becomes a
transcript-only encounter whose ``section`` note has one section, named and mapped from the
header code (``GENHX`` -> History of present illness, corti-hpi).
"""

from __future__ import annotations

from pathlib import Path

from scribe_eval.dataset.importers._common import parse_dialogue
from scribe_eval.dataset.importers._tables import read_csv_rows, require_columns, table_files
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter, ImportedNote

NOTE_TYPE = "section"
# Header code -> (heading, vendor key or None when the vendor has no matching section).
HEADERS: dict[str, tuple[str, str | None]] = {
    "CC": ("Chief complaint", "corti-chief-complaint"),
    "GENHX": ("History of present illness", "corti-hpi"),
    "PASTMEDICALHX": ("Past medical history", "corti-past-medical-history"),
    "PASTSURGICAL": ("Past surgical history", None),
    "FAM/SOCHX": ("Family and social history", None),
    "ROS": ("Review of systems", "corti-review-of-systems"),
    "MEDICATIONS": ("Medications", "corti-medications"),
    "ALLERGY": ("Allergies", "corti-allergies"),
    "EXAM": ("Physical examination", "corti-physical-exam-with-vitals"),
    "ASSESSMENT": ("Assessment", "corti-assessment"),
    "DIAGNOSIS": ("Diagnosis", "corti-assessment"),
    "PLAN": ("Plan", "corti-plan"),
    "LABS": ("Laboratory results", "corti-diagnostic-results"),
    "IMAGING": ("Imaging", "corti-diagnostic-results"),
}


def import_mts_dialog(src: Path, writer: DatasetWriter) -> list[str]:
    """Import every row as a transcript-only encounter with a one-section note."""
    skipped: list[str] = []
    for path in table_files(src, (".csv",)):
        rows = read_csv_rows(path)
        id_column = "ID" if rows and "ID" in rows[0] else "id"
        require_columns(path, rows, [id_column, "section_header", "section_text", "dialogue"])
        for index, row in enumerate(rows, start=1):
            dialogue = parse_dialogue(row["dialogue"])
            text = row["section_text"].strip()
            where = f"{path.name} row {index} ({row[id_column]})"
            if not dialogue.turns or not text:
                skipped.append(f"{where}: empty dialogue or section text, row skipped")
                continue
            problem = dialogue.problem(where)
            if problem:
                skipped.append(problem)
            code = row["section_header"].strip().upper()
            heading, key = HEADERS.get(code, (code.capitalize() or "Section", None))
            note = ImportedNote(
                sections={heading: text}, section_keys={heading: key} if key else {}
            )
            writer.add(
                ImportedEncounter(
                    id=f"{path.stem}-{row[id_column] or index}",
                    turns=dialogue.turns,
                    notes={NOTE_TYPE: note},
                    tags=[code.lower()],
                )
            )
    return skipped
