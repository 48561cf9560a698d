"""The root ``scribe-eval`` group and the CLI boundary that turns errors into one line."""

from __future__ import annotations

import atexit
import contextlib
import difflib
import gc
import importlib
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from scribe_eval._suggest import closest
from scribe_eval._version import __version__
from scribe_eval.cli._early import start as start_early
from scribe_eval.cli._help import write_command_list
from scribe_eval.errors import user_error

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
    """The root group and the CLI boundary: every failure becomes one ``Error: ...`` line.

    A ``ScribeEvalError``, and any standard failure ``user_error`` recognises (damaged store,
    file that is not UTF-8, missing extra, unreadable path), prints its message and exits 1;
    anything else is a bug of ours, named in one line with the advice to rerun with ``--debug``.
    ``--debug`` shows the traceback instead. A usage error (unknown option, missing argument) is
    bad input too: one line and exit 1, never click's exit 2, which CI would read as "the gate
    failed" (`compare` exits 2 for a regression).
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_as_bad_input():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # Every sub-command's (and nested group's) arguments are parsed in here. Some usage
        # errors carry no context ("Option '-o' requires an argument"): the command they belong
        # to is found from the words typed, so every usage error points at the right --help.
        words = [*ctx._protected_args, *ctx.args]  # click empties them while invoking
        with _usage_as_bad_input(lambda: _command_named(ctx, words)):
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, _ in _COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, attr in _COMMANDS:
            if module == cmd_name:
                command = getattr(importlib.import_module(f"scribe_eval.cli.{module}"), attr)
                assert isinstance(command, click.Command)
                return command
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.NoSuchCommand as exc:
            # click suggests from the commands it has loaded, and ours load on first use:
            # the suggestion ("reprot": did you mean 'report'?) comes from their names.
            guess = closest(exc.command_name, self.list_commands(ctx))
            if exc.possibilities or guess is None:
                raise
            message = f"No such command {exc.command_name!r}. Did you mean {guess!r}?"
            raise click.NoSuchCommand(exc.command_name, message, ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing the commands must not import them (start-up); see _help.
        write_command_list(formatter, self.list_commands(ctx))

    def main(self, args: Sequence[str] | None = None, *extra_args: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        start_early(argv)  # a run's emulator starts before the command line is parsed
        atexit.unregister(skip_final_collection)  # once per process, however often called
        atexit.register(skip_final_collection)
        try:
            return super().main(argv, *extra_args, **extra)
        except Exception as exc:
            if "--debug" in argv or extra.get("standalone_mode") is False:
                raise
            click.echo(f"Error: {_one_line(exc)}", err=True)
            sys.exit(1)


def skip_final_collection() -> None:
    """At exit, no garbage collection over what the command left alive (an ``atexit`` hook).

    The interpreter's last collections walk every object still alive: after a run of 400 cells
    that took 0.2-0.35 s between the command's last output and the process's end (2-3% of the
    whole command). What they would free does not outlive the process anyway; the command
    has closed its store, files and emulator itself, and the other exit hooks still run.
    """
    gc.disable()
    gc.freeze()


class _BadUsage(click.ClickException):
    """A usage error as one ``Error:`` line with exit code 1 (see `_Root`)."""

    exit_code = 1


@contextlib.contextmanager
def _usage_as_bad_input(
    command_of: Callable[[], tuple[str, click.Command] | None] = lambda: None,
) -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # A bare group prints its help: not an error of the user's.
    except click.UsageError as exc:
        named = (exc.ctx.command_path, exc.ctx.command) if exc.ctx is not None else command_of()
        message = " ".join(exc.format_message().split()).removesuffix(".")
        if isinstance(exc, click.NoSuchOption) and named is not None:
            message = _file_setting_hint(exc, named[1]) or message
        if named is None:
            raise _BadUsage(message) from exc
        # "Did you mean '--junit'?" ends a sentence: the pointer starts the next one.
        lead = " See" if message.endswith("?") else "; see"
        raise _BadUsage(f"{message}{lead} '{named[0]} --help'") from exc


def _command_named(ctx: click.Context, words: Sequence[str]) -> tuple[str, click.Command] | None:
    """The (sub-)command ``words`` name under ``ctx``'s group, with its path."""
    path, command = [ctx.command_path], ctx.command
    for word in words:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, word)
        if sub is None:
            continue  # an option of the group or its value
        path.append(word)
        command = sub
    return (" ".join(path), command) if command is not ctx.command else None


def _file_setting_hint(exc: click.NoSuchOption, command: click.Command) -> str | None:
    """For a command that reads an experiment file: an unknown option that names one of the
    file's settings (``--concurrency``) is told where that setting lives, instead of click's
    guess at the closest option (``--global-concurrency``, a different thing).

    A setting answers to its name without its unit (``--timeout``: ``execution.timeout_s``) and
    to its section and name (``--judge-timeout``: ``judge.timeout``); a name several sections
    use means the first section declared (``execution`` before ``judge``)."""
    if not any(p.name == "experiment" for p in command.params):
        return None
    from scribe_eval._yamlfile import all_setting_paths
    from scribe_eval.experiment import Experiment

    word = exc.option_name.lstrip("-").replace("-", "_")
    named: dict[str, str] = {}
    for key, path in all_setting_paths(Experiment):
        named.setdefault(_bare(key), path)
        named.setdefault(_bare(path.replace(".", "_")), path)
    choice = closest(word, named)
    if choice is None or _likeness(word, choice) < max(
        (_likeness(word, p.lstrip("-").replace("-", "_")) for p in exc.possibilities or ()),
        default=0.0,
    ):
        return None
    path = named[choice]
    # A setting with an option of its own (`cache.max_age`: --cache-max-age) is pointed at it.
    option = "--" + path.replace(".", "-").replace("_", "-")
    if any(option in getattr(p, "opts", ()) for p in command.params):
        return (
            f"No such option {exc.option_name!r}: did you mean {option!r}? It overrides the "
            f"experiment file's `{path}` for this run"
        )
    return (
        f"No such option {exc.option_name!r}: {path.rsplit('.', 1)[-1]} is a setting of the "
        f"experiment file (`{path}`), not an option; set it there"
    )


def _bare(key: str) -> str:
    """A setting's name without its unit (``timeout_s`` -> ``timeout``)."""
    for unit in ("_ms", "_s"):
        if key.endswith(unit) and len(key) > len(unit):
            return key.removesuffix(unit)
    return key


def _likeness(word: str, other: str) -> float:
    return difflib.SequenceMatcher(None, word.lower(), other.lower()).ratio()


def _one_line(exc: Exception) -> str:
    """The message a user sees for ``exc``: its translation, else a bug report hint."""
    translated = user_error(exc)
    if translated is not None:
        return translated.message
    detail = " ".join(str(exc).split()) or "no detail"
    return (
        f"internal error ({type(exc).__name__}: {detail}); this is a bug in scribe-eval: "
        "rerun with --debug for the traceback and report it"
    )


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
