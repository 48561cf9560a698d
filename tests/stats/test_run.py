"""analyze_run: cells, Holm-corrected template comparisons and the best template per language."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scribe_eval.errors import MetricError
from scribe_eval.stats import (
    MetricSample,
    analyze_run,
    bootstrap_estimate,
    compare_paired,
    holm_adjust,
)

IDS = [f"enc{i:03d}" for i in range(60)]


def _cells(
    shifts: dict[str, float], *, languages: tuple[str, ...] = ("en", "de"), noise: float = 0.02
) -> dict[tuple[str, str], MetricSample]:
    """ROUGE-like cells: each template is a shared per-encounter difficulty plus its shift."""
    rng = np.random.default_rng(42)
    cells = {}
    for language in languages:
        base = rng.uniform(0.3, 0.6, len(IDS))
        for template, shift in shifts.items():
            values = base + shift + rng.normal(0.0, noise, len(IDS))
            cells[(template, language)] = MetricSample.from_values(IDS, values)
    return cells


def test_every_number_equals_the_standalone_functions() -> None:
    cells = _cells({"a": 0.0, "b": 0.01, "c": 0.05})
    run = analyze_run(cells, metric="rougeL_f", higher_is_better=True, resamples=500, seed=9)
    assert len(run.cells) == 6
    assert len(run.comparisons) == 6  # three pairs in each of two languages
    # Equal up to rounding: the run sums all templates in one matrix product.
    cell = run.cell("b", "de")
    alone_cell = bootstrap_estimate(cells[("b", "de")], resamples=500, seed=9)
    assert (cell.value, cell.low, cell.high) == pytest.approx(
        (alone_cell.value, alone_cell.low, alone_cell.high), rel=1e-12
    )
    alone = compare_paired(
        cells[("a", "en")],
        cells[("c", "en")],
        higher_is_better=True,
        label_a="a",
        label_b="c",
        resamples=500,
        seed=9,
    )
    inside = run.comparison("en", "c", "a")
    assert (inside.low, inside.high, inside.p_permutation) == pytest.approx(
        (alone.low, alone.high, alone.p_permutation), rel=1e-12
    )


def test_holm_runs_within_each_language() -> None:
    run = analyze_run(_cells({"a": 0.0, "b": 0.004, "c": 0.008}), metric="m", higher_is_better=True)
    for language in ("en", "de"):
        family = [t.comparison for t in run.comparisons if t.language == language]
        assert len(family) == 3
        expected = holm_adjust([c.p_permutation for c in family])
        assert tuple(c.p_adjusted for c in family) == pytest.approx(expected)
        assert any(c.p_adjusted > c.p_permutation for c in family)
        assert all(
            "holm over 3 comparisons (template pairs in language " + language in c.adjustment
            for c in family
        )


def test_a_clearly_better_template_is_a_clear_winner() -> None:
    run = analyze_run(_cells({"a": 0.0, "b": 0.0, "c": 0.08}), metric="m", higher_is_better=True)
    for best in run.best:
        assert best.template == "c"
        assert best.clear_winner
        assert best.tied == ("c",)
        assert best.probability_best > 0.99
        assert best.statement.startswith("c is best in ")


def test_a_winner_needs_its_own_tests_to_reject_not_the_all_pairs_holm() -> None:
    # Z beats each of three templates on all 11 encounters but one: exact randomization p
    # 0.0117 each. Holm over all 6 pairs (the pairwise table's p_adjusted) lifts those to
    # 0.0703, but "better than every other" needs each of Z's 3 tests to reject: an
    # intersection-union test, at alpha each with no adjustment.
    ids = [f"e{i:02d}" for i in range(11)]
    base = np.linspace(0.35, 0.45, 11)
    sign = np.ones(11)
    sign[0] = -1.5
    rng = np.random.default_rng(7)
    cells = {("Z", "en"): MetricSample.from_values(ids, base + 0.01 * sign)}
    for template in ("A", "B", "C"):
        cells[(template, "en")] = MetricSample.from_values(ids, base + rng.normal(0, 0.0005, 11))
    run = analyze_run(cells, metric="m", higher_is_better=True, permutations=4096)
    (best,) = run.best
    assert best.template == "Z"
    assert best.clear_winner
    assert best.tied == ("Z",)
    assert best.statement.startswith("Z is best in en: significantly better than all 3 others")
    for other in ("A", "B", "C"):
        c = run.comparison("en", "Z", other)
        assert c.permutation_exact
        assert c.p_permutation == pytest.approx(24 / 2048)
        assert c.p_adjusted > 0.05  # the table's Holm, which the call does not use


def test_templates_that_cannot_be_told_apart_are_a_tied_set() -> None:
    run = analyze_run(
        _cells({"a": 0.0, "b": 0.002, "c": 0.1}, noise=0.05), metric="wer", higher_is_better=False
    )
    for best in run.best:
        assert best.template in ("a", "b")
        assert not best.clear_winner
        assert set(best.tied) == {"a", "b"}
        assert best.statement.startswith("no clear winner in ")
        probabilities = dict(best.probabilities)
        assert probabilities["c"] == 0.0
        assert sum(probabilities.values()) == pytest.approx(1.0)
        assert 0.5 <= best.probability_best < 0.99


def test_identical_templates_are_not_significant() -> None:
    cells = _cells({"a": 0.0})
    cells.update({("b", lang): cells[("a", lang)] for lang in ("en", "de")})
    run = analyze_run(cells, metric="m", higher_is_better=True, resamples=300)
    for item in run.comparisons:
        assert item.comparison.identical
        assert item.comparison.p_adjusted == 1.0
    assert all(not best.clear_winner for best in run.best)


def test_mismatched_encounters_are_an_error_unless_intersected() -> None:
    cells = _cells({"a": 0.0, "b": 0.05}, languages=("en",))
    cells[("b", "en")] = cells[("b", "en")].subset(IDS[2:])
    with pytest.raises(MetricError, match="b lacks enc000, enc001"):
        analyze_run(cells, metric="m", higher_is_better=True)
    run = analyze_run(cells, metric="m", higher_is_better=True, mismatched="intersect")
    assert run.comparison("en", "a", "b").n == len(IDS) - 2
    assert run.cell("a", "en").n == len(IDS)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        pytest.param({}, "needs cells of one kind", id="no-cells"),
        pytest.param(
            {("a", "en"): MetricSample.from_values([], [])}, "has no encounters", id="empty-cell"
        ),
        pytest.param(
            {
                ("a", "en"): MetricSample.from_values(["x"], [1.0]),
                ("b", "en"): MetricSample.from_ratio(["x"], [1.0], [2.0]),
            },
            "one kind",
            id="mixed-kinds",
        ),
    ],
)
def test_unusable_inputs_are_metric_errors(
    cells: dict[tuple[str, str], MetricSample], message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        analyze_run(cells, metric="m", higher_is_better=True)


def test_as_dict_is_plain_json() -> None:
    run = analyze_run(
        _cells({"a": 0.0, "b": 0.05}), metric="m", higher_is_better=True, resamples=200
    )
    data = json.loads(json.dumps(run.as_dict()))
    assert data["seed"] == 0
    assert {c["template"] for c in data["cells"]} == {"a", "b"}
    assert set(data["best"][0]["probabilities"]) == {"a", "b"}
    assert data["comparisons"][0]["adjustment"].startswith("holm over 1 comparisons")


def test_a_single_template_is_the_only_one() -> None:
    run = analyze_run(_cells({"solo": 0.0}, languages=("en",)), metric="m", higher_is_better=True)
    assert run.comparisons == ()
    assert run.best[0].template == "solo"
    assert run.best[0].probability_best == 1.0
    assert run.best[0].statement == "solo is the only template in en"


@pytest.mark.parametrize("n", [1, 2])
def test_too_few_encounters_for_an_interval_name_no_winner(n: int) -> None:
    # The one rule of every page (stats.has_interval): below it no template is told apart from
    # another, however large the lead and however lenient the level.
    ids = IDS[:n]
    cells = {
        ("a", "en"): MetricSample.from_values(ids, [0.3 + 0.01 * i for i in range(n)]),
        ("b", "en"): MetricSample.from_values(ids, [0.9 + 0.01 * i for i in range(n)]),
    }
    for confidence in (0.95, 0.6):
        run = analyze_run(cells, metric="m", higher_is_better=True, confidence=confidence)
        (best,) = run.best
        assert best.template == "b"
        assert not best.clear_winner
        assert set(best.tied) == {"a", "b"}
        assert best.statement.startswith(f"too few encounters in en to tell templates apart: {n}")
