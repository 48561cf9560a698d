"""``scribe-eval export``: a run's cells and scores as CSV, JSON Lines or Parquet."""

from __future__ import annotations

from pathlib import Path

import click

from scribe_eval.cli._common import resolve_runs_dir, runs_dir_option, store_option
from scribe_eval.export import EXPORT_FORMATS, ExportFormat, load_run, write_rows


@click.command("export")
@click.argument("run_ref", metavar="RUN_ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="csv and jsonl can go to stdout; parquet needs -o (and the export extra) "
    "[default: the -o file's extension (.csv, .jsonl, .parquet), else csv].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [default: stdout].",
)
@runs_dir_option
@store_option
def export(
    run_ref: str,
    fmt: ExportFormat | None,
    output: Path | None,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Write one row per cell of RUN_ID (an id, a prefix, `latest` or a baseline name).

    Columns: provenance (run, dataset, tool and metric versions), the cell (encounter, template,
    language, source, status, error, request id, cache key), every score as `scores.<key>`
    (nested keys joined with dots, lists as JSON text) and stage timings as `timing_ms.<stage>`.
    """
    fmt = _format(fmt, output)
    results = load_run(run_ref, resolve_runs_dir(runs_dir), store=store_url)
    rows = results.rows()
    write_rows(rows, fmt, output)
    if output is not None:
        click.echo(f"{output}: {len(rows)} cells of run {results.run.id}", err=True)


def _format(given: ExportFormat | None, output: Path | None) -> ExportFormat:
    """The format asked for, else the one the output file's extension names, else csv; a file
    whose extension names another format is refused (``-o cells.jsonl`` wrote CSV into it)."""
    named = output.suffix.lower().lstrip(".") if output is not None else ""
    by_extension = next((f for f in EXPORT_FORMATS if f == named), None)
    if given is None:
        return by_extension or "csv"
    if output is not None and by_extension is not None and by_extension != given:
        raise click.UsageError(
            f"--format {given} would write {given} into {output.name}; name the file "
            f"*.{given}, or leave --format out to write {by_extension}"
        )
    return given
