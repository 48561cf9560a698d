"""Hand a run's results to other tools: typed records, flat rows, a DataFrame, CSV/Parquet/JSONL.

One row per cell (a transcript per encounter and recording language, or a document per template
and output language), with every score flattened into ``scores.<key>`` columns (nested mappings
joined with dots, lists as JSON text), stage timings as ``timing_ms.<stage>``, and provenance
columns naming the run, dataset, tool and metric versions the numbers came from::

    from scribe_eval import load_run

    results = load_run("latest", runs_dir="runs")
    for cell in results.cells:            # CellRecord: typed, frozen
        print(cell.cell_id, cell.status, cell.scores.get("wer"))
    frame = results.to_dataframe()        # needs pandas: pip install 'ambient-scribe-eval[export]'

``scribe-eval export RUN --format csv|parquet|jsonl`` writes the same rows.
"""

from __future__ import annotations

from scribe_eval.export._formats import EXPORT_FORMATS, ExportFormat, write_rows
from scribe_eval.export._results import RunResults, flatten_scores, load_run

__all__ = [
    "EXPORT_FORMATS",
    "ExportFormat",
    "RunResults",
    "flatten_scores",
    "load_run",
    "write_rows",
]
