"""The runner's throughput against the emulator with a fixed latency per call.

Setup: a synthetic dataset of N encounters (tones of distinct lengths, so no two transcripts or
documents are alike and nothing is shared through the cache), the ``instant`` speech engine,
``--latency-ms`` added to every call, T stored templates, one output language. Measured in one
run on this machine:

- wall time at concurrency C, against the ideal bound (API calls x latency / C) and their ratio
  (target <= 1.15), also for the API phase alone (first call to last answer: the pipeline
  without the fixed cost of loading the dataset and starting the emulator);
- the same experiment run sequentially (concurrency 1) as the peer: the speed-up;
- an unchanged re-run: its wall time and API call count (target 0 calls);
- peak memory of the runner process and of the emulator subprocess.

Run: ``.venv/bin/python bench/runner.py [--encounters 100] [--templates 4] [--concurrency 16]
[--latency-ms 200] [--sequential-encounters N]`` (the sequential peer uses N encounters and is
scaled per call when N is smaller, to keep the benchmark short).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RunOptions, RunOutcome, run_experiment

TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")
TARGET_RATIO = 1.15


def write_dataset(folder: Path, encounters: int) -> Path:
    """A dataset of ``encounters`` two-channel tone recordings with short references."""
    (folder / "audio").mkdir(parents=True)
    (folder / "transcripts").mkdir()
    rng = np.random.default_rng(7)
    items = []
    for i in range(encounters):
        eid = f"en-{i:04d}"
        # Distinct lengths give distinct (instant) transcripts, hence distinct documents: the
        # cache must not answer one encounter's document with another's.
        t = np.arange(32000 + 160 * i) / 16000
        tone = 0.1 * np.sin(2 * np.pi * (200 + i) * t) + 0.01 * rng.standard_normal(t.size)
        stereo = np.stack([tone, tone[::-1]], axis=1).astype(np.float32)
        sf.write(folder / "audio" / f"{eid}.flac", stereo, 16000)
        (folder / "transcripts" / f"{eid}.txt").write_text(
            "Doctor: What brings you in today?\nPatient: A dry cough for three days, no fever.\n"
        )
        items.append(
            {
                "id": eid,
                "audio": {"path": f"audio/{eid}.flac", "roles": {0: "doctor", 1: "patient"}},
                "transcript": f"transcripts/{eid}.txt",
                "notes": {"soap": {"sections": {"Subjective": "Dry cough for 3 days. No fever."}}},
            }
        )
    manifest = {
        "name": "bench",
        "description": "synthetic tones for the runner benchmark",
        "licence": "Apache-2.0",
        "default_language": "en",
        "encounters": items,
    }
    (folder / "dataset.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return folder


def write_experiment(
    folder: Path, dataset: Path, *, templates: int, concurrency: int, latency_ms: int, name: str
) -> Path:
    """An experiment with ``templates`` stored templates at the given concurrency."""
    experiment = {
        "name": name,
        "dataset": str(dataset),
        "target": {"kind": "embedded", "asr_engine": "instant", "latency_ms": latency_ms},
        "templates": [{"key": key, "label": key} for key in TEMPLATES[:templates]],
        "execution": {
            "concurrency": concurrency,
            "transcript_concurrency": concurrency,
            "document_concurrency": concurrency,
        },
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


def timed_run(experiment: Path, runs: Path) -> tuple[float, RunOutcome]:
    """Run an experiment; return its wall time and outcome."""
    started = time.perf_counter()
    outcome = run_experiment(load_experiment(experiment), RunOptions(runs_dir=runs, progress=False))
    elapsed = time.perf_counter() - started
    if outcome.errors:
        raise SystemExit(f"the benchmark run had {outcome.errors} failed cells; see runs show")
    return elapsed, outcome


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--sequential-encounters", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dataset = write_dataset(root / "data", args.encounters)
        common = {"templates": args.templates, "latency_ms": args.latency_ms}
        parallel = write_experiment(
            root, dataset, concurrency=args.concurrency, name="parallel", **common
        )
        wall, outcome = timed_run(parallel, root / "runs")
        calls = outcome.api_calls
        ideal = calls * args.latency_ms / 1000 / args.concurrency
        working = wall - outcome.startup_s
        cached_wall, cached = timed_run(parallel, root / "runs")

        sequential_set = write_dataset(
            root / "seq", min(args.sequential_encounters, args.encounters)
        )
        sequential = write_experiment(root, sequential_set, concurrency=1, name="seq", **common)
        seq_wall, seq = timed_run(sequential, root / "seq-runs")
        seq_per_call = (seq_wall - seq.startup_s) / seq.api_calls
        runner_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        emulator_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"{args.encounters} encounters x {args.templates} templates, concurrency "
          f"{args.concurrency}, latency {args.latency_ms} ms per call")  # fmt: skip
    print(f"  API calls                 {calls}")
    print(
        f"  wall time                 {wall:8.2f} s  (emulator start-up {outcome.startup_s:.2f} s)"
    )
    print(f"  working time              {working:8.2f} s  (wall time less start-up)")
    print(f"  ideal bound               {ideal:8.2f} s  (calls x latency / concurrency)")
    print(f"  ratio working / ideal     {working / ideal:8.3f}   (target <= {TARGET_RATIO})")
    print(f"  API phase                 {outcome.api_span_s:8.2f} s  (first call to last answer)")
    print(f"  ratio API phase / ideal   {outcome.api_span_s / ideal:8.3f}")
    print(f"  sequential peer           {seq_per_call * calls:8.2f} s  ({seq.api_calls} calls "
          f"measured at {seq_per_call * 1000:.0f} ms/call, scaled to {calls})")  # fmt: skip
    print(f"  speed-up over sequential  {seq_per_call * calls / working:8.1f} x")
    print(f"  cached re-run             {cached_wall:8.2f} s, {cached.api_calls} API calls "
          f"(target 0), {cached.from_cache}/{cached.cells} documents from cache")  # fmt: skip
    print(f"  peak memory               runner {runner_rss:.0f} MB, emulator {emulator_rss:.0f} MB")


if __name__ == "__main__":
    main()
