"""Numbers from one or two encounters are shown without an interval or a chance of being best."""

from __future__ import annotations

from scribe_eval.report._leaderboard import Shown
from scribe_eval.stats import MIN_ENCOUNTERS_FOR_INTERVAL


def test_too_few_encounters_show_no_interval() -> None:
    assert MIN_ENCOUNTERS_FOR_INTERVAL == 3
    one = Shown(0.5, 0.5, 0.5, 1)
    two = Shown(0.5, 0.4, 0.6, 2)
    three = Shown(0.5, 0.4, 0.6, 3)
    assert (one.low, one.high) == (None, None)
    assert (two.low, two.high) == (None, None)
    assert (three.low, three.high) == (0.4, 0.6)
