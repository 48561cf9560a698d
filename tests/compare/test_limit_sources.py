"""A rate limit is judged per transcript source by default, as the margins are: failures of the
notes written from the ASR transcript are not diluted by the notes written from the reference."""

from __future__ import annotations

from collections.abc import Callable

from scribe_eval.compare import DEFAULT_GATE, Gate, LimitRule, evaluate_gate
from scribe_eval.store import CellRecord, RunStore

MakeRun = Callable[..., str]


def _add_reference_notes(store: RunStore, run_id: str) -> None:
    """Every ``soap`` note also written, without failure, from the reference transcript."""
    for cell in store.cell_summaries(run_id):
        if cell.kind != "document" or cell.template_label != "soap":
            continue
        store.put_cell(
            CellRecord(
                run_id=run_id, cell_id=cell.cell_id.replace("|asr", "|reference"),
                kind="document", encounter_id=cell.encounter_id, template_label="soap",
                language="en", recording_language="en", source="reference", status="ok",
                scores={"rougeLsum_f": 0.5, "rougeL_f": 0.5, "fact_recall": 0.8},
                cache_key=f"ref:{cell.cell_id}",
            )
        )  # fmt: skip


def test_failed_asr_notes_are_not_diluted_by_the_reference_source(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    make_run("cand", errors=2)  # 2 of 40 soap notes from the ASR transcript failed: +5 points
    alone = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), DEFAULT_GATE)
    assert alone.verdict == "fail"
    for run_id in ("base", "cand"):
        _add_reference_notes(store, run_id)
    both = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), DEFAULT_GATE)
    # Judged on the 40 ASR notes (a 5-point rise), not on 80 notes of both sources (2.5).
    assert both.verdict == "fail"
    (row,) = [
        r for r in both.failures if r.metric == "error_rate" and r.slice.get("template") == "soap"
    ]
    assert row.slice.get("source") == "asr", row.slice
    assert row.difference is not None
    assert abs(row.difference - 0.05) < 1e-9


def test_one_failed_asr_note_in_forty_fails_the_rise_whatever_the_other_source(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base")
    make_run("cand", errors=1)  # 1 of 40: a 2.5-point rise, beyond the 2 points allowed
    for run_id in ("base", "cand"):
        _add_reference_notes(store, run_id)
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), DEFAULT_GATE)
    # Pooled with 40 reference notes that never fail it read 1.25 points: a pass.
    assert result.verdict == "fail", [(r.metric, r.slice, r.status) for r in result.results]


def test_a_new_template_whose_notes_failed_is_never_passed(
    store: RunStore, make_run: MakeRun
) -> None:
    """A template only the candidate has cannot be compared, but its failed notes are harm
    whatever the baseline did: with every one of its 40 notes failed, the default gate said
    PASS (exit 0), its row skipped for want of shared cells."""
    make_run("base", templates=("brief",))
    make_run("cand", templates=("soap", "brief"), errors=40)
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), DEFAULT_GATE)
    assert result.verdict == "inconclusive"
    (row,) = [r for r in result.undecided if r.slice.get("template") == "soap"]
    assert row.metric == "error_rate"
    assert row.cause == "new with failed cells"
    assert row.reason.startswith("40 of 40 cells failed (100.0%) in a slice the baseline does not")
    assert "scribe-eval runs show cand --errors" in row.reason


def test_a_new_template_without_failures_is_listed_not_judged(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("base", templates=("brief",))
    make_run("cand", templates=("soap", "brief"))
    result = evaluate_gate(store, store.get_run("base"), store.get_run("cand"), DEFAULT_GATE)
    assert result.verdict == "pass"
    soap = [r for r in result.results if r.slice.get("template") == "soap"]
    assert soap
    assert {r.status for r in soap} == {"skipped"}


def test_a_bound_in_the_gate_file_decides_a_new_template_s_failures(
    store: RunStore, make_run: MakeRun
) -> None:
    """A team that bounds failures outright (``max``) has them judged on the new template's own
    cells: within the bound a pass, beyond it a failure."""
    gate = Gate(rules=[LimitRule(limit="error_rate", max_increase=2, max=5)])
    make_run("base", templates=("brief",))
    make_run("few", templates=("soap", "brief"), errors=1)  # 2.5%
    make_run("many", templates=("soap", "brief"), errors=4)  # 10%
    base = store.get_run("base")
    few = evaluate_gate(store, base, store.get_run("few"), gate)
    assert few.verdict == "pass", [(r.slice, r.status, r.reason) for r in few.results]
    many = evaluate_gate(store, base, store.get_run("many"), gate)
    assert many.verdict == "fail"
    (row,) = many.failures
    assert row.slice.get("template") == "soap"
    assert "above the maximum 5.0%" in row.reason
