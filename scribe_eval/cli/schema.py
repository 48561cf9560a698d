"""``scribe-eval schema``: the JSON Schema of an experiment, template, gate or dataset file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scribe_eval.cli._schemas import SCHEMA_KINDS, SchemaKind, json_schema


@click.command("schema")
@click.argument("kind", type=click.Choice(SCHEMA_KINDS))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [default: stdout].",
)
def schema(kind: SchemaKind, output: Path | None) -> None:
    """Print the JSON Schema of KIND files (experiment, template, gate or dataset).

    Point an editor at it for completion and validation, e.g. a first line
    `# yaml-language-server: $schema=.schemas/experiment.json` in a YAML file.
    """
    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(str(output))
