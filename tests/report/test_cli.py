"""``scribe-eval report``: writes the folder, prints each file it wrote, resolves runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.dataset import Dataset
from scribe_eval.store import RunStore


def test_report_command_writes_the_report_and_prints_every_file(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    kit.write_run(store, mini_dataset, run_spec("20261124-010000-aaaaaa"))
    kit.write_run(store, mini_dataset, run_spec("20261124-020000-bbbbbb"))
    store.bless("20261124-010000-aaaaaa", "prod")
    out = tmp_path / "reports" / "mine"
    args = ["report", "20261124-02", "-o", str(out), "--compare", "prod"]
    result = CliRunner().invoke(main, [*args, "--runs-dir", str(store.runs_dir)])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    # Two runs of one dataset in the store: the trend page is written too.
    pages = [str(out / name) for name in ("index.html", "compare.html", "trend.html")]
    assert printed[:3] == pages
    assert str(out / "encounters" / "en-01-cough.html") in printed[3:]
    assert all(Path(line).is_file() for line in printed)
    assert len(printed) == 3 + len(list((out / "encounters").glob("*.html")))


def test_default_folder_is_reports_run_id_and_no_text_drops_pages(
    store: RunStore,
    mini_dataset: Dataset,
    kit: Any,
    run_spec: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kit.write_run(store, mini_dataset, run_spec("run-only"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["report", "latest", "--no-text", "--runs-dir", str(store.runs_dir)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(Path("reports") / "run-only" / "index.html")
    assert (tmp_path / "reports" / "run-only" / "index.html").exists()
    assert not (tmp_path / "reports" / "run-only" / "encounters").exists()


def test_unknown_run_is_one_error_line(store: RunStore, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "nope", "--runs-dir", str(store.runs_dir)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "nope" in result.output
