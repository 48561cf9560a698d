"""MetricSample: construction, ordering, validation and the ratio-of-sums formula."""

from __future__ import annotations

import numpy as np
import pytest

from scribe_eval.errors import MetricError
from scribe_eval.stats import MetricSample


def test_ratio_of_sums_differs_from_mean_of_ratios() -> None:
    # One error in a one-word reference (WER 1.0) and none in 99 words (WER 0.0):
    # pooled WER is 1/100, the mean of per-encounter WERs would be 0.5.
    sample = MetricSample.from_ratio(["short", "long"], [1, 0], [1, 99])
    assert sample.kind == "ratio"
    assert sample.value == pytest.approx(0.01)
    assert float(np.mean(sample.numerators / sample.denominators)) == pytest.approx(0.5)


def test_mean_sample_has_unit_denominators() -> None:
    sample = MetricSample.from_values(["a", "b", "c"], [0.2, 0.4, 0.9])
    assert sample.kind == "mean"
    assert sample.denominators.tolist() == [1.0, 1.0, 1.0]
    assert sample.value == pytest.approx(0.5)


def test_encounters_are_sorted_with_their_values_and_read_only() -> None:
    sample = MetricSample.from_ratio(["c", "a", "b"], [3, 1, 2], [30, 10, 20])
    assert sample.ids == ("a", "b", "c")
    assert sample.numerators.tolist() == [1, 2, 3]
    assert sample.denominators.tolist() == [10, 20, 30]
    with pytest.raises(ValueError, match="read-only"):
        sample.numerators[0] = 5


def test_subset_keeps_the_rows_of_the_named_encounters() -> None:
    sample = MetricSample.from_ratio(["a", "b", "c"], [1, 2, 3], [10, 20, 30])
    part = sample.subset(["c", "a"])
    assert part.ids == ("a", "c")
    assert part.value == pytest.approx(4 / 40)
    with pytest.raises(MetricError, match="zzz"):
        sample.subset(["a", "zzz"])


@pytest.mark.parametrize(
    ("ids", "num", "den", "message"),
    [
        pytest.param(["a", "a", "b"], [1, 2, 3], [1, 1, 1], "duplicate encounter ids a", id="dup"),
        pytest.param(["a", "b"], [1, 2, 3], [1, 1, 1], "2 ids, 3 numerators", id="lengths"),
        pytest.param(["a", "b"], [1, float("nan")], [1, 1], "non-finite .* b", id="nan"),
        pytest.param(["a", "b"], [1, 1], [1, float("inf")], "non-finite .* b", id="inf"),
        pytest.param(["a", "b"], [1, 1], [-1, 1], "negative denominators .* a", id="negative"),
    ],
)
def test_invalid_rows_are_refused(
    ids: list[str], num: list[float], den: list[float], message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        MetricSample.from_ratio(ids, num, den)


def test_value_of_an_empty_or_zero_denominator_sample_is_an_error() -> None:
    with pytest.raises(MetricError, match="no encounters"):
        _ = MetricSample.from_values([], []).value
    with pytest.raises(MetricError, match="zero denominator sum"):
        _ = MetricSample.from_ratio(["a"], [2], [0]).value
