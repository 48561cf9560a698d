"""Paired comparison of two systems scored on the same encounters (B minus A).

Two tests of "no difference" are reported. The paired bootstrap resamples encounters once and
recomputes both systems' corpus values on the same replicate, which gives the interval of the
difference and a p-value from where zero falls in it. Approximate randomization swaps the two
systems' values encounter by encounter (exchangeable under the null of no difference) and asks
how often a swapped difference is at least as large as the observed one. The randomization
p-value is the one decisions and Holm corrections use: it keeps its level on small samples, where
the percentile bootstrap is known to be too eager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from scribe_eval.errors import ConfigError
from scribe_eval.stats._resample import (
    IntervalMethod,
    check_options,
    interval,
    is_exact,
    jackknife,
    make_generator,
    normal_quantile,
    percentile_p,
    replicates,
    resample_counts,
    safe_ratio,
    swap_matrix,
    to_plain,
)
from scribe_eval.stats._sample import (
    FloatArray,
    MetricKind,
    MetricSample,
    require_estimable,
    require_same_encounters,
)

Change = Literal["better", "worse", "same"]

# Randomized statistics are compared with a tolerance: a swap that reproduces the observed
# difference must count as "at least as large" despite rounding in a different summation order.
_TIE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class PairedComparison:
    """System B against system A on the same encounters; ``difference`` is B − A.

    ``low``/``high`` bound the difference (paired bootstrap); ``p_interval`` inverts that
    interval exactly (below ``1 - confidence`` exactly when the interval excludes zero; percentile
    intervals, else ``p_bootstrap``). ``p_permutation`` is the
    approximate-randomization p-value, ``p_adjusted`` the same after any multiple-comparison
    correction named in ``adjustment`` (equal to ``p_permutation`` when ``adjustment`` is
    ``"none"``). ``mde`` is the smallest difference this sample would detect at ``power``, None
    when fewer than two encounters leave nothing to estimate it from. With few encounters
    every swap pattern is enumerated (``permutation_exact``; ``permutations`` is then ``2**n``).
    """

    label_a: str
    label_b: str
    kind: MetricKind
    higher_is_better: bool
    n: int
    value_a: float
    value_b: float
    difference: float
    low: float
    high: float
    p_bootstrap: float
    p_interval: float
    p_permutation: float
    p_adjusted: float
    adjustment: str
    permutation_exact: bool
    se: float
    mde: float | None
    mde_method: str
    power: float
    identical: bool
    degenerate: bool
    undefined_resamples: int
    confidence: float
    method: str
    resamples: int
    permutations: int
    seed: int

    @property
    def change(self) -> Change:
        """Whether B's point value is better, worse or the same as A's."""
        if self.difference == 0:
            return "same"
        return "better" if (self.difference > 0) == self.higher_is_better else "worse"

    def significant(self, alpha: float | None = None) -> bool:
        """True when ``p_adjusted`` is below ``alpha`` (default ``1 - confidence``)."""
        level = 1.0 - self.confidence if alpha is None else alpha
        return not self.degenerate and self.p_adjusted < level

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types, plus ``change`` (better/worse/same for B)."""
        out: dict[str, Any] = to_plain(self)
        out["change"] = self.change
        return out


def compare_paired(
    a: MetricSample,
    b: MetricSample,
    *,
    higher_is_better: bool,
    label_a: str = "A",
    label_b: str = "B",
    confidence: float = 0.95,
    resamples: int = 2000,
    permutations: int = 2000,
    seed: int = 0,
    method: IntervalMethod = "percentile",
    power: float = 0.8,
) -> PairedComparison:
    """Compare B with A on the same encounters: difference, interval, two p-values and the MDE.

    Raises `MetricError` naming the ids one side lacks when the encounter sets differ.
    """
    check_options(
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        method=method,
        permutations=permutations,
    )
    require_same_encounters(a, b, label_a, label_b)
    require_estimable(a, label_a)
    require_estimable(b, label_b)
    rng = make_generator(seed)
    counts = resample_counts(rng, a.n, resamples)
    swaps = swap_matrix(rng, a.n, permutations)
    num = np.column_stack([a.numerators, b.numerators])
    den = np.column_stack([a.denominators, b.denominators])
    settings = PairSettings(a.kind, higher_is_better, confidence, method, power, seed)
    return compare_columns(num, den, [(0, 1)], (label_a, label_b), counts, swaps, settings)[0]


@dataclass(frozen=True)
class PairSettings:
    """What every comparison of one family shares (internal)."""

    kind: MetricKind
    higher_is_better: bool
    confidence: float
    method: IntervalMethod
    power: float
    seed: int


def compare_columns(
    num: FloatArray,
    den: FloatArray,
    pairs: list[tuple[int, int]],
    labels: tuple[str, ...],
    counts: FloatArray,
    swaps: FloatArray,
    settings: PairSettings,
) -> list[PairedComparison]:
    """Every pair ``(a, b)`` of columns of ``num``/``den`` ``(n, T)`` at once, on shared draws."""
    if not 0.0 < settings.power < 1.0:
        raise ConfigError(f"power must be between 0 and 1 (e.g. 0.8), got {settings.power!r}")
    ia = np.asarray([p[0] for p in pairs], dtype=np.intp)
    ib = np.asarray([p[1] for p in pairs], dtype=np.intp)
    sums_num, sums_den = num.sum(axis=0), den.sum(axis=0)
    values = sums_num / sums_den
    reps = replicates(counts, num, den)
    boot = reps[:, ib] - reps[:, ia]
    perm = _randomized_differences(num, den, ia, ib, swaps)
    jack = None
    if settings.method == "bca" and num.shape[0] > 1:
        loo = jackknife(num, den)
        jack = loo[:, ib] - loo[:, ia]
    out = []
    for k, (i, j) in enumerate(pairs):
        out.append(
            _one_pair(
                (labels[i], labels[j]),
                (float(values[i]), float(values[j])),
                boot[:, k],
                perm[:, k],
                None if jack is None else jack[:, k],
                identical=bool(
                    np.array_equal(num[:, i], num[:, j]) and np.array_equal(den[:, i], den[:, j])
                ),
                n=num.shape[0],
                permutations=swaps.shape[0],
                settings=settings,
            )
        )
    return out


def _randomized_differences(
    num: FloatArray, den: FloatArray, ia: Any, ib: Any, swaps: FloatArray
) -> FloatArray:
    """B − A for every swap pattern and pair, ``(R, P)``: swapped sums are matrix products."""
    moved_num = swaps @ (num[:, ib] - num[:, ia])
    moved_den = swaps @ (den[:, ib] - den[:, ia])
    sums_num, sums_den = num.sum(axis=0), den.sum(axis=0)
    value_a = safe_ratio(sums_num[ia] + moved_num, sums_den[ia] + moved_den)
    value_b = safe_ratio(sums_num[ib] - moved_num, sums_den[ib] - moved_den)
    result: FloatArray = value_b - value_a
    return result


def _one_pair(
    labels: tuple[str, str],
    values: tuple[float, float],
    boot: FloatArray,
    perm: FloatArray,
    jack: FloatArray | None,
    *,
    identical: bool,
    n: int,
    permutations: int,
    settings: PairSettings,
) -> PairedComparison:
    difference = values[1] - values[0]
    valid = boot[~np.isnan(boot)]
    if n < 2 or valid.size == 0:
        low = high = difference
        used: str = settings.method
        p_boot, p_int, se, mde = 1.0, 1.0, 0.0, None
    else:
        low, high, used = interval(
            boot, difference, jack, confidence=settings.confidence, method=settings.method
        )
        p_boot = _bootstrap_p(valid)
        p_int = percentile_p(valid) if used == "percentile" else p_boot
        se = float(np.std(valid, ddof=1)) if valid.size > 1 else 0.0
        mde = minimum_detectable_effect(se, alpha=1.0 - settings.confidence, power=settings.power)
    p_perm = _randomization_p(perm, difference, exact=is_exact(n, perm.size))
    return PairedComparison(
        label_a=labels[0],
        label_b=labels[1],
        kind=settings.kind,
        higher_is_better=settings.higher_is_better,
        n=n,
        value_a=values[0],
        value_b=values[1],
        difference=difference,
        low=low,
        high=high,
        p_bootstrap=p_boot,
        p_interval=p_int,
        p_permutation=p_perm,
        p_adjusted=p_perm,
        adjustment="none",
        permutation_exact=is_exact(n, perm.size),
        se=se,
        mde=mde,
        mde_method=_mde_method(settings, boot.size),
        power=settings.power,
        identical=identical,
        degenerate=n < 2,
        undefined_resamples=int(boot.size - valid.size),
        confidence=settings.confidence,
        method=used,
        resamples=boot.size,
        permutations=permutations,
        seed=settings.seed,
    )


def _bootstrap_p(valid: FloatArray) -> float:
    """Two-sided p from where zero falls among the replicate differences (+1 smoothed)."""
    at_most = np.count_nonzero(valid <= 0)
    at_least = np.count_nonzero(valid >= 0)
    return float(min(1.0, 2.0 * (min(at_most, at_least) + 1) / (valid.size + 1)))


def _randomization_p(perm: FloatArray, observed: float, *, exact: bool) -> float:
    """Share of swap patterns whose |B − A| reaches the observed one.

    A complete enumeration contains the observed pattern itself, so its share is exact; a random
    draw of patterns adds the observed one (+1 smoothing) so the p-value is never zero.
    """
    valid = perm[~np.isnan(perm)]
    threshold = abs(observed) - _TIE_TOLERANCE * max(1.0, abs(observed))
    extreme = np.count_nonzero(np.abs(valid) >= threshold)
    if exact:
        return float(extreme / valid.size) if valid.size else 1.0
    return float((extreme + 1) / (valid.size + 1))


def minimum_detectable_effect(se: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest true difference a two-sided test at ``alpha`` detects with ``power``.

    ``MDE = (z_{1-alpha/2} + z_{power}) * se``; at alpha 0.05 and 80% power that is 2.80 SE.
    """
    if not (0.0 < alpha < 1.0 and 0.0 < power < 1.0):
        raise ConfigError(f"alpha and power must be between 0 and 1, got {alpha!r} and {power!r}")
    return (normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)) * se


def _mde_method(settings: PairSettings, resamples: int) -> str:
    alpha = 1.0 - settings.confidence
    factor = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(settings.power)
    return (
        f"(z_(1-alpha/2) + z_power) x SE = {factor:.2f} x SE at alpha={alpha:g}, "
        f"power={settings.power:g}; SE = standard deviation of the paired-bootstrap "
        f"difference over {resamples} encounter resamples"
    )


def verdict(
    comparison: PairedComparison, *, alpha: float | None = None, scale: float = 1.0, unit: str = ""
) -> str:
    """One line for people: which side is better, or how large a difference could hide.

    Never says "equal" for a non-significant result: it names the minimum detectable effect
    instead. ``scale``/``unit`` format amounts (``scale=100, unit=" points"`` for F scores).
    """
    c = comparison
    if c.identical:
        return f"identical on all {c.n} encounters"
    if c.degenerate:
        return f"too few encounters to compare (n={c.n})"
    suffix = "" if c.adjustment == "none" else ", Holm-adjusted"
    if c.significant(alpha):
        amount = abs(c.difference) * scale
        return (
            f"{c.label_b} {c.change} than {c.label_a} by {amount:.3g}{unit} "
            f"(p={c.p_adjusted:.2g}{suffix})"
        )
    limit = "?" if c.mde is None else f"{c.mde * scale:.2g}{unit}"
    return f"no detectable difference (could not detect < {limit}; p={c.p_adjusted:.2g}{suffix})"
