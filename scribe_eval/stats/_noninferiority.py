"""Non-inferiority: does the data rule out a regression larger than the margin?

The gate asks whether the candidate (B) could be worse than the baseline (A) by more than an
agreed margin. It fails when the interval's *worse* bound crosses the margin: the lower bound of
B − A for a higher-is-better metric, the upper bound for a lower-is-better one (WER). The
two-sided 95% interval makes this a one-sided test at the 2.5% level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scribe_eval.errors import ConfigError
from scribe_eval.stats._paired import PairedComparison
from scribe_eval.stats._resample import to_plain


@dataclass(frozen=True)
class NonInferiority:
    """The gate decision for one comparison and margin, with a one-line reason.

    ``worst_change`` is how much worse B may be than A at the interval's worse bound, in metric
    units (positive means worse, negative means better even at that bound).
    """

    passed: bool
    margin: float
    worst_change: float
    bound: float
    difference: float
    higher_is_better: bool
    confidence: float
    degenerate: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        out: dict[str, Any] = to_plain(self)
        return out


def non_inferiority(
    comparison: PairedComparison,
    *,
    margin: float,
    scale: float = 1.0,
    unit: str = "",
    show: Callable[[float, float], tuple[str, str]] | None = None,
) -> NonInferiority:
    """Pass unless the worse bound of B − A shows B worse than A by more than ``margin``.

    ``margin`` is in metric units and must be non-negative (0 asks for no regression at all);
    ``scale``/``unit`` only format the reason (``scale=100, unit=" points"``). ``show``, when
    given, prints the worst change beside the margin it was compared with, as a pair of texts:
    the caller's display rule, which keeps the printed pair in the order the decision took
    (`scribe_eval.metrics.fmt_against`: "2.004 points worse ... beyond the 2.0 points
    margin"). Without it, amounts are rounded by ``scale`` alone and may read as a tie.
    """
    if not margin >= 0.0:
        raise ConfigError(
            f"a non-inferiority margin must be >= 0 in metric units, got {margin!r}; "
            "write how much worse is still acceptable, e.g. 0.02"
        )
    c = comparison
    bound = c.low if c.higher_is_better else c.high
    worst = -bound if c.higher_is_better else bound
    passed = worst <= margin
    level = f"{_percent(c.confidence)} interval"

    if show is not None:
        amount, limit = (f"{text}{unit}" for text in show(abs(worst), margin))
    else:
        amount, limit = f"{_amount(abs(worst), scale)}{unit}", f"{_amount(margin, scale)}{unit}"
    if passed and worst > 0:
        reason = f"pass: at worst {c.label_b} is {amount} worse than {c.label_a} ({level}), "
        reason += f"within the {limit} margin"
    elif passed and worst == 0:
        reason = f"pass: {c.label_b} is no worse than {c.label_a} anywhere in the {level}"
    elif passed:
        reason = f"pass: {c.label_b} is at least {amount} better than {c.label_a} ({level})"
    else:
        reason = f"fail: {c.label_b} may be up to {amount} worse than {c.label_a} ({level}), "
        reason += f"beyond the {limit} margin"
    if c.degenerate:
        reason += f" (only {c.n} encounter: no real interval)"
    return NonInferiority(
        passed=passed,
        margin=margin,
        worst_change=worst,
        bound=bound,
        difference=c.difference,
        higher_is_better=c.higher_is_better,
        confidence=c.confidence,
        degenerate=c.degenerate,
        reason=reason,
    )


def _percent(level: float) -> str:
    """``95%``, or ``97.5%`` for a 97.5% level: never rounded to a level not used."""
    text = f"{level * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _amount(value: float, scale: float) -> str:
    """Points with one decimal when scaled to 0-100, else three significant digits."""
    if scale != 1.0:
        return f"{value * scale:.1f}"
    return f"{value:.3g}"
