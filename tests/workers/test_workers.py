"""Several machines, one run: workers on procrastinate against a real emulator and PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.client import AmbientClient
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import build_matrix, load_experiment, resolve_templates
from scribe_eval.runner import RunOptions, run_experiment
from scribe_eval.store import RunStore, open_store
from scribe_eval.workers import only_encounter, serve
from scribe_eval.workers._worker import split_by_encounter

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
CLI = [sys.executable, "-m", "scribe_eval.cli"]


def _experiment(tmp_path: Path, target: dict[str, Any]) -> Path:
    data = {
        "name": "mini",
        "dataset": str(MINI),
        "target": target,
        "templates": [
            {"key": "corti-soap", "label": "soap"},
            {"key": "corti-brief-clinical-note", "label": "brief", "reference": "soap"},
        ],
        "languages": {"output": ["recording"]},
        "cleanup": {"delete_interactions": False},
        "execution": {"concurrency": 2, "transcript_concurrency": 1, "document_concurrency": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_one_encounters_part_of_the_matrix_is_exactly_its_cells(tmp_path: Path) -> None:
    experiment = load_experiment(
        _experiment(tmp_path, {"kind": "embedded", "asr_engine": "instant"})
    )
    matrix = build_matrix(
        experiment, load_dataset(experiment.dataset), resolve_templates(experiment)
    )
    parts = [
        only_encounter(matrix, e) for e in sorted({j.encounter_id for j in matrix.transcripts})
    ]
    assert sorted(c.cell_id for p in parts for c in p.cells) == sorted(
        c.cell_id for c in matrix.cells
    )
    assert all(len({c.encounter_id for c in p.cells}) == 1 for p in parts)


def test_the_matrix_split_once_gives_each_encounter_what_only_encounter_gives(
    tmp_path: Path,
) -> None:
    experiment = load_experiment(
        _experiment(tmp_path, {"kind": "embedded", "asr_engine": "instant"})
    )
    matrix = build_matrix(
        experiment, load_dataset(experiment.dataset), resolve_templates(experiment)
    )
    parts = split_by_encounter(matrix)
    encounters = {j.encounter_id for j in matrix.transcripts}
    assert len(encounters) > 1
    assert set(parts) == encounters
    for encounter, part in parts.items():
        assert part == only_encounter(matrix, encounter)


def test_a_worker_is_ready_only_once_the_scorers_are_loaded(pg_url: str, tmp_path: Path) -> None:
    # Loaded by the first job instead, the language model held up every job in flight for
    # seconds on the worker's event loop (three workers starting together: ~9 s).
    from scribe_eval.metrics import _langid

    # Both caches: an identifier cached by an earlier test would not ask for the base model.
    _langid._identifier.cache_clear()
    _langid._base_model.cache_clear()
    loaded_when_ready: list[int] = []

    def ready() -> None:
        loaded_when_ready.append(_langid._base_model.cache_info().currsize)

    serve(pg_url, tmp_path, burst=True, on_ready=ready)
    assert loaded_when_ready == [1]


def test_workers_need_a_team_store(tmp_path: Path) -> None:
    path = _experiment(tmp_path, {"kind": "embedded", "asr_engine": "instant"})
    result = CliRunner().invoke(main, ["run", str(path), "--workers", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --workers needs a postgresql:// team store")


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_one_killed_give_the_scores_of_one_process_and_no_duplicate(
    pg_url: str, tmp_path: Path
) -> None:
    with _emulator(tmp_path / "emulator", "--latency-ms", "400") as base:
        path = _experiment(
            tmp_path, {"kind": "url", "base_url": base, "tenant": "t1", "auth": "none"}
        )
        env = {**os.environ, "SCRIBE_EVAL_STORE": pg_url}
        env.pop("CI", None)
        workers = [_worker(env, tmp_path / f"w{i}") for i in range(3)]
        try:
            coordinator = subprocess.Popen(
                [*CLI, "run", str(path), "--workers", "--stall-after", "2", "--no-progress",
                 "--runs-dir", str(tmp_path / "coordinator")],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )  # fmt: skip
            _wait_until_all_busy(pg_url, jobs=3)
            workers[0].send_signal(signal.SIGKILL)
            out, _ = coordinator.communicate(timeout=180)
        finally:
            for process in workers:
                process.terminate()
                process.wait(timeout=30)
        assert coordinator.returncode == 0, out
        run_id = out.strip().splitlines()[-1]
        starts = _job_starts(pg_url)
        single = run_experiment(
            load_experiment(path), RunOptions(runs_dir=tmp_path / "one", progress=False)
        )
        counts = collections.Counter(i for i in _identifiers(base) if f":{run_id}:" in i)
    assert starts > 3  # the killed worker's job went back to the queue and started again
    with open_store(pg_url, tmp_path) as store:
        cells = store.cells(run_id)
        assert store.get_run(run_id).status == "completed"
    with RunStore(tmp_path / "one") as local:
        expected = {c.cell_id: c.scores for c in local.cells(single.run.id)}
    assert len(cells) == 9
    assert all(c.status == "ok" for c in cells), [c.error_message for c in cells]
    assert {c.cell_id: c.scores for c in cells} == expected
    assert len(counts) == 3  # one interaction per encounter ...
    assert max(counts.values()) == 1, counts  # ... and none made twice


@pytest.mark.slow
@pytest.mark.postgres
def test_a_run_over_workers_counts_the_cached_answers_it_found_too_old(
    pg_url: str, tmp_path: Path
) -> None:
    # The workers read the cache, not the coordinator: each must add what it found too old.
    with _emulator(tmp_path / "emulator") as base:
        path = _experiment(
            tmp_path, {"kind": "url", "base_url": base, "tenant": "t1", "auth": "none"}
        )
        env = {**os.environ, "SCRIBE_EVAL_STORE": pg_url}
        env.pop("CI", None)
        workers = [_worker(env, tmp_path / f"w{i}") for i in range(2)]
        command = [*CLI, "run", str(path), "--workers", "--no-progress", "--json",
                   "--runs-dir", str(tmp_path / "coordinator")]  # fmt: skip
        try:
            first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
            with psycopg.connect(pg_url, autocommit=True) as conn:
                aged = conn.execute(  # older than a URL target's default limit of 7 days
                    "UPDATE cache SET created = '2020-01-01T00:00:00Z' WHERE stage != 'score'"
                ).rowcount
            second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        finally:
            for process in workers:
                process.terminate()
                process.wait(timeout=30)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    before, after = json.loads(first.stdout), json.loads(second.stdout)
    assert aged == 8  # 2 transcripts (one encounter has no audio) and 6 documents
    assert before["expired_cache"] == 0
    assert after["expired_cache"] == 8
    assert after["from_cache"] == 0
    assert "cached answers older than 7d are bought again" in second.stderr
    with open_store(pg_url, tmp_path) as store:
        assert store.get_run(after["id"]).expired_cache == 8
        assert store.get_run(after["id"]).api_calls == after["api_calls"]


def _worker(env: dict[str, str], runs: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "worker", "--concurrency", "1", "--heartbeat", "0.5", "--runs-dir", str(runs)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_until_all_busy(url: str, *, jobs: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        with psycopg.connect(url) as conn:
            if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() == (None,):
                continue
            row = conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
            ).fetchone()
        if row is not None and row[0] >= jobs:
            return
    raise AssertionError("the workers never all got a job")


def _job_starts(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_events WHERE type = 'started'"
        ).fetchone()
    return 0 if row is None else int(row[0])


def _identifiers(base_url: str) -> list[str]:
    async def collect() -> list[str]:
        async with AmbientClient(base_url, tenant="t1") as client:
            return [
                i.encounter.identifier
                async for i in client.iter_interactions()
                if i.encounter is not None
            ]

    return asyncio.run(collect())


@contextmanager
def _emulator(data_dir: Path, *extra: str) -> Iterator[str]:
    process = subprocess.Popen(
        [*CLI, "emulator", "serve", "--port", "0", "--data-dir", str(data_dir),
         "--asr-engine", "instant", "--no-preload", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:"), line
        yield line
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()


def test_a_worker_imports_what_its_first_job_needs_before_it_is_ready() -> None:
    modules = ["scribe_eval.metrics._adherence", "scribe_eval.metrics._facts", "httpcore"]
    code = (
        "import sys; from scribe_eval.workers._serve import warm_up; "
        f"names = {modules!r}; before = [n in sys.modules for n in names]; warm_up(); "
        "print(before, [n in sys.modules for n in names])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{[False] * 3} {[True] * 3}"
