"""One run spread over workers (procrastinate on the team store): one worker against three.

Setup: a text-only dataset of N encounters (reference transcripts, so each encounter job is one
interaction and T documents), a real emulator with ``--latency-ms`` added to every call, a ``url``
target, the team store in a fresh schema of ``$SCRIBE_EVAL_BENCH_POSTGRES`` (default the test
database on 127.0.0.1:5432, dropped afterwards). The same experiment runs with ``run --workers``
and one ``scribe-eval worker --concurrency C``, then (in a new schema: nothing cached) with three.
The run is API-bound, so the ratio of wall times should approach 3. Figures: min and median of R
repetitions. Run: ``.venv/bin/python bench/workers.py [--encounters 40] [--templates 4]
[--latency-ms 200] [--concurrency 2] [--repeats 3]``.
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
from pathlib import Path

import psycopg
import yaml

ADMIN_URL = os.environ.get(
    "SCRIBE_EVAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")
CLI = [sys.executable, "-m", "scribe_eval.cli"]


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


def one_run(experiment: Path, workers: int, concurrency: int, tmp: Path) -> float:
    """Seconds from `run --workers` to its end, with ``workers`` worker processes."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    env = {**os.environ, "SCRIBE_EVAL_STORE": f"{ADMIN_URL}?options=-csearch_path%3D{schema}"}
    quiet = subprocess.DEVNULL
    try:
        pool = [
            subprocess.Popen([*CLI, "worker", "--concurrency", str(concurrency), "--runs-dir",
                              str(tmp / f"w{i}")], env=env, stdout=quiet, stderr=quiet)
            for i in range(workers)
        ]  # fmt: skip
        time.sleep(3)  # the workers are up (imports, queue schema) before the clock starts
        started = time.perf_counter()
        subprocess.run([*CLI, "run", str(experiment), "--workers", "--no-progress", "--runs-dir",
                        str(tmp / "coordinator")], env=env, stdout=quiet, stderr=quiet,
                       check=True)  # fmt: skip
        elapsed = time.perf_counter() - started
        for process in pool:
            process.terminate()
            process.wait(timeout=30)
        return elapsed
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encounters", type=int, default=40)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        dataset = write_dataset(tmp / "dataset", args.encounters)
        emulator = subprocess.Popen(
            [*CLI, "emulator", "serve", "--port", "0", "--data-dir", str(tmp / "emulator"),
             "--asr-engine", "instant", "--no-preload", "--latency-ms", str(args.latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            assert emulator.stdout is not None
            base = emulator.stdout.readline().strip()
            experiment = write_experiment(tmp, dataset, base, args.templates)
            report(args, experiment, tmp)
        finally:
            emulator.terminate()
            emulator.wait(timeout=20)


def report(args: argparse.Namespace, experiment: Path, tmp: Path) -> None:
    calls = args.encounters * (1 + args.templates)
    print(f"{args.encounters} encounters x {args.templates} templates (~{calls} create calls), "
          f"latency {args.latency_ms} ms, worker concurrency {args.concurrency}; "
          f"load average {os.getloadavg()[0]:.1f} (2 cores)")  # fmt: skip
    figures = {}
    for workers in (1, 3):
        times = [one_run(experiment, workers, args.concurrency, tmp) for _ in range(args.repeats)]
        low, median = min(times), statistics.median(times)
        figures[workers] = (low, median)
        print(f"  {workers} worker(s): min {low:.1f} s, median {median:.1f} s")
    print(f"  speed-up of 3 workers (median): {figures[1][1] / figures[3][1]:.2f}x (ideal 3)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
