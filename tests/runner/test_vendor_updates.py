"""A vendor model update: a declared model version joins the target identity (cache keys, trend)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import trend_rows
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import (
    EmbeddedTarget,
    Execution,
    Experiment,
    TemplateEntry,
    UrlTarget,
    experiment_hash,
    load_experiment,
)
from scribe_eval.runner import RunOptions, RunOutcome, run_experiment
from scribe_eval.runner._target import UrlSession
from scribe_eval.store import RunStore

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
