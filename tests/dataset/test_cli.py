"""``scribe-eval dataset validate | show | import`` through click."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from scribe_eval.cli import main

from .conftest import FIXTURES, MINI


def test_validate_clean_dataset_exits_zero() -> None:
    result = CliRunner().invoke(main, ["dataset", "validate", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "valid (0 warning(s))" in result.output


def test_validate_broken_dataset_lists_each_problem_and_exits_one(tmp_path: Path) -> None:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    (copy / "transcripts" / "en-01-cough.txt").unlink()
    (copy / "audio" / "en-02-rash.ogg").write_bytes(b"")
    (copy / "audio" / "en-01-cough.ogg").write_bytes(b"not audio at all")
    result = CliRunner().invoke(main, ["dataset", "validate", str(copy)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert lines == [
        "error: en-01-cough transcripts/en-01-cough.txt: file not found; create it or correct "
        "the path",
        "error: en-01-cough audio/en-01-cough.ogg: audio cannot be decoded (Format not "
        "recognised.); convert it to WAV, FLAC or Ogg",
        "error: en-02-rash audio/en-02-rash.ogg: audio file is empty (0 bytes); replace it",
    ]
    assert "3 error(s), 0 warning(s)" in result.output


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    manifest = copy / "dataset.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace("Plan: corti-plan", "Plan: acme-plan"), "utf-8"
    )
    result = CliRunner().invoke(main, ["dataset", "validate", str(copy)])
    assert result.exit_code == 0, result.output
    assert "warning: en-01-cough notes.soap: section key 'acme-plan'" in result.output


def test_show_prints_a_row_per_language_and_the_total() -> None:
    result = CliRunner().invoke(main, ["dataset", "show", str(MINI)])
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[1:-1] for line in result.output.splitlines() if "│" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells == [
        ["en", "3", "2", "0.3", "77", "soap: 3"],
        ["all", "3", "2", "0.3", "77", "soap: 3"],
    ]


def test_show_unusable_dataset_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "dataset.yaml").write_text("name: x\nencounters: []\n", "utf-8")
    result = CliRunner().invoke(main, ["dataset", "show", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: dataset ")
    assert "has no encounters" in result.output


def test_import_csv_with_column_flags(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    args = [
        "dataset",
        "import",
        "csv",
        str(FIXTURES / "csv" / "visits.csv"),
        str(dest),
        "--id-column",
        "visit",
        "--transcript-column",
        "dialogue",
        "--note-column",
        "soap_note",
        "--audio-column",
        "recording",
        "--language-column",
        "lang",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Imported 2 encounters" in result.output
    assert "skipped: visits.csv row 3: empty transcript and note" in result.output
    assert (dest / "dataset.yaml").exists()


def test_a_missing_path_is_one_line_and_exit_one_for_every_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    for args in (["validate", missing], ["show", missing]):
        result = CliRunner().invoke(main, ["dataset", *args])
        assert result.exit_code == 1, result.output
        assert "Usage:" not in result.output
        assert "no dataset manifest here" in result.output
