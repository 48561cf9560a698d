"""``scribe-eval report``: write the HTML report of a run (optionally against a baseline)."""

from __future__ import annotations

from pathlib import Path

import click

from scribe_eval.cli._common import open_cli_store, store_option
from scribe_eval.report import build_report


@click.command("report")
@click.argument("run_ref", metavar="RUN_ID")
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default: reports/RUN_ID].",
)
@click.option(
    "--compare",
    "baseline_ref",
    metavar="BASELINE_RUN",
    default=None,
    help="Add compare.html against this run (id, prefix, `latest` or a baseline name).",
)
@click.option(
    "--no-text",
    is_flag=True,
    help="Aggregates only: no transcript or note text and no encounter pages (safe to share).",
)
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Runs directory holding the run store [default: $SCRIBE_EVAL_RUNS_DIR or runs/].",
)
@store_option
def report(
    run_ref: str,
    output: Path | None,
    baseline_ref: str | None,
    no_text: bool,
    runs_dir: Path | None,
    store_url: str | None,
) -> None:
    """Write reports/NAME/index.html for RUN_ID (an id, a prefix, `latest` or a baseline name).

    Prints every file written, one path a line: index.html first, then compare.html (with
    --compare) and trend.html (when the store holds two or more runs of the dataset), then the
    encounter pages.
    """
    with open_cli_store(store_url, runs_dir, read_only=True) as store:
        run = store.resolve_run(run_ref)
        baseline = store.resolve_run(baseline_ref) if baseline_ref else None
        index = build_report(
            store,
            run,
            output if output is not None else Path("reports") / run.id,
            compare_with=baseline,
            no_text=no_text,
        )
    for path in _written(index):
        click.echo(str(path))


def _written(index: Path) -> list[Path]:
    # build_report clears its earlier output first, so what is there now is what it wrote.
    folder = index.parent
    extra = [folder / name for name in ("compare.html", "trend.html")]
    pages = sorted((folder / "encounters").glob("*.html"))
    return [index, *(p for p in extra if p.exists()), *pages]
