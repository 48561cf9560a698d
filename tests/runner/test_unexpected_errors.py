"""A cell failing on an error that is not ours keeps a trimmed traceback, shown on demand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.runner import _engine

WriteExperiment = Callable[..., Path]
pytestmark = pytest.mark.slow


def _broken_scorer(*args: Any, **kwargs: Any) -> Any:
    return {"rougeLsum_f": 1 / len(kwargs.get("nothing", ""))}  # ZeroDivisionError: a bug of ours


def test_an_unexpected_error_keeps_its_traceback_for_runs_show_errors_only(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_engine, "score_document", _broken_scorer)
    runs = tmp_path / "runs"
    result = CliRunner().invoke(
        main, ["run", str(write_experiment()), "--runs-dir", str(runs), "--no-progress"]
    )
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output

    shown = CliRunner().invoke(main, ["runs", "show", "latest", "--runs-dir", str(runs)])
    assert shown.exit_code == 0
    assert "ZeroDivisionError" in shown.stdout
    assert "_broken_scorer" not in shown.stdout  # the traceback stays out of the default view
    assert "--errors" in shown.stdout

    as_json = CliRunner().invoke(
        main, ["runs", "show", "latest", "--runs-dir", str(runs), "--json"]
    )
    errors = json.loads(as_json.stdout)["errors"]
    assert errors
    assert all("traceback" not in item for item in errors)

    full = CliRunner().invoke(main, ["runs", "show", "latest", "--runs-dir", str(runs), "--errors"])
    assert full.exit_code == 0
    assert "[score] ZeroDivisionError" in full.stdout
    assert "in _broken_scorer" in full.stdout  # the frame that raised is kept
    assert "division by zero" in full.stdout


def test_our_own_errors_keep_no_traceback(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    target = {"kind": "embedded", "asr_engine": "instant", "faults": {"transcript-failed": 1.0}}
    runs = tmp_path / "runs"
    result = CliRunner().invoke(
        main,
        ["run", str(write_experiment(target=target)), "--runs-dir", str(runs), "--no-progress"],
    )
    assert result.exit_code == 3, result.output
    full = CliRunner().invoke(main, ["runs", "show", "latest", "--runs-dir", str(runs), "--errors"])
    assert full.exit_code == 0
    assert "[transcript]" in full.stdout
    assert "File " not in full.stdout  # named problems of ours need no traceback
