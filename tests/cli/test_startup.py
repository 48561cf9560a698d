"""Start-up: the commands people type most import only what they use.

Each case runs ``scribe-eval`` in a fresh interpreter and asserts on the set of modules it had
imported when it exited (not on time, which depends on the machine). The root ``--help`` lists
commands from `COMMAND_SUMMARIES`, which must say what each command's docstring says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from scribe_eval.cli import main
from scribe_eval.cli._help import COMMAND_SUMMARIES
from scribe_eval.store import CellRecord, RunRecord, RunStore, open_store

_PROBE = """
import atexit, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["scribe-eval", *sys.argv[2:]]
runpy.run_module("scribe_eval.cli", run_name="__main__")
"""
SERVER = {"fastapi", "uvicorn", "starlette", "scribe_eval.emulator"}
NUMERIC = {"numpy", "scipy", "meeteval", "nltk"}
NETWORK = {"httpx", "httpcore", "psycopg", "procrastinate"}


def imported_by(tmp_path: Path, *args: str) -> set[str]:
    """Top-level names of the modules ``scribe-eval ARGS`` imported (it must exit 0)."""
    out = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    modules = set(out.read_text().split())
    return modules | {name.split(".")[0] for name in modules}


def test_root_help_imports_no_subcommand(tmp_path: Path) -> None:
    modules = imported_by(tmp_path, "--help")
    found = modules & (SERVER | NUMERIC | NETWORK | {"pydantic", "rich", "jinja2", "yaml"})
    assert not found
    assert not {m for m in modules if m.startswith("scribe_eval.cli.") and m[16] != "_"}


#: What listing runs has no use for: the typed records are pydantic models (~0.2 s to import).
TYPED_RECORDS = {"pydantic", "scribe_eval.store._records", "scribe_eval.store._summary"}
#: Nor for what only other commands of the same modules use: a lease's random token (secrets,
#: and OpenSSL's hashlib with it) and `runs show`'s statistics.
OTHER_COMMANDS = {"secrets", "hashlib", "statistics"}


def _with_runs(store: RunStore) -> None:
    """A store with two runs, one of them blessed and one with a failed cell."""
    for i, status in enumerate(("completed", "failed")):
        store.create_run(
            RunRecord(
                id=f"2026010{i}-000000-abcdef", name="demo", status=status,
                created=f"2026-01-0{i + 1}T00:00:00Z", experiment_hash="e", dataset_name="sample",
                dataset_hash="d", target={"kind": "embedded"}, config={}, provenance={},
            )
        )  # fmt: skip
    store.put_cell(
        CellRecord(
            run_id="20260101-000000-abcdef", cell_id="c", kind="document", encounter_id="e",
            language="en", recording_language="en", source="asr", status="error",
        )
    )  # fmt: skip
    store.bless("20260100-000000-abcdef", "prod")


def test_runs_list_imports_no_records_metrics_server_or_network(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs") as store:
        _with_runs(store)
    modules = imported_by(tmp_path, "runs", "list", "--runs-dir", str(tmp_path / "runs"))
    unused = SERVER | NUMERIC | NETWORK | TYPED_RECORDS | OTHER_COMMANDS
    assert not modules & (unused | {"jinja2", "scribe_eval.metrics"})


def test_runs_list_of_a_team_store_imports_its_driver_but_no_records(
    tmp_path: Path, pg_url: str
) -> None:
    with open_store(pg_url, tmp_path / "runs") as store:
        _with_runs(store)
    modules = imported_by(tmp_path, "runs", "list", "--store", pg_url, "--format", "json")
    assert "psycopg" in modules
    # A read-only command reads over one connection: no pool (~30 ms of imports and a thread),
    # and nothing of the SQLite backend.
    local = {"psycopg_pool", "scribe_eval.store._store", "scribe_eval.store._sqlite_extra"}
    unused = SERVER | NUMERIC | TYPED_RECORDS | OTHER_COMMANDS | local
    assert not modules & (unused | {"httpx", "scribe_eval.metrics"})


@pytest.mark.parametrize(
    ("kind", "forbidden"),
    [
        # ROUGE's sentence alignment uses numpy; nltk only when stemming is asked for.
        pytest.param("notes", NUMERIC - {"numpy"}, id="notes"),
        pytest.param("transcripts", NUMERIC, id="transcripts"),
    ],
)
def test_score_imports_no_server_numeric_or_network(
    tmp_path: Path, kind: str, forbidden: set[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("ref,hyp\nthe patient has a cough,patient has cough\n")
    args = ("score", kind, str(pairs), "--ref-col", "ref", "--hyp-col", "hyp")
    others = SERVER | NETWORK | {"jinja2", "scribe_eval.store", "scribe_eval.runner"}
    found = imported_by(tmp_path, *args) & (forbidden | others)
    assert not found


def test_summaries_are_each_commands_first_sentence() -> None:
    ctx = click.Context(main)
    assert sorted(COMMAND_SUMMARIES) == main.list_commands(ctx)
    for name, summary in COMMAND_SUMMARIES.items():
        command = main.get_command(ctx, name)
        assert command is not None
        assert command.get_short_help_str(10_000) == summary, name


@pytest.mark.parametrize("width", [60, 80, 120])
def test_command_list_prints_as_click_would(width: int) -> None:
    ctx = click.Context(main)
    ours, clicks = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
    main.format_commands(ctx, ours)
    click.Group.format_commands(main, ctx, clicks)
    assert ours.getvalue() == clicks.getvalue()
    assert "List, inspect and bless stored runs." in ours.getvalue()


def test_the_served_emulator_imports_no_http_client(tmp_path: Path) -> None:
    """What `emulator serve` imports and builds before its ready line: no httpx (~60 ms of a
    run's start-up, which waits for the emulator), unless a dropped connection is injected."""
    probe = f"""
import sys
import uvicorn
from scribe_eval.cli.emulator import serve
from scribe_eval.emulator import DroppedConnectionFilter, EmulatorSettings, create_app
create_app(EmulatorSettings(data_dir={str(tmp_path / "data")!r}, asr_engine="instant"))
print(sorted(m for m in sys.modules if m.split(".")[0] in {NETWORK!r}))
from scribe_eval.emulator import ConnectionDropped
import httpx
print(issubclass(ConnectionDropped, httpx.RemoteProtocolError))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"]


_READY_PROBE = """
import runpy, sys
import scribe_eval.cli.emulator as cli
make = cli._make_server
def probe(config, line, *, after_ready):
    def after():
        print("ready", *sorted(sys.modules), flush=True)
        after_ready()
        print("after", *sorted(sys.modules), flush=True)
        server.should_exit = True
    server = make(config, line, after_ready=after)
    return server
cli._make_server = probe
sys.argv = ["scribe-eval", *sys.argv[1:]]
runpy.run_module("scribe_eval.cli", run_name="__main__")
"""
SPEECH = {"numpy", "av", "faster_whisper", "ctranslate2", "onnxruntime", "tokenizers"}
#: What the first uploads and documents need, loaded right after the ready line.
FIRST_CALLS = {
    "numpy", "av", "yaml", "scribe_eval.emulator.engines._notes_template",
    "scribe_eval.emulator.engines._notes_lexicon",
}  # fmt: skip


def test_the_served_emulator_loads_what_its_first_calls_need_after_its_ready_line(
    tmp_path: Path,
) -> None:
    """`emulator serve` with the instant engine, as the runner starts it: at the ready line
    (which the runner waits for) neither the speech and decoding stack, nor the catalogue's YAML
    parser, nor the note engine's writing is imported; right after it, a thread loads what the
    first uploads and documents need."""
    args = ["emulator", "serve", "--port", "0", "--data-dir", str(tmp_path / "data"),
            "--asr-engine", "instant"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _READY_PROBE, *args],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    lines = {line.split()[0]: set(line.split()[1:]) for line in done.stdout.splitlines()}
    assert lines["ready"] & (SPEECH | FIRST_CALLS) == set()
    assert "scribe_eval.emulator.engines._asr_diarize" not in lines["ready"]
    assert "scribe_eval.emulator" in lines["ready"]  # the probe saw the server, not a stub
    assert lines["after"] >= FIRST_CALLS
    assert lines["after"] & (SPEECH - {"numpy", "av"}) == set()


_CYCLE_AT_EXIT = """
import sys
from scribe_eval.cli import main

class Node:
    def __del__(self):
        print("collected at exit", flush=True)

node = Node()
node.self = node  # a cycle: only a garbage collection frees it
del node
sys.argv = ["scribe-eval", "--version"]
main()
"""


def test_the_command_exits_without_a_final_collection() -> None:
    # The interpreter's collections at exit walked every object a command left alive (0.2-0.35 s
    # after a 400-cell run's last output); the CLI skips them. A cycle left for the collector
    # is still garbage when the process ends, so its finaliser never runs.
    done = subprocess.run(
        [sys.executable, "-c", _CYCLE_AT_EXIT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "collected at exit" not in done.stdout
