"""One entry point for every importer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from scribe_eval.dataset._languages import language_problem
from scribe_eval.dataset._model import Finding
from scribe_eval.dataset.importers._aci_bench import import_aci_bench
from scribe_eval.dataset.importers._csv import CsvColumns, import_csv
from scribe_eval.dataset.importers._mts_dialog import import_mts_dialog
from scribe_eval.dataset.importers._osce import import_osce
from scribe_eval.dataset.importers._primock57 import import_primock57
from scribe_eval.dataset.importers._writer import DatasetWriter
from scribe_eval.errors import DatasetError

ImportFormat = Literal["primock57", "aci-bench", "mts-dialog", "osce", "csv"]
"""The public dataset layouts scribe-eval can import."""

IMPORT_FORMATS: tuple[str, ...] = get_args(ImportFormat)

_DESCRIPTIONS = {
    "primock57": "PriMock57 mock primary-care consultations (two channels, GP notes)",
    "aci-bench": "ACI-Bench dialogues and visit notes (transcript only)",
    "mts-dialog": "MTS-Dialog dialogues with one note section each (transcript only)",
    "osce": "OSCE-style interviews (recordings and D:/P: transcripts)",
    "csv": "Imported from a CSV file",
}


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote and what it left out.

    Attributes:
        dest: The dataset folder written.
        encounters: Encounters written.
        turns: Reference transcript turns written, over all encounters.
        notes: Reference notes written, over all encounters.
        skipped: One line per source problem (a visit skipped, empty turns dropped...).
        warnings: What validating the written dataset found short of an error.
    """

    dest: Path
    encounters: int
    skipped: tuple[str, ...]
    turns: int = 0
    notes: int = 0
    warnings: tuple[Finding, ...] = ()


def import_dataset(
    fmt: ImportFormat | str,
    src: str | Path,
    dest: str | Path,
    *,
    language: str = "en",
    name: str | None = None,
    columns: CsvColumns | None = None,
    force: bool = False,
) -> ImportResult:
    """Import a public dataset from SRC into a new scribe-eval dataset folder DEST.

    The dataset is written beside DEST, validated, then moved into place, so a failed import
    leaves nothing behind; ``force`` replaces an existing DEST. Source problems (an empty turn,
    a visit without a note) are skipped and listed in ``ImportResult.skipped``.

    Raises:
        DatasetError: unknown format or language, SRC missing or in the wrong layout, DEST not
            empty (without ``force``), nothing to import, or the result does not validate.
    """
    if fmt not in IMPORT_FORMATS:
        raise DatasetError(f"unknown import format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")
    problem = language_problem(language)
    if problem:
        raise DatasetError(problem)
    src_path, dest_path = Path(src), Path(dest)
    if not src_path.exists():
        raise DatasetError(f"{src_path} does not exist; give the downloaded dataset's path")
    writer = DatasetWriter(
        dest_path,
        name=name or dest_path.name,
        description=_DESCRIPTIONS[fmt],
        language=language,
        force=force,
    )
    try:
        skipped = _run(fmt, src_path, writer, columns)
        warnings = writer.finish()
    finally:
        writer.discard()
    return ImportResult(
        dest=dest_path,
        encounters=len(writer.entries),
        skipped=tuple(skipped),
        turns=writer.turns,
        notes=writer.notes,
        warnings=tuple(warnings),
    )


def _run(fmt: str, src: Path, writer: DatasetWriter, columns: CsvColumns | None) -> list[str]:
    if fmt == "primock57":
        return import_primock57(src, writer)
    if fmt == "aci-bench":
        return import_aci_bench(src, writer)
    if fmt == "mts-dialog":
        return import_mts_dialog(src, writer)
    if fmt == "osce":
        return import_osce(src, writer)
    return import_csv(src, writer, columns or CsvColumns())
