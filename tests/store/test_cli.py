"""`runs bless/baselines/trend/show` and `store migrate`, on both stores."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import trend_rows
from scribe_eval.store import RunStore, open_store, redact_url


def _builders() -> ModuleType:
    """tests/store/_builders.py, loaded by path: tests are no package."""
    spec = importlib.util.spec_from_file_location(
        "_store_builders", Path(__file__).with_name("_builders.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_run = _builders().make_run
cell = _builders().cell


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_bless_records_who_and_why_and_moves_only_with_force(
    store: RunStore, cli_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_run(make_run("20260101-aaaa", "2026-01-01T00:00:00Z", status="completed"))
    store.create_run(make_run("20260102-bbbb", "2026-01-02T00:00:00Z", status="completed"))
    monkeypatch.setenv("SCRIBE_EVAL_USER", "dr-alice")
    code, out = _invoke("runs", "bless", "20260101", "--name", "prod", "--reason", "v1", *cli_args)
    assert (code, out.strip()) == (0, "20260101-aaaa is now baseline 'prod' (blessed by dr-alice)")
    code, out = _invoke("runs", "bless", "latest", "--name", "prod", *cli_args)
    assert code == 1
    assert out.startswith("Error: baseline 'prod' is run 20260101-aaaa; moving it")
    assert "--force" in out
    monkeypatch.setenv("SCRIBE_EVAL_USER", "ci-bot")
    code, _ = _invoke("runs", "bless", "latest", "--name", "prod", "--force", "--reason", "v2",
                      *cli_args)  # fmt: skip
    assert code == 0
    code, out = _invoke("runs", "baselines", "--json", *cli_args)
    history = [(e["run_id"], e["user"], e["reason"], e["forced"]) for e in json.loads(out)]
    assert history == [
        ("20260101-aaaa", "dr-alice", "v1", False),
        ("20260102-bbbb", "ci-bot", "v2", True),
    ]
    code, out = _invoke("runs", "baselines", *cli_args)
    assert code == 0
    assert "dr-alice" in out
    assert "ci-bot" in out


@pytest.mark.parametrize("status", ["interrupted", "failed", "running"])
def test_bless_refuses_a_run_that_did_not_complete_unless_told_incomplete(
    store: RunStore, cli_args: list[str], status: str
) -> None:
    # An interrupted run holds only the cells it finished: blessed, it became a baseline that
    # every later gate compared against part of a run, without a word.
    matrix = {"matrix": {"documents": 33, "transcripts": 11}}
    store.create_run(make_run("20260101-aaaa", status=status, provenance=matrix))
    for i in range(5):
        store.put_cell(cell("20260101-aaaa", f"en-0{i}|soap|en|asr", encounter_id=f"en-0{i}"))
    store.put_cell(cell("20260101-aaaa", "en-09|soap|en|asr", status="pending"))
    code, out = _invoke("runs", "bless", "20260101-aaaa", "--name", "prod", *cli_args)
    assert code == 1
    # Stored running with nobody running it (no lease): its runner is gone, and it says so.
    shown = "interrupted (runner gone)" if status == "running" else status
    assert out == (
        f"Error: run 20260101-aaaa is {shown} (5 of 33 documents, 0 of 11 transcripts "
        "finished): a baseline must be a completed run; finish it with `scribe-eval run "
        "--resume 20260101-aaaa` (or bless it anyway with --incomplete)\n"
    )
    assert store.baselines() == {}
    # --force moves a baseline; it does not also bless an unfinished run.
    code, _ = _invoke("runs", "bless", "20260101-aaaa", "--name", "prod", "--force", *cli_args)
    assert code == 1
    assert store.baselines() == {}
    result = CliRunner().invoke(
        main, ["runs", "bless", "20260101-aaaa", "--name", "prod", "--incomplete", *cli_args]
    )
    assert result.exit_code == 0
    assert f"Warning: blessed with --incomplete although run 20260101-aaaa is {shown}" in (
        result.stderr
    )
    assert store.baselines() == {"prod": "20260101-aaaa"}


def test_runs_show_counts_cells_reused_from_other_runs(
    store: RunStore, cli_args: list[str]
) -> None:
    store.create_run(make_run("alice-run", "2026-01-01T00:00:00Z"))
    store.create_run(make_run("bob-run", "2026-01-02T00:00:00Z"))
    for key in ("k1", "k2"):
        store.cache_put(key, "document", {"id": key})
        store.put_cell(cell("alice-run", key, cache_key=key))
        store.put_cell(cell("bob-run", key, cache_key=key, from_cache=True))
    code, out = _invoke("runs", "show", "bob-run", *cli_args)
    assert code == 0
    assert "2 cell(s) reused answers made by run alice-run" in out
    code, out = _invoke("runs", "show", "alice-run", "--json", *cli_args)
    assert json.loads(out)["shared_cache"] == {"cells": 0, "by_run": {}}


def test_runs_list_and_show_say_how_many_cells_of_a_completed_run_failed(
    store: RunStore, cli_args: list[str]
) -> None:
    # Exit 3 leaves a run `completed`: alone, that reads as a clean run.
    store.create_run(make_run("20260101-aaaa", "2026-01-01T00:00:00Z", status="completed"))
    store.create_run(make_run("20260102-bbbb", "2026-01-02T00:00:00Z", status="completed"))
    for n in range(3):
        store.put_cell(cell("20260101-aaaa", f"e{n}|soap", status="error", stage="transcript"))
    store.put_cell(cell("20260101-aaaa", "e9|soap"))
    store.put_cell(cell("20260102-bbbb", "e1|soap"))
    code, out = _invoke("runs", "list", "--format", "plain", *cli_args)
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("2026")}
    assert "completed, 3 failed" in rows["20260101-aaaa"]
    assert "failed" not in rows["20260102-bbbb"]
    code, out = _invoke("runs", "list", "--json", *cli_args)
    listed = {r["id"]: (r["status"], r["failed_cells"]) for r in json.loads(out)}
    assert listed == {"20260101-aaaa": ("completed", 3), "20260102-bbbb": ("completed", 0)}
    code, out = _invoke("runs", "show", "20260101-aaaa", *cli_args)
    assert "20260101-aaaa demo — completed, 3 failed" in out.splitlines()[0]
    code, out = _invoke("runs", "show", "20260102-bbbb", *cli_args)
    assert out.splitlines()[0].endswith("demo — completed")
    code, out = _invoke("runs", "show", "20260101-aaaa", "--json", *cli_args)
    assert json.loads(out)["failed_cells"] == 3


def test_a_one_encounter_trend_point_has_no_interval(store: RunStore) -> None:
    for day, run_id in enumerate(("r1", "r2"), start=1):
        store.create_run(make_run(run_id, f"2026-01-0{day}T00:00:00Z"))
        store.put_cell(cell(run_id, "e1", scores={"rougeLsum_f": 0.4 + day / 10}))
    points = trend_rows(store, template="soap", language="en", dataset="sample")
    assert [p.n for p in points] == [1, 1]
    assert all(p.low is None and p.high is None for p in points)  # not a zero-width [x, x]


def test_export_reads_the_same_store_as_every_other_command(
    store: RunStore, cli_args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_run(make_run("team-run", "2026-01-01T00:00:00Z"))
    store.put_cell(cell("team-run", "k1", cache_key="k1"))
    code, out = _invoke("export", "team-run", "--format", "jsonl", *cli_args)
    assert code == 0, out
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r["run_id"] for r in rows] == ["team-run"]
    # $SCRIBE_EVAL_STORE is honoured like --store.
    url = cli_args[cli_args.index("--store") + 1] if "--store" in cli_args else None
    if url is not None:
        monkeypatch.setenv("SCRIBE_EVAL_STORE", url)
        code, out = _invoke("export", "team-run", "--format", "jsonl", *cli_args[:2])
        assert code == 0, out
        assert '"team-run"' in out


def test_trend_has_one_point_per_run_and_marks_identity_changes(
    store: RunStore, cli_args: list[str]
) -> None:
    # Three encounters a run: the fewest that get an interval (stats.MIN_ENCOUNTERS_FOR_INTERVAL).
    scores = {
        "r1": [0.5, 0.7, 0.6],
        "r2": [0.6, 0.6, 0.6],
        "r3": [0.2, 0.4, 0.3],
        "other": [0.9, 0.9, 0.9],
    }
    for day, (run_id, values) in enumerate(scores.items(), start=1):
        identity = {"note": "v2" if run_id in ("r3", "other") else "v1"}
        dataset = "elsewhere" if run_id == "other" else "sample"
        store.create_run(
            make_run(run_id, f"2026-01-0{day}T00:00:00Z", dataset_name=dataset,
                     target={"kind": "embedded", "identity": identity})
        )  # fmt: skip
        for i, value in enumerate(values):
            store.put_cell(
                cell(run_id, f"c{i}", encounter_id=f"e{i}", scores={"rougeLsum_f": value})
            )
        store.put_cell(cell(run_id, "brief", template_label="brief", scores={"rougeLsum_f": 0.0}))
    points = trend_rows(store, template="soap", language="en", dataset="sample")
    assert [(p.run_id, p.n, round(p.value, 6), p.identity_changed) for p in points] == [
        ("r1", 3, 0.6, False),
        ("r2", 3, 0.6, False),
        ("r3", 3, 0.3, True),
    ]
    low, high = points[0].low, points[0].high
    assert low is not None
    assert high is not None
    assert low < 0.6 < high
    code, out = _invoke("runs", "trend", "--template", "soap", "--language", "en", *cli_args)
    assert code == 0
    assert "other" in out  # the newest run's dataset is the default
    code, out = _invoke("runs", "trend", "--template", "nope", "--language", "en", *cli_args)
    assert (code, out.startswith("Error: no run has 'rougeLsum_f' for template 'nope'")) == (
        1,
        True,
    )


def test_trend_marks_an_edited_template_apart_from_a_model_update(
    store: RunStore, cli_args: list[str]
) -> None:
    # r2 edits soap under its name (a new spec hash) on the same target; r3 changes the target.
    runs = {"r1": ("a" * 64, "v1"), "r2": ("b" * 64, "v1"), "r3": ("b" * 64, "v2")}
    for day, (run_id, (spec_hash, version)) in enumerate(runs.items(), start=1):
        store.create_run(
            make_run(run_id, f"2026-01-0{day}T00:00:00Z",
                     target={"kind": "embedded", "identity": {"note": version}})
        )  # fmt: skip
        for i in range(2):
            store.put_cell(
                cell(run_id, f"c{i}", encounter_id=f"e{i}", spec_hash=spec_hash,
                     scores={"rougeLsum_f": 0.5})
            )  # fmt: skip
    points = trend_rows(store, template="soap", language="en", dataset="sample")
    assert [(p.run_id, p.templates, p.template_changed, p.identity_changed) for p in points] == [
        ("r1", ("a" * 12,), False, False),
        ("r2", ("b" * 12,), True, False),
        ("r3", ("b" * 12,), False, True),
    ]
    code, out = _invoke("runs", "trend", "--template", "soap", "--language", "en", *cli_args)
    assert code == 0, out
    rows = out.splitlines()
    assert any(line.startswith(" + r2") for line in rows), out  # edited template, same target
    assert any(line.startswith("*  r3") for line in rows), out  # new target, same template


def test_migrate_copies_everything_once(
    store_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local"
    with RunStore(local) as source:
        _fill(source)
        expected = _snapshot(source)
    destination = store_url or str(tmp_path / "team")
    code, out = _invoke("store", "migrate", "--from", str(local), "--to", destination)
    assert code == 0, out
    assert "2 runs added (0 already there), 3 cells, 1 cached answers, 2 blessings" in out
    code, out = _invoke("store", "migrate", "--from", str(local), "--to", destination)
    assert "0 runs added (2 already there), 0 cells, 0 cached answers, 0 blessings" in out
    with open_store(destination, tmp_path) as copied:
        assert _snapshot(copied) == expected
    code, out = _invoke("store", "migrate", "--from", str(tmp_path / "none"), "--to", destination)
    assert code == 1
    assert "no run store there" in out


#: Every command that only reads the store.
READ_ONLY = [
    pytest.param(["runs", "list"], id="runs-list"),
    pytest.param(["runs", "show", "latest"], id="runs-show"),
    pytest.param(["runs", "baselines"], id="runs-baselines"),
    pytest.param(["runs", "trend", "--template", "soap", "--language", "en"], id="runs-trend"),
    pytest.param(["compare", "--baseline", "prod", "latest"], id="compare"),
    pytest.param(["report", "latest"], id="report"),
    pytest.param(["export", "latest"], id="export"),
]


@pytest.mark.parametrize("args", READ_ONLY)
def test_a_read_only_command_on_a_missing_store_says_so_and_creates_nothing(
    store_url: str | None, cli_args: list[str], tmp_path: Path, args: list[str]
) -> None:
    # A mistyped --runs-dir used to leave a folder and an empty store behind, and list no runs.
    code, out = _invoke(*args, *cli_args)
    assert code == 1
    where = str(tmp_path / "runs") if store_url is None else redact_url(store_url)
    assert out.splitlines() == [
        f"Error: no run store at {where}; create one with `scribe-eval run EXPERIMENT.yaml` "
        "(same --runs-dir or --store), or point --runs-dir/--store at the one holding your runs"
    ]
    assert not (tmp_path / "runs").exists()
    if store_url is not None:
        import psycopg

        with psycopg.connect(store_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()
        assert row == (0,)


def _fill(store: RunStore) -> None:
    store.create_run(
        make_run("r1", "2026-01-01T00:00:00Z", status="completed", api_calls=4, expired_cache=2)
    )
    store.create_run(make_run("r2", "2026-01-02T00:00:00Z"))
    store.cache_put("k", "document", {"id": "d"})
    store.put_cell(cell("r1", "c1", cache_key="k"))
    store.put_cell(cell("r2", "c1", cache_key="k", from_cache=True))
    store.put_cell(cell("r2", "c2", status="error", error_message="boom"))
    store.bless("r1", "prod", reason="first", user="alice")
    store.bless("r2", "prod", reason="second", user="bob", force=True)


def _snapshot(store: RunStore) -> dict[str, Any]:
    runs = store.list_runs()
    return {
        "runs": runs,
        "cells": {r.id: store.cells(r.id) for r in runs},
        "cache": store.cache_entries(),
        "history": store.baseline_history(),
        "baselines": store.baselines(),
        "shared": store.shared_cells("r2"),
    }
