"""Per-encounter data of one metric for one system, as numerators over denominators.

Every corpus metric scribe-eval reports is ``sum(numerators) / sum(denominators)`` over
encounters. A *mean* (mean ROUGE-L F, mean section coverage) has one value per encounter over a
denominator of one; a *ratio of sums* (pooled WER) has each encounter's errors over its reference
words. Resampling encounters and re-applying that one formula gives the right replicate for both,
which is why the bootstrap never works on words or on per-encounter ratios.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from scribe_eval.errors import MetricError

MetricKind = Literal["mean", "ratio"]
FloatArray = npt.NDArray[np.float64]

_SHOWN_IDS = 5


@dataclass(frozen=True, eq=False)
class MetricSample:
    """One system's per-encounter data for one metric; encounters are kept sorted by id.

    Build it with `MetricSample.from_values` (a mean) or `MetricSample.from_ratio` (a ratio of
    sums). The arrays are read-only; the corpus value is ``sum(numerators) / sum(denominators)``.
    """

    ids: tuple[str, ...]
    numerators: FloatArray
    denominators: FloatArray
    kind: MetricKind

    def __post_init__(self) -> None:
        ids = tuple(str(i) for i in self.ids)
        num = np.asarray(self.numerators, dtype=np.float64).reshape(-1)
        den = np.asarray(self.denominators, dtype=np.float64).reshape(-1)
        _validate(ids, num, den, self.kind)
        order = np.argsort(np.asarray(ids, dtype=object), kind="stable") if ids else np.arange(0)
        num, den = num[order].copy(), den[order].copy()
        num.flags.writeable = False
        den.flags.writeable = False
        object.__setattr__(self, "ids", tuple(ids[i] for i in order))
        object.__setattr__(self, "numerators", num)
        object.__setattr__(self, "denominators", den)

    @classmethod
    def from_values(cls, ids: Sequence[str], values: npt.ArrayLike) -> MetricSample:
        """A mean metric: one value per encounter (e.g. ROUGE-L F), each weighing the same."""
        values_array = np.asarray(values, dtype=np.float64)
        return cls(tuple(ids), values_array, np.ones_like(values_array), "mean")

    @classmethod
    def from_ratio(
        cls,
        ids: Sequence[str],
        numerators: npt.ArrayLike,
        denominators: npt.ArrayLike,
    ) -> MetricSample:
        """A ratio of sums: e.g. pooled WER from per-encounter errors and reference words."""
        return cls(tuple(ids), np.asarray(numerators), np.asarray(denominators), "ratio")

    @property
    def n(self) -> int:
        """The number of encounters."""
        return len(self.ids)

    @property
    def value(self) -> float:
        """The corpus value, ``sum(numerators) / sum(denominators)``."""
        require_estimable(self, "the sample")
        return float(self.numerators.sum() / self.denominators.sum())

    def subset(self, ids: Sequence[str]) -> MetricSample:
        """The same metric restricted to ``ids`` (every one must be present)."""
        position = {encounter: i for i, encounter in enumerate(self.ids)}
        missing = [i for i in ids if i not in position]
        if missing:
            raise MetricError(
                f"encounters not in the sample: {shorten_ids(sorted(missing))}; "
                "subset only to ids the sample has"
            )
        rows = np.asarray([position[i] for i in ids], dtype=np.intp)
        return MetricSample(tuple(ids), self.numerators[rows], self.denominators[rows], self.kind)


def require_estimable(sample: MetricSample, what: str) -> None:
    """Raise `MetricError` when ``sample`` has no encounters or a zero denominator sum."""
    if sample.n == 0:
        raise MetricError(
            f"{what} has no encounters, so it has no estimate; "
            "score at least one encounter or leave it out"
        )
    if float(sample.denominators.sum()) == 0.0:
        raise MetricError(
            f"{what} has a zero denominator sum (e.g. every reference is empty), "
            "so its ratio is undefined; add encounters with non-empty references"
        )


def require_same_encounters(a: MetricSample, b: MetricSample, label_a: str, label_b: str) -> None:
    """Raise `MetricError` naming the ids one side lacks, unless both have the same encounters."""
    if a.ids == b.ids:
        if a.kind != b.kind:
            raise MetricError(
                f"{label_a} is a {a.kind} metric but {label_b} is a {b.kind}; "
                "compare like with like"
            )
        return
    only_a = sorted(set(a.ids) - set(b.ids))
    only_b = sorted(set(b.ids) - set(a.ids))
    parts = []
    if only_a:
        parts.append(f"missing from {label_b}: {shorten_ids(only_a)}")
    if only_b:
        parts.append(f"missing from {label_a}: {shorten_ids(only_b)}")
    raise MetricError(
        f"paired comparison needs the same encounters on both sides; {'; '.join(parts)}; "
        "drop those encounters from both sides or re-run the missing cells"
    )


def _validate(ids: tuple[str, ...], num: FloatArray, den: FloatArray, kind: str) -> None:
    if kind not in ("mean", "ratio"):
        raise MetricError(f"unknown metric kind {kind!r}; use 'mean' or 'ratio'")
    if not (len(ids) == num.size == den.size):
        raise MetricError(
            f"got {len(ids)} ids, {num.size} numerators and {den.size} denominators; "
            "give one of each per encounter"
        )
    duplicates = sorted(i for i, count in Counter(ids).items() if count > 1)
    if duplicates:
        raise MetricError(
            f"duplicate encounter ids {shorten_ids(duplicates)}; give one row per encounter"
        )
    bad = [ids[i] for i in np.flatnonzero(~np.isfinite(num) | ~np.isfinite(den))]
    if bad:
        raise MetricError(
            f"non-finite values for encounters {shorten_ids(bad)}; "
            "drop failed encounters instead of scoring them NaN or infinity"
        )
    negative = [ids[i] for i in np.flatnonzero(den < 0)]
    if negative:
        raise MetricError(
            f"negative denominators for encounters {shorten_ids(negative)}; "
            "a denominator is a count such as reference words"
        )


def shorten_ids(ids: Sequence[str]) -> str:
    """The first few ids, then how many more (for one-line error messages)."""
    shown = ", ".join(ids[:_SHOWN_IDS])
    more = len(ids) - _SHOWN_IDS
    return f"{shown} (and {more} more)" if more > 0 else shown
