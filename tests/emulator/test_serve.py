"""End to end over a real socket: ``scribe-eval emulator serve --port 0`` as a subprocess."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from scribe_eval.api import CreateDocumentRequest, CreateInteractionRequest, CreateTranscriptRequest
from scribe_eval.cli import main
from scribe_eval.client import AmbientClient, RetryPolicy

pytestmark = pytest.mark.slow

CLIP = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "mono_en.flac"
READY_TIMEOUT_S = 60.0


class Served:
    """A running emulator subprocess and the base URL it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url


def _start(data_dir: Path, *flags: str) -> Served:
    command = [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
               "--data-dir", str(data_dir), "--asr-engine", "instant", *flags]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], READY_TIMEOUT_S)
    line = process.stdout.readline().strip() if ready else ""
    if not line.startswith("http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"no ready line; stderr: {process.communicate()[1][-2000:]}")
    return Served(process, line)


def _stop(served: Served) -> tuple[bool, str]:
    """Stop the server with SIGTERM, as a supervisor would; True when it shut down cleanly.

    uvicorn shuts down gracefully and then re-raises the signal, so the exit status is -SIGTERM.
    """
    served.process.terminate()
    try:
        _, stderr = served.process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        _, stderr = served.process.communicate()
    clean = served.process.returncode in (0, -signal.SIGTERM)
    return clean and "Error" not in stderr, stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    running = _start(tmp_path / "data")
    yield running
    assert _stop(running)[0]


async def test_workflow_over_a_real_socket(served: Served, tmp_path: Path) -> None:
    assert served.url.endswith("/v2")
    async with AmbientClient(served.url, tenant="clinic") as client:
        assert (await client.health()).status == "ok"
        iid = (await client.create_interaction(CreateInteractionRequest.model_validate(
            {"encounter": {"identifier": "e2e", "status": "planned", "type": "consultation"}}
        ))).interaction_id  # fmt: skip
        rid = (await client.upload_recording(iid, CLIP)).recording_id
        transcript = await client.transcribe(iid, CreateTranscriptRequest.model_validate(
            {"recordingId": rid, "primaryLanguage": "en"}))  # fmt: skip
        assert transcript.segments
        context = [{"type": "transcript", "data": {"text": transcript.text()}}]
        first = await client.create_document(
            iid,
            CreateDocumentRequest.model_validate(
                {"context": context, "outputLanguage": "en", "templateKey": "corti-soap"}
            ),
        )
        second = await client.create_document(
            iid,
            CreateDocumentRequest.model_validate(
                {
                    "context": context,
                    "outputLanguage": "en",
                    "template": {"sections": [{"key": "corti-plan", "nameOverride": "Next steps"}]},
                }
            ),
        )
        assert first.template_ref == "corti-soap"
        assert [s.name for s in second.sections] == ["Next steps"]
        await client.delete_interaction(iid)
        sent = client.calls.total
    stats = httpx.get(f"{served.url}/_emulator/stats").json()
    assert stats["requests"] == sent - 1  # the health call is not counted
    assert stats["stored"]["interactions"] == 0
    assert not any((tmp_path / "data" / "audio").iterdir())


async def test_dropped_connections_are_retried_by_the_client(tmp_path: Path) -> None:
    running = _start(tmp_path / "data", "--fault-drop", "0.4", "--fault-seed", "1")
    try:
        with pytest.raises(httpx.TransportError):  # seed 1: the first call meets a drop
            httpx.get(f"{running.url}/interactions/", timeout=10)
        retry = RetryPolicy(max_attempts=10, initial_backoff=0.0, max_backoff=0.0)
        async with AmbientClient(running.url, retry=retry) as client:
            for _ in range(6):
                assert await client.list_interactions() == []
        stats = httpx.get(f"{running.url}/_emulator/stats").json()
        assert stats["faults"]["drop"] >= 2
        assert stats["requests"] == 6 + stats["faults"]["drop"]
    finally:
        clean, stderr = _stop(running)
    assert clean
    assert "Traceback" not in stderr  # injected drops are not logged as errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--client", "no-colons"], "TENANT:CLIENT_ID:SECRET", id="bad-client"),
        pytest.param(["--auth", "client-credentials"], "client id and secret", id="no-clients"),
        pytest.param(["--fault-429", "1.5"], "1.5", id="bad-probability"),
    ],
)
def test_serve_refuses_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        main, ["emulator", "serve", "--data-dir", str(tmp_path), "--no-preload", *args]
    )
    assert result.exit_code != 0
    assert message in result.output


def test_flags_override_the_environment_and_merge_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scribe_eval.cli.emulator import _settings

    monkeypatch.setenv("SCRIBE_EVAL_EMULATOR_FAULTS__P429", "0.5")
    monkeypatch.setenv("SCRIBE_EVAL_EMULATOR_ASYNC_THRESHOLD_S", "3")
    monkeypatch.setenv(
        "SCRIBE_EVAL_EMULATOR_CLIENTS", '{"a": {"client_id": "ia", "client_secret": "sa"}}'
    )
    options = {"data_dir": tmp_path, "async_threshold_s": 9.0, "fault_500": 0.25, "auth": None}
    settings = _settings(options, ("b:ib:sb",), preload=False)
    assert settings.async_threshold_s == 9.0
    assert (settings.faults.p429, settings.faults.p500) == (0.5, 0.25)
    assert sorted(settings.clients) == ["a", "b"]
    assert settings.clients["b"].client_secret.get_secret_value() == "sb"
    assert settings.auth == "none"


def test_identity_prints_the_engines_without_serving() -> None:
    result = CliRunner().invoke(main, ["emulator", "identity", "--asr-engine", "instant"])
    assert result.exit_code == 0, result.output
    identity = json.loads(result.output)
    assert identity["asr"]["engine"] == "instant"
    assert identity["notes"]
    assert identity["emulator"]
