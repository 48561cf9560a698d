"""The root ``scribe-eval`` group and the CLI boundary that turns errors into one line."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from scribe_eval._version import __version__
from scribe_eval.errors import ScribeEvalError

# Each entry is (module under scribe_eval.cli, attribute holding the click command or group); the
# module's name is the command's name. A sub-command lives in its own module; adding one is one
# line here. Modules are imported only when their command runs (or --help lists them), so
# `scribe-eval emulator serve` does not pay for the runner's, report's and metrics' imports.
_COMMANDS: list[tuple[str, str]] = [
    ("audit", "audit"),
    ("dataset", "dataset"),
    ("emulator", "emulator"),
    ("export", "export"),
    ("init", "init"),
    ("judge", "judge"),
    ("schema", "schema"),
    ("compare", "compare"),
    ("report", "report"),
    ("rescore", "rescore"),
    ("run", "run"),
    ("runs", "runs"),
    ("score", "score"),
    ("store", "store"),
    ("templates", "templates"),
    ("worker", "worker"),
]


class _Root(click.Group):
    """The root group: a ScribeEvalError becomes ``Error: ...`` unless ``--debug`` is given."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, _ in _COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, attr in _COMMANDS:
            if module == cmd_name:
                command = getattr(importlib.import_module(f"scribe_eval.cli.{module}"), attr)
                assert isinstance(command, click.Command)
                return command
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ScribeEvalError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(1)


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scribe-eval")
@click.option("--debug", is_flag=True, help="Show tracebacks and DEBUG logging (never bodies).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Evaluate ambient AI-scribe APIs: transcripts, notes, templates, rollout gates."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
