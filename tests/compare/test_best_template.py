"""Which template is best: a recommendation a clinician would sign, or the reason there is none."""

from __future__ import annotations

from collections.abc import Callable

from scribe_eval.compare import load_run_data
from scribe_eval.metrics import fmt_points
from scribe_eval.report._leaderboard import Leaderboard, note_leaderboards
from scribe_eval.store import RunStore

MakeRun = Callable[..., str]


def _boards(store: RunStore, run_id: str) -> dict[str, Leaderboard]:
    data = load_run_data(store, store.get_run(run_id))
    return {b.group: b for b in note_leaderboards(data)}


def test_a_tiny_sure_improvement_is_no_practical_difference(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run", shifts={"soap": 0.005})
    (board,) = _boards(store, "run").values()
    assert board.winner is None
    assert board.verdict.startswith("No practical difference")
    assert "less than the 1.0-point minimum practical difference" in board.detail


def test_a_clear_practical_lead_is_recommended_and_states_n(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run", shifts={"soap": 0.03})
    (board,) = _boards(store, "run").values()
    assert board.winner == "soap"
    assert "n = 40 encounters every template scored" in board.detail


def test_the_cards_lead_is_the_difference_of_the_values_the_table_shows(
    store: RunStore, make_run: MakeRun
) -> None:
    # Exact means 48.43 and 45.78: the table shows 48.4 and 45.8, so the card must say 2.6
    # (the exact 2.66 rounds to 2.7, which no reader of the table can reproduce).
    make_run("run", shifts={"soap": 0.02678})
    (board,) = _boards(store, "run").values()
    shown = {r.template: fmt_points(r.values["rougeLsum_f"].value) for r in board.rows}
    assert shown == {"soap": "48.4", "brief": "45.8"}
    assert board.winner == "soap"
    assert "by at least 2.6 points" in board.detail


def test_templates_scored_against_different_note_types_are_never_ranked_together(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run", shifts={"soap": 0.03}, references={"brief": "brief"})
    boards = _boards(store, "run")
    assert set(boards) == {"en · reference: soap", "en · reference: brief"}
    for board in boards.values():
        assert len(board.rows) == 1
        assert board.winner is None
        assert board.verdict.startswith("Only one template")


def test_a_tie_on_rouge_still_says_what_the_leader_would_cost_in_facts(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run")
    (board,) = _boards(store, "run").values()
    assert board.verdict.startswith("No clear winner")
    assert "Before choosing" not in board.detail
    leader = board.detail.split(" has the highest value", 1)[0].rsplit(" ", 1)[-1]
    for cell in store.cells("run"):
        if cell.template_label == leader and cell.status == "ok":
            scores = {**cell.scores, "fact_recall": cell.scores["fact_recall"] - 0.3}
            store.put_cell(cell.model_copy(update={"scores": scores}))
    (board,) = _boards(store, "run").values()
    assert board.verdict.startswith("No clear winner")
    assert f"Before choosing {leader}: it may be up to" in board.detail
    assert "on Fact recall" in board.detail


def test_a_lead_that_rounds_up_to_the_minimum_says_its_exact_size(
    store: RunStore, make_run: MakeRun
) -> None:
    # 0.98 points reads 1.0 in the table: "leads by 1.0 ... less than the 1.0-point minimum"
    # contradicted itself; the exact lead that decided is said, and the table's beside it.
    make_run("run", shifts={"soap": 0.00999})
    (board,) = _boards(store, "run").values()
    assert board.verdict.startswith("No practical difference")
    assert "leads by 0.98 (1.0 as rounded in the table) points" in board.detail, board.detail


def test_a_lead_that_rounds_below_the_minimum_is_said_once(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run", shifts={"soap": 0.005})
    (board,) = _boards(store, "run").values()
    assert "as rounded" not in board.detail, board.detail


def test_two_encounters_make_no_verdict_only_too_few_with_the_count(
    store: RunStore, make_run: MakeRun
) -> None:
    # Two encounters give no interval in the table: the card calls no template better, tied or
    # costly either (the one rule, stats.has_interval), and says on how many encounters.
    make_run("run", encounters=2, shifts={"soap": 0.1})
    (board,) = _boards(store, "run").values()
    assert board.winner is None
    assert board.verdict == "Too few encounters to compare templates in en · reference: soap"
    assert board.detail.startswith("n = 2 encounters every template scored: too few for an")
    for claim in ("better by", "cannot be told apart", "highest value", "Before choosing"):
        assert claim not in board.detail
    assert all(r.probability_best is None for r in board.rows)


def test_a_trade_off_checked_on_too_few_encounters_blocks_the_recommendation(
    store: RunStore, make_run: MakeRun
) -> None:
    # soap leads clearly on 40 encounters, but only 2 of its notes have a fact recall: a loss
    # cannot be ruled out on 2, so it is not "not worse", and the card says so with the count.
    make_run("run", shifts={"soap": 0.03})
    kept = 0
    for cell in store.cells("run"):
        if cell.template_label == "soap" and cell.status == "ok":
            kept += 1
            if kept > 2:
                scores = {k: v for k, v in cell.scores.items() if k != "fact_recall"}
                store.put_cell(cell.model_copy(update={"scores": scores}))
    (board,) = _boards(store, "run").values()
    assert board.winner is None
    assert board.verdict.startswith("soap leads ROUGE-Lsum in en")
    assert "only 2 encounters shared with brief have Fact recall: too few" in board.detail


def test_a_template_that_fails_where_another_writes_its_note_is_not_recommended(
    store: RunStore, make_run: MakeRun
) -> None:
    # soap leads clearly on the notes it wrote, but failed on 4 of 40 encounters where brief
    # wrote its note: the metrics are compared on the 36 both scored, which hides the failures;
    # the card must not recommend soap on them, and it says what it would cost.
    make_run("run", shifts={"soap": 0.03})
    assert _boards(store, "run")["en · reference: soap"].winner == "soap"
    failed = 0
    for cell in store.cells("run"):
        if cell.kind == "document" and cell.template_label == "soap" and failed < 4:
            failed += 1
            store.put_cell(cell.model_copy(update={"status": "error", "scores": {}}))
    (board,) = _boards(store, "run").values()
    assert board.winner is None
    assert board.verdict.startswith("soap leads ROUGE-Lsum in en")
    assert "worse than brief on notes written (failed cells count as not written)" in board.detail
    assert "means 90.0 vs 100.0" in board.detail, board.detail
    assert "n = 36 encounters every template scored" in board.detail
    # The same failures in both templates cost nothing: soap is recommended again.
    lost = {c.encounter_id for c in store.cells("run") if c.status == "error"}
    for cell in store.cells("run"):
        if cell.template_label == "brief" and cell.encounter_id in lost:
            store.put_cell(cell.model_copy(update={"status": "error", "scores": {}}))
    (board,) = _boards(store, "run").values()
    assert board.winner == "soap", board.detail
    assert "notes written" in board.detail  # the card names the guard it checked
