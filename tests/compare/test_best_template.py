"""Which template is best: a recommendation a clinician would sign, or the reason there is none."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scribe_eval.compare import load_run_data, samples
from scribe_eval.metrics import fmt_points
from scribe_eval.report._leaderboard import (
    Leaderboard,
    _least_separated,
    _why_not_separated,
    note_leaderboards,
)
from scribe_eval.report._metrics import HEADLINE
from scribe_eval.stats import MetricSample, analyze_run
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


def test_a_lead_over_every_other_is_called_on_the_leaders_own_tests(
    store: RunStore, make_run: MakeRun
) -> None:
    # soap beats each of three others at alpha 0.05, but Holm over all six pairs (the pairwise
    # table's p_adjusted) would not reject soap against b. "Better than every other" needs
    # each of soap's three tests to reject, an intersection-union test: no adjustment.
    make_run("run", templates=("soap", "brief", "a", "b"), shifts={"soap": 0.0015})
    data = load_run_data(store, store.get_run("run"))
    (board,) = note_leaderboards(data)
    by_template = samples(data, HEADLINE, by=["template"], where=board.where)
    run = analyze_run(
        {(key[0][1], "board"): s for key, s in by_template.items()}, metric=HEADLINE.key,
        higher_is_better=True, seed=data.seed, resamples=data.resamples,
        permutations=data.resamples,
    )  # fmt: skip
    leaders = [run.comparison("board", "soap", other) for other in ("brief", "a", "b")]
    assert all(c.p_permutation < 0.05 for c in leaders)
    assert any(c.p_adjusted > 0.05 for c in leaders)
    assert board.verdict.startswith("No practical difference")
    assert "soap leads by 0.1 points, significantly" in board.detail


def test_no_clear_winner_names_the_comparison_that_stopped_it() -> None:
    # Z beats B, its closest rival, on every encounter (p 0.002), but not A, further behind
    # with far noisier values: the card explains A, never calls the lead over B not significant.
    ids = [f"e{i:02d}" for i in range(20)]
    base = np.linspace(0.35, 0.55, 20)
    rng = np.random.default_rng(3)
    cells = {
        ("Z", "board"): MetricSample.from_values(ids, base + 0.02),
        ("B", "board"): MetricSample.from_values(ids, base + 0.01 + rng.normal(0, 0.001, 20)),
        ("A", "board"): MetricSample.from_values(ids, base - 0.01 + rng.normal(0, 0.1, 20)),
    }
    run = analyze_run(cells, metric="m", higher_is_better=True, resamples=500, permutations=500)
    assert run.best[0].tied == ("Z", "A")
    assert run.comparison("board", "Z", "B").p_permutation < 0.05
    blocking = _least_separated(run, "Z")
    assert blocking is not None
    assert {blocking.label_a, blocking.label_b} == {"Z", "A"}
    assert "Z leads A by 2.5" in _why_not_separated(blocking, "Z")


def test_templates_that_tie_exactly_share_the_highest_value(
    store: RunStore, make_run: MakeRun
) -> None:
    """Two templates with the same notes (one stored key under two labels): neither "has the
    highest value"; the card named the first by name, which a reader took for a leader."""
    make_run("run")
    soap = {c.encounter_id: c.scores for c in store.cells("run") if c.template_label == "soap"}
    for cell in store.cells("run"):
        if cell.template_label == "brief" and cell.status == "ok":
            store.put_cell(cell.model_copy(update={"scores": soap[cell.encounter_id]}))
    (board,) = _boards(store, "run").values()
    assert board.winner is None
    assert "has the highest value" not in board.detail, board.detail
    assert "brief and soap share the highest value" in board.detail, board.detail
