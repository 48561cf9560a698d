"""``scribe-eval init``: write a starter project that runs at once (offline, on the emulator).

The starter ships inside the wheel (``scribe_eval/_starter``): a tiny synthetic dataset, an
experiment, a template file, a gate file and a CI workflow example. ``init`` copies it, adds the
JSON Schemas that the YAML files' ``yaml-language-server`` comments point at, and never overwrites
a file unless ``--force`` is given.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

import click

from scribe_eval.cli._schemas import SCHEMA_KINDS, json_schema
from scribe_eval.errors import ConfigError

#: Where a starter file lands when that is not its path in the package (a dot-folder in a wheel
#: is easy to lose, so the workflow travels as ci/ and is put in place here).
_RENAMES = {"ci/scribe-eval.yml": ".github/workflows/scribe-eval.yml"}


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Write a starter project into DIRECTORY (default: here), ready for `scribe-eval run`."""
    files = starter_files()
    clashes = sorted(str(directory / p) for p in files if (directory / p).exists())
    if clashes and not force:
        raise ConfigError(
            f"{len(clashes)} starter file(s) already exist, first {clashes[0]}; "
            "pick an empty folder or add --force to overwrite them"
        )
    for relative, content in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    click.echo(f"Wrote a starter project ({len(files)} files) to {directory}. Next:")
    click.echo(f"  cd {directory} && scribe-eval run experiment.yaml")
    click.echo("  scribe-eval report latest -o reports/starter")


def starter_files() -> dict[PurePosixPath, bytes]:
    """Every file ``init`` writes, by its path in the new project."""
    files: dict[PurePosixPath, bytes] = {}
    for relative, item in _walk(resources.files("scribe_eval") / "_starter", PurePosixPath()):
        files[PurePosixPath(_RENAMES.get(str(relative), str(relative)))] = item.read_bytes()
    for kind in SCHEMA_KINDS:
        text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
        files[PurePosixPath(".schemas", f"{kind}.json")] = text.encode("utf-8")
    return files


def _walk(folder: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, Traversable]]:
    found: list[tuple[PurePosixPath, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            found += _walk(item, prefix / item.name)
        else:
            found.append((prefix / item.name, item))
    return found
