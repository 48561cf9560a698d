"""The embedded emulator's start-up: spawn to ready line, as the runner starts it.

Each sample is a fresh ``python -m scribe_eval.cli emulator serve --port 0`` on an empty data
folder with the ``instant`` speech engine (what ``bench/runner.py`` uses), timed from the spawn to
the base URL it prints when it accepts connections (the line ``EmbeddedServer.base_url`` waits
for), then killed. The peer, measured in the same rounds, is the floor of any FastAPI server on
uvicorn: the same interpreter running ``import fastapi, uvicorn`` and nothing else.

``--tree`` (repeatable) times the same command from other checkouts (``PYTHONPATH=TREE``), one
sample of each per round, interleaved, so a before/after comparison sees the same load. Figures:
min and median over the rounds, ratio to the peer's median, the load average before and after,
and the modules each imports by the ready line that the instant engine has no use for.
Run: ``.venv/bin/python bench/emulator_start.py [--repeats 7] [--tree /path/to/main]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
#: Imported by the serve path with the default engine, of no use to ``instant`` until an upload.
HEAVY = ("faster_whisper", "av", "ctranslate2", "onnxruntime", "numpy", "pydantic.v1", "httpx")
_PEER = [sys.executable, "-c", "import fastapi, uvicorn"]
_MODULES = (
    "import runpy, sys\n"
    "import scribe_eval.cli.emulator as e\n"
    "make = e._make_server\n"
    "def probe(config, line, **_):\n"  # no after_ready: the modules at the ready line
    "    server = make(config, line)\n"
    "    start = server.startup\n"
    "    async def startup(sockets=None):\n"
    "        await start(sockets=sockets)\n"
    "        print(' '.join(sorted(sys.modules)), flush=True)\n"
    "        server.should_exit = True\n"
    "    server.startup = startup\n"
    "    return server\n"
    "e._make_server = probe\n"
    "sys.argv = ['scribe-eval', *sys.argv[1:]]\n"
    "runpy.run_module('scribe_eval.cli', run_name='__main__')\n"
)


def serve_args(data_dir: Path) -> list[str]:
    """``emulator serve`` as ``bench/runner.py``'s runs start it (instant engine)."""
    return [
        "emulator", "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
        "--asr-engine", "instant", "--latency-ms", "200",
    ]  # fmt: skip


def env_for(tree: Path) -> dict[str, str]:
    """Our environment with ``tree`` first on the import path and unbuffered output.

    Every child runs in a temporary folder: ``-m`` and ``-c`` put the working directory before
    ``PYTHONPATH``, so a child started in a checkout would import that checkout instead."""
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}


def time_to_ready(tree: Path, folder: Path) -> tuple[float, float]:
    """Seconds from spawning the emulator from ``tree`` to its ready line, and the CPU seconds
    (user + system) it used by then (less sensitive to other processes than the wall time)."""
    with tempfile.TemporaryDirectory(dir=folder) as data:
        argv = [sys.executable, "-m", "scribe_eval.cli", *serve_args(Path(data))]
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env_for(tree),
            cwd=folder,
        )  # fmt: skip
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.kill()
        cpu = _cpu_of(process)
        process.stdout.close()
        if "/v2" not in line:
            raise SystemExit(f"the emulator from {tree} did not start: {line!r}")
        return elapsed, cpu


def time_peer() -> tuple[float, float]:
    """Seconds to run the peer (``import fastapi, uvicorn``) to its exit, and its CPU seconds."""
    started = time.perf_counter()
    process = subprocess.Popen(_PEER)
    cpu = _cpu_of(process)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"the peer failed ({process.returncode})")
    return elapsed, cpu


def _cpu_of(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> float:
    """Reap ``process``; the CPU seconds (user + system) it used."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def modules_at_ready(tree: Path, folder: Path) -> set[str]:
    """The modules the emulator from ``tree`` has imported when it prints its ready line."""
    with tempfile.TemporaryDirectory(dir=folder) as data:
        done = subprocess.run(
            [sys.executable, "-c", _MODULES, *serve_args(Path(data))],
            capture_output=True, text=True, env=env_for(tree), cwd=folder, check=True, timeout=120,
        )  # fmt: skip
    return set(done.stdout.splitlines()[-1].split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--tree", type=Path, action="append", default=[],
        help="another checkout to time in the same rounds (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    trees = [HERE, *(t.resolve() for t in args.tree)]
    samples: dict[str, list[tuple[float, float]]] = {"peer": [], **{str(t): [] for t in trees}}
    print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); {args.repeats} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for tree in trees:
            time_to_ready(tree, folder)  # warm the file cache and byte-code of each tree
        for _ in range(args.repeats):
            samples["peer"].append(time_peer())
            for tree in trees:
                samples[str(tree)].append(time_to_ready(tree, folder))
        imported = {str(t): modules_at_ready(t, folder) for t in trees}
    peer = [statistics.median(x) for x in zip(*samples["peer"], strict=True)]
    print(f"{'':<28}{'wall min':>9}{'median':>8}{'/peer':>7}{'CPU min':>9}{'median':>8}"
          f"{'/peer':>7}{'modules':>9}  of {', '.join(HEAVY)}")  # fmt: skip
    rows = [("peer: import fastapi,uvicorn", "peer"), *((_short(t), str(t)) for t in trees)]
    for name, key in rows:
        figures = "".join(
            f"{min(x):>9.3f}{statistics.median(x):>8.3f}{statistics.median(x) / p:>6.2f}x"
            for x, p in zip(zip(*samples[key], strict=True), peer, strict=True)
        )
        modules = imported.get(key)
        found = (
            ""
            if modules is None
            else f"{len(modules):>9}  " + (", ".join(h for h in HEAVY if h in modules) or "-")
        )
        print(f"{name:<28}{figures}{found}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def _short(tree: Path) -> str:
    name = f"serve ({tree.name})"
    return name if len(name) <= 27 else name[:24] + "..."


if __name__ == "__main__":
    main()
