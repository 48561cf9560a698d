"""The adherence catalogue is read once per process, and again when a snapshot file changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import scribe_eval.templates._validate as validate
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import load_experiment, resolve_templates
from scribe_eval.runner._checks import check_before_run
from scribe_eval.runner._score import adherence_catalogue, builtin_catalogue_once
from scribe_eval.templates import fetch_catalogue

from .conftest import WriteExperiment

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


def test_a_runs_checks_and_scorers_build_the_builtin_catalogue_once(
    monkeypatch: pytest.MonkeyPatch, write_experiment: WriteExperiment
) -> None:
    """Built twice, it cost ~20 ms of every run (a cached re-run included)."""
    built: list[object] = []
    fetch = fetch_catalogue

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return fetch(*args, **kwargs)

    monkeypatch.setattr(validate, "fetch_catalogue", counted)
    builtin_catalogue_once.cache_clear()
    experiment = load_experiment(write_experiment())
    dataset = load_dataset(experiment.dataset)
    check_before_run(experiment, dataset, resolve_templates(experiment))
    assert adherence_catalogue("embedded") is builtin_catalogue_once()
    assert len(built) == 1
