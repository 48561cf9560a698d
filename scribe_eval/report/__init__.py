"""The HTML report: one self-contained folder a reviewer opens offline.

``build_report`` writes ``index.html`` (what was run, per-language leaderboards with intervals
and a supported "best", transcript accuracy, heat-map, distributions, slices, encounters,
failures, methods), one page per encounter (transcript alignment, notes section by section) and,
against a baseline, ``compare.html``. Jinja2 autoescapes every text; CSS, script and charts are
inlined and the pages name no URL. ``no_text=True`` makes an aggregates-only report for sharing.
"""

from __future__ import annotations

from scribe_eval.report._build import build_report

__all__ = ["build_report"]
