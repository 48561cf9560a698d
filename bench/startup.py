"""Start-up of the commands people type most: ``--help``, ``runs list``, ``score`` (target 0.3 s).

Each command runs as a fresh ``scribe-eval`` process (the console script of this venv), R times;
the figures are the wall time to exit (min and median), the modules it imported and whether the
heavy libraries it has no use for were among them. The peer, measured in the same run, is the
floor every command pays: the same interpreter starting with ``import click`` and nothing else.
``score`` reads a 20-row CSV written to a temporary folder (ROUGE without stemming, and WER), so
the time is start-up, not scoring. Run: ``.venv/bin/python bench/startup.py [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.3
BIN = Path(sys.executable).parent
HEAVY = (
    "numpy", "scipy", "httpx", "fastapi", "uvicorn", "nltk", "meeteval", "jinja2", "psycopg",
    "procrastinate", "soundfile", "rouge_score", "faster_whisper",
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


def timed(argv: list[str], repeats: int, env: dict[str, str]) -> tuple[float, float]:
    """(min, median) wall seconds of ``repeats`` runs of ``argv``; each must exit 0."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-400:]}")
    return min(times), statistics.median(times)


def modules_of(args: list[str], folder: Path, env: dict[str, str]) -> set[str]:
    """The modules ``scribe-eval ARGS`` has imported by the time it exits."""
    out = folder / "modules.txt"
    code = _PROBE.format(out=str(out), args=args)
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    return set(out.read_text().split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pairs = write_rows(folder)
        env = {**os.environ, "SCRIBE_EVAL_RUNS_DIR": str(folder / "runs")}
        cli = str(BIN / "scribe-eval")
        commands = {
            "--help": ["--help"],
            "runs list": ["runs", "list"],
            "score notes": ["score", "notes", str(pairs), "--ref-col", "ref", "--hyp-col", "hyp"],
            "score transcripts": [
                "score", "transcripts", str(pairs), "--ref-col", "ref", "--hyp-col", "hyp",
            ],
        }  # fmt: skip
        print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs); {args.repeats} runs")
        floor_min, floor_med = timed([sys.executable, "-c", "import click"], args.repeats, env)
        print(f"peer: python -c 'import click'   min {floor_min:.3f} s  median {floor_med:.3f} s")
        print(f"{'command':<20}{'min s':>8}{'median s':>10}{'/target':>9}{'/peer':>7}"
              f"{'modules':>9}  heavy libraries imported")  # fmt: skip
        for name, argv in commands.items():
            low, med = timed([cli, *argv], args.repeats, env)
            modules = modules_of(argv, folder, env)
            heavy = sorted(h for h in HEAVY if h in modules)
            print(
                f"{name:<20}{low:>8.3f}{med:>10.3f}{med / TARGET_S:>8.2f}x{med / floor_med:>6.1f}x"
                f"{len(modules):>9}  {', '.join(heavy) or '-'}"
            )
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
