"""Writing the encounter pages, in worker processes on large runs.

Rebuilding a transcript alignment means normalising every word again, which dominates a large
report; on a run of at least `PARALLEL_FROM` encounters the pages are split over forked worker
processes (each opens its own connection to the run store: an SQLite connection must not cross
a fork) while the parent builds the overview. Elsewhere, or where fork is unavailable, they are
written in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from jinja2 import Template

from scribe_eval.compare import RunData, page_name
from scribe_eval.report._encounter import encounter_page
from scribe_eval.store import RunStore

PARALLEL_FROM = 200
_MAX_WORKERS = 4

# What a forked worker renders: set in the parent just before the fork, read in the children.
_JOB: tuple[RunData, Template, Path, dict[str, Any], RunData | None] | None = None
_INHERITED: list[RunStore] = []


def write_pages(
    data: RunData,
    template: Template,
    folder: Path,
    common: dict[str, Any],
    baseline: RunData | None = None,
) -> Callable[[], None]:
    """Start writing every encounter page into ``folder``; call the result to wait for the end.

    ``baseline``: the run compared with (same store), whose note each page shows beside its own.
    """
    global _JOB
    folder.mkdir(parents=True, exist_ok=True)
    ids = data.encounter_ids
    workers = min(_MAX_WORKERS, os.cpu_count() or 1)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if len(ids) < PARALLEL_FROM or workers < 2 or not forkable:
        _render(data, template, folder, common, ids, baseline)
        return _done
    _JOB = (data, template, folder, common, baseline)
    pool = multiprocessing.get_context("fork").Pool(workers)
    chunks = [ids[i :: workers * 4] for i in range(workers * 4)]
    pending: AsyncResult[list[None]] = pool.map_async(_render_in_worker, chunks)
    _JOB = None

    def wait() -> None:
        try:
            pending.get()
        finally:
            pool.close()
            pool.join()

    return wait


def _render_in_worker(ids: list[str]) -> None:
    assert _JOB is not None, "a worker runs only after the parent set the job"
    data, template, folder, common, baseline = _JOB
    # The parent's connection came across the fork: keep a reference so that it is never
    # finalised here (closing it could checkpoint the parent's WAL); workers end with _exit.
    _INHERITED.append(data.store)
    data.store = data.store.reopen()
    if baseline is not None:
        baseline.store = data.store  # one store: both runs are in it
    try:
        _render(data, template, folder, common, ids, baseline)
    finally:
        data.store.close()


def _render(
    data: RunData,
    template: Template,
    folder: Path,
    common: dict[str, Any],
    ids: list[str],
    baseline: RunData | None = None,
) -> None:
    for encounter_id in ids:
        html = template.render(
            page=encounter_page(data, encounter_id, baseline),
            run=data.run,
            dataset_problem=data.dataset_problem,
            **common,
        )
        (folder / page_name(encounter_id)).write_text(html, encoding="utf-8")


def _done() -> None:
    """Nothing to wait for: the pages were written in this process."""
