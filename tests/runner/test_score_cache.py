"""Scores are cached like answers: an unchanged re-run scores nothing, a changed input rescores."""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scribe_eval.experiment import MetricOptions, load_experiment
from scribe_eval.runner import RunOptions, RunOutcome, _engine, run_experiment
from scribe_eval.runner import _run as _run_module
from scribe_eval.runner._score import (
    document_score_key,
    score_document,
    score_transcript,
    transcript_score_key,
)
from scribe_eval.store import RunStore
from tests.runner.conftest import MINI

WriteExperiment = Callable[..., Path]
pytestmark = pytest.mark.slow


def _run(path: Path, runs: Path) -> RunOutcome:
    outcome = run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))
    assert outcome.run.status == "completed"
    assert not outcome.errors
    return outcome


def _scores(runs: Path, outcome: RunOutcome) -> dict[str, dict[str, Any]]:
    with RunStore(runs) as store:
        return {c.cell_id: c.scores for c in store.cells(outcome.run.id)}


def _count_scorer_calls(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Scorer calls per kind; ``calls["on the event loop"]`` counts those made on the loop's thread,
    ``calls["preload"]`` the times the scorers' models were loaded ahead."""
    calls: collections.Counter[str] = collections.Counter()
    main = threading.get_ident()

    def counting(kind: str, scorer: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            calls[kind] += 1
            calls["on the event loop"] += threading.get_ident() == main
            return scorer(*args, **kwargs)

        return wrapped

    for kind, scorer in (("transcript", score_transcript), ("document", score_document)):
        monkeypatch.setattr(_engine, f"score_{kind}", counting(kind, scorer))
    monkeypatch.setattr(_run_module, "preload_scorers", counting("preload", lambda: None))
    return calls


def test_scores_are_computed_again_only_when_what_they_depend_on_changed(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "mini"
    shutil.copytree(MINI, data)
    runs = tmp_path / "runs"
    calls = _count_scorer_calls(monkeypatch)
    experiment = write_experiment(dataset=str(data))
    first = _run(experiment, runs)
    # Two recordings (the text-only visit has no ASR transcript to score), 3 visits x 2 templates,
    # scored off the event loop, after the models were loaded while the first calls ran.
    assert calls == {"transcript": 2, "document": 6, "on the event loop": 0, "preload": 1}

    calls.clear()
    again = _run(experiment, runs)
    assert +calls == {}, "an unchanged re-run loads no scorer and scores nothing"
    assert _scores(runs, again) == _scores(runs, first)

    calls.clear()
    _run(write_experiment("stats", dataset=str(data), metrics={"seed": 7, "bootstrap": 500}), runs)
    # (A new experiment hash starts the emulator ahead; the models wait for a call or a score.)
    assert calls["transcript"] + calls["document"] == 0, "statistics-only settings: no rescore"
    assert calls["preload"] == 0, "no call and no score: the models were not loaded"

    calls.clear()
    tokens = _run(
        write_experiment("tok", dataset=str(data), metrics={"tokenizer": "rouge-score"}), runs
    )
    assert calls["document"] == 6
    assert _scores(runs, tokens).keys() == _scores(runs, first).keys()

    manifest = yaml.safe_load((data / "dataset.yaml").read_text(encoding="utf-8"))
    rash = next(e for e in manifest["encounters"] if e["id"] == "en-02-rash")
    rash["notes"]["soap"]["sections"]["Plan"] = "Emollient cream. Review in two weeks."
    (data / "dataset.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    calls.clear()
    changed = _run(experiment, runs)
    # Only the visit whose reference changed is scored again: its transcript and two documents.
    assert (calls["transcript"], calls["document"]) == (1, 2)
    before, after = _scores(runs, first), _scores(runs, changed)
    differs = sorted(cell for cell in after if after[cell] != before[cell])
    assert differs
    assert all(cell.startswith("en-02-rash|") for cell in differs)


def test_api_calls_do_not_wait_for_the_scorers_models_but_scores_do(
    write_experiment: WriteExperiment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the models took longer than starting the emulator and held up every call."""
    from scribe_eval.client import AmbientClient

    called = threading.Event()
    order: list[str] = []
    create = AmbientClient.create_interaction

    async def first_call(self: AmbientClient, *args: Any, **kwargs: Any) -> Any:
        called.set()
        return await create(self, *args, **kwargs)

    def preload() -> None:
        # Started by the first call, not before: loading the models took the CPU the emulator's
        # and the runner's start-up needed (and a run that waited for them before calling
        # would never get here).
        assert called.is_set(), "the models started loading before the first call"
        order.append("models loaded")

    def scored(kind: str, scorer: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            order.append(kind)
            return scorer(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(AmbientClient, "create_interaction", first_call)
    monkeypatch.setattr(_run_module, "preload_scorers", preload)
    for kind, scorer in (("transcript", score_transcript), ("document", score_document)):
        monkeypatch.setattr(_engine, f"score_{kind}", scored(kind, scorer))
    _run(write_experiment(), tmp_path / "runs")
    assert order[0] == "models loaded", "a cell was scored before the models were loaded"
    assert sorted(order[1:]) == ["document"] * 6 + ["transcript"] * 2


def test_score_keys_change_with_every_input_but_statistics_only_settings() -> None:
    from scribe_eval.dataset import load_dataset

    encounter = load_dataset(MINI).encounter("en-01-cough")
    answer = {"id": "t1", "segments": [{"text": "a dry cough"}]}
    options = MetricOptions()
    key = transcript_score_key(encounter, answer, options, "en")
    assert key == transcript_score_key(encounter, dict(answer), MetricOptions(seed=1), "en")
    assert key != transcript_score_key(encounter, {**answer, "id": "t2"}, options, "en")
    assert key != transcript_score_key(
        encounter.model_copy(update={"reference_hash": "x"}), answer, options, "en"
    )
    assert key != transcript_score_key(encounter, answer, MetricOptions(normalizer="none"), "en")

    def document(**changes: Any) -> str:
        inputs: dict[str, Any] = {
            "note_type": "soap", "output_language": "en", "options": options, "expectations": None,
        }  # fmt: skip
        return document_score_key(encounter, answer, **{**inputs, **changes})

    assert document() == document(options=MetricOptions(practical_difference=3.0))
    assert document() != document(note_type="brief")
    assert document() != document(output_language="de")
    assert document() != document(options=MetricOptions(stemmer=True))


def test_a_documents_score_key_names_the_adherence_version_without_the_checks() -> None:
    """A cached re-run computes every document's score key and checks nothing: reading the rules'
    version must not import the checks (regex, the ROUGE scorers: ~0.1 s of its start-up)."""
    probe = """
import json, sys
from scribe_eval.metrics import ADHERENCE_VERSION, AdherenceExpectations
from scribe_eval.runner._score import _adherence_digest
_adherence_digest(AdherenceExpectations(language="en", sections=()))
heavy = ("regex", "rapidfuzz", "scribe_eval.metrics._adherence")
print(json.dumps([ADHERENCE_VERSION, sorted(m for m in heavy if m in sys.modules)]))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    from scribe_eval.metrics import ADHERENCE_VERSION

    assert json.loads(done.stdout) == [ADHERENCE_VERSION, []]
