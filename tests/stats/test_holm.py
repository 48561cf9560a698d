"""Holm's step-down correction against textbook values."""

from __future__ import annotations

import pytest

from scribe_eval.errors import ConfigError
from scribe_eval.stats import holm_adjust


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
