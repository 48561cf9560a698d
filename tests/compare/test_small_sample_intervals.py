"""One rule for when a number gets an interval: the trend (CLI, JSON, page) and the leaderboards
and chips of the report agree for the same encounters."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import trend_rows
from scribe_eval.report import build_report
from scribe_eval.stats import MIN_ENCOUNTERS_FOR_INTERVAL
from scribe_eval.store import RunStore

MakeRun = Callable[..., str]


@pytest.mark.parametrize("encounters", [2, 3])
def test_the_trend_and_the_report_show_an_interval_from_the_same_number_of_encounters(
    store: RunStore, make_run: MakeRun, tmp_path: Path, encounters: int
) -> None:
    for run_id in ("r1", "r2"):
        make_run(run_id, encounters=encounters, noise_seed=len(run_id))
    shown = encounters >= MIN_ENCOUNTERS_FOR_INTERVAL

    points = trend_rows(store, template="soap", language="en", dataset="sample")
    assert [p.n for p in points] == [encounters, encounters]
    assert all((p.low is not None) == shown for p in points)

    result = CliRunner().invoke(
        main, ["runs", "trend", "--template", "soap", "--language", "en",
               "--runs-dir", str(tmp_path / "runs")], terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if " r1 " in line or " r2 " in line]
    assert len(rows) == 2
    assert all(("too few for an interval" in row) != shown for row in rows), result.output
    result = CliRunner().invoke(
        main, ["runs", "trend", "--template", "soap", "--language", "en", "--json",
               "--runs-dir", str(tmp_path / "runs")],
    )  # fmt: skip
    assert all((p["low"] is not None) == shown for p in json.loads(result.output))

    index = build_report(store, store.get_run("r2"), tmp_path / "out")
    board = index.read_text(encoding="utf-8").split('id="leader-1"')[1].split("</table>")[0]
    trend = (index.parent / "trend.html").read_text(encoding="utf-8")
    has_interval = re.compile(r'class="ci"[^>]*>\[\d')
    assert bool(has_interval.search(board)) == shown
    assert ("too few for an interval" in trend) != shown
