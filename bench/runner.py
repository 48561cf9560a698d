"""The runner's throughput against the emulator with a fixed latency per call, as whole commands.

Setup: a synthetic dataset of N encounters (tones of distinct lengths, so no two transcripts or
documents are alike and nothing is shared through the cache), the ``instant`` speech engine,
``--latency-ms`` added to every call, T stored templates, one output language. Every figure is a
fresh ``scribe-eval run`` process (the command a user types: imports, dataset, emulator start-up,
API phase, clean-up), R times, min and median, with the load average (the machine is shared):

- wall time at concurrency C against the ideal bound (API calls x latency / C) and their ratio
  (target <= 1.10), and the CPU seconds of runner and emulator together;
- the peer, measured in the same run: the same experiment at concurrency 1 (the sequential loop)
  on ``--sequential-encounters`` encounters, scaled per call; the speed-up (target >= 12x);
- an unchanged re-run: wall time (target <= 2 s) and API calls (target 0).

Commands run as an installed one does, with bytecode caches: an untimed first run writes them
(``PYTHONDONTWRITEBYTECODE`` is dropped, as in bench/startup.py).

``--trees A,B`` instead runs the fresh whole command from each source tree (put first on
``PYTHONPATH``; the emulator it spawns inherits it) in turn, interleaved run by run and the order
swapped every round, so both see the same load; it prints each tree's min and median against the
bound and the ratio of their medians (B/A).

``--scale 250,1000,2500`` instead runs the experiment at those sizes with no added latency, then
``scribe-eval report`` of each run, and prints wall and CPU seconds, peak RSS of the runner and of
the report process (target < 300 MB at 10,000 cells) and the slope per 1,000 encounters between
sizes: a step whose cost grows faster than the number of encounters shows as a rising slope
(encounters are alike in size at every scale, so only the tool's own steps can make it rise).
With ``--keep DIR`` the datasets and run stores stay in DIR, and a later ``--keep DIR`` with the
same sizes reuses each stored run and measures only its report (``--report-repeats`` times, min and
median): the report's figures before and after a change, on the very same store.

Run: ``.venv/bin/python bench/runner.py [--encounters 100] [--templates 4] [--concurrency 16]
[--latency-ms 200] [--sequential-encounters 20] [--repeats 3] [--scale 250,1000,2500]
[--keep DIR] [--report-repeats 1] [--trees BEFORE,AFTER]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")
TARGET_RATIO = 1.10
TARGET_SPEEDUP = 12.0
TARGET_CACHED_S = 2.0
TARGET_RSS_MB = 300.0
CLI = str(Path(sys.executable).parent / "scribe-eval")
STEP_SAMPLES = 18


def write_dataset(folder: Path, encounters: int) -> Path:
    """A dataset of ``encounters`` two-channel tone recordings with short references."""
    (folder / "audio").mkdir(parents=True)
    (folder / "transcripts").mkdir()
    rng = np.random.default_rng(7)
    items = []
    for i in range(encounters):
        eid = f"en-{i:04d}"
        # Distinct lengths give distinct (instant) transcripts, hence distinct documents: the
        # cache must not answer one encounter's document with another's. The step is the
        # smallest that keeps the instant transcript's timings (whole milliseconds, the last
        # segment ending at 0.9 x the duration) apart: 18 samples, 1.125 ms. A larger one made
        # the encounters themselves grow with the run (10 ms each: 27 s of audio and 7 lines
        # at 2,500), so the cost per encounter rose with the size and the slope looked
        # quadratic; now the longest recording of 2,500 is 4.8 s (one line, like the first).
        t = np.arange(32000 + STEP_SAMPLES * i) / 16000
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


@dataclass
class Measured:
    """One command: wall and CPU seconds (itself and its children), peak RSS, its JSON output."""

    wall: float
    cpu: float
    rss_mb: float
    output: dict[str, object]


def command_env(tree: str | None = None) -> dict[str, str]:
    """Our environment (``tree`` first on ``PYTHONPATH``) as an installed command runs: with
    bytecode caches. ``PYTHONDONTWRITEBYTECODE`` (set on some machines) is dropped, else every
    process of every run compiles the package anew, runner and emulator alike (0.1-0.2 s each);
    the first run of a tree writes the caches and is not timed (see `warm_up`)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree is not None:
        env["PYTHONPATH"] = tree
    return env


def warm_up(experiment: Path, runs: Path, env: dict[str, str]) -> None:
    """One untimed run: it writes the bytecode caches of the code ``env`` runs."""
    measure(["run", str(experiment), "--runs-dir", str(runs), "--json"], env)


def measure(args: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``scribe-eval ARGS`` as a fresh process (in ``env``, else `command_env`); it must
    exit 0."""
    env = command_env() if env is None else env
    before = os.times()
    started = time.perf_counter()
    # Run from the temporary folder: the embedded emulator is started as ``python -m``, which puts
    # the working folder first on its path, so from a checkout it imported that checkout's code
    # whatever tree ``--trees`` put on PYTHONPATH (both trees were measured with one emulator).
    process = subprocess.Popen(
        [CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        cwd=tempfile.gettempdir(),
    )  # fmt: skip
    peak = [0.0]
    watcher = threading.Thread(target=_watch_rss, args=(process, peak), daemon=True)
    watcher.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    watcher.join()
    after = os.times()
    if process.returncode != 0:
        raise SystemExit(f"scribe-eval {' '.join(args[:2])} failed: {err.decode()[-600:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    text = out.decode().strip()
    output = json.loads(text) if text.startswith("{") else {}
    return Measured(wall, cpu, peak[0], output)


def _watch_rss(process: subprocess.Popen[bytes], peak: list[float]) -> None:
    """Keep the process's own peak RSS (VmHWM; not its emulator's) until it exits."""
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        except OSError:
            return
        time.sleep(0.05)


def run_command(experiment: Path, runs: Path, env: dict[str, str] | None = None) -> Measured:
    """``scribe-eval run EXPERIMENT --json``: every cell must succeed."""
    fresh = not (runs / "scribe-eval.sqlite").exists()
    measured = measure(["run", str(experiment), "--runs-dir", str(runs), "--json"], env)
    if measured.output.get("errors"):
        raise SystemExit(f"the benchmark run had {measured.output['errors']} failed cells")
    if fresh and measured.output.get("from_cache"):
        raise SystemExit(
            "two encounters shared a cached answer: the dataset's recordings must differ"
        )
    return measured


def summary(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def throughput(args: argparse.Namespace, root: Path) -> None:
    """Whole-command wall time against the ideal bound and the sequential peer."""
    dataset = write_dataset(root / "data", args.encounters)
    common = {"templates": args.templates, "latency_ms": args.latency_ms}
    parallel = write_experiment(
        root, dataset, concurrency=args.concurrency, name="parallel", **common
    )
    warm_up(parallel, root / "runs-warm-up", command_env())
    loads = [os.getloadavg()[0]]
    firsts = [run_command(parallel, root / f"runs-{i}") for i in range(args.repeats)]
    cached = [run_command(parallel, root / "runs-0") for _ in range(args.repeats)]
    loads.append(os.getloadavg()[0])
    sequential_set = write_dataset(root / "seq", min(args.sequential_encounters, args.encounters))
    sequential = write_experiment(root, sequential_set, concurrency=1, name="seq", **common)
    seq = run_command(sequential, root / "seq-runs")
    loads.append(os.getloadavg()[0])

    calls = int(str(firsts[0].output["api_calls"]))
    ideal = calls * args.latency_ms / 1000 / args.concurrency
    wall_min, wall_med = summary([m.wall for m in firsts])
    cpu_min, cpu_med = summary([m.cpu for m in firsts])
    seq_calls = int(str(seq.output["api_calls"]))
    seq_scaled = seq.wall / seq_calls * calls
    cached_min, cached_med = summary([m.wall for m in cached])
    cached_calls = max(int(str(m.output["api_calls"])) for m in cached)
    cached_cpu = statistics.median([m.cpu for m in cached])
    print(f"{args.encounters} encounters x {args.templates} templates, concurrency "
          f"{args.concurrency}, latency {args.latency_ms} ms per call; {args.repeats} runs; "
          f"load average {', '.join(f'{x:.1f}' for x in loads)}")  # fmt: skip
    print(f"  API calls                  {calls}")
    print(f"  ideal bound                {ideal:7.2f} s  (calls x latency / concurrency)")
    print(f"  whole command  min/median  {wall_min:7.2f} / {wall_med:.2f} s  "
          f"(CPU runner+emulator {cpu_min:.1f} / {cpu_med:.1f} s)")  # fmt: skip
    print(f"  ratio to the ideal bound   {wall_min / ideal:7.3f} / {wall_med / ideal:.3f}  "
          f"(target <= {TARGET_RATIO})")  # fmt: skip
    print(f"  sequential peer            {seq_scaled:7.2f} s  ({seq_calls} calls in "
          f"{seq.wall:.1f} s, scaled to {calls})")  # fmt: skip
    print(f"  speed-up over sequential   {seq_scaled / wall_med:7.1f} x at the median  "
          f"(target >= {TARGET_SPEEDUP:.0f} x)")  # fmt: skip
    print(f"  cached re-run  min/median  {cached_min:7.2f} / {cached_med:.2f} s, "
          f"{cached_calls} API calls, CPU {cached_cpu:.1f} s  (targets <= {TARGET_CACHED_S} s, "
          "0 calls)")  # fmt: skip
    print(f"  peak RSS of the runner     {max(m.rss_mb for m in firsts):7.0f} MB")


def compare_trees(args: argparse.Namespace, root: Path) -> None:
    """The fresh whole command from each of ``args.trees``, interleaved run by run."""
    # Absolute: each command runs from the temporary folder (see `measure`).
    trees = [str(Path(tree).resolve()) for tree in args.trees.split(",")]
    dataset = write_dataset(root / "data", args.encounters)
    common = {"templates": args.templates, "latency_ms": args.latency_ms}
    parallel = write_experiment(
        root, dataset, concurrency=args.concurrency, name="parallel", **common
    )
    walls: dict[str, list[float]] = {tree: [] for tree in trees}
    cpus: dict[str, list[float]] = {tree: [] for tree in trees}
    for j, tree in enumerate(trees):
        warm_up(parallel, root / f"runs-warm-up-{j}", command_env(tree))
    loads, calls = [os.getloadavg()[0]], 0
    for i in range(args.repeats):
        for j, tree in enumerate(trees if i % 2 == 0 else trees[::-1]):
            env = command_env(tree)
            measured = run_command(parallel, root / f"runs-{i}-{j}", env)
            walls[tree].append(measured.wall)
            cpus[tree].append(measured.cpu)
            calls = int(str(measured.output["api_calls"]))
            loads.append(os.getloadavg()[0])
    ideal = calls * args.latency_ms / 1000 / args.concurrency
    print(f"{args.encounters} encounters x {args.templates} templates, concurrency "
          f"{args.concurrency}, latency {args.latency_ms} ms per call; {calls} API calls, ideal "
          f"bound {ideal:.2f} s; {args.repeats} runs per tree, interleaved; load average "
          f"min {min(loads):.1f}, median {statistics.median(loads):.1f}, "
          f"max {max(loads):.1f}")  # fmt: skip
    for tree in trees:
        low, mid = summary(walls[tree])
        print(f"  {tree}: whole command min/median {low:.2f} / {mid:.2f} s, ratio to the bound "
              f"{low / ideal:.3f} / {mid / ideal:.3f} (target <= {TARGET_RATIO}); CPU runner+"
              f"emulator median {statistics.median(cpus[tree]):.1f} s")  # fmt: skip
    if len(trees) == 2:
        a, b = (statistics.median(walls[tree]) for tree in trees)
        print(f"  median wall B/A {b / a:.3f}")


def scale(args: argparse.Namespace, root: Path) -> None:
    """Wall, CPU and memory of run and report at growing sizes; slopes between sizes."""
    sizes = [int(x) for x in args.scale.split(",")]
    print(f"scale: {args.templates} templates, concurrency {args.concurrency}, no added latency; "
          f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")  # fmt: skip
    print(f"{'encounters':>10}{'cells':>7}{'run s':>8}{'CPU s':>8}{'RSS MB':>8}"
          f"{'report s':>10}{'CPU s':>8}{'RSS MB':>8}")  # fmt: skip
    rows = []
    for size in sizes:
        ran, run_id, runs = _run_at(args, root, size)
        built = _report_at(args, root, size, run_id, runs)
        cells = size * (1 + args.templates)
        rows.append((size, ran, built))
        run_wall = "stored" if ran is None else f"{ran.wall:.1f}"
        run_cpu = "-" if ran is None else f"{ran.cpu:.1f}"
        run_rss = "-" if ran is None else f"{ran.rss_mb:.0f}"
        print(f"{size:>10}{cells:>7}{run_wall:>8}{run_cpu:>8}{run_rss:>8}"
              f"{built.wall:>10.1f}{built.cpu:>8.1f}{built.rss_mb:>8.0f}")  # fmt: skip
        if args.report_repeats > 1:
            print(f"{'':>17}report min/median of {args.report_repeats}: "
                  f"{built.wall:.1f}/{built.output['wall_median']} s wall, "
                  f"{built.cpu:.1f}/{built.output['cpu_median']} s CPU, "
                  f"{built.rss_mb:.0f}/{built.output['rss_median']} MB")  # fmt: skip
    print("slope per 1,000 encounters between sizes (constant: linear; rising: worse):")
    for (a, ran_a, rep_a), (b, ran_b, rep_b) in itertools.pairwise(rows):
        per = 1000 / (b - a)
        run_part = (
            "run (stored)"
            if ran_a is None or ran_b is None
            else f"run {(ran_b.wall - ran_a.wall) * per:6.1f} s wall, "
            f"{(ran_b.cpu - ran_a.cpu) * per:6.1f} s CPU"
        )
        print(f"  {a:>5} -> {b:<5} {run_part} | report "
              f"{(rep_b.wall - rep_a.wall) * per:6.1f} s wall, "
              f"{(rep_b.cpu - rep_a.cpu) * per:6.1f} s CPU")  # fmt: skip
    print(f"peak RSS targets: < {TARGET_RSS_MB:.0f} MB for run and report; load average at the "
          f"end {os.getloadavg()[0]:.1f}")  # fmt: skip


def _run_at(args: argparse.Namespace, root: Path, size: int) -> tuple[Measured | None, str, Path]:
    """Run the experiment of ``size`` encounters, or reuse the run a kept folder already holds."""
    runs = root / f"runs-{size}"
    stored = runs / "run-id.txt"
    if stored.exists():
        return None, stored.read_text().strip(), runs
    dataset = write_dataset(root / f"data-{size}", size)
    experiment = write_experiment(
        root, dataset, templates=args.templates, concurrency=args.concurrency,
        latency_ms=0, name=f"scale-{size}",
    )  # fmt: skip
    ran = run_command(experiment, runs)
    run_id = str(ran.output["id"])
    stored.write_text(run_id + "\n")
    return ran, run_id, runs


def _report_at(
    args: argparse.Namespace, root: Path, size: int, run_id: str, runs: Path
) -> Measured:
    """The report of the run, ``--report-repeats`` times: the minima, with medians in output."""
    out = root / f"r{size}"
    built = [
        measure(["report", run_id, "--runs-dir", str(runs), "-o", str(out)])
        for _ in range(args.report_repeats)
    ]
    walls, cpus, rss = [m.wall for m in built], [m.cpu for m in built], [m.rss_mb for m in built]
    medians: dict[str, object] = {
        "wall_median": f"{statistics.median(walls):.1f}",
        "cpu_median": f"{statistics.median(cpus):.1f}",
        "rss_median": f"{statistics.median(rss):.0f}",
    }
    return Measured(min(walls), min(cpus), min(rss), medians)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encounters", type=int, default=100)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--sequential-encounters", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", default=None, help="comma-separated encounter counts")
    parser.add_argument(
        "--keep", type=Path, default=None,
        help="with --scale: keep datasets and stores here; reuse a run already stored there",
    )  # fmt: skip
    parser.add_argument("--report-repeats", type=int, default=1, help="with --scale")
    parser.add_argument("--trees", help="source trees to compare, comma-separated (BEFORE,AFTER)")
    args = parser.parse_args()
    if args.scale and args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        scale(args, args.keep.resolve())
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.scale:
            scale(args, Path(tmp))
        elif args.trees:
            compare_trees(args, Path(tmp))
        else:
            throughput(args, Path(tmp))


if __name__ == "__main__":
    main()
