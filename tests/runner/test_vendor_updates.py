"""Vendor model updates: a declared model version joins the target identity (cache keys, trend),
and a URL target's cached answers expire (cache.max_age, 7 days by default)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import trend_rows
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import (
    CacheOptions,
    EmbeddedTarget,
    Execution,
    Experiment,
    TemplateEntry,
    UrlTarget,
    experiment_hash,
    load_experiment,
    parse_duration,
)
from scribe_eval.report import build_report
from scribe_eval.runner import RunOptions, RunOutcome, StageCache, run_experiment
from scribe_eval.runner._target import UrlSession
from scribe_eval.store import STORE_FILENAME, RunRecord, RunStore, open_store

WriteExperiment = Callable[..., Path]
StartEmulator = Callable[..., AbstractContextManager[str]]

#: The hash of `_pinned()` before `model_version` and `cache:` existed (main at c55d0c3). If this
#: test fails, every stored run's experiment hash changed: resumes of old runs are refused.
PINNED_URL_HASH = "90bf0812f04feef9c26540f079deb152faf528cdf52a199f1c97c0a89690448f"
PINNED_EMBEDDED_HASH = "07df97cf25871a85c9c26d97377bc6643740033fdd1589e1fdc943431d54c35d"


def _pinned(target: Any = None) -> Experiment:
    return Experiment(
        name="pinned",
        dataset=Path("/data/sample"),
        target=target or UrlTarget(base_url="https://scribe.example/v2", tenant="acme"),
        templates=[TemplateEntry(key="corti-soap")],
    )


def _url(**changes: Any) -> dict[str, Any]:
    return {"base_url": "https://scribe.example/v2", "tenant": "acme", **changes}


def test_an_unset_version_leaves_experiment_hashes_and_identities_as_they_were() -> None:
    assert experiment_hash(_pinned()) == PINNED_URL_HASH
    assert experiment_hash(_pinned(EmbeddedTarget())) == PINNED_EMBEDDED_HASH
    session = UrlSession(UrlTarget(**_url()), Execution())
    assert session.identity == {
        "kind": "url", "base_url": "https://scribe.example/v2", "tenant": "acme"
    }  # fmt: skip
    assert session.description == session.identity


def test_a_declared_version_is_part_of_the_identity_and_the_hash() -> None:
    declared = UrlTarget(**_url(model_version="2026-11"))
    session = UrlSession(declared, Execution())
    assert session.identity["model_version"] == "2026-11"
    assert session.description["model_version"] == "2026-11"
    assert experiment_hash(_pinned(declared)) != PINNED_URL_HASH
    other = UrlTarget(**_url(model_version="2026-12"))
    assert experiment_hash(_pinned(other)) != experiment_hash(_pinned(declared))


def _file(tmp_path: Path, target: str) -> Path:
    dataset = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: v\ndataset: {dataset}\ntarget: {target}\ntemplates: [corti-soap]\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("target", "env", "expected"),
    [
        pytest.param("{url: 'https://x.example/v2', tenant: t}", None, None, id="url-form"),
        pytest.param("{url: 'https://x.example/v2', tenant: t}", "v7", "v7", id="env-fills"),
        pytest.param(
            "{url: 'https://x.example/v2', tenant: t, model_version: v1}",
            "v7",
            "v1",
            id="file-wins",
        ),
        pytest.param("{base_url: 'https://x.example/v2', tenant: t}", "  ", None, id="blank-env"),
    ],
)
def test_the_file_declares_the_version_and_the_environment_fills_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    env: str | None,
    expected: str | None,
) -> None:
    if env is not None:
        monkeypatch.setenv("SCRIBE_EVAL_TARGET_VERSION", env)
    loaded = load_experiment(_file(tmp_path, target))
    assert isinstance(loaded.target, UrlTarget)
    assert loaded.target.base_url == "https://x.example/v2"
    assert loaded.target.model_version == expected


def test_the_environment_version_never_applies_to_the_embedded_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_TARGET_VERSION", "v7")
    loaded = load_experiment(_file(tmp_path, "embedded"))
    assert isinstance(loaded.target, EmbeddedTarget)
    with pytest.raises(ConfigError, match="model_version"):
        load_experiment(_file(tmp_path, "{kind: embedded, model_version: v1}"))


def _run(path: Path, runs: Path) -> RunOutcome:
    return run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))


@pytest.mark.slow
def test_a_changed_declared_version_buys_again_and_marks_the_trend(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "remote") as base:

        def run(version: str | None) -> RunOutcome:
            target = {"url": base, "tenant": "acme", "auth": "none"}
            if version is not None:
                target["model_version"] = version
            return _run(write_experiment(target=target), runs)

        undeclared = run(None)
        first = run("2026-11")
        again = run("2026-11")
        updated = run("2026-12")
    assert undeclared.api_calls > 0
    assert undeclared.errors == 0
    assert "model_version" not in undeclared.run.target
    # Declaring a version is a new identity: nothing from the undeclared runs is reused.
    assert first.from_cache == 0
    assert first.api_calls > 0
    assert again.api_calls == 0
    assert again.from_cache == again.cells
    assert updated.from_cache == 0
    assert updated.calls["POST /interactions/{id}/documents/"] == 6
    with RunStore(runs) as store:
        points = trend_rows(store, template="soap", language="en")
    marks = {p.run_id: p.identity_changed for p in points}
    assert marks == {
        undeclared.run.id: False, first.run.id: True, again.run.id: False, updated.run.id: True
    }  # fmt: skip
    # The report's trend page lists the same two new identities, with the declared version.
    with RunStore(runs) as store:
        index = build_report(store, updated.run, tmp_path / "report", no_text=True)
    page = (index.parent / "trend.html").read_text(encoding="utf-8")
    listed = re.findall(r"<li><code>([^<]*)</code></li>", page)
    declared = [item for item in listed if "2026-1" in item]
    assert {item.split(":")[0] for item in declared} == {first.run.id, updated.run.id}
    assert any("&#34;model_version&#34;:&#34;2026-12&#34;" in item for item in declared)
    shown = CliRunner().invoke(main, ["runs", "show", updated.run.id, "--runs-dir", str(runs)])
    assert shown.exit_code == 0, shown.output
    assert "vendor model version 2026-12 (declared)" in shown.output
    plain = CliRunner().invoke(main, ["runs", "show", undeclared.run.id, "--runs-dir", str(runs)])
    assert "vendor model version" not in plain.output
    trend = CliRunner().invoke(
        main, ["runs", "trend", "--template", "soap", "--language", "en",
               "--runs-dir", str(runs)],
    )  # fmt: skip
    assert trend.exit_code == 0, trend.output
    starred = [line for line in trend.output.splitlines() if line.lstrip().startswith("* ")]
    assert len(starred) == 2


# The cache's age limit


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("45s", 45.0, id="seconds"),
        pytest.param("30m", 1800.0, id="minutes"),
        pytest.param("12h", 43_200.0, id="hours"),
        pytest.param("7d", 604_800.0, id="days"),
        pytest.param("2w", 1_209_600.0, id="weeks"),
        pytest.param("1.5d", 129_600.0, id="fraction"),
        pytest.param(" 7D ", 604_800.0, id="case-and-space"),
        pytest.param("none", None, id="no-limit"),
    ],
)
def test_durations_read_as_seconds(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("7 days", id="word-unit"),
        pytest.param("7", id="no-unit"),
        pytest.param(3600, id="bare-number"),
        pytest.param("1d12h", id="two-units"),
        pytest.param("-1d", id="negative"),
        pytest.param("", id="empty"),
    ],
)
def test_a_bad_duration_names_the_fix(value: object) -> None:
    with pytest.raises(ValueError, match=r"write a number and one unit of s, m, h, d or w") as err:
        parse_duration(value)
    assert "\n" not in str(err.value)


def test_a_bad_max_age_in_the_file_is_one_line_with_its_place_and_fix(tmp_path: Path) -> None:
    path = _file(tmp_path, "embedded")
    path.write_text(path.read_text() + "cache: {max_age: 7 days}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    assert str(err.value).splitlines() == [
        f"invalid experiment file: {path}:5: cache.max_age: '7 days' is not a duration; write a "
        "number and one unit of s, m, h, d or w (30m, 12h, 7d, 2w), or `none` for no limit"
    ]


def test_a_bad_cache_max_age_option_is_one_error_line(write_experiment: WriteExperiment) -> None:
    result = CliRunner().invoke(main, ["run", str(write_experiment()), "--cache-max-age", "7x"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --cache-max-age: '7x' is not a duration; write a number and one unit of s, m, h, "
        "d or w (30m, 12h, 7d, 2w), or `none` for no limit"
    ]


@pytest.mark.parametrize(
    ("target", "max_age", "seconds"),
    [
        pytest.param(UrlTarget(**_url()), None, 7 * 86_400.0, id="url-default-7d"),
        pytest.param(EmbeddedTarget(), None, None, id="embedded-no-limit"),
        pytest.param(UrlTarget(**_url()), "none", None, id="url-none"),
        pytest.param(UrlTarget(**_url()), "36h", 129_600.0, id="url-given"),
        pytest.param(EmbeddedTarget(), "2w", 1_209_600.0, id="embedded-given"),
    ],
)
def test_the_age_limit_defaults_by_target_kind(
    target: Any, max_age: str | None, seconds: float | None
) -> None:
    experiment = _pinned(target).model_copy(update={"cache": CacheOptions(max_age=max_age)})
    assert experiment.cache_max_age_s == seconds
    # How old a reused answer may be changes no request: the experiment hash stays.
    assert experiment_hash(experiment) == experiment_hash(_pinned(target))


def _store(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AbstractContextManager[Any]:
    spec = request.getfixturevalue("pg_url") if kind == "postgresql" else None
    return open_store(spec, tmp_path / "runs")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_stage_cache_serves_younger_answers_and_counts_older_ones(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with _store(kind, tmp_path, request) as store:
        store.cache_put("document:a", "document", {"id": "a"})
        stored = datetime.fromisoformat(store.cache_entries()[0].created)

        def at(days: float) -> Callable[[], datetime]:
            return lambda: stored + timedelta(days=days)

        young = StageCache(store, 7 * 86_400.0, clock=at(6.9))
        assert young.get("document:a") is not None
        assert young.get("document:missing") is None
        assert young.expired == 0
        old = StageCache(store, 7 * 86_400.0, clock=at(7.1))
        assert old.get("document:a") is None
        assert old.expired == 1
        assert StageCache(store, None, clock=at(365)).get("document:a") is not None


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_answer_bought_again_is_counted_as_it_is_stored(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with _store(kind, tmp_path, request) as store:
        run = {"id": "r1", "name": "n", "status": "running", "created": "2026-01-01T00:00:00Z",
               "experiment_hash": "e", "dataset_name": "d", "dataset_hash": "d", "target": {},
               "config": {}, "provenance": {}}  # fmt: skip
        store.create_run(RunRecord.model_validate(run))
        store.cache_put("document:a", "document", {"id": "a"})
        stored = datetime.fromisoformat(store.cache_entries()[0].created)
        later = stored + timedelta(days=8)
        cache = StageCache(store, 7 * 86_400.0, clock=lambda: later, run_id="r1")
        assert cache.get("document:a") is None
        assert store.get_run("r1").expired_cache == 0  # found, not bought yet
        cache.put("document:a", "document", {"id": "a2"}, elapsed_ms=1.0)
        # In the store with the answer: a worker killed now has not lost it.
        assert store.get_run("r1").expired_cache == 1
        cache.put("document:a", "document", {"id": "a3"})  # not found too old again: not counted
        cache.put("document:b", "document", {"id": "b"})
        assert store.get_run("r1").expired_cache == 1
        assert cache.expired == 1


def _age_cache(runs: Path, days: float) -> int:
    """Make every cached answer ``days`` old; returns how many there are (cached scores aside)."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    with sqlite3.connect(runs / STORE_FILENAME) as db:
        aged = db.execute(
            "UPDATE cache SET created = ? WHERE stage != 'score'", (when.replace("+00:00", "Z"),)
        )
        return aged.rowcount


@pytest.mark.slow
def test_a_url_answer_older_than_max_age_is_bought_again_and_a_younger_one_reused(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    with start_emulator(tmp_path / "remote") as base:
        path = write_experiment(target={"url": base, "tenant": "acme", "auth": "none"})
        first = _run(path, runs)
        entries = _age_cache(runs, 6)
        younger = _run(path, runs)
        _age_cache(runs, 8)
        older = CliRunner().invoke(
            main, ["run", str(path), "--runs-dir", str(runs), "--no-progress", "--json"]
        )
        _age_cache(runs, 8)
        unlimited = CliRunner().invoke(
            main, ["run", str(path), "--runs-dir", str(runs), "--no-progress",
                   "--cache-max-age", "none"],
        )  # fmt: skip
    assert first.errors == 0
    assert first.expired == 0
    # 2 transcripts and 6 documents, all bought by the first run.
    assert entries == 8
    assert younger.api_calls == 0
    assert younger.from_cache == 6
    assert younger.expired == 0
    assert older.exit_code == 0, older.output
    assert "note: cached answers older than 7d are bought again" in older.stderr, older.stderr
    bought = json.loads(older.stdout)
    assert bought["expired_cache"] == 8
    with RunStore(runs) as store:  # the run keeps its count (workers add theirs there too)
        assert store.get_run(bought["id"]).expired_cache == 8
        assert store.get_run(first.run.id).expired_cache == 0
    assert bought["from_cache"] == 0
    assert bought["calls"]["POST /interactions/{id}/documents/"] == 6
    assert bought["calls"]["POST /interactions/{id}/transcripts/"] == 2
    assert unlimited.exit_code == 0, unlimited.output
    assert "note: cached answers are reused whatever their age" in unlimited.stderr
    assert "(6 from cache), 0 failed cells, 0 API calls" in unlimited.stderr


@pytest.mark.slow
def test_the_embedded_emulator_has_no_age_limit_and_no_note(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    path = write_experiment()
    _run(path, runs)
    _age_cache(runs, 400)
    again = CliRunner().invoke(main, ["run", str(path), "--runs-dir", str(runs), "--no-progress"])
    assert again.exit_code == 0, again.output
    assert "(6 from cache), 0 failed cells, 0 API calls" in again.stderr
    assert "note: cached answers" not in again.stderr


@pytest.mark.slow
def test_a_limit_set_for_the_embedded_emulator_applies_and_is_said(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    path = write_experiment()
    _run(path, runs)
    _age_cache(runs, 2)
    limited = CliRunner().invoke(
        main, ["run", str(path), "--runs-dir", str(runs), "--no-progress", "--cache-max-age", "1d"]
    )
    assert limited.exit_code == 0, limited.output
    assert "note: cached answers older than 1d are bought again" in limited.stderr
    assert "0 API calls" not in limited.stderr


def test_store_migrate_copies_into_the_team_store_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team"
    monkeypatch.setenv("SCRIBE_EVAL_STORE", str(team))
    RunStore(tmp_path / "runs").close()  # An empty local history.
    result = CliRunner().invoke(main, ["store", "migrate", "--from", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert (team / STORE_FILENAME).exists()
