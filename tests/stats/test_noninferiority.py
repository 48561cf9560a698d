"""non_inferiority: the gate's decision on planted regressions around the margin."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scribe_eval.errors import ConfigError
from scribe_eval.metrics import fmt_against
from scribe_eval.stats import MetricSample, compare_paired, non_inferiority


def _wer_pair(
    extra_error_rate: float, *, n: int = 80, seed: int = 0
) -> tuple[MetricSample, MetricSample]:
    """Baseline and candidate pooled WER on the same encounters; the candidate adds errors."""
    rng = np.random.default_rng(seed)
    words = rng.integers(80, 300, n)
    base_errors = rng.binomial(words, 0.12)
    extra = rng.binomial(words, extra_error_rate) if extra_error_rate > 0 else 0
    ids = [f"visit-{i}" for i in range(n)]
    return (
        MetricSample.from_ratio(ids, base_errors, words),
        MetricSample.from_ratio(ids, base_errors + extra, words),
    )


def test_identical_runs_pass() -> None:
    base, _ = _wer_pair(0.0)
    decision = non_inferiority(compare_paired(base, base, higher_is_better=False), margin=0.01)
    assert decision.passed
    assert decision.worst_change == 0.0
    assert decision.reason.startswith("pass:")


def test_regression_larger_than_the_margin_fails() -> None:
    base, cand = _wer_pair(0.05)
    c = compare_paired(base, cand, higher_is_better=False, label_a="baseline", label_b="cand")
    decision = non_inferiority(c, margin=0.02, scale=100, unit=" points")
    assert not decision.passed
    assert decision.bound == c.high
    assert decision.worst_change > 0.02
    assert decision.reason.startswith("fail: cand may be up to ")
    assert "beyond the 2.0 points margin" in decision.reason


def test_regression_smaller_than_the_margin_passes() -> None:
    base, cand = _wer_pair(0.003)
    c = compare_paired(base, cand, higher_is_better=False)
    assert c.significant()  # a real but small regression ...
    decision = non_inferiority(c, margin=0.02)
    assert decision.passed  # ... that the margin tolerates
    assert 0.0 < decision.worst_change < 0.02
    assert "worse than A (95% interval), within the 0.02 margin" in decision.reason


def test_higher_is_better_uses_the_lower_bound() -> None:
    ids = [f"e{i}" for i in range(40)]
    rng = np.random.default_rng(1)
    base = rng.uniform(0.4, 0.6, 40)
    c = compare_paired(
        MetricSample.from_values(ids, base),
        MetricSample.from_values(ids, base - 0.04 + rng.normal(0, 0.01, 40)),
        higher_is_better=True,
    )
    decision = non_inferiority(c, margin=0.02)
    assert decision.bound == c.low
    assert decision.worst_change == pytest.approx(-c.low)
    assert not decision.passed


def test_shifted_seeds_agree_on_a_clear_regression() -> None:
    base, cand = _wer_pair(0.05)
    decisions = {
        non_inferiority(
            compare_paired(base, cand, higher_is_better=False, seed=seed), margin=0.02
        ).passed
        for seed in (0, 1, 99)
    }
    assert decisions == {False}


def test_negative_margin_is_a_config_error() -> None:
    base, _ = _wer_pair(0.0, n=5)
    with pytest.raises(ConfigError, match="margin must be >= 0"):
        non_inferiority(compare_paired(base, base, higher_is_better=False), margin=-0.1)


def test_a_family_adjusted_level_is_named_as_it_is() -> None:
    base, cand = _wer_pair(0.05)
    c = compare_paired(base, cand, higher_is_better=False, confidence=0.975)
    decision = non_inferiority(c, margin=0.02, scale=100, unit=" points")
    assert "(97.5% interval)" in decision.reason


@pytest.mark.parametrize(
    ("worst", "margin", "amount", "limit"),
    [
        pytest.param(0.02004, 0.02, "2.004", "2.0", id="just-beyond"),
        pytest.param(0.019996, 0.02, "1.9996", "2.0", id="just-within"),
        pytest.param(0.02004, 0.02005, "2.004", "2.005", id="margin-off-the-grid"),
        pytest.param(0.02004, 0.02001, "2.004", "2.001", id="beyond-an-off-grid-margin"),
        pytest.param(0.0304, 0.02, "3.0", "2.0", id="no-tie"),
    ],
)
def test_a_worst_change_that_rounds_to_the_margin_is_said_precisely(
    worst: float, margin: float, amount: str, limit: str
) -> None:
    # Shown to one decimal, 2.004 and 1.9996 points both read "2.0": "2.0 worse ... beyond the
    # 2.0 margin" contradicted itself. The gate prints the pair with the catalogue's one tie
    # rule (fmt_against), so the printed amount and margin are ordered as the decision was.
    base, cand = _wer_pair(0.0)
    c = compare_paired(base, cand, higher_is_better=False, label_a="A", label_b="B")
    c = dataclasses.replace(c, high=worst, low=-0.01)
    decision = non_inferiority(c, margin=margin, scale=100, unit=" points", show=fmt_against)
    assert decision.passed is (worst <= margin)
    assert f" {amount} points worse" in decision.reason, decision.reason
    assert f" {limit} points margin" in decision.reason, decision.reason
    assert (float(amount) <= float(limit)) is decision.passed
