"""Start-up of the commands people type most, and a cached re-run, as whole commands.

Targets: ``--help``, ``runs list`` and ``score`` print within 0.3 s; an unchanged re-run of a
400-cell experiment (every answer from the cache, 0 API calls) takes at most 2 s.

Each command runs as a fresh ``scribe-eval`` process (the console script of this venv), R times;
the figures are the wall time to exit (min and median), the median CPU time (user + system, the
steadier figure on a loaded machine) and, per command, the modules it imported and which heavy
libraries it had no use for. The peer, measured in the same run, is the floor every command
pays: the same interpreter starting with ``import click`` and nothing else.

- ``runs list`` on an empty store, and on ``--runs`` runs (200, each with ``--encounters`` x 3
  cells, written as bench/store.py writes them) in the SQLite file and in a fresh PostgreSQL
  schema of ``$SCRIBE_EVAL_BENCH_POSTGRES`` (default the test database on 127.0.0.1:5432; left out
  when unreachable, or with ``--no-postgres``);
- ``score`` reads a 20-row CSV (ROUGE without stemming, and WER): the time is start-up;
- ``run (cached)``: bench/runner.py's synthetic experiment (100 encounters x 4 templates, the
  ``instant`` speech engine) run once untimed, then re-run (``--demo-runs DIR`` adds the demo's
  experiment, re-run on DIR, a runs folder it completed in: run there once first when missing).

``--trees A,B`` measures each source tree (put first on ``PYTHONPATH``) in turn, interleaved run by
run, so that both see the same load; the last column is the ratio of their medians (B/A). The
first run of each command per tree is untimed: it writes the tree's bytecode caches, as an
installed package has them (``PYTHONDONTWRITEBYTECODE`` is dropped). Run:
``.venv/bin/python bench/startup.py [--repeats 7] [--trees BEFORE,AFTER] [--runs 200]``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

TARGET_S = 0.3
TARGET_CACHED_S = 2.0
BIN = Path(sys.executable).parent
CLI = str(BIN / "scribe-eval")
DEMO = Path(__file__).resolve().parent.parent / "experiments" / "demo.yaml"
ADMIN_URL = os.environ.get(
    "SCRIBE_EVAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
HEAVY = (
    "numpy", "scipy", "httpx", "fastapi", "uvicorn", "nltk", "meeteval", "jinja2", "psycopg",
    "procrastinate", "soundfile", "rouge_score", "faster_whisper", "pydantic",
)  # fmt: skip
_PROBE = (
    "import runpy, sys, atexit\n"
    "atexit.register(lambda: open({out!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
    "sys.argv = ['scribe-eval', *{args!r}]\n"
    "runpy.run_module('scribe_eval.cli', run_name='__main__')\n"
)


def write_rows(folder: Path) -> Path:
    """A small CSV of reference/hypothesis pairs."""
    path = folder / "pairs.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "ref", "hyp"])
        for i in range(20):
            writer.writerow(
                [i, f"Patient reports a dry cough for {i} days. No fever.", f"Dry cough {i} days."]
            )
    return path


def tree_env(tree: str | None, base: dict[str, str]) -> dict[str, str]:
    """The environment running ``tree``'s code (None: whatever this interpreter imports)."""
    env = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree is not None:
        env["PYTHONPATH"] = tree
    return env


def once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``argv``; it must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, env=env, check=False, cwd=tempfile.gettempdir()
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-600:]}")
    if argv[1:2] == ["run"] and json.loads(done.stdout)["api_calls"] != 0:
        raise SystemExit(f"{' '.join(argv)} made API calls: the re-run was not cached")
    return elapsed, cpu


def interleaved(
    argv: list[str], envs: list[dict[str, str]], repeats: int
) -> list[tuple[float, float, float]]:
    """(min, median) wall seconds and median CPU seconds per environment, the runs alternating
    between them (CPU is steadier than wall time on a loaded machine)."""
    for env in envs:
        once(argv, env)  # untimed: bytecode caches, the page cache
    times: list[list[tuple[float, float]]] = [[] for _ in envs]
    for _ in range(repeats):
        for i, env in enumerate(envs):
            times[i].append(once(argv, env))
    return [
        (
            min(w for w, _ in t),
            statistics.median(w for w, _ in t),
            statistics.median(c for _, c in t),
        )
        for t in times
    ]


def modules_of(args: list[str], folder: Path, env: dict[str, str]) -> set[str]:
    """The modules ``scribe-eval ARGS`` has imported by the time it exits."""
    out = folder / "modules.txt"
    code = _PROBE.format(out=str(out), args=args)
    # Run from the scratch folder: ``-c`` puts the working folder first on the path.
    subprocess.run(
        [sys.executable, "-c", code], capture_output=True, env=env, check=False, cwd=folder
    )
    return set(out.read_text().split())


@contextmanager
def postgres_schema(enabled: bool) -> Iterator[str | None]:
    """A fresh schema's URL (dropped afterwards), or None when left out or unreachable."""
    if not enabled:
        yield None
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error as exc:
        print(f"(PostgreSQL left out: {ADMIN_URL} unreachable: {str(exc).strip()[:80]})")
        yield None
        return
    try:
        yield f"{ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def bench_module(name: str) -> ModuleType:
    """Another benchmark of this folder (bench/NAME.py), loaded by path: bench is no package."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def fill_stores(args: argparse.Namespace, folder: Path, pg_url: str | None) -> None:
    """bench/store.py's history of ``--runs`` runs in the SQLite file (and PostgreSQL)."""
    from scribe_eval.store import open_store

    fill = bench_module("store").fill
    open_store(None, folder / "empty").close()  # `runs list` refuses a folder with no store
    for spec in (None, pg_url) if pg_url else (None,):
        with open_store(spec, folder / "history") as opened:
            fill(opened, args.runs, args.encounters, 2)


def cached_experiment(folder: Path) -> Path:
    """bench/runner.py's 400-cell experiment (100 encounters x 4 templates), run once."""
    runner = bench_module("runner")
    dataset = runner.write_dataset(folder / "data", 100)
    path: Path = runner.write_experiment(
        folder, dataset, templates=4, concurrency=16, latency_ms=0, name="e400"
    )
    runs = folder / "runs-400"
    subprocess.run([CLI, "run", str(path), "--runs-dir", str(runs), "--json"], check=True,
                   capture_output=True)  # fmt: skip
    return path


def demo_runs(folder: Path) -> None:
    """A runs folder the demo's experiment completed in (run there now when it has no run)."""
    if (folder / "scribe-eval.sqlite").exists():
        return
    print(f"(a first run of {DEMO.name} in {folder}: minutes, once)")
    subprocess.run([CLI, "run", str(DEMO), "--runs-dir", str(folder), "--json"], check=True,
                   capture_output=True)  # fmt: skip


def commands(args: argparse.Namespace, folder: Path, pg_url: str | None) -> dict[str, list[str]]:
    """Name -> arguments of every command measured."""
    pairs = write_rows(folder)
    score = [str(pairs), "--ref-col", "ref", "--hyp-col", "hyp"]
    history = str(folder / "history")
    out: dict[str, list[str]] = {
        "--help": ["--help"],
        "runs list (empty)": ["runs", "list", "--runs-dir", str(folder / "empty")],
        f"runs list ({args.runs}, SQLite)": ["runs", "list", "--runs-dir", history],
    }
    if pg_url:
        out[f"runs list ({args.runs}, PG)"] = ["runs", "list", "--store", pg_url]
    out["score notes"] = ["score", "notes", *score]
    out["score transcripts"] = ["score", "transcripts", *score]
    runs_400 = str(folder / "runs-400")
    out["run (cached, 400)"] = [
        "run", str(folder / "e400.yaml"), "--runs-dir", runs_400, "--json", "--no-progress",
    ]  # fmt: skip
    if args.demo_runs:
        out["run (cached, demo)"] = [
            "run", str(DEMO), "--runs-dir", str(args.demo_runs), "--json", "--no-progress",
        ]  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--trees", help="Source trees to compare, comma-separated (BEFORE,AFTER).")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--encounters", type=int, default=10)
    parser.add_argument("--demo-runs", type=Path, help="A runs folder for the demo's re-run.")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    trees: list[str | None] = list(args.trees.split(",")) if args.trees else [None]
    envs = [tree_env(tree, dict(os.environ)) for tree in trees]
    with tempfile.TemporaryDirectory() as tmp, postgres_schema(not args.no_postgres) as pg_url:
        folder = Path(tmp)
        fill_stores(args, folder, pg_url)
        cached_experiment(folder)
        if args.demo_runs:
            demo_runs(args.demo_runs)
        measure(args, folder, pg_url, trees, envs)


def measure(
    args: argparse.Namespace,
    folder: Path,
    pg_url: str | None,
    trees: list[str | None],
    envs: list[dict[str, str]],
) -> None:
    """Print the figures of every command for every tree."""
    loads = [os.getloadavg()[0]]
    print(f"load average {loads[0]:.1f} ({os.cpu_count()} CPUs); {args.repeats} runs per tree, "
          "interleaved")  # fmt: skip
    for i, tree in enumerate(trees):
        print(f"  tree {i + 1}: {tree or 'as installed'}")
    (floor_min, floor_med, _), *_ = interleaved(
        [sys.executable, "-c", "import click"], envs[:1], args.repeats
    )
    print(f"peer: python -c 'import click'   min {floor_min:.3f} s  median {floor_med:.3f} s")
    ratio = "   B/A" if len(trees) == 2 else ""
    print(f"{'command':<26}{'tree':>5}{'min s':>8}{'median s':>10}{'CPU s':>7}{'/target':>9}"
          f"{'/peer':>7}{'modules':>9}{ratio}  heavy libraries imported")  # fmt: skip
    for name, argv in commands(args, folder, pg_url).items():
        target = TARGET_CACHED_S if argv[0] == "run" else TARGET_S
        figures = interleaved([CLI, *argv], envs, args.repeats)
        for i, ((low, med, cpu), env) in enumerate(zip(figures, envs, strict=True)):
            modules = modules_of(argv, folder, env)
            heavy = sorted(h for h in HEAVY if h in modules)
            versus = f"{med / figures[0][1]:>6.2f}" if ratio and i else " " * len(ratio)
            print(
                f"{name if i == 0 else '':<26}{i + 1:>5}{low:>8.3f}{med:>10.3f}{cpu:>7.3f}"
                f"{med / target:>8.2f}x{med / floor_med:>6.1f}x{len(modules):>9}{versus}  "
                f"{', '.join(heavy) or '-'}"
            )
    loads.append(os.getloadavg()[0])
    print(f"load average at the end {loads[-1]:.1f}")


if __name__ == "__main__":
    main()
