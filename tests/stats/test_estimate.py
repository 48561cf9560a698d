"""bootstrap_estimate: known values, edge cases, reproducibility and coverage on simulated data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scribe_eval.errors import ConfigError, MetricError
from scribe_eval.stats import MetricSample, bootstrap_estimate


def _ids(n: int) -> list[str]:
    return [f"enc{i:04d}" for i in range(n)]


def test_interval_brackets_the_value_and_records_its_settings() -> None:
    values = np.linspace(0.2, 0.8, 30)
    estimate = bootstrap_estimate(
        MetricSample.from_values(_ids(30), values), resamples=500, seed=11, confidence=0.9
    )
    assert estimate.value == pytest.approx(0.5)
    assert estimate.low < 0.5 < estimate.high
    # The standard error of a mean of 30 evenly spread values is about 0.032.
    assert 0.03 < estimate.high - estimate.low < 0.15
    assert (estimate.seed, estimate.resamples, estimate.confidence) == (11, 500, 0.9)
    assert (estimate.method, estimate.n, estimate.degenerate) == ("percentile", 30, False)


def test_ratio_replicates_pool_errors_over_words() -> None:
    # Every replicate of a sample whose encounters all have WER 0.1 is exactly 0.1 when pooled.
    sample = MetricSample.from_ratio(_ids(20), np.arange(1, 21), np.arange(1, 21) * 10)
    estimate = bootstrap_estimate(sample, resamples=300)
    assert estimate.value == estimate.low == estimate.high == pytest.approx(0.1)


def test_each_replicate_pools_rather_than_averaging_ratios() -> None:
    # Replicates of {short: 1/1, long: 0/99} are 1.0, 0.01 (half of them) or 0.0 when pooled;
    # averaging per-encounter ratios would give 0.5 for the mixed half instead of 0.01.
    sample = MetricSample.from_ratio(["short", "long"], [1, 0], [1, 99])
    estimate = bootstrap_estimate(sample, resamples=4000, confidence=0.4)
    assert estimate.low == pytest.approx(0.01)
    assert estimate.high == pytest.approx(0.01)


def test_resampling_encounters_keeps_between_encounter_variation() -> None:
    # Ten long encounters alternating WER 0.0 and 0.2: resampling words would give an interval
    # about 0.01 wide; resampling encounters must reflect the spread between encounters (~0.12).
    errors = [0, 200] * 5
    estimate = bootstrap_estimate(MetricSample.from_ratio(_ids(10), errors, [1000] * 10))
    assert estimate.value == pytest.approx(0.1)
    assert 0.08 < estimate.high - estimate.low < 0.2


def test_same_seed_same_result_and_input_order_does_not_matter() -> None:
    rng = np.random.default_rng(5)
    ids, values = _ids(25), rng.random(25)
    first = bootstrap_estimate(MetricSample.from_values(ids, values), seed=3, resamples=400)
    again = bootstrap_estimate(
        MetricSample.from_values(ids[::-1], values[::-1]), seed=3, resamples=400
    )
    other = bootstrap_estimate(MetricSample.from_values(ids, values), seed=4, resamples=400)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)


def test_no_encounters_is_an_error() -> None:
    with pytest.raises(MetricError, match="no encounters"):
        bootstrap_estimate(MetricSample.from_values([], []))


def test_one_encounter_gives_a_flagged_degenerate_interval() -> None:
    estimate = bootstrap_estimate(MetricSample.from_ratio(["only"], [3], [12]))
    assert estimate.degenerate
    assert estimate.value == estimate.low == estimate.high == pytest.approx(0.25)


def test_replicates_with_a_zero_denominator_are_counted_and_left_out() -> None:
    # "empty" has an empty reference: a replicate that draws it twice has no words at all,
    # which happens in about a quarter of the replicates.
    sample = MetricSample.from_ratio(["empty", "full"], [0, 1], [0, 5])
    estimate = bootstrap_estimate(sample, resamples=4000, seed=2)
    assert 800 < estimate.undefined_resamples < 1200
    assert estimate.value == pytest.approx(0.2)
    assert estimate.low == pytest.approx(0.2)
    assert estimate.high == pytest.approx(0.2)


def test_bca_is_recorded_and_shifts_a_skewed_interval() -> None:
    rng = np.random.default_rng(8)
    sample = MetricSample.from_values(_ids(40), rng.exponential(1.0, 40))
    percentile = bootstrap_estimate(sample, resamples=2000, seed=1)
    bca = bootstrap_estimate(sample, resamples=2000, seed=1, method="bca")
    assert bca.method == "bca"
    # For a right-skewed mean BCa moves both bounds up relative to the percentile interval.
    assert bca.low > percentile.low
    assert bca.high > percentile.high


def test_as_dict_is_plain_json() -> None:
    estimate = bootstrap_estimate(MetricSample.from_values(_ids(3), [0.1, 0.2, 0.3]))
    text = json.dumps(estimate.as_dict())
    assert json.loads(text)["seed"] == 0
    assert set(estimate.as_dict()) >= {"value", "low", "high", "seed", "resamples", "method"}


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"confidence": 1.0}, id="confidence"),
        pytest.param({"resamples": 0}, id="resamples"),
        pytest.param({"seed": -1}, id="seed"),
        pytest.param({"method": "basic"}, id="method"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, object]) -> None:
    sample = MetricSample.from_values(_ids(3), [0.1, 0.2, 0.3])
    with pytest.raises(ConfigError):
        bootstrap_estimate(sample, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_coverage_of_a_pooled_ratio_on_simulated_corpora(method: str) -> None:
    # 200 simulated corpora of 40 encounters whose true pooled error rate is 0.1; a 95% interval
    # should cover 0.1 in roughly 95% of them (loose bounds: the bootstrap under-covers a little).
    rng = np.random.default_rng(2024)
    covered = 0
    trials = 200
    for trial in range(trials):
        words = rng.poisson(60, 40) + 1
        rate = rng.beta(2, 18, 40)  # per-encounter rates vary around 0.1
        errors = rng.binomial(words, rate)
        sample = MetricSample.from_ratio(_ids(40), errors, words)
        estimate = bootstrap_estimate(sample, resamples=400, seed=trial, method=method)  # type: ignore[arg-type]
        covered += estimate.low <= 0.1 <= estimate.high
    assert 0.86 <= covered / trials <= 0.99
