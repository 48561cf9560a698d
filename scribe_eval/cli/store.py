"""``scribe-eval store``: copy a local run history into a team store."""

from __future__ import annotations

from pathlib import Path

import click

from scribe_eval.cli._common import resolve_runs_dir
from scribe_eval.errors import ConfigError
from scribe_eval.store import STORE_FILENAME, copy_store, is_postgres_url, open_store, redact_url


@click.group("store")
def store() -> None:
    """Manage run stores (the local SQLite file, a PostgreSQL team store)."""


@store.command("migrate")
@click.option("--from", "source", required=True, metavar="DIR|URL", help="A runs directory or URL.")
@click.option(
    "--to",
    "destination",
    required=True,
    envvar="SCRIBE_EVAL_STORE",
    metavar="URL|DIR",
    help="Where to copy to (default: $SCRIBE_EVAL_STORE, the team store).",
)
def migrate(source: str, destination: str) -> None:
    """Copy every run, cell, cached answer and blessing from --from into --to.

    Safe to repeat: what is already there is kept, only what is missing or changed is copied.
    A baseline name the destination already uses for other runs is left alone and reported.
    """
    if source == destination:
        raise ConfigError(f"--from and --to are the same store ({redact_url(source)}); give two")
    if not is_postgres_url(source) and not (Path(source) / STORE_FILENAME).is_file():
        raise ConfigError(
            f"--from {source}: no run store there ({STORE_FILENAME} is missing); give the runs "
            "directory that holds it"
        )
    runs_dir = resolve_runs_dir(None)
    with (
        open_store(source, runs_dir, read_only=True) as origin,
        open_store(destination, runs_dir) as target,
    ):
        report = copy_store(origin, target)
        where = target.location
    click.echo(
        f"{where}: {report.runs} runs added ({report.runs_present} already there), "
        f"{report.cells} cells, {report.cache_entries} cached answers, {report.blessings} blessings"
    )
    for name in sorted(set(report.conflicts)):
        click.echo(f"  kept the destination's baseline {name!r} (it names other runs there)")
