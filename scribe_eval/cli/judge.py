"""``scribe-eval judge RUN``: judge (or re-judge) a stored run's notes; no scribe API call."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scribe_eval.cli._common import open_cli_store, runs_dir_option, store_option
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import EXIT_CELLS_FAILED, judge_stored_run


@click.command("judge")
@click.argument("run_ref", metavar="RUN")
@click.option(
    "--experiment",
    "experiment_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take the judge: block from this experiment file [default: the run's own].",
)
@runs_dir_option
@store_option
def judge(
    run_ref: str, experiment_file: Path | None, runs_dir: Path | None, store_url: str | None
) -> None:
    """Judge every finished note of RUN with the experiment's model judge.

    Judgements are cached by note, reference, transcript, content rules, prompt version and the
    judge's model and settings: with nothing changed this makes no judge call, and it never calls
    the scribe API. The scores replace RUN's judge scores in place and its provenance names the
    judge; a judge task that fails is recorded on the note, never as a failed cell.

    Exit codes: 0 every judgeable note was judged; 3 a judge task failed on some notes (see
    their ``judge_failures``); 1 bad input (no judge, a changed dataset).
    """
    config = None
    if experiment_file is not None:
        config = load_experiment(experiment_file).judge
        if config is None:
            raise ConfigError(
                f"{experiment_file} has no judge: block; add one with base_url and model"
            )
    with open_cli_store(store_url, runs_dir) as store:
        outcome = judge_stored_run(store, run_ref, config)
    click.echo(f"run {outcome.run_id}: {outcome.summary()}")
    if outcome.failed:
        sys.exit(EXIT_CELLS_FAILED)
