"""``scribe-eval export`` and ``load_run``: one row per cell, scores flattened, provenance kept."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from scribe_eval import load_run
from scribe_eval.cli import main
from scribe_eval.errors import ConfigError
from scribe_eval.export import flatten_scores
from scribe_eval.store import CellRecord

CANDIDATE = "20261124-020000-bbbbbb"


def _export(runs_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", *args, "--runs-dir", str(runs_dir)])
    return result.exit_code, result.stdout


def test_load_run_returns_typed_cells_with_transcripts_first(runs_dir: Path) -> None:
    results = load_run("latest", runs_dir=runs_dir)
    assert results.run.id == CANDIDATE
    assert all(isinstance(cell, CellRecord) for cell in results.cells)
    assert [c.kind for c in results.cells] == ["transcript"] * 6 + ["document"] * 6
    assert results.cells[0].scores["wer"] == pytest.approx(0.05)


def test_flatten_scores_joins_nested_keys_and_encodes_lists() -> None:
    scores = {"wer": 0.1, "speakers": {"doctor": {"wer": 0.2}}, "misses": [["a", "b"]]}
    flat = flatten_scores(scores)
    assert flat == {
        "scores.wer": 0.1,
        "scores.speakers.doctor.wer": 0.2,
        "scores.misses": '[["a", "b"]]',
    }


def test_csv_has_one_row_per_cell_with_scores_and_provenance(runs_dir: Path) -> None:
    code, output = _export(runs_dir, "prod", "--format", "csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert len(rows) == 12
    first = rows[0]
    assert first["run_id"] == "20261124-010000-aaaaaa"
    assert first["dataset_hash"] == "d" * 64
    assert first["scribe_eval_version"] == "0.test"
    assert first["metrics_version"] == "2"
    assert first["cell_id"] == "en-00-long-encounter-identifier|transcript|en|asr"
    assert float(first["scores.wer"]) == pytest.approx(0.03)
    assert float(first["scores.speakers.doctor.wer"]) == pytest.approx(0.025)
    assert json.loads(first["scores.term_misses"]) == [["paracetamol", "paris ita mol"]]
    assert first["scores.rougeL_f"] == ""  # a transcript has no ROUGE: an empty cell
    failed = [r for r in rows if r["status"] == "error"]
    assert [(r["error_type"], r["request_id"], r["stage"]) for r in failed] == [
        ("ServerError", "req-5", "document")
    ]
    assert float(rows[-2]["timing_ms.document"]) == pytest.approx(2004.0)


def test_jsonl_rows_match_load_run_rows(runs_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cells.jsonl"
    code, _ = _export(runs_dir, "latest", "--format", "jsonl", "-o", str(out))
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == load_run(CANDIDATE, runs_dir).rows()
    assert len({tuple(json.loads(line)) for line in lines}) == 1  # every row has the same keys


def test_parquet_round_trips_through_pandas(runs_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cells.parquet"
    code, _ = _export(runs_dir, "latest", "--format", "parquet", "-o", str(out))
    assert code == 0
    frame = pd.read_parquet(out)
    expected = load_run("latest", runs_dir=runs_dir).to_dataframe()
    assert frame.shape == expected.shape == (12, len(expected.columns))
    assert list(frame.columns) == list(expected.columns)
    wer = frame.loc[frame["kind"] == "transcript", "scores.wer"].tolist()
    assert wer == pytest.approx([0.05, 0.06, 0.07, 0.08, 0.09, 0.10])


def test_parquet_to_stdout_is_one_error_line(runs_dir: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "latest", "--format", "parquet", "--runs-dir", str(runs_dir)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: Parquet is binary")
    assert len(result.output.splitlines()) == 1


def test_missing_pyarrow_names_the_extra(
    runs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import` fail as if the package were not installed.
    for name in ("pyarrow", "pyarrow.parquet", "pandas"):
        monkeypatch.setitem(sys.modules, name, None)
    out = tmp_path / "cells.parquet"
    result = CliRunner().invoke(
        main, ["export", "latest", "--format", "parquet", "-o", str(out), "--runs-dir",
               str(runs_dir)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        "Error: Parquet export needs pyarrow, which is not installed; install the export extra: "
        "pip install 'ambient-scribe-eval[export]' "
        "(with pipx: pipx inject ambient-scribe-eval pandas pyarrow)\n"
    )
    with pytest.raises(ConfigError, match=r"a DataFrame needs pandas.*\[export\]"):
        load_run("latest", runs_dir=runs_dir).to_dataframe()
    assert not out.exists()


def test_unknown_run_is_one_error_line(runs_dir: Path) -> None:
    result = CliRunner().invoke(main, ["export", "nope", "--runs-dir", str(runs_dir)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no run or baseline named 'nope'")


def test_the_output_file_s_extension_names_the_format(runs_dir: Path, tmp_path: Path) -> None:
    # `-o cells.jsonl` wrote CSV into it (the default format), a new user's export.
    out = tmp_path / "cells.jsonl"
    code, _ = _export(runs_dir, "latest", "-o", str(out))
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    assert json.loads(lines[0])["run_id"] == CANDIDATE
    result = CliRunner().invoke(
        main, ["export", "latest", "-o", str(out), "--format", "csv", "--runs-dir", str(runs_dir)]
    )
    assert result.exit_code == 1
    assert "would write csv into cells.jsonl" in result.output
