"""Every gate row is measured on the cells both runs have: a changed template mix moves nothing.

A slice pooled over templates (``by: [language]``) held each run's own cells, so a template the
candidate added (or dropped) entered one side's value only: adding a degraded template failed the
gate, dropping a bad one hid a regression. Rates compared different cells too: the baseline's
unscored rate counted every shared cell, the candidate's only the cells it finished.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scribe_eval.compare import Gate, LimitRule, MetricRule, evaluate_gate, gate_markdown
from scribe_eval.store import RunStore

MakeRun = Callable[..., str]
POOLED = Gate(rules=[MetricRule(metric="rougeLsum_f", margin=1, by=["language"])])


def _pooled(store: RunStore, a: str, b: str, gate: Gate = POOLED):  # type: ignore[no-untyped-def]
    result = evaluate_gate(store, store.get_run(a), store.get_run(b), gate)
    (row,) = [r for r in result.results if r.metric == "rougeLsum_f"]
    return result, row


def test_adding_a_degraded_template_does_not_move_a_pooled_slice(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", templates=("soap", "brief"))
    make_run(
        "cand", templates=("soap", "brief", "extra"), shifts={"extra": -0.2}, own_noise=("extra",)
    )
    result, row = _pooled(store, "base", "cand")
    # soap and brief are unchanged, and the shown values are theirs in both runs: equal.
    assert row.status == "unchanged"
    assert row.baseline == row.candidate
    assert row.n == 40
    assert result.passed
    # A changed template beside the added one: decided on the shared cells alone.
    changed = {"versions": {"soap": "v2"}, "shifts": {"extra": -0.2}}
    make_run("cand2", templates=("soap", "brief", "extra"), own_noise=("extra",), **changed)
    result, row = _pooled(store, "base", "cand2")
    assert row.status == "pass", row.reason
    assert row.difference == pytest.approx(0.0, abs=1e-9)
    assert "40 cells scored in one run only left out" in row.reason
    assert result.passed


def test_dropping_a_bad_template_does_not_hide_a_regression(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", templates=("soap", "brief", "bad"), shifts={"bad": -0.2}, own_noise=("bad",))
    # soap lost 3 points (1.5 pooled with brief, beyond the 1-point margin); the baseline's
    # pooled value held the dropped template's low scores, so the candidate's looked better.
    make_run("cand", templates=("soap", "brief"), shifts={"soap": -0.03}, versions={"soap": "v2"})
    result, row = _pooled(store, "base", "cand")
    assert row.status == "fail", row.reason
    assert row.difference == pytest.approx(-0.015, abs=0.002)
    assert result.verdict == "fail"


def test_a_rate_compares_the_same_cells_on_both_sides(store: RunStore, make_run: MakeRun) -> None:
    make_run("base")
    make_run("cand", errors=10)  # soap cells of en-00..en-09 failed in the candidate only
    for run_id in ("base", "cand"):
        for cell in store.cells(run_id):
            if (
                cell.template_label == "soap"
                and cell.status == "ok"
                and int(cell.encounter_id[3:]) >= 25
            ):
                store.put_cell(cell.model_copy(update={"scores": {"unscored": "no reference"}}))
    gate = Gate(rules=[LimitRule(limit="unscored_rate", max_increase=2)])
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), gate)
    (row,) = [r for r in result.results if r.slice.get("template") == "soap"]
    # 15 of the 30 documents both runs finished are unscored in each: no rise. Counting every
    # shared cell for the baseline (15 of 40) and the finished ones for the candidate (15 of 30)
    # read as a 12.5-point rise.
    assert (row.baseline, row.candidate, row.n) == (0.5, 0.5, 30)
    assert row.status == "pass", row.reason
    # The reason names the limit it was checked on ("50.0% is within the limit" named none).
    assert row.reason == (
        "from 50.0% to 50.0% on the cells both runs have: within the rise of 2.0 points allowed"
    )


def test_an_unchanged_row_shows_equal_values_on_its_shared_cells(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", templates=("soap", "brief", "extra"), own_noise=("extra",))
    make_run("cand", templates=("soap", "brief"))
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), POOLED)
    same = [r for r in result.results if r.status == "unchanged"]
    assert same
    for row in same:
        assert row.baseline == row.candidate, row
    listed = [(r.slice["template"], r.status) for r in result.results if r.metric == "template"]
    assert listed == [("extra", "skipped")]
    # The table names each row's result with the headline's words (one vocabulary).
    table = gate_markdown(result)
    assert "| unchanged |" in table
    assert "| skipped |" in table
    assert "| same |" not in table
    assert "| skip |" not in table
    assert f"{len(same)} unchanged, 1 skipped" in table.splitlines()[0]


def test_an_unchanged_row_without_values_says_why_it_has_none(
    store: RunStore, make_run: MakeRun
) -> None:
    """A template with no reference note of its kind is unscored in both runs: its unchanged row
    showed dashes with a reason about the answers alone, as if values had gone missing."""
    make_run("base")
    make_run("cand")
    for run_id in ("base", "cand"):
        for cell in store.cells(run_id):
            if cell.template_label == "brief" and cell.status == "ok":
                store.put_cell(cell.model_copy(update={"scores": {"unscored": "no reference"}}))
    gate = Gate(rules=[MetricRule(metric="rougeLsum_f", margin=1, by=["template"])])
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), gate)
    rows = {r.slice["template"]: r for r in result.results if r.metric == "rougeLsum_f"}
    assert rows["brief"].status == rows["soap"].status == "unchanged"
    assert rows["brief"].baseline is None
    assert rows["brief"].reason.endswith(
        "; no values to show: neither run has a rougeLsum_f score on the 40 cells both runs "
        "have here"
    )
    assert "no values" not in rows["soap"].reason
    assert "no values to show" in gate_markdown(result)
