"""``scribe-eval rescore``: score a stored run again from its stored answers (no API call)."""

from __future__ import annotations

from pathlib import Path

import click

from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.runner import rescore_run


@click.command("rescore")
@click.argument("run_ref", metavar="RUN")
@click.option(
    "--metrics-version",
    default=None,
    help="The metric version to score with (this scribe-eval's own; checked, never guessed).",
)
@runs_dir_option
@store_option
def rescore(
    run_ref: str, metrics_version: str | None, runs_dir: Path | None, store_url: str | None
) -> None:
    """Recompute every score of RUN from its stored transcripts and documents.

    The scores go into a new run linked to RUN (RUN is left as it was); no API call is made.
    Use it when a newer scribe-eval scores differently: `compare` refuses runs whose metric
    versions differ, so rescore the baseline instead of buying its answers again.
    """
    with open_cli_store(store_url, runs_dir) as store:
        outcome = rescore_run(store, run_ref, metrics_version=metrics_version)
    old = outcome.run.provenance.get("rescored_from")
    click.echo(
        f"rescored {outcome.rescored} cells of run {old} into run {outcome.run.id} "
        f"({outcome.copied} copied as they were, 0 API calls)",
        err=True,
    )
    if outcome.missing_answers:
        click.echo(
            f"note: {outcome.missing_answers} finished cells had no stored answer (the cache was "
            "cleared); their old scores were kept",
            err=True,
        )
    click.echo(outcome.run.id)
