"""Reaching a target's catalogue: ``embedded`` (a local emulator) or a base URL.

This is the one place that starts the embedded emulator for template commands; it runs the
emulator as a subprocess (``scribe-eval emulator serve --port 0``) and reads the base URL it
prints, so nothing here imports the emulator. Credentials for a URL target come from the
``SCRIBE_EVAL_*`` variables (see ``scribe_eval.client.ClientSettings``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

from scribe_eval.errors import ConfigError
from scribe_eval.templates._catalogue import (
    CATALOGUE_LANGUAGES,
    Catalogue,
    CatalogueSource,
    fetch_catalogue,
    save_snapshot,
)

#: How long the embedded emulator may take to print its base URL.
EMBEDDED_START_TIMEOUT = 60.0
_URL = re.compile(r"https?://\S+")


@contextlib.asynccontextmanager
async def open_target(target: str) -> AsyncIterator[CatalogueSource]:
    """An API client for ``target``: ``embedded`` (started here, stopped on exit) or a base URL."""
    from scribe_eval.client import AmbientClient, ClientSettings

    if target == "embedded":
        async with embedded_base_url() as base_url:
            settings = ClientSettings(base_url=base_url, auth_mode="none")
            async with AmbientClient.from_settings(settings) as client:
                yield client
        return
    if not re.match(r"^https?://", target):
        raise ConfigError(
            f"target {target!r} is neither 'embedded' nor a base URL — "
            "use --target embedded or --target https://api.eu.corti.app/v2"
        )
    async with AmbientClient.from_settings(ClientSettings(base_url=target)) as client:
        yield client


@contextlib.asynccontextmanager
async def embedded_base_url() -> AsyncIterator[str]:
    """Start ``scribe-eval emulator serve --port 0`` and yield its base URL until exit.

    The emulator keeps its data in a temporary folder removed afterwards: reading the catalogue
    leaves nothing behind.
    """
    with tempfile.TemporaryDirectory(prefix="scribe-eval-templates-") as data_dir:
        async with _serve(data_dir) as base_url:
            yield base_url


@contextlib.asynccontextmanager
async def _serve(data_dir: str) -> AsyncIterator[str]:
    entry = "from scribe_eval.cli import main; main()"
    command = [sys.executable, "-c", entry, "emulator", "serve", "--port", "0"]
    command += ["--data-dir", data_dir, "--asr-engine", "instant"]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        base_url = await asyncio.wait_for(_read_url(process), EMBEDDED_START_TIMEOUT)
        yield base_url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _read_url(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    seen: list[str] = []
    while line := (await process.stdout.readline()).decode(errors="replace"):
        seen.append(line.strip())
        if match := _URL.search(line):
            # Keep reading in the background so a chatty server never blocks on a full pipe.
            asyncio.get_running_loop().create_task(_drain(process))
            return match.group(0).rstrip("/.,")
    raise ConfigError(
        "the embedded emulator exited before printing its URL "
        f"(last output: {' | '.join(seen[-3:]) or 'none'}) — run `scribe-eval emulator serve`"
    )


async def _drain(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while await process.stdout.readline():
        pass


async def fetch_target_catalogue(target: str, languages: tuple[str, ...] = ()) -> Catalogue:
    """The target's catalogue in ``languages`` (default: the contract's catalogue languages)."""
    async with open_target(target) as source:
        return await fetch_catalogue(
            source, languages or CATALOGUE_LANGUAGES, origin=display_target(target)
        )


def pull_snapshot(
    target: str, root: Path, languages: tuple[str, ...] = (), *, today: date | None = None
) -> Path:
    """Fetch the target's catalogue and save it as ``root/<today>/``; returns that folder."""
    catalogue = asyncio.run(fetch_target_catalogue(target, languages))
    return save_snapshot(
        catalogue, root, taken=today or date.today(), target=display_target(target)
    )


def display_target(target: str) -> str:
    """The target as stored in a snapshot: never a URL's user-info or query (credentials)."""
    if target == "embedded":
        return "embedded"
    return re.sub(r"//[^/@]*@", "//", target).split("?", 1)[0]
