"""The ``openai`` note engine against a fake chat-completions server on a real loopback socket."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from scribe_eval import api
from scribe_eval.emulator._catalogue import builtin_catalogue
from scribe_eval.emulator.engines import (
    NoteRequest,
    NoteSegment,
    OpenAINoteEngine,
    create_note_engine,
)
from scribe_eval.emulator.engines._notes_openai import parse_sections
from scribe_eval.errors import EngineError

SECRET = "sk-test-not-a-real-key-7f3a"


@dataclass
class FakeChatCompletionsServer:
    """A fake OpenAI-compatible endpoint for tests: records requests, answers a scripted reply.

    ``reply`` is called with the request body and returns ``(status, message content)``.
    """

    reply: Any = None
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    base_url: str = ""


@pytest.fixture
def fake_server() -> Iterator[FakeChatCompletionsServer]:
    fake = FakeChatCompletionsServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status, content = fake.reply(body) if fake.reply else (200, "{}")
            if self.path != "/v1/chat/completions":
                status, content = 404, "not found"
            answer = {
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]
            }
            payload = json.dumps(answer if status == 200 else {"error": content}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _request(language: str = "en") -> NoteRequest:
    body = {
        "context": [{"type": "string", "data": "."}],
        "outputLanguage": language,
        "template": {
            "sections": [
                {"key": "corti-subjective", "nameOverride": "History"},
                {"key": "corti-plan", "contentOverride": "Exclude: medications"},
            ],
            "additionalInstructionsOverride": "Be brief.",
        },
    }
    resolved = builtin_catalogue().resolve(api.CreateDocumentRequest.model_validate(body))
    segments = (
        NoteSegment("What brings you in?", "doctor"),
        NoteSegment("A cough for three days.", "patient"),
    )
    return NoteRequest(segments, None, ("allergies: penicillin",), resolved, language)


def test_writes_sections_from_the_model_answer(
    fake_server: FakeChatCompletionsServer, caplog: pytest.LogCaptureFixture
) -> None:
    fenced = '```json\n{"corti-subjective": "Cough for 3 days.", "Plan": ["Rest", "Fluids"]}\n```'
    fake_server.reply = lambda body: (200, fenced)
    engine = OpenAINoteEngine(fake_server.base_url, "tiny-model", SECRET, timeout_s=5)
    with caplog.at_level(logging.DEBUG):
        written = engine.write(_request())
    assert [(s.key, s.name, s.text) for s in written] == [
        ("corti-subjective", "History", "Cough for 3 days."),
        ("corti-plan", "Plan", "- Rest\n- Fluids"),
    ]
    headers, body = fake_server.requests[0]
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert body["model"] == "tiny-model"
    assert body["response_format"] == {"type": "json_object"}
    prompt = body["messages"][1]["content"]
    assert '"corti-subjective": History' in prompt
    assert "content: Exclude: medications" in prompt
    assert "Be brief." in prompt
    assert "PATIENT: A cough for three days." in prompt
    assert "FACT: allergies: penicillin" in prompt
    assert SECRET not in caplog.text
    assert SECRET not in repr(engine)
    assert SECRET not in json.dumps(engine.identity())


def test_configured_from_the_environment(
    fake_server: FakeChatCompletionsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_server.reply = lambda body: (200, 'Here it is: {"subjective": "ok"} Hope it helps.')
    monkeypatch.setenv("SCRIBE_EVAL_NOTE_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("SCRIBE_EVAL_NOTE_MODEL", "env-model")
    engine = create_note_engine("openai", json_mode=False)
    written = engine.write(_request())
    assert written[0].text == "ok"
    assert written[1].text == ""
    headers, body = fake_server.requests[0]
    assert "authorization" not in headers
    assert "response_format" not in body
    assert engine.identity() == {
        "engine": "openai", "base_url": fake_server.base_url, "model": "env-model"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "content", "message"),
    [
        pytest.param(401, "invalid key", "answered 401", id="http-error"),
        pytest.param(200, "I cannot write notes.", "no JSON object", id="not-json"),
    ],
)
def test_endpoint_failures_are_engine_errors(
    fake_server: FakeChatCompletionsServer, status: int, content: str, message: str
) -> None:
    fake_server.reply = lambda body: (status, content)
    engine = OpenAINoteEngine(fake_server.base_url, "m", SECRET, timeout_s=5)
    with pytest.raises(EngineError, match=message) as caught:
        engine.write(_request())
    assert SECRET not in str(caught.value)


def test_unreachable_endpoint_is_an_engine_error() -> None:
    engine = OpenAINoteEngine("http://127.0.0.1:9/v1", "m", SECRET, timeout_s=2)
    with pytest.raises(EngineError, match="could not be reached"):
        engine.write(_request())


def test_missing_configuration_says_which_variables() -> None:
    with pytest.raises(EngineError, match="SCRIBE_EVAL_NOTE_BASE_URL"):
        create_note_engine("openai")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param('{"corti-plan": "Rest."}', {"corti-plan": "Rest."}, id="by-key"),
        pytest.param('{"HISTORY": "Cough."}', {"corti-subjective": "Cough."}, id="by-heading"),
        pytest.param('{"plan": {"drug": "none"}}', {"corti-plan": "drug: none"}, id="nested"),
        pytest.param('{"unknown": "x"}', {}, id="unknown-key-ignored"),
    ],
)
def test_parse_sections_is_lenient(content: str, expected: dict[str, str]) -> None:
    assert parse_sections(content, _request()) == expected
