"""Reading CSV and JSON tables of public datasets (any encoding, any field size)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from scribe_eval.dataset._text import read_text_any
from scribe_eval.errors import DatasetError

# Dialogues and notes are long; the csv module's default field limit (128 KiB) is too small.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def table_files(src: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """SRC itself when it is a file, else every file under it with one of the suffixes."""
    if src.is_file():
        return [src]
    if not src.is_dir():
        raise DatasetError(f"{src} does not exist; give the dataset's file or folder")
    files = sorted(p for p in src.rglob("*") if p.suffix.lower() in suffixes)
    if not files:
        raise DatasetError(f"no {'/'.join(suffixes)} files under {src}; check the path")
    return files


def read_csv_rows(path: Path, *, delimiter: str = ",") -> list[dict[str, str]]:
    """Every row of a CSV file with a header line, as a dict of column -> text."""
    reader = csv.DictReader(io.StringIO(read_text_any(path)), delimiter=delimiter)
    return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]


def read_json(path: Path) -> Any:
    """A JSON file's content."""
    try:
        return json.loads(read_text_any(path))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None


_LAYOUT_HINT = "give a file in this format's layout (see 'scribe-eval dataset import --help')"


def require_columns(
    path: Path, rows: list[dict[str, str]], columns: list[str], *, hint: str = _LAYOUT_HINT
) -> None:
    """Raise DatasetError naming the missing columns, the ones the file has, and ``hint``."""
    if not rows:
        return
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise DatasetError(f"{path} lacks columns {missing} (it has {list(rows[0])}); {hint}")
