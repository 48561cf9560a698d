"""Importers that turn public datasets of this field into scribe-eval datasets.

``import_dataset(format, src, dest)`` reads SRC (a file or folder in the public dataset's own
layout) and writes DEST, a new folder with ``dataset.yaml``, atomically: it is written beside
DEST, validated, then moved into place (``force=True`` replaces DEST). Formats: ``primock57``
(per-channel WAV, Praat TextGrid, free-text GP notes; or the cleaned one-speaker text),
``aci-bench`` (dialogue + sectioned visit note, CSV or JSON, one encounter per visit),
``mts-dialog`` (short dialogue + one section), ``osce`` (recordings + ``D:``/``P:`` transcripts)
and ``csv`` (columns named by ``CsvColumns``). Source problems are skipped and listed in
``ImportResult.skipped``.
"""

from __future__ import annotations

from scribe_eval.dataset.importers._api import (
    IMPORT_FORMATS,
    ImportFormat,
    ImportResult,
    import_dataset,
)
from scribe_eval.dataset.importers._csv import CsvColumns
from scribe_eval.dataset.importers._primock57 import parse_textgrid

__all__ = [
    "IMPORT_FORMATS",
    "CsvColumns",
    "ImportFormat",
    "ImportResult",
    "import_dataset",
    "parse_textgrid",
]
