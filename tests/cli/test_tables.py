"""Tables outside a terminal: whole values, aligned text or CSV/JSON; one meaning for ``-o``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.table import Table

from scribe_eval.cli import main
from scribe_eval.cli._tables import plain_table, table_records


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_runs_list_piped_keeps_ids_statuses_and_dates_whole(
    runs_dir: Path, run_ids: tuple[str, ...]
) -> None:
    code, output = _invoke("runs", "list", "--runs-dir", str(runs_dir))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["id", "name", "status", "created", "dataset", "API", "calls",
                                "baseline"]  # fmt: skip
    # Each run has one failed cell: the status says so, whole.
    assert lines[1].split() == [run_ids[1], "cli-test", "completed,", "1", "failed",
                                "2026-11-24T02:00:00Z", "mini", "7"]  # fmt: skip
    assert lines[2].split() == [run_ids[0], "cli-test", "completed,", "1", "failed",
                                "2026-11-24T01:00:00Z", "mini", "7", "prod"]  # fmt: skip
    assert "…" not in output
    # Aligned: every column starts at the same offset on every line.
    assert len({line.index("completed") for line in lines[1:]}) == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_runs_list_as_csv_or_json(runs_dir: Path, run_ids: tuple[str, ...], fmt: str) -> None:
    code, output = _invoke("runs", "list", "--runs-dir", str(runs_dir), "--format", fmt)
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output))) if fmt == "csv" else json.loads(output)
    assert [row["id"] for row in rows] == [run_ids[1], run_ids[0]]
    assert rows[1]["baseline"] == "prod"
    assert rows[0]["status"] == "completed"  # a status a script can match; the count apart
    assert rows[0]["failed cells"] == "1"


def _compare(runs_dir: Path, *extra: str) -> tuple[int, str]:
    return _invoke("compare", "--baseline", "prod", "20261124-02", "--runs-dir", str(runs_dir),
                   *extra)  # fmt: skip


def test_compare_piped_prints_one_line_per_rule_and_slice(runs_dir: Path) -> None:
    code, output = _compare(runs_dir)
    assert code == 2, output  # the candidate recognises 2 points worse: beyond the WER margin
    code_json, as_json = _compare(runs_dir, "--format", "json")
    assert code_json == 2
    records = json.loads(as_json)
    lines = output.splitlines()
    assert lines[0].startswith("REGRESSION: candidate 20261124-020000-bbbbbb vs baseline 2026")
    assert lines[1].split()[:3] == ["result", "rule", "slice"]
    rows = lines[2 : 2 + len(records)]
    # One line per rule and slice, each starting with its result, none folded or cut.
    assert [row.split()[0] for row in rows] == [r["result"] for r in records]
    assert all(record["why"] in row for record, row in zip(records, rows, strict=True))
    wer = next(row for row in rows if "WER non-inferiority" in row)
    assert wer.startswith("FAIL")
    assert "language=en, source=asr" in wer
    assert "…" not in output


def test_compare_as_csv_has_the_table_s_columns(runs_dir: Path) -> None:
    code, output = _compare(runs_dir, "--format", "csv")
    assert code == 2, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert len(rows) >= 3
    assert list(rows[0])[:3] == ["result", "rule", "slice"]
    assert [r["result"] for r in rows if r["rule"].startswith("WER non")] == ["FAIL"]
    # Values a program can read: the terminal's true minus (U+2212) and "±0.0" were not numbers.
    diffs = [r["diff"] for r in rows if r["diff"]]
    assert diffs
    assert all(isinstance(float(d), float) for d in diffs)
    assert not any("\u2212" in v for r in rows for v in r.values())


def test_plain_table_never_cuts_and_keeps_brackets() -> None:
    table = Table("id", "message", title="Title", caption="Note: one\nNote: two")
    long_id = "x" * 150
    table.add_row(long_id, "[draft] multi\nline")
    text = plain_table(table)
    assert text.splitlines() == [
        "Title",
        "id" + " " * 150 + "message",
        long_id + "  [draft] multi line",
        "Note: one",
        "Note: two",
    ]
    assert table_records(table) == [{"id": long_id, "message": "[draft] multi\nline"}]


def test_dash_o_is_never_the_runs_folder(runs_dir: Path) -> None:
    code, output = _invoke("runs", "list", "-o", str(runs_dir))
    assert code == 1
    assert "No such option '-o'" in output


def _commands(group: click.Group, ctx: click.Context) -> list[click.Command]:
    found: list[click.Command] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found += _commands(command, ctx) if isinstance(command, click.Group) else [command]
    return found


def test_every_dash_o_is_output_and_every_runs_folder_is_runs_dir() -> None:
    ctx = click.Context(main)
    commands = _commands(main, ctx)
    options = [p for c in commands for p in c.params if isinstance(p, click.Option)]
    dash_o = [opt.opts for opt in options if "-o" in opt.opts]
    assert len(dash_o) >= 5  # report, export, schema, templates pull and new
    assert all(opts == ["-o", "--output"] or opts == ["--output", "-o"] for opts in dash_o)
    runs_dirs = [opt.opts for opt in options if opt.name == "runs_dir"]
    assert runs_dirs
    assert all(opts == ["--runs-dir"] for opts in runs_dirs)
