"""The worker side: run one encounter of a stored run, as any machine with the team store can.

A job carries only ids (run, encounter) and the per-target cap. The worker rebuilds the run's
experiment, dataset and matrix from the stored run (once per run and worker), keeps one target
session per run, and executes just that encounter's cells with the ordinary matrix executor: cells
already stored are skipped and remote resources already created are looked up, not made again,
so a job retried after a killed worker repeats no call on the target.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.experiment import (
    Cell,
    Experiment,
    Matrix,
    TranscriptJob,
    build_matrix,
    resolve_templates,
)
from scribe_eval.runner import (
    ExecutionLimits,
    MatrixExecutor,
    RunProgress,
    TargetSession,
    open_target,
)
from scribe_eval.store import RunStore, open_store
from scribe_eval.workers._slots import TargetSlots


@dataclass
class _RunContext:
    experiment: Experiment
    dataset: Dataset
    matrix: Matrix
    session: TargetSession
    target: str = field(default="")
    # The dataset's encounters by id, made once: a dict of the whole dataset per job made a
    # run's jobs cost O(encounters^2) together, as the matrix scan did.
    encounters: dict[str, Encounter] = field(default_factory=dict)
    # Each encounter's part of the matrix, split once: a scan of the whole matrix per job made
    # a run's jobs cost O(encounters^2) together.
    parts: dict[str, Matrix] = field(default_factory=dict)


class WorkerState:
    """What one worker process keeps between jobs: the store, a context per run, and the
    threads that score cells (``concurrency``: one per job run at once, as each job had its
    own; started once, not per job)."""

    def __init__(self, url: str, runs_dir: Path, *, concurrency: int = 1) -> None:
        self.url = url
        self.runs_dir = runs_dir
        self.store: RunStore = open_store(url, runs_dir)
        self._runs: dict[str, _RunContext] = {}
        self._opening = asyncio.Lock()
        self._slots = TargetSlots(url)
        self._scorer = ThreadPoolExecutor(concurrency, thread_name_prefix="scribe-eval-score")

    async def run_encounter(self, run_id: str, encounter_id: str, cap: int) -> None:
        """The task body: every cell of ``encounter_id`` in run ``run_id``."""
        context = await self._context(run_id)
        matrix = context.parts.get(encounter_id) or only_encounter(context.matrix, encounter_id)
        executor = MatrixExecutor(
            run_id=run_id, experiment=context.experiment, dataset=context.dataset,
            matrix=matrix, store=self.store, session=context.session,
            progress=RunProgress(len(matrix.transcripts), len(matrix.cells), enabled=False),
            limits=ExecutionLimits(), scorer=self._scorer, encounters=context.encounters,
        )  # fmt: skip
        try:
            async with self._slots.hold(context.target, cap):
                await executor.run()
        finally:
            self._account(run_id, context)

    def _account(self, run_id: str, context: _RunContext) -> None:
        # The job's writes carried its calls to the run as it went (a killed worker's count
        # stops at its last write); only calls made after the last of them are left, if any.
        # No await in here: the jobs of this worker share the session's ledger, and never
        # report the same calls twice. (Answers bought again for being too old are counted as
        # each is stored.)
        with context.session.ledger.carry() as carry:
            if carry.calls:
                self.store.update_run(run_id, api_calls_delta=carry.calls)

    async def _context(self, run_id: str) -> _RunContext:
        async with self._opening:
            if run_id not in self._runs:
                self._runs[run_id] = await asyncio.to_thread(self._open_run, run_id)
            return self._runs[run_id]

    def _open_run(self, run_id: str) -> _RunContext:
        experiment = Experiment.model_validate(self.store.get_run(run_id).config)
        dataset = load_dataset(experiment.dataset)
        matrix = build_matrix(experiment, dataset, resolve_templates(experiment))
        session = open_target(experiment, self.runs_dir)
        target = json.dumps(session.identity, sort_keys=True)
        parts = split_by_encounter(matrix)
        encounters = {e.id: e for e in dataset.encounters}
        return _RunContext(
            experiment, dataset, matrix, session, target=target, parts=parts, encounters=encounters
        )

    async def aclose(self) -> None:
        """Close every target session, the slots' connections, the scorer and the store."""
        for context in self._runs.values():
            await context.session.aclose()
        await self._slots.aclose()
        # Jobs are over: at most a cell being scored is waited for.
        self._scorer.shutdown(wait=True, cancel_futures=True)
        self.store.close()


def only_encounter(matrix: Matrix, encounter_id: str) -> Matrix:
    """The part of ``matrix`` that belongs to one encounter."""
    return Matrix(
        transcripts=[j for j in matrix.transcripts if j.encounter_id == encounter_id],
        cells=[c for c in matrix.cells if c.encounter_id == encounter_id],
        templates=matrix.templates,
        notes=matrix.notes,
    )


def split_by_encounter(matrix: Matrix) -> dict[str, Matrix]:
    """``only_encounter`` for every encounter of ``matrix``, in one pass over it."""
    transcripts: dict[str, list[TranscriptJob]] = {}
    cells: dict[str, list[Cell]] = {}
    for job in matrix.transcripts:
        transcripts.setdefault(job.encounter_id, []).append(job)
    for cell in matrix.cells:
        cells.setdefault(cell.encounter_id, []).append(cell)
    return {
        encounter: Matrix(
            transcripts.get(encounter, []), cells.get(encounter, []), matrix.templates, matrix.notes
        )
        for encounter in transcripts.keys() | cells.keys()
    }
