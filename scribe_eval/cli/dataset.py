"""``scribe-eval dataset``: validate, summarise and import labelled-visit datasets."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scribe_eval.dataset import Finding, load_dataset, summarize, validate_dataset
from scribe_eval.dataset.importers import IMPORT_FORMATS, CsvColumns, import_dataset

# Existence is checked by the dataset code, so a missing path is a one-line error with exit 1
# (click would exit 2, which `compare` uses for a regression).
_PATH = click.Path(path_type=Path)


@click.group("dataset")
def dataset() -> None:
    """Check, summarise and import datasets of labelled visits."""


@dataset.command("validate")
@click.argument("path", type=_PATH)
def validate(path: Path) -> None:
    """Report every problem of the dataset at PATH, one line each (exit 1 on any error)."""
    _report(validate_dataset(path), path)


@dataset.command("show")
@click.argument("path", type=_PATH)
def show(path: Path) -> None:
    """Print a summary table: encounters, audio minutes, words and note types per language."""
    summary = summarize(load_dataset(path))
    table = Table(title=f"dataset {summary.name}")
    for column in ("language", "encounters", "with audio", "minutes", "words", "note types"):
        table.add_column(
            column, justify="left" if column in {"language", "note types"} else "right"
        )
    for row in [*summary.rows, summary.total]:
        table.add_row(
            row.language,
            str(row.encounters),
            str(row.with_audio),
            f"{row.minutes:.1f}",
            str(row.words),
            ", ".join(f"{kind}: {count}" for kind, count in row.note_types.items()) or "-",
            end_section=row is summary.rows[-1],
        )
    console = Console(width=100)
    console.print(table)
    console.print("specialties: " + ", ".join(f"{k}: {v}" for k, v in summary.specialties.items()))


_IMPORT_HELP = """Import the public dataset at SRC (in FORMAT's layout) into a new folder DEST.

The dataset is written beside DEST, validated, then moved into place: a failed import leaves
nothing behind. Source problems (an empty turn, a visit without a note) are skipped and listed.
Transcripts without speaker labels are imported as one speaker ("speaker 1").

\b
Formats and the layouts they read (SRC is a file or any folder above the files):
  aci-bench   wyim/aci-bench: challenge_data/<split>.csv (dataset, encounter_id, dialogue,
              note) with <split>_metadata.csv beside it; src_experiment_data/*.csv (id column);
              challenge_data_json/<split>[_full|_<division>].json. One encounter per visit.
  primock57   babylonhealth/primock57: audio/<c>_doctor.wav + _patient.wav,
              transcripts/<c>_doctor.TextGrid + _patient.TextGrid, notes/<c>.json; or the
              cleaned redistribution: cleaned_transcripts/<c>_pure_text.txt (+ raw_audio/
              <c>_conversation.wav). Git LFS pointers are imported without audio.
  mts-dialog  abachaa/MTS-Dialog: Main-Dataset/*.csv (ID, section_header, section_text,
              dialogue); one encounter per row with a one-section note.
  osce        Simulated OSCE interviews (Fareez et al. 2022): <ID>.txt transcripts with D:/P:
              turns and <ID>.mp3 recordings of the same stem.
  csv         Any CSV, one encounter per row; name the columns with the csv flags below.
"""


@dataset.command("import", help=_IMPORT_HELP)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(IMPORT_FORMATS))
@click.argument("src", type=_PATH)
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--language", default="en", show_default=True, help="Default language code.")
@click.option("--name", help="Dataset name (default: DEST's folder name).")
@click.option("--force", is_flag=True, help="Replace DEST if it already holds files.")
@click.option("--id-column", default="id", show_default=True, help="csv: encounter id column.")
@click.option("--transcript-column", default="transcript", show_default=True,
              help="csv: 'Doctor: ...' dialogue column ('' for none).")  # fmt: skip
@click.option("--note-column", default="note", show_default=True,
              help="csv: reference note column ('' for none).")  # fmt: skip
@click.option("--audio-column", help="csv: audio path column (relative to the CSV).")
@click.option("--language-column", help="csv: per-row language code column.")
@click.option("--note-type", default="soap", show_default=True, help="csv: note type name.")
@click.option("--delimiter", default=",", show_default=True, help="csv: field delimiter.")
def import_(
    fmt: str,
    src: Path,
    dest: Path,
    language: str,
    name: str | None,
    force: bool,
    **csv_flags: str | None,
) -> None:
    columns = CsvColumns(
        id=csv_flags["id_column"] or "id",
        transcript=csv_flags["transcript_column"] or None,
        note=csv_flags["note_column"] or None,
        audio=csv_flags["audio_column"],
        language=csv_flags["language_column"],
        note_type=csv_flags["note_type"] or "soap",
        delimiter=csv_flags["delimiter"] or ",",
    )
    result = import_dataset(
        fmt, src, dest, language=language, name=name, columns=columns, force=force
    )
    for line in result.skipped:
        click.echo(f"skipped: {line}")
    for finding in result.warnings:
        click.echo(str(finding))
    click.echo(
        f"Imported {result.encounters} encounters ({result.turns} turns, {result.notes} notes) "
        f"into {result.dest}; {len(result.skipped)} source problem(s) skipped; "
        f"valid ({len(result.warnings)} warning(s))"
    )


def _report(findings: list[Finding], path: Path) -> None:
    for finding in findings:
        click.echo(str(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if errors:
        click.echo(f"{path}: {errors} error(s), {warnings} warning(s)", err=True)
        sys.exit(1)
    click.echo(f"{path}: valid ({warnings} warning(s))")
