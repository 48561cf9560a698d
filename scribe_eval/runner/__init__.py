"""The evaluation runner: executes an experiment's matrix against its target.

Stages per encounter: interaction -> recording -> transcript -> documents -> scores (then, when
the experiment has a ``judge:``, the judge stage over the run's notes), with bounded
concurrency, a shared stage cache (a re-run of an unchanged experiment makes no API call), failures
recorded as data, and resume after an interruption or a crash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

# Loaded on first use (PEP 562): `run` starts the embedded emulator (`_prestart`) before it
# pays for the engine, the scorers and httpx, so the server's start-up overlaps with theirs.
if TYPE_CHECKING:
    from scribe_eval.runner._cache import StageCache, cache_note
    from scribe_eval.runner._checks import check_before_run
    from scribe_eval.runner._cleanup import CleanupReport
    from scribe_eval.runner._engine import ExecutionLimits, MatrixExecutor
    from scribe_eval.runner._judging import JudgeOutcome, judge_finished_run, judge_stored_run
    from scribe_eval.runner._keys import content_hash
    from scribe_eval.runner._lease import LEASE_TTL_S, LeaseKeeper, take_lease
    from scribe_eval.runner._prestart import prestart_embedded
    from scribe_eval.runner._progress import RunProgress
    from scribe_eval.runner._remote import RemoteResources
    from scribe_eval.runner._rescore import RescoreOutcome, rescore_run
    from scribe_eval.runner._run import (
        EXIT_CELLS_FAILED,
        EXIT_OK,
        EXIT_RUN_FAILED,
        RunOptions,
        RunOutcome,
        cleanup_run,
        exit_code,
        failure_line,
        left_on_target,
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

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "StageCache": "_cache",
    "cache_note": "_cache",
    "check_before_run": "_checks",
    "ExecutionLimits": "_engine",
    "MatrixExecutor": "_engine",
    "JudgeOutcome": "_judging",
    "judge_finished_run": "_judging",
    "judge_stored_run": "_judging",
    "content_hash": "_keys",
    "LEASE_TTL_S": "_lease",
    "LeaseKeeper": "_lease",
    "take_lease": "_lease",
    "prestart_embedded": "_prestart",
    "RunProgress": "_progress",
    "CleanupReport": "_cleanup",
    "RemoteResources": "_remote",
    "RescoreOutcome": "_rescore",
    "rescore_run": "_rescore",
    "EXIT_CELLS_FAILED": "_run",
    "EXIT_OK": "_run",
    "EXIT_RUN_FAILED": "_run",
    "RunOptions": "_run",
    "RunOutcome": "_run",
    "cleanup_run": "_run",
    "exit_code": "_run",
    "failure_line": "_run",
    "left_on_target": "_run",
    "outcome_json": "_run",
    "run_experiment": "_run",
    "start_or_resume": "_run",
    "document_expectations": "_score",
    "normalizer_for": "_score",
    "score_document": "_score",
    "score_transcript": "_score",
    "EmbeddedSession": "_target",
    "TargetSession": "_target",
    "open_target": "_target",
}

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
    "failure_line",
    "judge_finished_run",
    "judge_stored_run",
    "left_on_target",
    "normalizer_for",
    "open_target",
    "outcome_json",
    "prestart_embedded",
    "rescore_run",
    "run_experiment",
    "score_document",
    "score_transcript",
    "start_or_resume",
    "take_lease",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
