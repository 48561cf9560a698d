"""Starting the embedded emulator early: before the runner's own imports, when a run will call it.

The emulator's start-up (its imports, ~0.4-0.7 s) is the longest step before a run's first call.
``scribe-eval run`` starts a `WarmStart` first thing, a process importing the server before its
options are known; once the experiment is read, `prestart_embedded` hands it the run's command
(or it is discarded: a URL target, a re-run answered from the cache). The run then imports the
runner, reads the dataset and opens the store meanwhile, and hands the running server on
(`RunOptions.server`); the session adopts it and stops it like one it started.
This module imports only the experiment, the store and the client's process handle (no httpx),
so the CLI can use it before the rest of the runner is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scribe_eval.client import EmbeddedServer, WarmStart
from scribe_eval.errors import ScribeEvalError
from scribe_eval.experiment import EmbeddedTarget, Experiment, experiment_hash
from scribe_eval.store import STORE_FILENAME, RunStore, is_postgres_url, open_store, store_spec


def serve_options(target: EmbeddedTarget) -> list[str]:
    """The ``emulator serve`` options of an embedded target (engines, latency, faults)."""
    options = ["--asr-engine", target.asr_engine, "--note-engine", target.note_engine]
    if target.async_threshold_s is not None:
        options += ["--async-threshold-s", str(target.async_threshold_s)]
    if target.latency_ms:
        options += ["--latency-ms", str(target.latency_ms)]
    for name, probability in sorted(target.faults.items()):
        options += [f"--fault-{name}", str(probability)]
    if target.faults:
        options += ["--fault-seed", str(target.fault_seed)]
    return options


def embedded_server(target: EmbeddedTarget, runs_dir: Path) -> EmbeddedServer:
    """The (not yet started) emulator of a run: data in ``<runs dir>/emulator``, so a resumed run
    finds the interactions the interrupted one made, log in ``<runs dir>/emulator.log``. One
    emulator at a time may use that folder: another run's is refused, saying to wait."""
    return EmbeddedServer(
        runs_dir / "emulator", runs_dir / "emulator.log", serve_options(target),
        busy_fix=f"wait for the other run using {runs_dir} to finish (a new run may also use "
        "another --runs-dir)",
    )  # fmt: skip


def same_server(a: EmbeddedServer, b: EmbeddedServer) -> bool:
    """Whether two servers are started the same way (data dir, log and options)."""
    return (a.data_dir, a.log, a.options) == (b.data_dir, b.log, b.options)


def likely_to_call(
    experiment: Experiment,
    store: str | None,
    runs_dir: Path,
    *,
    resume: str | None,
    rerun_errors: bool = False,
) -> bool:
    """Whether a run will call its embedded target, so it is worth starting early.

    A new run: unless a run of the same experiment completed before (a re-run, probably answered
    from the cache). A resumed run (``resume``: its id): unless it completed with nothing left to
    do (no clean-up left over, and no failed cell to retry with ``rerun_errors``), so resuming a
    finished run starts nothing. A wrong "no" costs only time: the emulator still starts at the
    first cache miss. URL targets start nothing, so the answer is False.
    """
    if not isinstance(experiment.target, EmbeddedTarget):
        return False
    chosen = store_spec(store)
    if chosen is None or not is_postgres_url(chosen):
        folder = Path(chosen) if chosen is not None else runs_dir
        if not (folder / STORE_FILENAME).exists():
            # No run yet (a run refused by its checks must not create the file), so none to
            # resume either: the runner refuses that resume without calling anything.
            return resume is None
    with open_store(store, runs_dir) as opened:
        if resume is not None:
            return _resume_has_work(opened, resume, rerun_errors=rerun_errors)
        # Listings: every run's record would parse its whole configuration and provenance.
        runs = opened.run_listings()
    digest = experiment_hash(experiment)
    return not any(r.experiment_hash == digest and r.status == "completed" for r in runs)


def _resume_has_work(store: RunStore, run_id: str, *, rerun_errors: bool) -> bool:
    try:
        run = store.resolve_run(run_id)
    except ScribeEvalError:
        return False  # the runner refuses the resume with its own message, calling nothing
    if run.status != "completed" or run.notes:  # notes of a completed run: clean-up left over
        return True
    return rerun_errors and any(status == "error" for _, status, _ in store.cell_counts(run.id))


def prestart_embedded(
    experiment: Experiment,
    store: str | None,
    runs_dir: Path,
    *,
    resume: str | None,
    rerun_errors: bool = False,
    stop_with: Callable[[Callable[[], None]], object] | None = None,
    warm: WarmStart | None = None,
) -> EmbeddedServer | None:
    """The run's emulator, spawned now (not waited for), when the run will most likely call it.

    The caller owns the process until it hands it on in ``RunOptions.server``, and must stop it
    (``terminate()``) on every path, including a run refused before its first call; stopping a
    server the run already stopped does nothing. ``stop_with`` (such as click's
    ``Context.call_on_close``) registers that stop *before* the process exists, so no Ctrl-C
    between the spawn and the caller's own registration can leave the process behind.
    ``warm``: a process already importing the server (`WarmStart`), to use instead of a new one.
    """
    target = experiment.target
    if not isinstance(target, EmbeddedTarget) or not likely_to_call(
        experiment, store, runs_dir, resume=resume, rerun_errors=rerun_errors
    ):
        return None
    server = embedded_server(target, runs_dir)
    if stop_with is not None:
        stop_with(server.terminate)
    server.spawn(warm)
    return server
