"""Three workers with speech recognition, one killed with SIGKILL mid-run: scores and duplicates.

Setup: the sample dataset (real recordings), a real emulator with its speech recogniser
(``--asr-engine``, default ``whisper-base``, the packaged weights), a ``url`` target keeping what
it made (no clean-up), the team store in a fresh schema of ``$SCRIBE_EVAL_BENCH_POSTGRES``.
Three ``scribe-eval worker`` processes take the encounter jobs of ``run --workers``; once all
three are busy, one is killed with SIGKILL. Its job goes back to the queue (stalled-job
recovery) and another worker finishes it. Then the same experiment runs in one process on a
local SQLite store, against the same emulator.

Printed: wall time, job starts (more than the encounters: a job started again), the API calls
the run recorded against those the emulator served (the killed worker's are counted up to its
last store write), the interactions, recordings, transcripts and documents the target holds for
the workers' run against what the run needed (expect equal: no duplicate), whether every
recording on the target is byte for byte its dataset file (a killed upload left no partial
recording behind), and whether every cell's scores equal the single-process run's.

The emulator's speech recogniser decodes by beam search alone (no fallback to unseeded sampling,
ASR pipeline 3), so the same recording gives the same words in both runs and every cell's scores
must be equal. Where an encounter's transcript text differs between the runs, the words are
printed side by side (the engine's or ours: a differing transcript from the same recording and
request points at the engine). Exit code 1 when a count differs, a recording differs, a cell
failed, or any cell's scores differ.
Run: ``.venv/bin/python bench/workers_killed.py [--templates 2] [--asr-engine whisper-base]``.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import hashlib
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

# Run as a script, bench/ is on sys.path and the project root is not: put this tree's root first,
# so that bench.kills (and scribe_eval, as in the subprocesses started from the root) come from it.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kills import needed
from scribe_eval.client import AmbientClient
from scribe_eval.dataset import load_dataset
from scribe_eval.store import CellRecord, RunStore, open_store

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
    served = int(httpx.get(f"{base.rstrip('/')}/_emulator/stats", timeout=30).json()["requests"])
    with open_store(url, tmp) as store:
        cells = {c.cell_id: c for c in store.cells(run_id)}
        need = needed(store, run_id)
        status = store.get_run(run_id).status
        recorded = store.get_run(run_id).api_calls
        words = {c.encounter_id: transcript_words(store, c) for c in asr_cells(cells)}
    encounters = len({c.encounter_id for c in cells.values()})
    print(f"3 workers, one killed: {status} in {elapsed:.1f} s, {starts} job starts for "
          f"{encounters} encounters, {len(cells)} cells")  # fmt: skip
    print("  on the target: " + ", ".join(f"{on_target[k]} {k} (needed {need[k]})" for k in KINDS))
    print(f"  API calls recorded by the run {recorded}, served by the target {served}")
    started = time.perf_counter()
    single = subprocess.run(
        [*CLI, "run", str(experiment), "--no-progress", "--runs-dir", str(tmp / "single")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True,
    )  # fmt: skip
    print(f"single process on SQLite: {time.perf_counter() - started:.1f} s")
    single_id = single.stdout.strip().splitlines()[-1]
    with RunStore(tmp / "single") as local:
        expected = {c.cell_id: c for c in local.cells(single_id)}
        theirs = {c.encounter_id: transcript_words(local, c) for c in asr_cells(expected)}
    uploads, altered = recordings_as_uploaded(base, [run_id, single_id])
    expected_uploads = len(words) + len(theirs)  # one per recognised encounter and run
    altered += ["missing"] * (expected_uploads - uploads)
    not_same = f" (not: {altered})" if altered else ""
    print(f"  recordings of both runs on the target byte for byte their dataset file: "
          f"{expected_uploads - len(altered)} of {expected_uploads}{not_same}")  # fmt: skip
    recognised = sorted(e for e in theirs if words.get(e) != theirs[e])
    differ = [
        cid for cid in expected if cid not in cells or cells[cid].scores != expected[cid].scores
    ]
    unexplained = [cid for cid in differ if expected[cid].encounter_id not in recognised]
    errors = [c.cell_id for c in cells.values() if c.status != "ok"]
    print(f"  scores: {len(expected) - len(differ)} of {len(expected)} cells equal, "
          f"{len(errors)} failed cells in the workers' run; of the {len(differ)} others, "
          f"{len(differ) - len(unexplained)} belong to a transcript the target recognised "
          f"differently from the same recording, {len(unexplained)} do not")  # fmt: skip
    for encounter in recognised:
        mine = words.get(encounter, [])
        changes = word_changes(mine, theirs[encounter])
        print(f"  transcript {encounter}: {len(changes)} change(s) in {len(theirs[encounter])} "
              f"words, workers vs single: " + "; ".join(changes[:6]))  # fmt: skip
    for cid in differ[:5]:
        ours, single_scores = cells[cid].scores if cid in cells else {}, expected[cid].scores
        keys = sorted(k for k in {*ours, *single_scores} if ours.get(k) != single_scores.get(k))
        shown = [f"{k} {ours.get(k)!r:.60} vs {single_scores.get(k)!r:.60}" for k in keys[:6]]
        print(f"  differs: {cid}: " + "; ".join(shown))
    return (
        not differ and not errors and not altered and on_target == need
        and status == "completed"
    )  # fmt: skip


def asr_cells(cells: dict[str, CellRecord]) -> list[CellRecord]:
    """The transcript cells made by the target's speech recognition."""
    return [c for c in cells.values() if c.kind == "transcript" and c.source == "asr"]


def transcript_words(store: RunStore, cell: CellRecord) -> list[str]:
    """The words of a transcript cell's answer as the run stored it (its stage-cache entry)."""
    entry = store.cache_get(cell.cache_key) if cell.cache_key else None
    segments = (entry.value.get("transcripts") or []) if entry is not None else []
    return " ".join(str(s.get("text", "")) for s in segments).split()


def word_changes(mine: list[str], theirs: list[str]) -> list[str]:
    """Where two word sequences differ, as ``'mine' -> 'theirs'`` (``-``: no words)."""
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    return [
        f"{' '.join(mine[i1:i2]) or '-'!r} -> {' '.join(theirs[j1:j2]) or '-'!r}"
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def recordings_as_uploaded(base: str, run_ids: list[str]) -> tuple[int, list[str]]:
    """The runs' recordings on the target, and those not byte for byte their dataset file
    (``run:encounter``): a retried job must not reuse a recording a killed upload cut short."""
    dataset = load_dataset(SAMPLE)
    digests = {
        e.id: hashlib.sha256(e.audio.paths[0].read_bytes()).hexdigest()
        for e in dataset.encounters
        if e.audio is not None
    }

    async def check() -> tuple[int, list[str]]:
        seen, altered = 0, []
        async with AmbientClient(base, tenant="bench") as client:
            async for interaction in client.iter_interactions(page_size=100):
                identifier = interaction.encounter.identifier if interaction.encounter else None
                parts = str(identifier).split(":")
                if len(parts) < 4 or parts[1] not in run_ids:
                    continue
                for rid in await client.list_recordings(interaction.id):
                    seen += 1
                    data = await client.get_recording(interaction.id, rid)
                    if hashlib.sha256(data).hexdigest() != digests.get(parts[2]):
                        altered.append(f"{parts[1][:8]}:{parts[2]}")
        return seen, altered

    return asyncio.run(check())


if __name__ == "__main__":
    main()
