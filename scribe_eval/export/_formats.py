"""Write flat rows as CSV, JSON Lines or Parquet (Parquet needs pyarrow, the ``export`` extra)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Literal

from scribe_eval.errors import ConfigError
from scribe_eval.export._results import optional_import

ExportFormat = Literal["csv", "jsonl", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl", "parquet")


def write_rows(rows: Sequence[dict[str, Any]], fmt: ExportFormat, path: Path | None) -> None:
    """Write ``rows`` (dicts sharing their keys) to ``path``, or stdout when ``path`` is None.

    Parquet is binary, so it needs a file.
    """
    if fmt == "parquet":
        if path is None:
            raise ConfigError(
                "Parquet is binary: give a file with -o/--output, e.g. -o cells.parquet"
            )
        _write_parquet(rows, path)
        return
    if path is None:
        _write_text(rows, fmt, sys.stdout)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        _write_text(rows, fmt, handle)


def _write_text(rows: Sequence[dict[str, Any]], fmt: ExportFormat, out: IO[str]) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    pyarrow = optional_import("pyarrow", "Parquet export")
    parquet = optional_import("pyarrow.parquet", "Parquet export")
    columns = list(rows[0]) if rows else []
    arrays = [_column(pyarrow, [row[name] for row in rows]) for name in columns]
    table = pyarrow.Table.from_arrays(arrays, names=columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    parquet.write_table(table, str(path))


def _column(pyarrow: Any, values: list[Any]) -> Any:
    # A score key can hold a number in one cell and text in another (a finding's note); such a
    # column is written as text rather than failing the whole export.
    try:
        return pyarrow.array(values)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):
        return pyarrow.array([None if v is None else str(v) for v in values], pyarrow.string())
