"""The vectorised machinery under every estimate: seeded draws, replicates, interval bounds.

All random draws come from ``numpy.random.Generator(PCG64(seed))`` in a fixed order (the
bootstrap index matrix first, then the permutation swap matrix), so any result can be reproduced
from its recorded seed, and a within-run analysis reproduces the standalone functions exactly.

A bootstrap draw is a ``(B, n)`` matrix of encounter indices; it is turned into a ``(B, n)``
matrix of counts (how often each encounter appears in each replicate) so that the replicate
sums of every system at once are one matrix product: ``counts @ numerators``.
"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist
from typing import Any, Literal

import numpy as np

from scribe_eval.errors import ConfigError
from scribe_eval.stats._sample import FloatArray

IntervalMethod = Literal["percentile", "bca"]

_NORMAL = NormalDist()


def make_generator(seed: int) -> np.random.Generator:
    """The one random source: ``Generator(PCG64(seed))``."""
    return np.random.Generator(np.random.PCG64(seed))


def check_options(
    *, confidence: float, resamples: int, seed: int, method: str, permutations: int = 1
) -> None:
    """Raise `ConfigError` for options no estimate can use."""
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    if resamples < 1 or permutations < 1:
        raise ConfigError(
            f"resamples and permutations must be at least 1 (2000 is usual), "
            f"got {resamples} and {permutations}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    if method not in ("percentile", "bca"):
        raise ConfigError(f"unknown interval method {method!r}; use 'percentile' or 'bca'")


#: Index draws turned into counts at a time: the ``(resamples, n)`` index matrix is drawn in
#: blocks of rows, so that its temporaries stay a few MB (whole, at 2,500 encounters and 2,000
#: resamples, they were four 40 MB matrices at once).
_DRAW_BLOCK = 1 << 18


def resample_counts(rng: np.random.Generator, n: int, resamples: int) -> FloatArray:
    """Draw a ``(resamples, n)`` index matrix and return how often each encounter was drawn.

    The rows are drawn block by block from the one generator, in order, which yields exactly the
    matrix one draw of the whole would (the stream is consumed element by element).
    """
    counts = np.empty((resamples, n), dtype=np.float64)
    rows = max(1, _DRAW_BLOCK // max(n, 1))
    for start in range(0, resamples, rows):
        block = min(rows, resamples - start)
        indices = rng.integers(0, n, size=(block, n))
        indices += (np.arange(block) * n)[:, None]
        drawn = np.bincount(indices.ravel(), minlength=block * n)
        counts[start : start + block] = drawn.reshape(block, n)
    return counts


def swap_matrix(rng: np.random.Generator, n: int, permutations: int) -> FloatArray:
    """A ``(R, n)`` 0/1 matrix: 1 swaps the two systems' values on that encounter.

    When all ``2**n`` swap patterns fit in ``permutations`` they are enumerated (an exact
    randomization test, ``R = 2**n``); otherwise ``R = permutations`` random patterns are drawn.
    """
    if 1 << n <= permutations:
        patterns = np.arange(1 << n)[:, None] >> np.arange(n)[None, :]
        return (patterns & 1).astype(np.float64)
    swaps = np.empty((permutations, n), dtype=np.float64)
    rows = max(1, _DRAW_BLOCK // n)
    for start in range(0, permutations, rows):  # in blocks, as `resample_counts` draws
        block = min(rows, permutations - start)
        swaps[start : start + block] = rng.integers(0, 2, size=(block, n))
    return swaps


def is_exact(n: int, patterns: int) -> bool:
    """Whether ``patterns`` swap rows are the complete enumeration for ``n`` encounters."""
    return patterns == 1 << n


def safe_ratio(numerators: FloatArray, denominators: FloatArray) -> FloatArray:
    """Element-wise ratio with NaN where the denominator is zero."""
    out = np.full(np.broadcast(numerators, denominators).shape, np.nan)
    np.divide(numerators, denominators, out=out, where=denominators != 0)
    return out


def replicates(counts: FloatArray, num: FloatArray, den: FloatArray) -> FloatArray:
    """Corpus value of every system in every replicate: ``(B, T)``, NaN for a zero denominator."""
    return safe_ratio(counts @ num, counts @ den)


def jackknife(num: FloatArray, den: FloatArray) -> FloatArray:
    """Leave-one-encounter-out corpus values, ``(n, T)`` (for the BCa acceleration)."""
    return safe_ratio(num.sum(axis=0) - num, den.sum(axis=0) - den)


def interval(
    reps: FloatArray,
    theta: float,
    jack: FloatArray | None,
    *,
    confidence: float,
    method: IntervalMethod,
) -> tuple[float, float, str]:
    """Two-sided bounds from one column of replicates (NaNs dropped) and the method used."""
    valid = reps[~np.isnan(reps)]
    if valid.size == 0:
        return math.nan, math.nan, method
    alpha = 1.0 - confidence
    levels = [alpha / 2.0, 1.0 - alpha / 2.0]
    used = "percentile"
    if method == "bca" and jack is not None:
        adjusted = _bca_levels(valid, theta, jack[~np.isnan(jack)], levels)
        if adjusted is not None:
            levels, used = adjusted, "bca"
    low, high = np.quantile(valid, levels)
    return float(low), float(high), used


def percentile_p(reps: FloatArray) -> float:
    """The two-sided p-value that inverts the percentile interval exactly.

    The percentile interval at level ``1 - a`` (``np.quantile``, linear interpolation) excludes
    zero exactly when this p is below ``a``: it is twice the quantile level at which the
    replicates cross zero. An interval and a p-value from it can never disagree.
    """
    valid = np.sort(reps[~np.isnan(reps)])
    n = valid.size
    if n == 0:
        return 1.0
    if n == 1 or valid[0] == valid[-1]:
        return 1.0 if valid[0] == 0 else 0.0
    if valid[0] > 0 or valid[-1] < 0:
        return 0.0  # zero lies beyond every replicate: no interval below level 1 reaches it
    below = int(np.searchsorted(valid, 0.0, side="left"))
    above = int(np.searchsorted(valid, 0.0, side="right"))
    if above > below:
        # Zero is a replicate: a bound equal to zero does not exclude it, so the lower bound
        # clears zero only past the last zero, the upper bound only before the first.
        return float(min(1.0, 2.0 * min((above - 1) / (n - 1), 1.0 - below / (n - 1))))
    i = below - 1
    q = (i + (0.0 - valid[i]) / (valid[i + 1] - valid[i])) / (n - 1)
    return float(min(1.0, 2.0 * min(q, 1.0 - q)))


def _bca_levels(
    valid: FloatArray, theta: float, jack: FloatArray, levels: list[float]
) -> list[float] | None:
    """BCa-adjusted quantile levels, or None when the bias correction is undefined."""
    below = (np.count_nonzero(valid < theta) + 0.5 * np.count_nonzero(valid == theta)) / valid.size
    if not 0.0 < below < 1.0 or jack.size < 2:
        return None
    z0 = _NORMAL.inv_cdf(below)
    spread = jack.mean() - jack
    squares = float(np.sum(spread**2))
    accel = float(np.sum(spread**3)) / (6.0 * squares**1.5) if squares > 0 else 0.0
    out = []
    for level in levels:
        z = z0 + _NORMAL.inv_cdf(level)
        out.append(_NORMAL.cdf(z0 + z / (1.0 - accel * z)))
    return out


def normal_quantile(p: float) -> float:
    """The standard normal quantile ``z_p``."""
    return _NORMAL.inv_cdf(p)


def json_float(value: float | None) -> float | None:
    """A plain JSON number: NaN and infinities become None."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def to_plain(value: Any) -> Any:
    """A result as plain JSON types: dataclasses to dicts, tuples to lists, NaN/inf to None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, bool | str | int | np.bool_) or value is None:
        return value.item() if isinstance(value, np.bool_) else value
    if isinstance(value, float | np.floating):
        return json_float(float(value))
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"cannot turn {type(value).__name__} into JSON")
