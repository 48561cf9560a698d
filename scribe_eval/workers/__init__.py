"""Several machines, one run: encounter jobs on procrastinate, in the team store's database.

``run_with_workers`` (``scribe-eval run EXPERIMENT --store URL --workers``) enqueues one job per
encounter and waits; ``serve`` (``scribe-eval worker --store URL``) runs jobs on any machine.
procrastinate stores, locks, retries and hands out the jobs; a job of a worker that stopped
sending heartbeats goes back to the queue; the run's remote bookkeeping keeps a retried job from
creating anything twice on the target; advisory-lock slots cap encounters in flight per target.
"""

from __future__ import annotations

from scribe_eval.workers._coordinator import WorkerOptions, run_with_workers
from scribe_eval.workers._serve import serve
from scribe_eval.workers._worker import WorkerState, only_encounter

__all__ = ["WorkerOptions", "WorkerState", "only_encounter", "run_with_workers", "serve"]
