"""Whether a run finished: no gate passes, and no baseline is blessed, on part of a run.

A run that was interrupted (Ctrl-C, ``kill``), stopped (``--fail-fast``, a run-wide failure) or is
still running holds only the cells it finished; every number computed on it silently leaves the
rest out (a template whose documents were never written is not even listed). Its record's status
says so (`scribe_eval.store.RunStatus`: only ``completed`` finished; a completed run may still
have failed cells, which the gate's error-rate limit judges).
"""

from __future__ import annotations

from collections.abc import Iterable

from scribe_eval.store import RUNNER_GONE, CellFields, RunRecord


def run_progress(run: RunRecord, cells: Iterable[CellFields]) -> str:
    """How much of a run finished, per kind: ``5 of 33 documents, 11 of 11 transcripts``.

    A cell finished when it succeeded or failed; the totals are the run's recorded matrix
    (without one, the cells stored).
    """
    done = {"document": 0, "transcript": 0}
    stored = {"document": 0, "transcript": 0}
    for cell in cells:
        stored[cell.kind] += 1
        done[cell.kind] += cell.status in ("ok", "error")
    matrix = run.meta.matrix
    parts = []
    for kind in ("document", "transcript"):
        total = matrix.get(f"{kind}s")
        total = total if isinstance(total, int) else stored[kind]
        parts.append(f"{done[kind]} of {total} {kind}{'' if total == 1 else 's'}")
    return ", ".join(parts) + " finished"


def incomplete_run(
    run: RunRecord, cells: Iterable[CellFields], *, runner_gone: bool = False
) -> str | None:
    """Why ``run`` is not complete (its status and progress), or None when it completed.
    ``runner_gone`` (`scribe_eval.store.runner_gone`): a run stored ``running`` that nobody runs
    any more reads `scribe_eval.store.RUNNER_GONE`, not ``running``."""
    if run.status == "completed":
        return None
    status = RUNNER_GONE if runner_gone else run.status
    return f"run {run.id} is {status} ({run_progress(run, cells)})"
