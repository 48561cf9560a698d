"""Rescoring a stored run: the same scores from the stored answers, a new linked run, no call."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import load_experiment
from scribe_eval.metrics import METRICS_VERSION
from scribe_eval.runner import RunOptions, rescore_run, run_experiment
from scribe_eval.store import RunStore

WriteExperiment = Callable[..., Path]
pytestmark = pytest.mark.slow


def test_rescore_recomputes_every_score_into_a_linked_run_with_no_call(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    outcome = run_experiment(load_experiment(write_experiment()), RunOptions(runs, progress=False))
    with RunStore(runs) as store:
        old = store.get_run(outcome.run.id)
        cells = store.cells(old.id)
        # Pretend an older scribe-eval scored this run: wrong scores, an old metric version.
        for cell in cells:
            if cell.kind == "document" and cell.status == "ok":
                stale = {**cell.scores, "rougeL_f": -1.0}
                store.put_cell(cell.model_copy(update={"scores": stale}))
        calls_before = old.api_calls
        result = CliRunner().invoke(main, ["rescore", old.id, "--runs-dir", str(runs)])
        assert result.exit_code == 0, result.output
        new_id = result.output.strip().splitlines()[-1]
        new = store.get_run(new_id)
        assert new.provenance["rescored_from"] == old.id
        assert new.meta.metrics.version == METRICS_VERSION
        assert new.api_calls == 0
        assert store.get_run(old.id).api_calls == calls_before
        rescored = {c.cell_id: c.scores for c in store.cells(new_id)}
        assert rescored == {c.cell_id: c.scores for c in cells}  # the honest scores are back
        assert "rescored 8 cells" in result.output
        assert "0 API calls" in result.output
    # `runs show` times the calls a run made: the original has them, the rescored run none.
    shown = CliRunner().invoke(main, ["runs", "show", old.id, "--runs-dir", str(runs), "--json"])
    assert "document" in json.loads(shown.output)["timings_ms"]
    for extra in ([], ["--json"]):
        shown = CliRunner().invoke(main, ["runs", "show", new_id, "--runs-dir", str(runs), *extra])
        assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["timings_ms"] == {}
    plain = CliRunner().invoke(main, ["runs", "show", new_id, "--runs-dir", str(runs)]).output
    assert "No stage timings: this run made no call" in plain
    assert "median ms" not in plain


def test_rescore_refuses_a_version_it_cannot_compute_and_a_changed_dataset(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    outcome = run_experiment(load_experiment(write_experiment()), RunOptions(runs, progress=False))
    with RunStore(runs) as store:
        with pytest.raises(ConfigError, match="computes metrics version"):
            rescore_run(store, outcome.run.id, metrics_version="0")
        moved = outcome.run.model_copy(update={"id": "moved", "dataset_hash": "0" * 64})
        store.create_run(moved)
        with pytest.raises(ConfigError, match="changed since run moved"):
            rescore_run(store, "moved")
