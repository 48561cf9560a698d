"""The root ``--help``'s command list, written without importing a single sub-command module.

Click builds that list by loading every command to ask for its first sentence, which imports the
runner, report, metrics and store (well over a second) to print fifteen lines. The sentences are
kept here instead; ``tests/cli/test_help.py`` checks they equal each command's own docstring and
that the list prints exactly as Click would print it.
"""

from __future__ import annotations

import click

COMMAND_SUMMARIES: dict[str, str] = {
    "audit": "Audit the metrics: controlled errors in reference notes and how much each metric "
    "moves.",
    "compare": "Compare CANDIDATE_RUN with BASELINE_RUN (or --baseline NAME) and apply the gate.",
    "dataset": "Check, summarise and import datasets of labelled visits.",
    "emulator": "Run the embedded, offline emulator of the ambient-documentation API.",
    "export": "Write one row per cell of RUN_ID (an id, a prefix, `latest` or a baseline name).",
    "init": "Write a starter project into DIRECTORY (default: here), ready for `scribe-eval run`.",
    "judge": "Judge every finished note of RUN with the experiment's model judge.",
    "report": "Write reports/NAME/index.html for RUN_ID (an id, a prefix, `latest` or a baseline "
    "name).",
    "rescore": "Recompute every score of RUN from its stored transcripts and documents.",
    "run": "Run EXPERIMENT (a YAML file) against its target and store every answer and score.",
    "runs": "List, inspect and bless stored runs.",
    "schema": "Print the JSON Schema of KIND files (experiment, template, gate or dataset).",
    "score": "Score transcripts (WER family) or notes (ROUGE family) from a CSV or JSONL file.",
    "store": "Manage run stores (the local SQLite file, a PostgreSQL team store).",
    "templates": "Author templates as files: pull -> new -> edit -> validate -> run -> report.",
    "worker": "Execute the encounter jobs that `run --workers` enqueued, until Ctrl-C or SIGTERM.",
}
"""Command name -> the first sentence of its help (what ``scribe-eval --help`` lists)."""


def write_command_list(formatter: click.HelpFormatter, names: list[str]) -> None:
    """Write the ``Commands:`` section for ``names`` as Click's own ``format_commands`` would."""
    if not names:
        return
    limit = formatter.width - 6 - max(len(name) for name in names)
    # A bare command with the same help shortens it by Click's own rule.
    rows = [
        (name, click.Command(name, help=COMMAND_SUMMARIES[name]).get_short_help_str(limit))
        for name in names
    ]
    with formatter.section("Commands"):
        formatter.write_dl(rows)
