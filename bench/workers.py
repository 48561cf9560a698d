"""One run spread over workers (procrastinate on the team store): one worker against three.

Setup: a text-only dataset of N encounters (reference transcripts, so each encounter job is one
interaction, T documents and the interaction's deletion: API-bound), a real emulator with
``--latency-ms`` added to every call, a ``url`` target, the team store in a fresh schema of
``$SCRIBE_EVAL_BENCH_POSTGRES`` (default the test database on 127.0.0.1:5432, dropped after each
run). Each worker runs ``--concurrency C`` encounter jobs at once, the same C for one worker and
for three, and no global cap is set (``--global-concurrency 0``, unless asked): three workers
have three times the slots, so the ideal speed-up is 3. The workers are started, and their
scorers loaded, before the clock starts (the clock waits for each one's ``worker ready`` line).
Runs alternate (1, 3, 1, 3, ...) so that both see the same load from the rest of the machine.

Per run it prints the wall time of ``run --workers``, the job phase (first job start to last
job end, from procrastinate's events) and the serial rest (the coordinator's start and finish),
the calls made on the target and the duplicates (creates beyond one per encounter or document:
expect 0), and the CPU seconds the workers and the emulator used (on a small shared machine the
CPU, not the target's latency, is what three workers run out of). The summary gives min and
median, the ratio of medians, the ideal ratio and the bound that the serial rest leaves (Amdahl),
and the load average.
Run: ``.venv/bin/python bench/workers.py [--encounters 40] [--templates 4] [--latency-ms 200]
[--concurrency 2] [--repeats 3] [--global-concurrency 0]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import yaml

ADMIN_URL = os.environ.get(
    "SCRIBE_EVAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")
CLI = [sys.executable, "-m", "scribe_eval.cli"]
READY_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class RunFigures:
    """One timed run: seconds, its job phase, the load average then, calls by endpoint, and the
    CPU seconds the workers and the emulator used during the run."""

    workers: int
    wall_s: float
    jobs_s: float
    load: float
    calls: Counter[str]
    workers_cpu_s: float
    emulator_cpu_s: float

    @property
    def serial_s(self) -> float:
        """The coordinator's part: start-up before the first job and finish after the last."""
        return self.wall_s - self.jobs_s


def write_dataset(folder: Path, encounters: int) -> Path:
    """N text-only encounters with distinct reference transcripts (nothing shared via the cache)."""
    (folder / "transcripts").mkdir(parents=True)
    items = []
    for i in range(encounters):
        eid = f"en-{i:04d}"
        (folder / "transcripts" / f"{eid}.txt").write_text(
            f"Doctor: What brings you in today?\nPatient: A cough for {i + 2} days, no fever.\n"
        )
        sections = {"Subjective": f"Cough for {i + 2} days.", "Plan": "Rest."}
        keys = {"Subjective": "corti-subjective", "Plan": "corti-plan"}
        items.append(
            {
                "id": eid,
                "transcript": f"transcripts/{eid}.txt",
                "notes": {"soap": {"sections": sections, "section_keys": keys}},
            }
        )
    manifest = {"name": "bench", "default_language": "en", "encounters": items}
    (folder / "dataset.yaml").write_text(yaml.safe_dump(manifest))
    return folder


def write_experiment(folder: Path, dataset: Path, base_url: str, templates: int) -> Path:
    """The experiment: T templates on a ``url`` target, documents of one encounter in parallel."""
    data = {
        "name": "bench-workers",
        "dataset": str(dataset),
        "target": {"kind": "url", "base_url": base_url, "tenant": "bench", "auth": "none"},
        "templates": [
            {"key": key, "label": key, "reference": "soap"} for key in TEMPLATES[:templates]
        ],
        "languages": {"output": ["recording"]},
        "execution": {"concurrency": 8, "document_concurrency": 8},
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def start_workers(
    pool: list[subprocess.Popen[bytes]],
    count: int,
    concurrency: int,
    env: dict[str, str],
    tmp: Path,
) -> None:
    """Add ``count`` worker processes to ``pool``; returns once each has said ``worker ready``."""
    logs = []
    for i in range(count):
        log = tmp / f"worker-{uuid.uuid4().hex[:6]}.log"
        with log.open("w") as sink:
            process = subprocess.Popen(
                [*CLI, "worker", "--concurrency", str(concurrency), "--runs-dir",
                 str(tmp / f"w{i}")], env=env, stdout=subprocess.DEVNULL, stderr=sink,
            )  # fmt: skip
        pool.append(process)
        logs.append((process, log))
    deadline = time.monotonic() + READY_TIMEOUT_S
    for process, log in logs:
        while "worker ready" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"a worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)


def one_run(
    experiment: Path, base: str, emulator: int, workers: int, args: argparse.Namespace, tmp: Path
) -> RunFigures:
    """Time `run --workers` with ``workers`` worker processes, in a fresh schema."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    env = {**os.environ, "SCRIBE_EVAL_STORE": url}
    pool: list[subprocess.Popen[bytes]] = []
    try:
        start_workers(pool, workers, args.concurrency, env, tmp)
        before = _calls(base)
        cpu_before = [cpu_seconds(p.pid) for p in pool], cpu_seconds(emulator)
        load = os.getloadavg()[0]
        started = time.perf_counter()
        quiet = subprocess.DEVNULL
        subprocess.run([*CLI, "run", str(experiment), "--workers", "--no-progress",
                        "--global-concurrency", str(args.global_concurrency),
                        "--runs-dir", str(tmp / "coordinator")], env=env,
                       stdout=quiet, stderr=quiet, check=True)  # fmt: skip
        wall = time.perf_counter() - started
        cpu = sum(cpu_seconds(p.pid) for p in pool) - sum(cpu_before[0])
        emulator_cpu = cpu_seconds(emulator) - cpu_before[1]
        calls = _calls(base)
        calls.subtract(before)
        return RunFigures(workers, wall, _job_phase(url), load, +calls, cpu, emulator_cpu)
    finally:
        for process in pool:
            process.terminate()
        for process in pool:
            process.wait(timeout=30)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a live process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _job_phase(url: str) -> float:
    """Seconds from the first job's start to the last job's end (procrastinate's events)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT EXTRACT(EPOCH FROM max(at) FILTER (WHERE type IN ('succeeded', 'failed')) "
            "- min(at) FILTER (WHERE type = 'started')) FROM procrastinate_events"
        ).fetchone()
    return float(row[0]) if row is not None and row[0] is not None else 0.0


def _calls(base: str) -> Counter[str]:
    """API calls the emulator has served so far, by endpoint."""
    stats = httpx.get(f"{base.rstrip('/')}/_emulator/stats", timeout=30).json()
    return Counter({str(k): int(v) for k, v in stats["byEndpoint"].items()})


def duplicates(calls: Counter[str], encounters: int, templates: int) -> int:
    """Creates beyond one interaction per encounter and one document per cell."""
    interactions = sum(
        n for k, n in calls.items() if k.startswith("POST") and k.endswith("/interactions")
    )
    documents = sum(
        n for k, n in calls.items() if k.startswith("POST") and k.endswith("/documents")
    )
    return (interactions - encounters) + (documents - encounters * templates)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encounters", type=int, default=40)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2, help="jobs at once per worker")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--global-concurrency", type=int, default=0,
                        help="cap on jobs in flight across workers (0: none)")  # fmt: skip
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as name,
        served(Path(name), args.latency_ms) as (tmp, base, pid),
    ):
        experiment = write_experiment(tmp, write_dataset(tmp / "dataset", args.encounters), base,
                                      args.templates)  # fmt: skip
        report(args, experiment, base, pid, tmp)


@contextmanager
def served(tmp: Path, latency_ms: int) -> Iterator[tuple[Path, str, int]]:
    """An emulator (instant speech, ``latency_ms`` per call) with its data in ``tmp``:
    yields ``tmp``, its base URL and its process id; stopped on the way out."""
    emulator = subprocess.Popen(
        [*CLI, "emulator", "serve", "--port", "0", "--data-dir", str(tmp / "emulator"),
         "--asr-engine", "instant", "--no-preload", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert emulator.stdout is not None
        yield tmp, emulator.stdout.readline().strip(), emulator.pid
    finally:
        emulator.terminate()
        emulator.wait(timeout=20)


def report(args: argparse.Namespace, experiment: Path, base: str, emulator: int, tmp: Path) -> None:
    """Alternate one-worker and three-worker runs, print each, then the summary."""
    cap = args.global_concurrency or "none"
    print(f"{args.encounters} encounters x {args.templates} templates, latency {args.latency_ms} "
          f"ms, {args.concurrency} jobs at once per worker, global cap {cap}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    runs: dict[int, list[RunFigures]] = {1: [], 3: []}
    for _ in range(args.repeats):
        for workers in (1, 3):
            figures = one_run(experiment, base, emulator, workers, args, tmp)
            runs[workers].append(figures)
            calls = sum(figures.calls.values())
            dup = duplicates(figures.calls, args.encounters, args.templates)
            print(f"  {workers} worker(s): {figures.wall_s:6.1f} s (jobs {figures.jobs_s:.1f} s, "
                  f"serial {figures.serial_s:.1f} s), {calls} calls, {dup} duplicates, "
                  f"load {figures.load:.1f}; CPU s: workers {figures.workers_cpu_s:.1f}, "
                  f"emulator {figures.emulator_cpu_s:.1f}", flush=True)  # fmt: skip
    one, three = (statistics.median(f.wall_s for f in runs[w]) for w in (1, 3))
    jobs1, jobs3 = (statistics.median(f.jobs_s for f in runs[w]) for w in (1, 3))
    serial = statistics.median(f.serial_s for f in runs[1] + runs[3])
    for workers in (1, 3):
        walls = [f.wall_s for f in runs[workers]]
        print(
            f"{workers} worker(s): min {min(walls):.1f} s, median {statistics.median(walls):.1f} s"
        )
    bound = one / (serial + jobs1 / 3)
    print(
        f"speed-up of 3 workers (medians): {one / three:.2f}x wall, {jobs1 / jobs3:.2f}x job "
        f"phase; ideal 3x (3x the slots), {bound:.2f}x with the serial {serial:.1f} s"
    )
    loads = [f.load for f in runs[1] + runs[3]]
    print(f"load average (1 min) at the runs' starts: min {min(loads):.1f}, median "
          f"{statistics.median(loads):.1f}, now {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
