"""``scribe-eval audit judge`` against a FAKE OpenAI-compatible server (tests/judge/fake_openai.py)
scripted as a literal-minded judge: a note sentence is supported only when the reference note
has it word for word, and a reference sentence is omitted when the note lacks it."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scribe_eval.audit import ERROR_KINDS, audit_judge, judge_audit_key, weighted_kappa
from scribe_eval.cli import main
from scribe_eval.dataset import load_dataset
from scribe_eval.judge import JudgeConfig, judge_provenance
from scribe_eval.store import RunStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
_FENCE = re.compile(r"(TRANSCRIPT|NOTE|REFERENCE):\n<<<\n(.*?)\n>>>", re.S)
_SENTENCE = re.compile(r"[^.\n]+\.?")


def _load_fake() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "judge" / "fake_openai.py"
    spec = importlib.util.spec_from_file_location("fake_openai_audit", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fake_openai = _load_fake()


def _sentences(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.startswith("## ")]
    return [s.strip() for s in _SENTENCE.findall("\n".join(lines)) if s.strip(" .")]


def _material(body: dict[str, Any]) -> dict[str, str]:
    return dict(_FENCE.findall(body["messages"][-1]["content"]))


def literal_claims(body: dict[str, Any]) -> dict[str, Any]:
    parts = _material(body)
    note, reference = _sentences(parts["NOTE"]), _sentences(parts.get("REFERENCE", ""))
    return {
        "note_claims": [
            {"text": s, "verdict": "supported"}
            if s in reference
            else {"text": s, "verdict": "unsupported", "severity": "major"}
            for s in note
        ],
        "reference_claims": [
            {"text": s, "omitted": s not in note, **({} if s in note else {"severity": "major"})}
            for s in reference
        ],
    }


def sentence_rubric(body: dict[str, Any]) -> dict[str, Any]:
    """Every attribute scored by the note's sentence count (clipped to 1-5)."""
    score = max(1, min(5, len(_sentences(_material(body)["NOTE"]))))
    names = ("accurate", "thorough", "useful", "organised", "comprehensible", "succinct",
             "synthesised", "internally_consistent", "free_of_bias")  # fmt: skip
    return {name: {"score": score, "reason": "sentence count"} for name in names}


@pytest.fixture
def fake() -> Iterator[Any]:
    defaults = {"claims": literal_claims, "rubric": sentence_rubric, "content_rules": {}}
    with fake_openai.serve_fake_openai(defaults) as server:
        yield server


def test_weighted_kappa_known_values() -> None:
    assert weighted_kappa([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert weighted_kappa([1, 5], [5, 1]) == pytest.approx(-1.0)
    assert weighted_kappa([2, 2], [2, 2]) == 1.0
    # One step apart on one of four notes: most of the agreement remains.
    assert 0.5 < weighted_kappa([1, 2, 3, 4], [1, 2, 3, 5]) < 1.0


async def test_the_judge_detects_errors_and_agreement_is_reported(
    fake: Any, tmp_path: Path
) -> None:
    dataset = load_dataset(MINI)
    # Clinician ratings on every note, equal to the fake's rubric: perfect agreement.
    encounters = []
    for encounter in dataset.encounters:
        notes = {}
        for kind, note in encounter.notes.items():
            score = max(1, min(5, len(_sentences(note.text))))
            notes[kind] = note.model_copy(update={"ratings": {"accurate": score, "useful": score}})
        encounters.append(encounter.model_copy(update={"notes": notes}))
    rated = dataset.model_copy(update={"encounters": tuple(encounters)})
    config = JudgeConfig(base_url=fake.base_url, model="fake-literal", api_key_env=None)
    with RunStore(tmp_path / "runs") as store:
        result = await audit_judge(rated, config, store=store)
        rows = {d.kind: d for d in result.detections}
        assert result.notes == 3
        for kind in ERROR_KINDS:
            if rows[kind].notes:
                assert rows[kind].rate == 1.0, kind  # every changed sentence is caught
        assert rows["drop_fact"].notes >= 2  # one note has no fact sentence to drop
        assert rows["reorder_sections"].rate == 0.0  # same sentences: no false alarm
        assert rows["paraphrase"].notes == 0 or rows["paraphrase"].rate == 1.0  # literal-minded
        assert result.validated
        agreement = {a.item: a for a in result.agreement}
        assert set(agreement) == {"accurate", "useful"}
        assert agreement["accurate"].n == 3
        assert agreement["accurate"].kappa == 1.0
        calls = len(fake.requests)
        assert calls == result.calls > 0
        stored = store.cache_get(judge_audit_key(rated.content_hash, judge_provenance(config)))
        assert stored is not None
        assert stored.value["validated"] is True
        again = await audit_judge(rated, config, store=store)
        assert len(fake.requests) == calls  # every judgement came from the cache
        assert again.as_dict()["detections"] == result.as_dict()["detections"]


def test_audit_judge_cli_prints_the_detection_table(fake: Any, tmp_path: Path) -> None:
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        yaml.safe_dump(
            {
                "name": "audit",
                "dataset": str(MINI),
                "templates": [{"key": "corti-soap"}],
                "judge": {"base_url": fake.base_url, "model": "fake-literal", "api_key_env": None},
            }
        ),
        encoding="utf-8",
    )
    runs = ["--runs-dir", str(tmp_path / "runs")]
    shown = CliRunner().invoke(main, ["audit", "judge", str(experiment), *runs])
    assert shown.exit_code == 0, shown.output
    assert "judge audit of dataset mini with fake-literal" in shown.output
    assert re.search(r"drop_fact\s+│\s+yes\s+│\s+(\d)\s+│\s+\1\s+│\s+100% detected", shown.output)
    assert re.search(
        r"reorder_sections\s+│\s+no\s+│\s+3\s+│\s+0\s+│\s+0% false alarms", shown.output
    )
    as_json = CliRunner().invoke(main, ["audit", "judge", str(experiment), "--json", *runs])
    data = json.loads(as_json.output)
    assert data["calls"] == 0  # the table above cached every judgement
    assert data["validated"] is True


def test_audit_judge_without_a_judge_block_is_a_one_line_error(tmp_path: Path) -> None:
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        yaml.safe_dump({"name": "x", "dataset": str(MINI), "templates": [{"key": "corti-soap"}]}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["audit", "judge", str(experiment)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "has no judge: block" in result.output
