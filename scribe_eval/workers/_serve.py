"""``scribe-eval worker``: execute encounter jobs from the team store until stopped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scribe_eval.workers._queue import QUEUE, ensure_queue_schema, make_app
from scribe_eval.workers._worker import WorkerState


def serve(
    url: str,
    runs_dir: Path,
    *,
    concurrency: int = 1,
    burst: bool = False,
    heartbeat_s: float = 10.0,
) -> None:
    """Run jobs (``concurrency`` at once) until SIGINT/SIGTERM, or until the queue is empty."""
    asyncio.run(_serve(url, runs_dir, concurrency, burst, heartbeat_s))


async def _serve(
    url: str, runs_dir: Path, concurrency: int, burst: bool, heartbeat_s: float
) -> None:
    await asyncio.to_thread(ensure_queue_schema, url)
    state = WorkerState(url, runs_dir)
    app = make_app(url, state.run_encounter)
    try:
        async with app.open_async():
            await app.run_worker_async(
                queues=[QUEUE], concurrency=concurrency, wait=not burst,
                update_heartbeat_interval=heartbeat_s, stalled_worker_timeout=3 * heartbeat_s,
            )  # fmt: skip
    finally:
        await state.aclose()
