"""A run's emulator starts before the command line is parsed (`scribe_eval.cli._early`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scribe_eval.cli import _early


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["run", "exp.yaml"], True),
        (["--debug", "run", "exp.yaml", "--json"], True),
        (["run", "--resume", "20261203-0000-abc"], True),
        (["run", "exp.yaml", "--workers"], False),  # workers start their own
        (["run", "--help"], False),
        (["run", "-h"], False),
        (["runs", "list"], False),
        (["report", "run"], False),  # "run" is report's argument, not the command
        (["--version"], False),
        ([], False),
    ],
)
def test_only_a_run_that_may_call_an_emulator_starts_one_early(
    argv: list[str], wanted: bool
) -> None:
    assert _early.wanted(argv) is wanted


def test_the_early_process_is_taken_once_and_ends_when_discarded() -> None:
    _early.start(["run", "exp.yaml"])
    _early.start(["run", "exp.yaml"])  # one per command, however often asked
    warm = _early.take()
    assert warm is not None
    assert _early.take() is None
    pid = warm.pid
    assert pid is not None
    os.kill(pid, 0)  # alive, importing the server
    warm.discard()
    assert warm.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped
    _early.start(["runs", "list"])
    assert _early.take() is None


def test_the_console_script_starts_the_emulator_before_importing_click() -> None:
    """`scribe_eval.cli.entry` starts a run's emulator first: importing the package it lives in
    must not import click and the commands (60-100 ms) before it can."""
    probe = (
        "import sys\n"
        "import scribe_eval.cli\n"
        "print('click' in sys.modules, 'scribe_eval.cli._main' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
    from scribe_eval.cli import main  # still there for whoever imports it

    assert main.name == "main"
