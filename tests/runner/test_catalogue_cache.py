"""The adherence catalogue is read once per process, and again when a snapshot file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scribe_eval.runner._score import adherence_catalogue

SNAPSHOTS = Path(__file__).resolve().parents[2] / "templates" / "catalogue"


def test_a_snapshot_is_parsed_once_until_one_of_its_files_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SNAPSHOTS, tmp_path / "templates" / "catalogue")
    monkeypatch.chdir(tmp_path)
    first = adherence_catalogue("url")
    assert first is not None
    assert first.templates
    assert adherence_catalogue("url") is first  # a worker's next encounter job parses nothing
    template = sorted((tmp_path / "templates" / "catalogue").glob("*/templates/*.yaml"))[0]
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = adherence_catalogue("url")
    assert again is not first  # an edited snapshot is read again, never served stale
    assert again.templates.keys() == first.templates.keys()


def test_no_snapshot_means_no_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert adherence_catalogue("url") is None
