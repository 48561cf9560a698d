"""Progress where there is no terminal: lines while the run goes on, not one bar at the end."""

from __future__ import annotations

import pytest

from scribe_eval.runner._progress import LINE_EVERY_S, RunProgress


def test_a_log_gets_a_line_every_interval_and_one_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [0.0]
    with RunProgress(2, 6, terminal=False, clock=lambda: now[0]) as progress:
        progress.advance("transcripts")
        assert capsys.readouterr().err == ""  # not before the interval
        now[0] = LINE_EVERY_S + 1
        progress.advance("transcripts")
        assert capsys.readouterr().err == (
            "transcripts 2/2 (0 errors), documents 0/6 (0 errors), 31 s\n"
        )
        progress.advance("documents", error=True)
        assert capsys.readouterr().err == ""  # the next one waits a whole interval again
        now[0] = 40.0
    assert capsys.readouterr().err == "transcripts 2/2 (0 errors), documents 1/6 (1 error), 40 s\n"


def test_no_lines_when_progress_is_off(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    with RunProgress(0, 3, enabled=False, terminal=False, clock=lambda: now[0]) as progress:
        now[0] = 100.0
        progress.advance("documents")
    assert capsys.readouterr().err == ""
