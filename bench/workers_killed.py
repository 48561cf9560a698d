"""Three workers with speech recognition, one killed with SIGKILL mid-run: scores and duplicates.

Setup: the sample dataset (real recordings), a real emulator with its speech recogniser
(``--asr-engine``, default ``whisper-base``, the packaged weights), a ``url`` target keeping what
it made (no clean-up), the team store in a fresh schema of ``$SCRIBE_EVAL_BENCH_POSTGRES``.
Three ``scribe-eval worker`` processes take the encounter jobs of ``run --workers``; once all
three are busy, one is killed with SIGKILL. Its job goes back to the queue (stalled-job
recovery) and another worker finishes it. Then the same experiment runs in one process on a
local SQLite store, against the same emulator.

Printed: wall time, job starts (more than the encounters: a job started again), the
interactions, recordings, transcripts and documents the target holds for the workers' run
against what the run needed (expect equal: no duplicate), and whether every cell's scores equal
the single-process run's. Exit code 1 when a count or a score differs.
Run: ``.venv/bin/python bench/workers_killed.py [--templates 2] [--asr-engine whisper-base]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import yaml

from scribe_eval.store import RunStore, open_store

ADMIN_URL = os.environ.get(
    "SCRIBE_EVAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample"
TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")
CLI = [sys.executable, "-m", "scribe_eval.cli"]
KINDS = ("interactions", "recordings", "transcripts", "documents")


def write_experiment(folder: Path, base_url: str, templates: int) -> Path:
    """The sample dataset's recordings through the target's ASR, T templates, nothing deleted."""
    data = {
        "name": "bench-workers-killed",
        "dataset": str(SAMPLE),
        "target": {"kind": "url", "base_url": base_url, "tenant": "bench", "auth": "none"},
        "templates": [
            {"key": key, "label": key, "reference": "soap"} for key in TEMPLATES[:templates]
        ],
        "languages": {"output": ["recording"]},
        "cleanup": {"delete_interactions": False},
        "execution": {"concurrency": 4, "transcript_concurrency": 1, "document_concurrency": 4},
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def stored(base: str) -> dict[str, int]:
    """Rows the emulator holds, by resource."""
    rows = httpx.get(f"{base.rstrip('/')}/_emulator/stats", timeout=30).json()["stored"]
    return {kind: int(rows[kind]) for kind in KINDS}


def needed(store: RunStore, run_id: str) -> dict[str, int]:
    """What the run needed on the target: one interaction per encounter, one recording and one
    transcript per recognised encounter, one document per document cell."""
    cells = store.cells(run_id)
    asr = [c for c in cells if c.kind == "transcript" and c.source == "asr"]
    return {
        "interactions": len({(c.encounter_id, c.recording_language) for c in cells}),
        "recordings": len(asr),
        "transcripts": len(asr),
        "documents": sum(c.kind == "document" for c in cells),
    }


def busy_jobs(url: str) -> int:
    """Jobs being run now (0 before the queue exists)."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,):
            return 0
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
        ).fetchone()
    return 0 if row is None else int(row[0])


def job_starts(url: str) -> int:
    """Job starts, restarts included."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_events WHERE type = 'started'"
        ).fetchone()
    return 0 if row is None else int(row[0])


def start_worker(env: dict[str, str], runs: Path, log: Path) -> subprocess.Popen[bytes]:
    """A worker (one job at once, 0.5 s heartbeats); returns once it says ``worker ready``."""
    with log.open("w") as sink:
        process = subprocess.Popen(
            [*CLI, "worker", "--concurrency", "1", "--heartbeat", "0.5", "--runs-dir", str(runs)],
            env=env, stdout=subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip
    while "worker ready" not in log.read_text():
        if process.poll() is not None:
            raise SystemExit(f"a worker did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process


def workers_run(experiment: Path, url: str, tmp: Path) -> tuple[str, float, int]:
    """Run with three workers, one killed once all are busy; (run id, seconds, job starts)."""
    env = {**os.environ, "SCRIBE_EVAL_STORE": url}
    pool = [start_worker(env, tmp / f"w{i}", tmp / f"w{i}.log") for i in range(3)]
    try:
        started = time.perf_counter()
        coordinator = subprocess.Popen(
            [*CLI, "run", str(experiment), "--workers", "--stall-after", "2", "--no-progress",
             "--runs-dir", str(tmp / "coordinator")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        while busy_jobs(url) < 3:
            if coordinator.poll() is not None:
                raise SystemExit("the run ended before all three workers were busy")
            time.sleep(0.05)
        time.sleep(1.0)  # well inside the job: the recording is being recognised
        pool[0].send_signal(signal.SIGKILL)
        print(f"killed worker pid {pool[0].pid} after {time.perf_counter() - started:.1f} s")
        out, _ = coordinator.communicate(timeout=3600)
        elapsed = time.perf_counter() - started
        if coordinator.returncode != 0:
            raise SystemExit(f"run --workers exited {coordinator.returncode}: {out}")
        return out.strip().splitlines()[-1], elapsed, job_starts(url)
    finally:
        for process in pool:
            process.terminate()
        for process in pool:
            process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--templates", type=int, default=2, choices=range(1, 5))
    parser.add_argument("--asr-engine", default="whisper-base")
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        emulator = subprocess.Popen(
            [*CLI, "emulator", "serve", "--port", "0", "--data-dir", str(tmp / "emulator"),
             "--asr-engine", args.asr_engine],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            assert emulator.stdout is not None
            base = emulator.stdout.readline().strip()
            experiment = write_experiment(tmp, base, args.templates)
            ok = report(experiment, base, url, tmp)
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    sys.exit(0 if ok else 1)


def report(experiment: Path, base: str, url: str, tmp: Path) -> bool:
    """The workers' run, then the single-process run; print counts and the score comparison."""
    run_id, elapsed, starts = workers_run(experiment, url, tmp)
    on_target = stored(base)
    with open_store(url, tmp) as store:
        cells = {c.cell_id: c for c in store.cells(run_id)}
        need = needed(store, run_id)
        status = store.get_run(run_id).status
    encounters = len({c.encounter_id for c in cells.values()})
    print(f"3 workers, one killed: {status} in {elapsed:.1f} s, {starts} job starts for "
          f"{encounters} encounters, {len(cells)} cells")  # fmt: skip
    print("  on the target: " + ", ".join(f"{on_target[k]} {k} (needed {need[k]})" for k in KINDS))
    started = time.perf_counter()
    single = subprocess.run(
        [*CLI, "run", str(experiment), "--no-progress", "--runs-dir", str(tmp / "single")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True,
    )  # fmt: skip
    print(f"single process on SQLite: {time.perf_counter() - started:.1f} s")
    with RunStore(tmp / "single") as local:
        expected = {c.cell_id: c for c in local.cells(single.stdout.strip().splitlines()[-1])}
    differ = [
        cid for cid in expected if cid not in cells or cells[cid].scores != expected[cid].scores
    ]
    errors = [c.cell_id for c in cells.values() if c.status != "ok"]
    print(f"  scores: {len(expected) - len(differ)} of {len(expected)} cells equal, "
          f"{len(errors)} failed cells in the workers' run")  # fmt: skip
    for cid in differ[:5]:
        mine, theirs = cells[cid].scores if cid in cells else {}, expected[cid].scores
        keys = sorted(k for k in {*mine, *theirs} if mine.get(k) != theirs.get(k))
        print(f"  differs: {cid}: " + "; ".join(
            f"{k} {mine.get(k)!r:.60} vs {theirs.get(k)!r:.60}" for k in keys[:6]))  # fmt: skip
    return not differ and not errors and on_target == need and status == "completed"


if __name__ == "__main__":
    main()
