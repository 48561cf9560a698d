"""Exactly once on the target through kill -9: resources created against those needed.

Setup: a real emulator on 127.0.0.1 (a free port; ``--latency-ms`` per call, every transcript
answered 202 so runners poll), a synthetic dataset of N encounters (tones, ``instant`` speech
engine) and T stored templates. A real ``scribe-eval run`` process is killed with SIGKILL at a
random moment (seeded), then ``--resume``d, K times; a last ``--resume`` finishes the run. Then
the interactions, recordings, transcripts and documents of the run on the target are counted
through the API and printed against what the run needed (one interaction per encounter, one
recording and one transcript per encounter, one document per document cell), and the API calls
the run recorded (``api_calls``) against those the emulator served it: a killed process keeps
the calls counted up to its last store write; the calls after it, and those in flight, are lost
to the count (the served count is read before the census's own calls). Also printed: what
was in flight (pending rows in the store) at each kill. Each kill comes at a random moment within
``--window`` seconds after the runner took the run's lease (start-up itself is not timed).

Run: ``.venv/bin/python bench/kills.py [--kills 10] [--encounters 12] [--templates 4]
[--latency-ms 150] [--seed 1] [--window 5]``. Exit code 1 when any count differs from the need.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf
import yaml

from scribe_eval.client import AmbientClient, RetryPolicy
from scribe_eval.store import RunStore

KINDS = ("interactions", "recordings", "transcripts", "documents")
TEMPLATES = ("corti-soap", "corti-brief-clinical-note", "corti-h-and-p", "corti-patient-summary")


def write_dataset(folder: Path, encounters: int) -> Path:
    """A dataset of ``encounters`` two-channel tone recordings of distinct lengths.

    Distinct lengths give distinct (instant) transcripts, hence distinct documents: nothing is
    shared through the cache, so every cell needs its own resources on the target.
    """
    (folder / "audio").mkdir(parents=True)
    (folder / "transcripts").mkdir()
    items = []
    for i in range(encounters):
        eid = f"en-{i:04d}"
        t = np.arange(32000 + 160 * i) / 16000
        tone = 0.1 * np.sin(2 * np.pi * (200 + i) * t)
        sf.write(folder / "audio" / f"{eid}.flac", np.stack([tone, tone[::-1]], axis=1), 16000)
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
        "name": "kills", "description": "synthetic tones for the kill benchmark",
        "licence": "Apache-2.0", "default_language": "en", "encounters": items,
    }  # fmt: skip
    (folder / "dataset.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return folder


def start_emulator(data_dir: Path, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    """A real emulator subprocess; returns it and its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
         "--data-dir", str(data_dir), "--asr-engine", "instant", "--no-preload",
         "--latency-ms", str(latency_ms), "--async-threshold-s", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def write_experiment(folder: Path, dataset: Path, base: str, templates: int) -> Path:
    """An experiment against the emulator at ``base`` that keeps what it made there."""
    experiment = {
        "name": "kills",
        "dataset": str(dataset),
        "target": {"kind": "url", "base_url": base, "tenant": "base", "auth": "none"},
        "templates": [{"key": key, "label": key} for key in TEMPLATES[:templates]],
        "cleanup": {"delete_interactions": False},
        "execution": {"concurrency": 4, "transcript_concurrency": 2, "document_concurrency": 4},
    }
    path = folder / "kills.yaml"
    path.write_text(yaml.safe_dump(experiment, sort_keys=False))
    return path


def census(base: str, run_id: str) -> dict[str, int]:
    """The run's interactions on the target and the recordings, transcripts, documents in them."""

    async def count() -> dict[str, int]:
        found: Counter[str] = Counter(dict.fromkeys(KINDS, 0))
        async with AmbientClient(base, retry=RetryPolicy(max_attempts=10)) as client:
            async for interaction in client.iter_interactions(page_size=100):
                identifier = interaction.encounter.identifier if interaction.encounter else ""
                if f":{run_id}:" not in identifier:
                    continue
                found["interactions"] += 1
                found["recordings"] += len(await client.list_recordings(interaction.id))
                found["transcripts"] += len(await client.list_transcripts(interaction.id))
                found["documents"] += len(await client.list_documents(interaction.id))
        return dict(found)

    return asyncio.run(count())


def served(base: str) -> int:
    """API calls the emulator has served so far (its own stats, not counted among them)."""
    stats = httpx.get(f"{base.rstrip('/')}/_emulator/stats", timeout=30).json()
    return int(stats["requests"])


def needed(store: RunStore, run_id: str) -> dict[str, int]:
    """What the run needed on the target (an empty cache: nothing came from another run)."""
    cells = store.cells(run_id)
    asr = [c for c in cells if c.kind == "transcript" and c.source == "asr"]
    return {
        "interactions": len({(c.encounter_id, c.recording_language) for c in cells}),
        "recordings": len(asr),
        "transcripts": len(asr),
        "documents": sum(c.kind == "document" for c in cells),
    }


def working(runs: Path, child: subprocess.Popen[bytes]) -> bool:
    """Wait until ``child`` holds the lease of the newest run (True), or has exited (False)."""
    while child.poll() is None:
        if (runs / "scribe-eval.sqlite").exists():
            with RunStore(runs) as store:
                listed = store.list_runs()
                lease = store.lease(listed[0].id) if listed else None
                if lease is not None and lease.pid == child.pid:
                    return True
        time.sleep(0.02)
    return False


def in_flight(runs: Path) -> Counter[str]:
    """Remote rows still pending (a create call was under way), per kind, of the newest run."""
    with RunStore(runs) as store:
        listed = store.list_runs()
        if not listed:
            return Counter()
        return Counter(r.kind for r in store.remotes(listed[0].id) if r.state == "pending")


def main() -> int:
    """Run the benchmark, print its figures; 1 when a count differs from the need."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--encounters", type=int, default=12)
    parser.add_argument("--templates", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--window", type=float, default=5.0, help="kill within this many seconds of the start"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runs = root / "runs"
        dataset = write_dataset(root / "data", args.encounters)
        emulator, base = start_emulator(root / "target", args.latency_ms)
        try:
            path = write_experiment(root, dataset, base, args.templates)
            run_id: str | None = None
            kills: list[tuple[float, Counter[str]]] = []
            started = time.perf_counter()
            while len(kills) < args.kills:
                command = [sys.executable, "-m", "scribe_eval.cli", "run", str(path),
                           "--runs-dir", str(runs), "--no-progress"]  # fmt: skip
                if run_id is not None:
                    command += ["--resume", run_id]
                child = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                # Start-up (imports, dataset) takes seconds, more on a loaded machine: the kill
                # comes at a random moment after the runner has taken the run's lease.
                if not working(runs, child):
                    child.wait()
                    print(f"the run finished after {len(kills)} kills; use more --encounters")
                    break
                delay = rng.uniform(0.0, args.window)
                try:
                    child.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait()
                    kills.append((delay, in_flight(runs)))
                else:
                    print(f"the run finished after {len(kills)} kills; use more --encounters")
                    break
                if run_id is None:
                    with RunStore(runs) as store:
                        run_id = store.list_runs()[0].id
            if run_id is None:
                raise SystemExit("the run never started; raise the kill delays")
            final = subprocess.run(
                [sys.executable, "-m", "scribe_eval.cli", "run", str(path), "--runs-dir",
                 str(runs), "--no-progress", "--resume", run_id],
                capture_output=True, text=True,
            )  # fmt: skip
            wall = time.perf_counter() - started
            if final.returncode != 0:
                raise SystemExit(f"the final resume failed: {final.stderr.strip()}")
            with RunStore(runs) as store:
                run = store.get_run(run_id)
                cells = store.cells(run_id)
                want = needed(store, run_id)
            calls = served(base)
            got = census(base, run_id)
        finally:
            emulator.terminate()
            emulator.wait(timeout=20)
    failed = sum(c.status != "ok" for c in cells)
    print(
        f"{args.encounters} encounters x {args.templates} templates, latency {args.latency_ms} "
        f"ms, seed {args.seed}: {len(kills)} kills (SIGKILL) with --resume after each, "
        f"{wall:.1f} s in all"
    )
    for number, (delay, pending) in enumerate(kills, 1):
        flight = ", ".join(f"{kind} {n}" for kind, n in sorted(pending.items())) or "nothing"
        print(f"  kill {number:2d} at {delay:4.2f} s; create calls in flight: {flight}")
    print(f"run {run_id}: {run.status}, {len(cells)} cells, {failed} failed")
    print(f"  API calls recorded by the run {run.api_calls}, served by the target {calls}")
    print(f"  {'kind':<14}{'created':>9}{'needed':>9}")
    for kind in KINDS:
        mark = "" if got[kind] == want[kind] else "   <- differs"
        print(f"  {kind:<14}{got[kind]:>9}{want[kind]:>9}{mark}")
    equal = got == want and not failed and run.status == "completed"
    print("exactly once: " + ("yes" if equal else "NO"))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
