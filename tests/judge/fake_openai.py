"""A FAKE OpenAI-compatible chat-completions server for the judge's tests (never for real use).

It listens on 127.0.0.1 at a free port, in a thread, and answers ``POST /v1/chat/completions``
from a script per judge task (``claims``, ``content_rules``, ``rubric``): a JSON answer, raw
content (malformed), a refusal, or an error status with headers (429 and ``Retry-After``). When a
task's script is used up it answers that task's default (a JSON value, or a function of the
request body that returns one). It records every request (task, headers,
body) and the most calls it had in flight at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: an HTTP status, headers, and (for 200) the message content."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def answer(cls, data: Any) -> Reply:
        """A 200 whose message content is ``data`` as JSON."""
        return cls(content=json.dumps(data))

    @classmethod
    def error(cls, status: int, **headers: str) -> Reply:
        """An error status (``Retry_After="3"`` becomes ``Retry-After: 3``)."""
        pairs = tuple((name.replace("_", "-"), value) for name, value in headers.items())
        return cls(status=status, headers=pairs)


@dataclass
class Recorded:
    """One request the fake received."""

    task: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    """The fake server's script, record and address (``base_url`` ends in ``/v1``)."""

    defaults: dict[str, Any]
    delay: float = 0.0
    scripts: dict[str, deque[Reply]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    max_in_flight: int = 0
    base_url: str = ""
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, task: str, *replies: Reply) -> None:
        """Answer the next calls of ``task`` with ``replies``, in order."""
        self.scripts.setdefault(task, deque()).extend(replies)

    def calls(self, task: str | None = None) -> int:
        """Requests received (for one task, or all)."""
        return sum(task is None or r.task == task for r in self.requests)

    def handle(self, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        """Record a request and pick its scripted reply (after ``delay`` seconds in flight)."""
        task = task_of(body)
        with self._lock:
            self.requests.append(Recorded(task, headers, body))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            queue = self.scripts.get(task)
            default = self.defaults[task]
            reply = (
                queue.popleft()
                if queue
                else Reply.answer(default(body) if callable(default) else default)
            )
        time.sleep(self.delay)
        with self._lock:
            self._in_flight -= 1
        return reply


def task_of(body: dict[str, Any]) -> str:
    """Which judge task a request is, from the material its user message carries."""
    user = body["messages"][-1]["content"]
    if "\nRULES:\n<<<" in user:
        return "content_rules"
    if "\nREFERENCE:\n<<<" in user:
        return "claims"
    return "rubric"


def completion(reply: Reply, model: str) -> dict[str, Any]:
    """An OpenAI-style chat completion carrying the reply's content or refusal."""
    message = {"role": "assistant", "content": reply.content, "refusal": reply.refusal}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length))
            reply = fake.handle({k.lower(): v for k, v in self.headers.items()}, body)
            payload = (
                completion(reply, body.get("model", ""))
                if reply.status == 200
                else {"error": {"message": "scripted error", "type": "fake"}}
            )
            data = json.dumps(payload).encode()
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@contextmanager
def serve_fake_openai(defaults: dict[str, Any], *, delay: float = 0.0) -> Iterator[FakeOpenAI]:
    """Run the fake on 127.0.0.1 at a free port for the ``with`` block."""
    fake = FakeOpenAI(defaults=defaults, delay=delay)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
