"""Holm's step-down correction: family-wise error control for many comparisons at once.

Holm (1979) sorts the m p-values, multiplies the k-th smallest by ``m - k + 1`` and keeps the
adjusted values non-decreasing. It rejects everything Bonferroni rejects and often more, and it
needs no assumption about how the tests depend on each other (templates compared on the same
encounters are strongly dependent).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from scribe_eval.errors import ConfigError
from scribe_eval.stats._paired import PairedComparison


def holm_adjust(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm-adjusted p-values, in the input order; reject where adjusted ``< alpha``.

    Example: ``holm_adjust([0.01, 0.04, 0.03, 0.005])`` is ``(0.03, 0.06, 0.06, 0.02)``.
    """
    bad = [p for p in p_values if not (isinstance(p, int | float) and 0.0 <= p <= 1.0)]
    if bad:
        raise ConfigError(f"p-values must lie in [0, 1], got {bad[:3]}; pass raw p-values")
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return tuple(adjusted)


def holm_correct(
    comparisons: Sequence[PairedComparison], *, family: str = ""
) -> tuple[PairedComparison, ...]:
    """Copies of ``comparisons`` whose ``p_adjusted`` is Holm-corrected over all of them.

    The randomization p-values are corrected; ``adjustment`` records the family size and the
    optional ``family`` description (e.g. ``"template pairs in language de, metric wer"``).
    """
    adjusted = holm_adjust([c.p_permutation for c in comparisons])
    how = f"holm over {len(comparisons)} comparisons" + (f" ({family})" if family else "")
    return tuple(
        dataclasses.replace(c, p_adjusted=p, adjustment=how)
        for c, p in zip(comparisons, adjusted, strict=True)
    )
