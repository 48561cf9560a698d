"""Copying one store into another (``scribe-eval store migrate``): safe to repeat.

Cache entries keep the run that made them; runs, cells and remote rows are copied as they are
(cells and remote rows are upserts, so a second copy after a resumed run brings the new cells);
blessings are appended in order unless the destination already has them. A baseline name the
destination already uses for another history is left alone and reported, never moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scribe_eval.errors import StoreError
from scribe_eval.store._base import RunStore
from scribe_eval.store._records import BaselineEvent, RunRecord


@dataclass
class CopyReport:
    """What a copy added (counts) and which baselines it left alone."""

    runs: int = 0
    runs_present: int = 0
    cells: int = 0
    cache_entries: int = 0
    blessings: int = 0
    conflicts: list[str] = field(default_factory=list)


def copy_store(source: RunStore, destination: RunStore) -> CopyReport:
    """Copy every run, cell, remote row, cached answer and blessing into ``destination``."""
    report = CopyReport()
    for entry in source.cache_entries():
        report.cache_entries += destination.import_cache_entry(entry)
    for run in sorted(source.list_runs(), key=lambda r: (r.created, r.id)):
        _copy_run(source, destination, run, report)
    _copy_blessings(source, destination, report)
    return report


def _copy_run(source: RunStore, destination: RunStore, run: RunRecord, report: CopyReport) -> None:
    try:
        present = destination.get_run(run.id)
    except StoreError:
        destination.create_run(run)
        report.runs += 1
    else:
        report.runs_present += 1
        if (present.status, present.api_calls, present.expired_cache) != (
            run.status, run.api_calls, run.expired_cache,
        ):  # fmt: skip
            destination.update_run(
                run.id, status=run.status, finished=run.finished,
                api_calls_delta=run.api_calls - present.api_calls, notes=run.notes,
                expired_cache_delta=run.expired_cache - present.expired_cache,
            )  # fmt: skip
    for cell in source.cells(run.id):
        if destination.get_cell(run.id, cell.cell_id) != cell:
            destination.put_cell(cell)
            report.cells += 1
    for remote in source.remotes(run.id):
        destination.put_remote(remote)


def _copy_blessings(source: RunStore, destination: RunStore, report: CopyReport) -> None:
    present = destination.baseline_history()
    known = {(e.name, e.run_id, e.blessed) for e in present}
    theirs = {e.name for e in present}
    events = source.baseline_history()
    for name, run_id in source.baselines().items():
        if not any(e.name == name for e in events):  # blessed before blessings were recorded
            events.append(
                BaselineEvent(name=name, run_id=run_id, user="(not recorded)", blessed="")
            )
    for event in events:
        if (event.name, event.run_id, event.blessed) in known:
            continue
        if event.name in theirs:
            report.conflicts.append(event.name)
            continue
        destination.import_baseline_event(event)
        report.blessings += 1
