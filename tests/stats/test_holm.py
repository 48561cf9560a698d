"""Holm's step-down correction against textbook values."""

from __future__ import annotations

import pytest

from scribe_eval.errors import ConfigError
from scribe_eval.stats import MetricSample, compare_paired, holm_adjust, holm_correct


@pytest.mark.parametrize(
    ("raw", "adjusted"),
    [
        # The Holm-Bonferroni example on Wikipedia: four hypotheses at alpha 0.05.
        pytest.param([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02], id="wikipedia"),
        # Monotonicity: a larger raw p never gets a smaller adjusted p.
        pytest.param([0.001, 0.02, 0.021], [0.003, 0.04, 0.04], id="monotone"),
        pytest.param([0.5, 0.9], [1.0, 1.0], id="capped-at-one"),
        pytest.param([0.04], [0.04], id="single"),
        pytest.param([], [], id="empty"),
    ],
)
def test_known_adjusted_values(raw: list[float], adjusted: list[float]) -> None:
    assert holm_adjust(raw) == pytest.approx(tuple(adjusted))


def test_holm_changes_a_borderline_decision() -> None:
    raw = [0.01, 0.04, 0.03, 0.005]
    alpha = 0.05
    assert [p < alpha for p in raw] == [True, True, True, True]
    assert [p < alpha for p in holm_adjust(raw)] == [True, False, False, True]


@pytest.mark.parametrize("bad", [[-0.1], [1.5], [float("nan")]])
def test_p_values_outside_unit_interval_are_refused(bad: list[float]) -> None:
    with pytest.raises(ConfigError, match="p-values must lie in"):
        holm_adjust(bad)


def test_holm_correct_adjusts_the_randomization_p_values_of_comparisons() -> None:
    ids = [f"e{i}" for i in range(12)]
    base = MetricSample.from_values(ids, [0.1 * (i % 5) for i in range(12)])
    shifted = [
        MetricSample.from_values(ids, [0.1 * (i % 5) + shift * (i % 3) for i in range(12)])
        for shift in (0.0, 0.01, 0.05)
    ]
    raw = [compare_paired(base, other, higher_is_better=True, seed=1) for other in shifted]
    corrected = holm_correct(raw, family="metric wer")
    expected = holm_adjust([c.p_permutation for c in raw])
    assert tuple(c.p_adjusted for c in corrected) == pytest.approx(expected)
    assert all(c.adjustment == "holm over 3 comparisons (metric wer)" for c in corrected)
    assert [c.p_permutation for c in corrected] == [c.p_permutation for c in raw]
