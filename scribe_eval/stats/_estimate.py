"""A corpus metric with its bootstrap interval, resampling encounters (never words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scribe_eval.stats._resample import (
    IntervalMethod,
    check_options,
    interval,
    jackknife,
    make_generator,
    replicates,
    resample_counts,
    to_plain,
)
from scribe_eval.stats._sample import FloatArray, MetricKind, MetricSample, require_estimable

#: Fewer encounters than this give no interval anywhere a number is shown (leaderboards, chips,
#: slices, the trend in the CLI and the report) and no chance of being best: one encounter has no
#: spread, and a bootstrap over two draws only three distinct means, no honest 95% interval.
MIN_ENCOUNTERS_FOR_INTERVAL = 3


def has_interval(n: int) -> bool:
    """Whether ``n`` encounters are enough to show a 95% interval (the one rule for every page)."""
    return n >= MIN_ENCOUNTERS_FOR_INTERVAL


@dataclass(frozen=True)
class Estimate:
    """A corpus value and its bootstrap interval, with everything needed to reproduce it.

    ``degenerate`` is True when fewer than two encounters make the interval a single point
    (no uncertainty can be measured). ``undefined_resamples`` counts replicates whose
    denominator summed to zero; they are left out of the interval.
    """

    value: float
    low: float
    high: float
    n: int
    kind: MetricKind
    confidence: float
    method: str
    resamples: int
    seed: int
    degenerate: bool
    undefined_resamples: int

    @property
    def shown_interval(self) -> tuple[float | None, float | None]:
        """``(low, high)`` as every page shows it: ``(None, None)`` for too few encounters."""
        return (self.low, self.high) if has_interval(self.n) else (None, None)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN and infinity become None)."""
        out: dict[str, Any] = to_plain(self)
        return out


def bootstrap_estimate(
    sample: MetricSample,
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    method: IntervalMethod = "percentile",
) -> Estimate:
    """The corpus value of ``sample`` with a bootstrap interval over encounters.

    Each replicate draws ``n`` encounters with replacement and recomputes
    ``sum(numerators) / sum(denominators)``; the interval is the percentile (or BCa) interval of
    the replicates. Raises `MetricError` for an empty sample or a zero denominator sum.
    """
    check_options(confidence=confidence, resamples=resamples, seed=seed, method=method)
    require_estimable(sample, "the sample")
    counts = resample_counts(make_generator(seed), sample.n, resamples)
    num = sample.numerators[:, None]
    den = sample.denominators[:, None]
    return estimates_from_counts(
        num, den, counts, kind=sample.kind, confidence=confidence, method=method, seed=seed
    )[0]


def estimates_from_counts(
    num: FloatArray,
    den: FloatArray,
    counts: FloatArray,
    *,
    kind: MetricKind,
    confidence: float,
    method: IntervalMethod,
    seed: int,
) -> list[Estimate]:
    """One `Estimate` per column of ``num``/``den`` ``(n, T)`` from a shared count matrix."""
    n = num.shape[0]
    values = num.sum(axis=0) / den.sum(axis=0)
    reps = replicates(counts, num, den)
    jack = jackknife(num, den) if method == "bca" and n > 1 else None
    out = []
    for column, value in enumerate(values):
        if n < 2:
            low = high = float(value)
            used: str = method
        else:
            column_jack = None if jack is None else jack[:, column]
            low, high, used = interval(
                reps[:, column], float(value), column_jack, confidence=confidence, method=method
            )
        out.append(
            Estimate(
                value=float(value),
                low=low,
                high=high,
                n=n,
                kind=kind,
                confidence=confidence,
                method=used,
                resamples=counts.shape[0],
                seed=seed,
                degenerate=n < 2,
                undefined_resamples=int(np.count_nonzero(np.isnan(reps[:, column]))),
            )
        )
    return out
