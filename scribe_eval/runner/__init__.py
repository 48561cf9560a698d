"""The evaluation runner: executes an experiment's matrix against its target.

Stages per encounter: interaction -> recording -> transcript -> documents -> scores (then, when
the experiment has a ``judge:``, the judge stage over the run's notes), with bounded
concurrency, a shared stage cache (a re-run of an unchanged experiment makes no API call), failures
recorded as data, and resume after an interruption or a crash.
"""

from __future__ import annotations

from scribe_eval.runner._cache import StageCache, cache_note
from scribe_eval.runner._checks import check_before_run
from scribe_eval.runner._engine import ExecutionLimits, MatrixExecutor
from scribe_eval.runner._judging import JudgeOutcome, judge_finished_run, judge_stored_run
from scribe_eval.runner._keys import content_hash
from scribe_eval.runner._lease import LEASE_TTL_S, LeaseKeeper, take_lease
from scribe_eval.runner._progress import RunProgress
from scribe_eval.runner._remote import CleanupReport, RemoteResources
from scribe_eval.runner._rescore import RescoreOutcome, rescore_run
from scribe_eval.runner._run import (
    EXIT_CELLS_FAILED,
    EXIT_OK,
    EXIT_RUN_FAILED,
    RunOptions,
    RunOutcome,
    cleanup_run,
    exit_code,
    outcome_json,
    run_experiment,
    start_or_resume,
)
from scribe_eval.runner._score import (
    document_expectations,
    normalizer_for,
    score_document,
    score_transcript,
)
from scribe_eval.runner._target import EmbeddedSession, TargetSession, open_target

__all__ = [
    "EXIT_CELLS_FAILED",
    "EXIT_OK",
    "EXIT_RUN_FAILED",
    "LEASE_TTL_S",
    "CleanupReport",
    "EmbeddedSession",
    "ExecutionLimits",
    "JudgeOutcome",
    "LeaseKeeper",
    "MatrixExecutor",
    "RemoteResources",
    "RescoreOutcome",
    "RunOptions",
    "RunOutcome",
    "RunProgress",
    "StageCache",
    "TargetSession",
    "cache_note",
    "check_before_run",
    "cleanup_run",
    "content_hash",
    "document_expectations",
    "exit_code",
    "judge_finished_run",
    "judge_stored_run",
    "normalizer_for",
    "open_target",
    "outcome_json",
    "rescore_run",
    "run_experiment",
    "score_document",
    "score_transcript",
    "start_or_resume",
    "take_lease",
]
