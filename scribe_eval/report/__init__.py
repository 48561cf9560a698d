"""The HTML report: one self-contained folder a reviewer opens offline.

``build_report`` writes ``index.html`` (what was run, per-language leaderboards with intervals
and a supported "best", transcript accuracy, heat-map, distributions, slices, encounters,
failures, methods), one page per encounter (transcript alignment, notes section by section) and,
against a baseline, ``compare.html``. Jinja2 autoescapes every text; CSS, script and charts are
inlined and the pages name no URL. ``no_text=True`` makes an aggregates-only report for sharing.

Every number on the pages comes from the results layer in `scribe_eval.compare` (the read model
`load_run_data`, the sample builder `samples`, the gate's rows), with labels, directions and
formats from the metric catalogue (`scribe_eval.metrics.METRICS`); the report computes no metric
of its own. A new metric reaches every page with its catalogue entry, its scorer function and
its test, and no change here. Whole-run tables read each cell's typed figures
(`RunStore.cell_summaries`); an encounter's page reads that encounter's full cells only.
"""

from __future__ import annotations

from scribe_eval.report._build import build_report

__all__ = ["build_report"]
