"""`runs list`, `runs show`, `compare`, `runs trend`, `report` over 200 runs: SQLite vs PostgreSQL.

Setup: the same synthetic history written into both stores (200 runs; per run E encounters, one
transcript cell and T document cells each, with scores), one baseline blessed. Each command runs
through the real CLI (``CliRunner``) against the local SQLite file and against PostgreSQL (a fresh
schema of ``$SCRIBE_EVAL_BENCH_POSTGRES``, default the test database on 127.0.0.1:5432, dropped
afterwards). Figures: min and median of R runs each, and the PostgreSQL/SQLite ratio of medians
(the peer is SQLite, measured in the same process). ``report`` writes the latest run's whole report
(index, and the trend page over all 200 runs) into a scratch folder, aggregates only
(``--no-text``: the synthetic runs have no dataset to show text from). Run:
``.venv/bin/python bench/store.py [--runs 200] [--encounters 50] [--templates 2] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.store import CellRecord, RunRecord, RunStore, open_store

ADMIN_URL = os.environ.get(
    "SCRIBE_EVAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
TEMPLATES = ("soap", "brief", "h-and-p", "summary")


def run_record(i: int) -> RunRecord:
    """The i-th synthetic run (one day apart; the vendor's note model changes at run 120)."""
    identity = {"kind": "url", "notes": "v2" if i >= 120 else "v1"}
    return RunRecord(
        id=f"2026{i:04d}-000000-{i:06x}", name="bench", status="completed",
        created=f"2026-01-01T00:00:00.{i:03d}Z", experiment_hash="e" * 64,
        dataset_name="bench", dataset_hash="d" * 64, target={"kind": "url", "identity": identity},
        config={}, provenance={"metrics": {"version": "1"}}, api_calls=10,
    )  # fmt: skip


def cells(run_id: str, encounters: int, templates: int, rng: random.Random) -> list[CellRecord]:
    """One transcript cell and ``templates`` document cells per encounter, with scores."""
    out = []
    for e in range(encounters):
        common = {"run_id": run_id, "encounter_id": f"enc-{e:03d}", "language": "en",
                  "recording_language": "en", "source": "asr", "status": "ok"}  # fmt: skip
        out.append(CellRecord(cell_id=f"enc-{e:03d}|transcript", kind="transcript",
                              scores={"wer": rng.random() * 0.3}, **common))  # fmt: skip
        for label in TEMPLATES[:templates]:
            scores = {"rougeL_f": rng.random(), "rougeLsum_f": rng.random()}
            out.append(CellRecord(cell_id=f"enc-{e:03d}|{label}", kind="document",
                                  template_label=label, scores=scores, **common))  # fmt: skip
    return out


def fill(store: RunStore, runs: int, encounters: int, templates: int) -> float:
    """Write the history; returns the seconds it took."""
    rng = random.Random(3)
    started = time.perf_counter()
    for i in range(runs):
        record = run_record(i)
        store.create_run(record)
        for cell in cells(record.id, encounters, templates, rng):
            store.put_cell(cell)
    store.bless(run_record(0).id, "prod", reason="bench", user="bench")
    return time.perf_counter() - started


def timed(func: Callable[[], None], repeats: int) -> tuple[float, float]:
    """(min, median) seconds of ``repeats`` calls, after one untimed call.

    The untimed call pays the command's one-off imports (Jinja2 and the report's modules take
    seconds), which would otherwise land on whichever store is measured first.
    """
    func()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def command(args: list[str]) -> Callable[[], None]:
    """A CLI call that must succeed (exit code 0, or 2 for a gate regression)."""

    def call() -> None:
        result = CliRunner().invoke(main, args)
        if result.exit_code not in (0, 2):
            raise SystemExit(f"{' '.join(args[:3])} failed: {result.output[-400:]}")
        if args[0] == "report" and not result.output.rstrip().endswith("trend.html"):
            raise SystemExit(f"report wrote no trend page: {result.output[-400:]}")

    return call


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--encounters", type=int, default=50)
    parser.add_argument("--templates", type=int, default=2, choices=range(1, 5))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            measure(args, Path(tmp), f"{ADMIN_URL}?options=-csearch_path%3D{schema}")
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def measure(args: argparse.Namespace, tmp: Path, pg_url: str) -> None:
    stores = {"sqlite": ["--runs-dir", str(tmp / "runs")], "postgresql": ["--store", pg_url]}
    out = str(tmp / "report")
    n_cells = args.runs * args.encounters * (1 + args.templates)
    print(f"{args.runs} runs, {n_cells} cells; load average {os.getloadavg()[0]:.1f} (2 cores)")
    for kind, spec in (("sqlite", None), ("postgresql", pg_url)):
        with open_store(spec, tmp / "runs") as store:
            seconds = fill(store, args.runs, args.encounters, args.templates)
        print(f"  written to {kind} in {seconds:.1f} s ({n_cells / seconds:,.0f} cells/s)")
    latest, first = run_record(args.runs - 1).id, run_record(0).id
    commands = {
        "runs list": ["runs", "list", "--json"],
        "runs show latest": ["runs", "show", "latest", "--json"],
        "compare prod latest": ["compare", first, latest, "--json", "--force"],
        "runs trend": ["runs", "trend", "--template", "soap", "--language", "en", "--json"],
        "report latest": ["report", "latest", "--no-text", "--output", out],
    }
    print(f"\n{'command':<22}{'sqlite min/med s':>20}{'postgresql min/med s':>24}{'pg/sqlite':>11}")
    for name, argv in commands.items():
        figures = {
            kind: timed(command([*argv, *extra]), args.repeats) for kind, extra in stores.items()
        }
        (s_min, s_med), (p_min, p_med) = figures["sqlite"], figures["postgresql"]
        ratio = p_med / s_med
        print(
            f"{name:<22}{s_min:>9.3f} / {s_med:<9.3f}{p_min:>11.3f} / {p_med:<11.3f}{ratio:>8.2f}x"
        )
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (figures are noisy above 2)")


if __name__ == "__main__":
    main_bench()
