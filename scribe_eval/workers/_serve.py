"""``scribe-eval worker``: execute encounter jobs from the team store until stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from scribe_eval.metrics import preload_scorers
from scribe_eval.workers._queue import QUEUE, ensure_queue_schema, make_app
from scribe_eval.workers._worker import WorkerState


def serve(
    url: str,
    runs_dir: Path,
    *,
    concurrency: int = 1,
    burst: bool = False,
    heartbeat_s: float = 10.0,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Run jobs (``concurrency`` at once) until SIGINT/SIGTERM, or until the queue is empty.

    The scorers' models are loaded before the first job is taken (``on_ready`` is called then):
    loaded lazily, they held up every job in flight on the worker's event loop for seconds.
    """
    asyncio.run(_serve(url, runs_dir, concurrency, burst, heartbeat_s, on_ready))


def warm_up() -> None:
    """Import now what every first job imported (about 0.4 s of CPU, while holding up the jobs
    in flight): the adherence and facts scorers and the HTTP transport."""
    import httpcore  # noqa: F401

    from scribe_eval.metrics import check_adherence, check_facts  # noqa: F401


async def _serve(
    url: str,
    runs_dir: Path,
    concurrency: int,
    burst: bool,
    heartbeat_s: float,
    on_ready: Callable[[], None] | None,
) -> None:
    await asyncio.to_thread(ensure_queue_schema, url)
    await asyncio.to_thread(preload_scorers)
    await asyncio.to_thread(warm_up)
    state = WorkerState(url, runs_dir, concurrency=concurrency)
    app = make_app(url, state.run_encounter)
    try:
        async with app.open_async():
            if on_ready is not None:
                on_ready()
            await app.run_worker_async(
                queues=[QUEUE], concurrency=concurrency, wait=not burst,
                update_heartbeat_interval=heartbeat_s, stalled_worker_timeout=3 * heartbeat_s,
            )  # fmt: skip
    finally:
        await state.aclose()
