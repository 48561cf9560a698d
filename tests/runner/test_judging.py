"""The judge stage in real runs: the emulator writes the notes, a FAKE OpenAI-compatible server
(tests/judge/fake_openai.py, on 127.0.0.1) judges them. Cached re-runs make no judge call, a
changed judge does, and a broken judge never stops or fails the run's other stages."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from scribe_eval.audit import judge_audit_key
from scribe_eval.cli import main
from scribe_eval.compare import Gate, evaluate_gate
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import load_experiment
from scribe_eval.judge import PROMPT_VERSION
from scribe_eval.report import build_report
from scribe_eval.runner import (
    EXIT_CELLS_FAILED,
    RunOptions,
    RunOutcome,
    exit_code,
    rescore_run,
    run_experiment,
)
from scribe_eval.store import STORE_FILENAME, RunStore

WriteExperiment = Callable[..., Path]
pytestmark = pytest.mark.slow
KEY_ENV = "SCRIBE_EVAL_JUDGE_API_KEY"


def _load_fake() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "judge" / "fake_openai.py"
    spec = importlib.util.spec_from_file_location("fake_openai_runner", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fake_openai = _load_fake()
CLAIMS = {
    "note_claims": [
        {"text": "Cough for 3 days", "verdict": "supported"},
        {"text": "Fever", "verdict": "contradicted", "severity": "major", "evidence": "No fever"},
        {"text": "Chest clear", "verdict": "supported"},
        {"text": "Smoker", "verdict": "unsupported", "severity": "minor"},
    ],
    "reference_claims": [
        {"text": "Dry cough", "omitted": False},
        {"text": "Review in 1 week", "omitted": True, "severity": "minor"},
    ],
}  # fmt: skip
SCORES = {
    "accurate": 3, "thorough": 4, "useful": 4, "organised": 5, "comprehensible": 5,
    "succinct": 3, "synthesised": 2, "internally_consistent": 5, "free_of_bias": 5,
}  # fmt: skip
RUBRIC = {item: {"score": score, "reason": f"{item}: scripted"} for item, score in SCORES.items()}
_RULE_LINE = re.compile(r"^- (\S+) \[", re.M)


def _content_rules(body: dict[str, Any]) -> dict[str, Any]:
    """Every rule the prompt lists is obeyed except the last."""
    ids = _RULE_LINE.findall(body["messages"][-1]["content"])
    return {
        "rules": [
            {"rule_id": rule, "obeyed": i < len(ids) - 1, "reason": "scripted"}
            for i, rule in enumerate(ids)
        ]
    }


DEFAULTS = {"claims": CLAIMS, "content_rules": _content_rules, "rubric": RUBRIC}


@pytest.fixture
def fake() -> Iterator[Any]:
    with fake_openai.serve_fake_openai(DEFAULTS) as server:
        yield server


@pytest.fixture
def judged(
    write_experiment: WriteExperiment, tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Path]:
    """An experiment with a content-rule template, judged by the fake."""
    monkeypatch.setenv(KEY_ENV, "sk-fake-judge-key")
    template = tmp_path / "focused.yaml"
    template.write_text(
        "label: focused\nsections:\n  - key: corti-subjective\n"
        "    contentOverride: 'Include: symptoms. Exclude: smoking history.'\n"
        "  - key: corti-plan\n",
        encoding="utf-8",
    )

    def write(name: str = "judged", **judge: Any) -> Path:
        block = {"base_url": fake.base_url, "model": "fake-judge-1", "max_attempts": 1, **judge}
        templates = [{"key": "corti-soap", "label": "soap"},
                     {"file": str(template), "label": "focused", "reference": "soap"}]  # fmt: skip
        return write_experiment(name, templates=templates, judge=block)

    return write


def _run(path: Path, runs: Path) -> RunOutcome:
    return run_experiment(load_experiment(path), RunOptions(runs_dir=runs, progress=False))


def _documents(runs: Path, run_id: str) -> list[Any]:
    with RunStore(runs) as store:
        return [c for c in store.cells(run_id) if c.kind == "document"]


def test_a_judged_run_scores_every_note_and_its_rerun_makes_no_judge_call(
    judged: Callable[..., Path], fake: Any, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    first = _run(judged(), runs)
    documents = _documents(runs, first.run.id)
    assert first.run.status == "completed"
    assert first.judge is not None
    assert (first.judge.judged, first.judge.failed, first.judge.error) == (6, 0, None)
    assert exit_code(first) == 0
    assert len(documents) == 6
    assert all(c.status == "ok" for c in documents)
    # claims and rubric for all six notes; content rules only for the focused template's three.
    assert (fake.calls("claims"), fake.calls("rubric"), fake.calls("content_rules")) == (6, 6, 3)
    for cell in documents:
        s = cell.scores
        assert s["judge_failures"] == []
        assert s["judge_unsupported_rate"] == 0.5
        assert s["judge_contradicted_rate"] == 0.25
        assert s["judge_omission_rate"] == 0.5
        assert (s["judge_major_errors"], s["judge_major_error_notes"]) == (1, 1.0)
        assert s["judge_pdqi_accurate"] == 0.5  # 3 on 1-5
        assert s["judge_pdqi_mean"] == pytest.approx((sum(SCORES.values()) / 9 - 1) / 4)
        assert "rougeL_f" in s  # the scorer's numbers are kept
        if cell.template_label == "focused":
            assert s["judge_content_rule_rate"] == 0.5  # two clauses, the last not obeyed
            assert [f["rule_id"] for f in s["judge_content_rules_failed"]] == ["corti-subjective.2"]
        else:
            assert s["judge_content_rule_rate"] is None
    judge = first.run.meta.judge
    assert judge is not None
    assert (judge["model"], judge["prompt_version"]) == ("fake-judge-1", PROMPT_VERSION)
    assert "sk-fake-judge-key" not in (runs / STORE_FILENAME).read_bytes().decode("latin-1")

    calls = len(fake.requests)
    second = _run(judged(), runs)
    assert second.api_calls == 0
    assert len(fake.requests) == calls  # every judgement came from the cache
    again = {c.cell_id: c.scores for c in _documents(runs, second.run.id)}
    assert again == {c.cell_id: c.scores for c in documents}


def test_rejudging_a_run_calls_only_for_a_changed_judge(
    judged: Callable[..., Path], fake: Any, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    run = _run(judged(), runs).run
    before = len(fake.requests)
    cli = CliRunner()
    same = cli.invoke(main, ["judge", run.id, "--runs-dir", str(runs)])
    assert same.exit_code == 0, same.output
    assert "6 notes judged (6 from cache), 0 judge calls" in same.output
    assert len(fake.requests) == before

    other = judged("other", model="fake-judge-2")
    changed = cli.invoke(main, ["judge", run.id, "--experiment", str(other), "--runs-dir",
                                str(runs)])  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "6 notes judged (0 from cache), 15 judge calls" in changed.output
    with RunStore(runs) as store:
        assert store.get_run(run.id).meta.judge["model"] == "fake-judge-2"  # type: ignore[index]


def test_compare_refuses_judge_metrics_of_runs_judged_differently(
    judged: Callable[..., Path], tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    first = _run(judged(), runs).run
    second = _run(judged("other", model="fake-judge-2"), runs).run
    gate = Gate.model_validate({"rules": [{"metric": "judge_unsupported_rate", "margin": 2}]})
    with RunStore(runs) as store:
        a, b = store.get_run(first.id), store.get_run(second.id)
        with pytest.raises(ConfigError, match="judged differently") as caught:
            evaluate_gate(store, a, b, gate)
        assert "\n" not in caught.value.message
        # Metrics that are not the judge's still compare.
        wer = Gate.model_validate({"rules": [{"metric": "rougeL_f", "margin": 2}]})
        assert evaluate_gate(store, a, b, wer).results


@pytest.mark.parametrize(
    ("judge", "kind"),
    [
        pytest.param({}, "http", id="server-errors"),
        pytest.param({"base_url": "http://127.0.0.1:9/v1"}, "transport", id="no-server"),
        pytest.param({"api_key_env": "SCRIBE_EVAL_UNSET_KEY"}, "config", id="key-unset"),
    ],
)
def test_a_failing_judge_never_stops_the_run(
    judged: Callable[..., Path], fake: Any, tmp_path: Path, judge: dict[str, Any], kind: str
) -> None:
    for task in ("claims", "content_rules", "rubric"):
        fake.script(task, *[fake_openai.Reply.error(500)] * 20)
    runs = tmp_path / "runs"
    outcome = _run(judged(**judge), runs)
    assert outcome.run.status == "completed"
    assert outcome.errors == 0
    documents = _documents(runs, outcome.run.id)
    assert len(documents) == 6
    for cell in documents:
        assert cell.status == "ok"
        assert "rougeL_f" in cell.scores
        failures = cell.scores["judge_failures"]
        assert failures
        assert {f["stage"] for f in failures} == {"judge"}
        assert {f["kind"] for f in failures} == {kind}
        assert cell.scores.get("judge_unsupported_rate") is None
    # ... but it is not silent: every note's missing judgement counts, and the run exits 3
    # (a gate on judge metrics would otherwise read a green run with no judge score at all).
    assert outcome.judge is not None
    assert outcome.judge.failed == 6
    assert (outcome.judge.error is not None) == (kind == "config")
    assert exit_code(outcome) == EXIT_CELLS_FAILED
    assert exit_code(outcome, allow_errors=True) == 0
    if kind != "config":  # re-judging from the command line says so too
        again = CliRunner().invoke(main, ["judge", outcome.run.id, "--runs-dir", str(runs)])
        assert again.exit_code == EXIT_CELLS_FAILED, again.output
        assert "6 with a failed judge task" in again.output


def test_an_experiment_without_a_judge_has_no_judge_scores(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    outcome = _run(write_experiment(), runs)
    assert outcome.run.meta.judge is None
    assert not any(
        k.startswith("judge_") for c in _documents(runs, outcome.run.id) for k in c.scores
    )


def test_the_judge_block_is_validated_with_a_one_line_error(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    path = write_experiment(judge={"base_url": "localhost:8080", "model": "m"})
    with pytest.raises(ConfigError, match="base_url") as caught:
        load_experiment(path)
    assert "exp.yaml:" in caught.value.message  # the file and line of the bad value
    assert "http://127.0.0.1:8080/v1" in caught.value.message  # and how to write it


def test_the_report_shows_judge_metrics_unvalidated_until_audited(
    judged: Callable[..., Path], tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    run = _run(judged(), runs).run
    with RunStore(runs) as store:
        index = build_report(store, store.get_run(run.id), tmp_path / "report")
        page = index.read_text(encoding="utf-8")
        assert "Judge: unsupported claims (unvalidated)" in page
        assert "Judge: PDQI-9 mean (unvalidated)" in page
        encounter = next((tmp_path / "report" / "encounters").glob("*.html"))
        text = encounter.read_text(encoding="utf-8")
        assert "Judge:</strong> 1 major or critical error(s) in 4 note claims" in text
        judge = store.get_run(run.id).meta.judge
        assert judge is not None
        store.cache_put(judge_audit_key(run.dataset_hash, judge), "judge-audit",
                        {"validated": True})  # fmt: skip
        page = build_report(store, store.get_run(run.id), tmp_path / "again").read_text("utf-8")
    assert "Judge: unsupported claims</" in page or "Judge: unsupported claims<" in page
    assert "(unvalidated)" not in page


def test_rescoring_a_judged_run_keeps_its_judge_scores(
    judged: Callable[..., Path], fake: Any, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    run = _run(judged(), runs).run
    calls = len(fake.requests)
    with RunStore(runs) as store:
        outcome = rescore_run(store, run.id)
        new = store.get_run(outcome.run.id)
    assert new.meta.judge == run.meta.judge
    before = {c.cell_id: c.scores for c in _documents(runs, run.id)}
    after = {c.cell_id: c.scores for c in _documents(runs, new.id)}
    for cell_id, scores in before.items():
        judge = {k: v for k, v in scores.items() if k.startswith("judge_")}
        assert judge
        assert {k: after[cell_id][k] for k in judge} == judge
    assert len(fake.requests) == calls


def test_a_run_is_not_stored_completed_before_its_judge_stage_is_over(
    judged: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed during the judge stage (kill -9), a run read 'completed', held no lease, and
    `runs bless` took it with its notes half judged: the stage ran after the run was stored
    completed and its lease released. What a kill at that moment leaves is what the store
    holds while a note is being judged: the run running, under its runner's lease."""
    from scribe_eval.runner import _judging

    runs = tmp_path / "runs"
    seen: list[tuple[str, bool]] = []
    real = _judging.judge_note  # type: ignore[attr-defined]

    async def observed(client: Any, item: Any) -> Any:
        with RunStore(runs) as other:  # another connection, as after a kill
            run = other.list_runs()[0]
            seen.append((run.status, other.lease(run.id) is not None))
        return await real(client, item)

    monkeypatch.setattr(_judging, "judge_note", observed)
    outcome = _run(judged(), runs)
    assert seen
    assert set(seen) == {("running", True)}
    assert outcome.run.status == "completed"


def test_a_run_interrupted_in_its_judge_stage_is_stored_interrupted(
    judged: Callable[..., Path], fake: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C or SIGTERM in the judge stage (the run's main task cancelled) exited 130/143
    with the resume hint while the store said 'completed'; resumed, the notes are judged."""
    import asyncio

    from scribe_eval.runner import _judging

    runs = tmp_path / "runs"
    real = _judging.judge_note  # type: ignore[attr-defined]
    calls: list[int] = []

    async def cancelled(client: Any, item: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise asyncio.CancelledError
        return await real(client, item)

    monkeypatch.setattr(_judging, "judge_note", cancelled)
    with pytest.raises(asyncio.CancelledError):
        _run(judged(), runs)
    with RunStore(runs) as store:
        run = store.list_runs()[0]
        assert (run.status, store.lease(run.id)) == ("interrupted", None)
    monkeypatch.setattr(_judging, "judge_note", real)
    resumed = run_experiment(
        load_experiment(judged()), RunOptions(runs_dir=runs, progress=False, resume=run.id)
    )
    assert resumed.run.status == "completed"
    assert resumed.api_calls == 0
    assert all("judge_key" in c.scores for c in _documents(runs, run.id))


def test_a_rejudge_stopped_mid_way_is_not_compared_as_the_new_judges(
    judged: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scribe-eval judge RUN --experiment other.yaml` wrote the new judge into the run's
    provenance first: stopped mid-way (Ctrl-C, kill), its notes were part new judge, part old,
    and compare took them all for the new judge's. Judged again, it compares."""
    import asyncio

    from scribe_eval.runner import _judging
    from scribe_eval.runner._judging import judge_stored_run

    runs = tmp_path / "runs"
    other = load_experiment(judged("other", model="fake-judge-2")).judge
    first = _run(judged(), runs).run
    second = _run(judged(), runs).run
    real = _judging.judge_note  # type: ignore[attr-defined]
    calls: list[int] = []

    async def cancelled(client: Any, item: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise asyncio.CancelledError
        return await real(client, item)

    gate = Gate.model_validate({"rules": [{"metric": "judge_unsupported_rate", "margin": 2}]})
    with RunStore(runs) as store:
        monkeypatch.setattr(_judging, "judge_note", cancelled)
        with pytest.raises(asyncio.CancelledError):
            judge_stored_run(store, second.id, other)
        monkeypatch.setattr(_judging, "judge_note", real)
        judge_stored_run(store, first.id, other)
        a, b = store.get_run(first.id), store.get_run(second.id)
        with pytest.raises(ConfigError, match="judge stage did not finish") as caught:
            evaluate_gate(store, a, b, gate)
        assert f"scribe-eval judge {second.id}" in caught.value.message
        judge_stored_run(store, second.id, other)
        assert evaluate_gate(store, a, store.get_run(second.id), gate).results
