"""Reaching a target's catalogue: ``embedded`` (a local emulator) or a base URL.

The embedded emulator starts the way `run` starts it (``scribe_eval.client.EmbeddedServer``, a
subprocess), so nothing here imports the emulator. Credentials for a URL target come from the
``SCRIBE_EVAL_*`` variables (see ``scribe_eval.client.ClientSettings``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
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
    settings = ClientSettings(base_url=target)
    async with AmbientClient.from_settings(settings, base_url_source="--target") as client:
        yield client


@contextlib.asynccontextmanager
async def embedded_base_url() -> AsyncIterator[str]:
    """Start the embedded emulator and yield its base URL until exit.

    The emulator keeps its data (and log) in a temporary folder removed afterwards: reading the
    catalogue leaves nothing behind.
    """
    from scribe_eval.client import EmbeddedServer

    with tempfile.TemporaryDirectory(prefix="scribe-eval-templates-") as data_dir:
        folder = Path(data_dir)
        server = EmbeddedServer(
            folder / "data", folder / "emulator.log", ["--asr-engine", "instant"]
        )
        try:
            yield await server.base_url(EMBEDDED_START_TIMEOUT)
        finally:
            await server.stop()


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
