"""compare_paired and verdict on constructed systems whose true difference is known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scribe_eval.errors import MetricError
from scribe_eval.stats import MetricSample, compare_paired, minimum_detectable_effect, verdict


def _ids(n: int) -> list[str]:
    return [f"enc{i:04d}" for i in range(n)]


def _pair(
    shift: float, *, n: int = 50, noise: float = 0.02, seed: int = 0
) -> tuple[MetricSample, MetricSample]:
    """A ROUGE-like system A and a system B = A + shift + noise on the same encounters."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.3, 0.7, n)
    b = a + shift + rng.normal(0.0, noise, n)
    return MetricSample.from_values(_ids(n), a), MetricSample.from_values(_ids(n), b)


def test_identical_systems_cover_zero_and_have_large_p() -> None:
    a, _ = _pair(0.0)
    c = compare_paired(a, a, higher_is_better=True)
    assert c.identical
    assert c.difference == 0.0
    assert c.low <= 0.0 <= c.high
    assert c.p_permutation == 1.0
    assert c.p_bootstrap == 1.0
    assert c.change == "same"
    assert not c.significant()
    assert verdict(c) == "identical on all 50 encounters"


def test_noisy_systems_without_true_difference_are_not_significant() -> None:
    a, b = _pair(0.0, noise=0.05, seed=3)
    c = compare_paired(a, b, higher_is_better=True, seed=1)
    assert c.low <= 0.0 <= c.high
    assert c.p_permutation > 0.05
    assert c.mde is not None
    assert 0.0 < c.mde < 0.1
    text = verdict(c, scale=100, unit=" points")
    assert text.startswith("no detectable difference (could not detect < ")
    assert f"{c.mde * 100:.2g} points" in text
    assert "equal" not in text


def test_planted_improvement_is_found_with_the_right_sign() -> None:
    a, b = _pair(0.05)
    c = compare_paired(a, b, higher_is_better=True, label_a="old", label_b="new")
    assert c.difference == pytest.approx(0.05, abs=0.01)
    assert 0.0 < c.low < 0.05 < c.high
    assert c.p_permutation < 0.01
    assert c.p_bootstrap < 0.01
    assert c.change == "better"
    assert verdict(c).startswith("new better than old by 0.05")


def test_lower_is_better_makes_a_higher_value_worse() -> None:
    a, b = _pair(0.05)
    c = compare_paired(a, b, higher_is_better=False)
    assert c.change == "worse"
    assert c.significant()
    assert verdict(c).startswith("B worse than A")


def test_a_shifted_seed_gives_the_same_decision_on_clear_cases() -> None:
    clear_gain = _pair(0.05)
    no_change = _pair(0.0, noise=0.05, seed=3)
    for seed in (0, 1, 12345):
        assert compare_paired(*clear_gain, higher_is_better=True, seed=seed).significant()
        assert not compare_paired(*no_change, higher_is_better=True, seed=seed).significant()


def test_paired_interval_is_tighter_than_independent_intervals() -> None:
    # Encounter difficulty varies a lot but B tracks A closely: pairing removes that variance.
    a, b = _pair(0.01, n=40, noise=0.005)
    c = compare_paired(a, b, higher_is_better=True)
    assert c.high - c.low < 0.01
    assert c.low > 0.0


def test_pooled_ratio_difference_is_a_difference_of_pooled_ratios() -> None:
    ids = ["a", "b", "c"]
    base = MetricSample.from_ratio(ids, [1, 2, 3], [10, 10, 10])
    cand = MetricSample.from_ratio(ids, [1, 2, 9], [10, 10, 10])
    c = compare_paired(base, cand, higher_is_better=False)
    assert (c.value_a, c.value_b) == pytest.approx((0.2, 0.4))
    assert c.difference == pytest.approx(0.2)
    assert c.kind == "ratio"


def test_mismatched_encounters_are_an_error_naming_the_ids() -> None:
    a = MetricSample.from_values(["e1", "e2", "e3"], [0.1, 0.2, 0.3])
    b = MetricSample.from_values(["e2", "e3", "e4"], [0.1, 0.2, 0.3])
    with pytest.raises(MetricError, match=r"missing from cand: e1; missing from base: e4"):
        compare_paired(a, b, higher_is_better=True, label_a="base", label_b="cand")


def test_one_encounter_is_degenerate_and_never_significant() -> None:
    a = MetricSample.from_values(["x"], [0.1])
    b = MetricSample.from_values(["x"], [0.9])
    c = compare_paired(a, b, higher_is_better=True)
    assert c.degenerate
    assert c.mde is None
    assert not c.significant()
    assert verdict(c) == "too few encounters to compare (n=1)"


def test_mde_follows_the_normal_formula() -> None:
    assert minimum_detectable_effect(1.0) == pytest.approx(1.959964 + 0.841621, abs=1e-5)
    assert minimum_detectable_effect(0.01, alpha=0.01, power=0.9) == pytest.approx(
        (2.575829 + 1.281552) * 0.01, abs=1e-7
    )
    a, b = _pair(0.0, noise=0.05, seed=3)
    c = compare_paired(a, b, higher_is_better=True)
    assert c.mde == pytest.approx(minimum_detectable_effect(c.se))
    assert "2.80 x SE" in c.mde_method


def test_randomization_p_is_calibrated_under_the_null() -> None:
    # A and B are exchangeable draws per encounter: rejections at 0.05 should be about 5%.
    rng = np.random.default_rng(77)
    rejections = 0
    trials = 150
    for trial in range(trials):
        base = rng.uniform(0.3, 0.7, 30)
        a = MetricSample.from_values(_ids(30), base + rng.normal(0, 0.05, 30))
        b = MetricSample.from_values(_ids(30), base + rng.normal(0, 0.05, 30))
        c = compare_paired(a, b, higher_is_better=True, resamples=50, permutations=300, seed=trial)
        rejections += c.p_permutation < 0.05
    assert rejections / trials < 0.12


def test_as_dict_is_plain_json_with_the_change() -> None:
    c = compare_paired(*_pair(0.05), higher_is_better=True)
    data = json.loads(json.dumps(c.as_dict()))
    assert data["change"] == "better"
    assert data["seed"] == 0
    assert data["permutations"] == 2000


def test_few_encounters_get_an_exact_randomization_test() -> None:
    # Four encounters, B always better: of the 16 swap patterns only "none swapped" and
    # "all swapped" reach |B - A|, so the exact two-sided p is 2/16 whatever the seed.
    ids = ["w", "x", "y", "z"]
    a = MetricSample.from_values(ids, [0.1, 0.2, 0.3, 0.4])
    b = MetricSample.from_values(ids, [0.6, 0.7, 0.8, 0.9])
    for seed in (0, 5):
        c = compare_paired(a, b, higher_is_better=True, seed=seed)
        assert c.permutation_exact
        assert c.permutations == 16
        assert c.p_permutation == pytest.approx(2 / 16)
        assert not c.significant()  # four encounters cannot support a difference at 0.05
    many = compare_paired(*_pair(0.05), higher_is_better=True, permutations=500)
    assert not many.permutation_exact
    assert many.permutations == 500


def test_the_interval_p_value_agrees_with_its_own_interval_at_every_level() -> None:
    """An interval that excludes zero never sits next to a p-value above its level."""
    from scribe_eval.stats._resample import interval, percentile_p

    rng = np.random.default_rng(5)
    for trial in range(600):
        reps = rng.normal(rng.normal(0, 1.5), 1, size=int(rng.integers(10, 300)))
        if trial % 5 == 0:
            reps = np.round(reps, 1)  # ties at zero
        p = percentile_p(reps)
        for alpha in (0.1, 0.05, 0.025, 0.0125, 0.01):
            low, high, _ = interval(reps, 0.0, None, confidence=1 - alpha, method="percentile")
            if abs(p - alpha) > 1e-12:
                assert (low > 0 or high < 0) == (p < alpha), (trial, alpha, p, low, high)
