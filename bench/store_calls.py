"""Store calls per encounter: all of them, and the remote bookkeeping writes among them.

Setup as ``bench/workers.py``: a text-only dataset of N encounters (each one interaction, T
documents and the interaction's deletion), a real emulator with ``--latency-ms``, a ``url``
target. Each run is made in this process, with every public method of the store class counted
(a call from inside another store method is not counted again), in three modes: ``sqlite`` (the
local runner on the SQLite file), ``postgresql`` (the local runner on the team store, a fresh
schema of ``$SCRIBE_EVAL_BENCH_POSTGRES``) and ``worker`` (the run created as ``run --workers``
creates it, then each encounter job run by a worker's job body, ``WorkerState.run_encounter``,
one after the other: no queue, so only the job's own store calls are counted, and the run's
creation and finish apart).

Printed per mode: store calls per encounter (all, then by method), bookkeeping writes per
encounter (``put_remote`` and ``put_remote_if``: the rows that say what exists on the target),
bookkeeping rows folded into an answer's write (``cache_put`` with a remote row), and the run's
recorded API calls against those the emulator served. Counts, not times: the figures do not
depend on the load.
Run: ``.venv/bin/python bench/store_calls.py [--encounters 10] [--templates 4] [--latency-ms 5]
[--modes sqlite,postgresql,worker]`` (``PYTHONPATH=`` another tree measures its code).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Run as a script, bench/ is on sys.path and the project root is not: put it after PYTHONPATH's
# entries (so that PYTHONPATH=/another/tree measures that tree's code).
if not __package__:
    sys.path.append(str(Path(__file__).resolve().parents[1]))

import scribe_eval
from bench.workers import _calls, served, write_dataset, write_experiment
from bench.workers_cpu import fresh_schema
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RunOptions, run_experiment
from scribe_eval.store import RunStore, open_store

MODES = ("sqlite", "postgresql", "worker")
BOOKKEEPING = ("put_remote", "put_remote_if")


class StoreCalls:
    """Counts the public store methods called from outside the store, per method."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.folded = 0
        self._depth = threading.local()

    @contextmanager
    def counting(self, store_class: type[RunStore]) -> Iterator[None]:
        """Count the calls of ``store_class``'s public methods while inside."""
        names = [
            name
            for name in dir(RunStore)
            if not name.startswith("_") and callable(getattr(RunStore, name, None))
        ]
        originals = {name: store_class.__dict__.get(name) for name in names}
        for name in names:
            setattr(store_class, name, self._wrap(name, getattr(store_class, name)))
        try:
            yield
        finally:
            for name, original in originals.items():
                if original is None:
                    delattr(store_class, name)
                else:
                    setattr(store_class, name, original)

    def _wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def counted(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(self._depth, "n", 0)
            if depth == 0:
                self.calls[name] += 1
                self.folded += name == "cache_put" and kwargs.get("remote") is not None
            self._depth.n = depth + 1
            try:
                return method(*args, **kwargs)
            finally:
                self._depth.n = depth

        return counted


def store_class(url: str | None, runs: Path) -> type[RunStore]:
    """The class of the store ``url`` opens (SQLite for None)."""
    with open_store(url, runs) as store:
        return type(store)


def local_run(experiment: Path, url: str | None, runs: Path, counter: StoreCalls) -> str:
    """A local run (``scribe-eval run``) with the store's calls counted; returns its id."""
    with counter.counting(store_class(url, runs)):
        outcome = run_experiment(
            load_experiment(experiment), RunOptions(runs_dir=runs, store=url, progress=False)
        )
    return outcome.run.id


def worker_run(experiment: Path, url: str, runs: Path, counter: StoreCalls) -> str:
    """The run's encounter jobs through a worker's job body, with only their calls counted."""
    from scribe_eval.dataset import load_dataset
    from scribe_eval.experiment import build_matrix, resolve_templates
    from scribe_eval.runner import open_target, start_or_resume
    from scribe_eval.workers._worker import WorkerState

    loaded = load_experiment(experiment)
    dataset = load_dataset(loaded.dataset)
    matrix = build_matrix(loaded, dataset, resolve_templates(loaded))
    session = open_target(loaded, runs)
    with open_store(url, runs) as store:
        run = start_or_resume(store, loaded, dataset, matrix, session, RunOptions(runs_dir=runs))
    encounters = sorted({job.encounter_id for job in matrix.transcripts})

    async def jobs() -> None:
        await session.aclose()
        state = WorkerState(url, runs / "worker")
        try:
            with counter.counting(type(state.store)):
                for encounter in encounters:
                    await state.run_encounter(run.id, encounter, 0)
        finally:
            await state.aclose()

    asyncio.run(jobs())
    return run.id


def measure(mode: str, experiment: Path, base: str, tmp: Path, encounters: int) -> None:
    """One run in ``mode``; prints its counts per encounter."""
    counter = StoreCalls()
    runs = tmp / f"runs-{mode}-{uuid.uuid4().hex[:6]}"
    before = sum(_calls(base).values())
    with fresh_schema() if mode != "sqlite" else _no_schema() as url:
        if mode == "worker":
            assert url is not None
            run_id = worker_run(experiment, url, runs, counter)
        else:
            run_id = local_run(experiment, url, runs, counter)
        served_calls = sum(_calls(base).values()) - before
        with open_store(url, runs) as store:
            recorded = store.get_run(run_id).api_calls
    total = sum(counter.calls.values())
    writes = sum(counter.calls[name] for name in BOOKKEEPING)
    print(
        f"{mode:<11} store calls per encounter {total / encounters:5.1f} ({total}); bookkeeping "
        f"writes {writes / encounters:4.1f} ({writes}); rows folded into answers "
        f"{counter.folded / encounters:4.1f}; API calls recorded {recorded}, served "
        f"{served_calls}"
    )
    by_method = ", ".join(
        f"{name} {n / encounters:.1f}" for name, n in sorted(counter.calls.items())
    )
    print(f"            per encounter by method: {by_method}")


@contextmanager
def _no_schema() -> Iterator[str | None]:
    yield None


def main() -> None:
    """Run the modes asked for on one emulator; print their counts."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encounters", type=int, default=10)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency-ms", type=int, default=5)
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        raise SystemExit(f"unknown mode(s) {sorted(unknown)}; choose from {', '.join(MODES)}")
    with tempfile.TemporaryDirectory() as name, served(Path(name), args.latency_ms) as served_by:
        tmp, base, _ = served_by
        dataset = write_dataset(tmp / "dataset", args.encounters)
        print(
            f"{args.encounters} encounters x {args.templates} templates (text only: one "
            f"interaction, {args.templates} documents and a deletion each), latency "
            f"{args.latency_ms} ms; code from {Path(scribe_eval.__file__ or '?').parent}"
        )
        experiment = write_experiment(tmp, dataset, base, args.templates)
        for mode in modes:
            # Each mode has a store of its own (a new runs folder or schema), so no answer
            # comes from the cache of an earlier mode.
            measure(mode, experiment, base, tmp, args.encounters)


if __name__ == "__main__":
    main()
