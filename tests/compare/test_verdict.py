"""The verdict: a gate that decided nothing on a changed slice has not passed.

PASS needs every changed slice decided and passed on complete runs. A changed slice the data
cannot decide (too few encounters, no scores in a run) and a run that did not complete make the
verdict inconclusive (exit 3); any failure still makes it a failure (exit 2).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import Gate, MetricRule, evaluate_gate, gate_markdown
from scribe_eval.store import RunStore

MakeRun = Callable[..., str]
JUDGED = Gate(rules=[MetricRule(metric="judge_pdqi_mean", margin=5)])


def _gate(store: RunStore, a: str, b: str, gate: Gate | None = None):  # type: ignore[no-untyped-def]
    return evaluate_gate(store, store.get_run(a), store.get_run(b), gate)


def _compare(store: RunStore, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["compare", *args, "--runs-dir", str(store.runs_dir)])
    return result.exit_code, result.output


def test_a_changed_template_on_too_few_visits_is_inconclusive_not_a_pass(
    store: RunStore, make_run: MakeRun, tmp_path: Path
) -> None:
    make_run("base", encounters=4)
    make_run("cand", encounters=4, shifts={"soap": -0.2}, versions={"soap": "v2"})
    result = _gate(store, "base", "cand")
    assert result.verdict == "inconclusive"
    assert not result.passed
    undecided = {(r.metric, r.slice["template"]) for r in result.undecided}
    assert undecided == {("rougeLsum_f", "soap"), ("fact_recall", "soap")}
    assert all(r.reason.startswith("only 4 encounters in both runs") for r in result.undecided)
    code, out = _compare(store, "base", "cand", "--markdown", "--junit", str(tmp_path / "g.xml"))
    assert code == 3, out
    assert out.startswith("### ⚠️ INCONCLUSIVE: candidate cand vs baseline base")
    assert "not proven safe: 2 changed slices undecided (2 too few encounters)" in out
    assert "| UNDECIDED | ROUGE-Lsum non-inferiority (margin 2 points)" in out
    suite = ET.parse(tmp_path / "g.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("0", "2")
    code, out = _compare(store, "base", "cand", "--json")
    assert (code, json.loads(out)["verdict"]) == (3, "inconclusive")


def test_a_failure_anywhere_makes_it_a_failure_not_inconclusive(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", encounters=4)
    make_run("cand", encounters=4, errors=4, shifts={"soap": -0.2}, versions={"soap": "v2"})
    result = _gate(store, "base", "cand")
    # Every soap cell failed: its margins are undecided (no candidate score), its error rate fails.
    assert {r.slice["template"] for r in result.undecided} == {"soap"}
    assert [r.metric for r in result.failures] == ["error_rate"]
    assert result.verdict == "fail"
    code, out = _compare(store, "base", "cand", "--markdown")
    assert code == 2, out
    assert out.startswith("### ❌ REGRESSION: ")
    assert "; also not proven safe: 2 changed slices undecided (2 without scores)" in out


def _judge_failed(store: RunStore, run_id: str) -> None:
    for cell in store.cells(run_id):
        if cell.kind == "document":
            scores = {**cell.scores, "judge_pdqi_mean": None, "judge_failures": [{"kind": "x"}]}
            store.put_cell(cell.model_copy(update={"scores": scores}))


def test_a_judge_that_failed_everywhere_decides_nothing(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("cand", shifts={"soap": -0.01}, versions={"soap": "v2"})
    for run_id in ("base", "cand"):
        _judge_failed(store, run_id)
    result = _gate(store, "base", "cand", JUDGED)
    assert result.verdict == "inconclusive"
    (row,) = result.undecided
    assert row.slice["template"] == "soap"
    assert row.cause == "without scores"
    assert "neither run has a judge_pdqi_mean score on the 40 cells both runs have" in row.reason
    assert result.not_proven == ["1 changed slice undecided (1 without scores)"]


def test_a_metric_neither_run_measures_is_skipped_not_undecided(
    store: RunStore, make_run: MakeRun
) -> None:
    # Never judged: the metric does not apply to these runs (as WER to reference transcripts).
    make_run("base")
    make_run("cand", shifts={"soap": -0.01}, versions={"soap": "v2"})
    result = _gate(store, "base", "cand", JUDGED)
    assert [(r.status, r.reason) for r in result.results] == [
        ("skipped", "neither run has judge_pdqi_mean scores")
    ]
    assert result.verdict == "pass"


def test_accept_small_slices_is_explicit_and_printed(store: RunStore, make_run: MakeRun) -> None:
    make_run("base", encounters=4)
    make_run("cand", encounters=4, shifts={"soap": -0.2}, versions={"soap": "v2"})
    gate = Gate(rules=[MetricRule(metric="rougeL_f", margin=2)], accept_small_slices=True)
    result = _gate(store, "base", "cand", gate)
    assert result.verdict == "pass"
    (row,) = result.accepted
    assert row.reason.endswith("accepted undecided (the gate file's accept_small_slices)")
    text = gate_markdown(result)
    assert text.startswith("### ✅ PASS: ")
    assert "; 1 small slice accepted undecided (the gate file's accept_small_slices)" in text
    assert "| accepted | ROUGE-L non-inferiority" in text
    # It accepts too few encounters only: a slice without scores still blocks a pass.
    for run_id in ("base", "cand"):
        _judge_failed(store, run_id)
    judged = Gate(rules=JUDGED.rules, accept_small_slices=True)
    assert _gate(store, "base", "cand", judged).verdict == "inconclusive"


def test_an_incomplete_run_is_never_passed(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("cand", templates=("soap",))  # brief never ran: interrupted before it
    provenance = {
        **store.get_run("cand").provenance,
        "matrix": {"documents": 80, "transcripts": 40},
    }
    store.update_run("cand", status="interrupted", provenance=provenance)
    result = _gate(store, "base", "cand")
    assert result.verdict == "inconclusive"
    assert result.incomplete == (
        "the candidate run cand is interrupted (40 of 80 documents, 40 of 40 transcripts "
        "finished): finish it with `scribe-eval run --resume cand`",
    )
    code, out = _compare(store, "base", "cand", "--markdown")
    assert code == 3, out
    assert "not proven safe: the candidate run cand is interrupted" in out.splitlines()[0]
    # The comparison is still printed in full.
    assert (
        "| ROUGE-Lsum non-inferiority (margin 2 points) | language=en, source=asr, template=soap |"
        in out
    )
    store.update_run("base", status="running")
    lease = store.acquire_lease("base")  # held by this (live) process: it is running
    (baseline, candidate) = _gate(store, "base", "cand").incomplete
    assert baseline.startswith("the baseline run base is running (80 of 80 documents")
    assert candidate.startswith("the candidate run cand is interrupted")
    # Stored running with nobody holding it (its runner killed): it will never finish by itself.
    store.release_lease("base", lease.token)
    (baseline, _) = _gate(store, "base", "cand").incomplete
    assert baseline.startswith(
        "the baseline run base is interrupted (runner gone) (80 of 80 documents"
    )
