"""``scribe-eval worker``: run the encounter jobs of team-store runs (``run --workers``) here."""

from __future__ import annotations

from pathlib import Path

import click

from scribe_eval.cli._common import resolve_runs_dir, runs_dir_option, store_option
from scribe_eval.errors import ConfigError
from scribe_eval.store import is_postgres_url, store_spec


@click.command("worker")
@store_option
@runs_dir_option
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              help="Encounter jobs this worker runs at once.")  # fmt: skip
@click.option("--burst", is_flag=True, help="Exit when the queue is empty instead of waiting.")
@click.option("--heartbeat", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds between heartbeats (run --stall-after: a few times it).")  # fmt: skip
def worker(
    store_url: str | None,
    runs_dir: Path | None,
    concurrency: int,
    burst: bool,
    heartbeat: float,
) -> None:
    """Execute the encounter jobs that `run --workers` enqueued, until Ctrl-C or SIGTERM.

    Start any number, on any machines that reach the team store and the target. A job whose
    worker is killed goes back to the queue and is finished by another, with no duplicate call.
    """
    url = store_spec(store_url)
    if url is None or not is_postgres_url(url):
        raise ConfigError(
            "a worker needs the postgresql:// team store: --store URL or SCRIBE_EVAL_STORE"
        )
    from scribe_eval.workers import serve

    def ready() -> None:
        # One line a supervisor (or bench/workers.py) can wait for: jobs are taken from now on.
        click.echo(f"worker ready: up to {concurrency} encounter job(s) at once", err=True)

    serve(
        url, resolve_runs_dir(runs_dir), concurrency=concurrency, burst=burst,
        heartbeat_s=heartbeat, on_ready=ready,
    )  # fmt: skip
