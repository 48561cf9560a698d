"""The one way commands start the embedded emulator: a real child process on a free port."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from scribe_eval.client import EmbeddedServer
from scribe_eval.errors import ConfigError


@pytest.mark.slow
def test_the_server_answers_at_its_url_and_stops(tmp_path: Path) -> None:
    server = EmbeddedServer(
        tmp_path / "data", tmp_path / "emulator.log", ["--asr-engine", "instant"]
    )

    async def scenario() -> tuple[int, str, int | None]:
        url = await server.base_url()
        assert await server.base_url() == url  # Started once.
        pid = server.pid
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{url}/health")
        await server.stop()
        return health.status_code, url, pid

    status, url, pid = asyncio.run(scenario())
    assert status == 200
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v2")
    assert pid is not None
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert (tmp_path / "data").is_dir()


@pytest.mark.slow
def test_a_server_that_cannot_start_names_its_last_words_and_its_log(tmp_path: Path) -> None:
    log = tmp_path / "emulator.log"
    server = EmbeddedServer(tmp_path / "data", log, ["--latency-ms", "-5"])
    with pytest.raises(ConfigError) as caught:
        asyncio.run(server.base_url())
    message = str(caught.value)
    assert "exited (code 1) before it was ready" in message
    assert "latency" in message.lower()
    assert str(log) in message
    assert "\n" not in message


def test_stopping_a_server_never_started_does_nothing(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "data", tmp_path / "emulator.log")
    asyncio.run(server.stop())
    assert server.pid is None
    assert not (tmp_path / "emulator.log").exists()
