"""CPU seconds per API call: the worker path against the single-process runner, same experiment.

On a small shared machine a run over workers is bound by CPU, not by the target's latency, so
the steady figure to compare is the CPU each API call costs, whatever the load: the scribe-eval
processes (the single-process runner, or the coordinator and the workers), the emulator, and the
PostgreSQL server (every ``postgres`` process of the machine, live and exited: the postmaster's
reaped children; other users of the server add to it, so it is an upper bound).

Setup as ``bench/workers.py``: a text-only dataset of N encounters (one interaction, T documents
and a deletion per encounter), a real emulator with ``--latency-ms``, a fresh schema per run.
Modes, alternated per repeat: ``local`` (``run EXPERIMENT`` on the SQLite file), ``local-pg``
(``run EXPERIMENT --store URL``, the same runner on the team store) and ``workers`` (``run
--workers`` with W workers of ``--concurrency C``). The workers are started and ready before the
count starts; the CPU of each run's CLI process (runner or coordinator) includes its start-up.
Run: ``.venv/bin/python bench/workers_cpu.py [--encounters 40] [--templates 4]
[--latency-ms 200] [--workers 1] [--concurrency 2] [--repeats 3] [--global-concurrency 0]
[--modes local,local-pg,workers]``.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

# Run as a script, bench/ is on sys.path and the project root is not: put this tree's root first.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workers import (
    ADMIN_URL,
    CLI,
    _calls,
    cpu_seconds,
    served,
    start_workers,
    write_dataset,
    write_experiment,
)

MODES = ("local", "local-pg", "workers")


@dataclass(frozen=True)
class Cost:
    """CPU seconds one run used, by process group, and the API calls it made."""

    mode: str
    calls: int
    wall_s: float
    cli_s: float
    workers_s: float
    emulator_s: float
    postgres_s: float
    load: float

    @property
    def ours_s(self) -> float:
        """The scribe-eval processes' CPU: runner or coordinator, and the workers."""
        return self.cli_s + self.workers_s

    def per_call_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(self.calls, 1)


def postgres_cpu_s() -> float:
    """CPU seconds of the PostgreSQL server so far: live processes and reaped backends."""
    stats = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if " (postgres) " in stat:
            stats[entry.name] = stat.rsplit(")", 1)[1].split()
    total = 0
    for fields in stats.values():
        total += int(fields[11]) + int(fields[12])
        if fields[1] not in stats:  # the postmaster: add its reaped children (backends)
            total += int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_schema() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def child_cpu_s(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; its wall seconds and its CPU seconds (from its rusage)."""
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def one_run(mode: str, experiment: Path, base: str, emulator: int, args: argparse.Namespace,
            tmp: Path) -> Cost:  # fmt: skip
    """One run of ``mode`` in a fresh schema (or runs directory); what it cost."""
    with fresh_schema() as url:
        env = {**os.environ, "SCRIBE_EVAL_STORE": url}
        command = [*CLI, "run", str(experiment), "--no-progress"]
        if mode == "local":
            env.pop("SCRIBE_EVAL_STORE")
        if mode == "workers":
            command += ["--workers", "--global-concurrency", str(args.global_concurrency)]
        command += ["--runs-dir", str(tmp / uuid.uuid4().hex[:8])]
        pool: list[subprocess.Popen[bytes]] = []
        try:
            if mode == "workers":
                start_workers(pool, args.workers, args.concurrency, env, tmp)
            before = (
                _calls(base), [cpu_seconds(p.pid) for p in pool], cpu_seconds(emulator),
                postgres_cpu_s(),
            )  # fmt: skip
            load = os.getloadavg()[0]
            wall, cli = child_cpu_s(command, env)
            workers = sum(cpu_seconds(p.pid) for p in pool) - sum(before[1])
            calls = _calls(base)
            calls.subtract(before[0])
            return Cost(
                mode, sum(calls.values()), wall, cli, workers, cpu_seconds(emulator) - before[2],
                postgres_cpu_s() - before[3], load,
            )  # fmt: skip
        finally:
            for process in pool:
                process.terminate()
            for process in pool:
                process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encounters", type=int, default=40)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2, help="jobs at once per worker")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--global-concurrency", type=int, default=0,
                        help="cap on jobs in flight across workers (0: none)")  # fmt: skip
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated: " + " ".join(MODES)
    )
    args = parser.parse_args()
    modes = args.modes.split(",")
    with (
        tempfile.TemporaryDirectory() as name,
        served(Path(name), args.latency_ms) as (tmp, base, pid),
    ):
        experiment = write_experiment(tmp, write_dataset(tmp / "dataset", args.encounters), base,
                                      args.templates)  # fmt: skip
        print(f"{args.encounters} encounters x {args.templates} templates, latency "
              f"{args.latency_ms} ms; workers: {args.workers} x --concurrency "
              f"{args.concurrency}; {os.cpu_count()} cores")  # fmt: skip
        costs: dict[str, list[Cost]] = {m: [] for m in modes}
        for _ in range(args.repeats):
            for mode in modes:
                cost = one_run(mode, experiment, base, pid, args, tmp)
                costs[mode].append(cost)
                print(f"  {mode:9} {cost.wall_s:6.1f} s, {cost.calls} calls, load "
                      f"{cost.load:.1f}; CPU ms/call: ours {cost.per_call_ms(cost.ours_s):.1f} "
                      f"(cli {cost.per_call_ms(cost.cli_s):.1f}, workers "
                      f"{cost.per_call_ms(cost.workers_s):.1f}), emulator "
                      f"{cost.per_call_ms(cost.emulator_s):.1f}, postgres "
                      f"{cost.per_call_ms(cost.postgres_s):.1f}", flush=True)  # fmt: skip
        summary(costs)


def summary(costs: dict[str, list[Cost]]) -> None:
    """Min and median CPU ms per call per mode, and the load average."""
    for mode, runs in costs.items():
        figures = {
            "ours": [c.per_call_ms(c.ours_s) for c in runs],
            "emulator": [c.per_call_ms(c.emulator_s) for c in runs],
            "postgres": [c.per_call_ms(c.postgres_s) for c in runs],
            "total": [c.per_call_ms(c.ours_s + c.emulator_s + c.postgres_s) for c in runs],
        }
        text = ", ".join(f"{k} {min(v):.1f}/{statistics.median(v):.1f}" for k, v in figures.items())
        print(f"{mode:9} CPU ms per call (min/median): {text}")
    loads = [c.load for runs in costs.values() for c in runs]
    print(f"load average (1 min) at the runs' starts: min {min(loads):.1f}, median "
          f"{statistics.median(loads):.1f}, now {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
