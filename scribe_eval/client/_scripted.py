"""Test support: a transport that answers from a script, and a clock that never really sleeps.

``AmbientClient(..., transport=ScriptedTransport([...]), sleep=clock.sleep, clock=clock)`` lets a
test of anything built on the client play out time-outs, throttling and slow transcripts in
microseconds, and then inspect every request that was sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import httpx

#: One scripted answer: a response, an exception to raise, or a function of the request.
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class ScriptedTransport(httpx.MockTransport):
    """Answers requests in order from a list of scripted answers, recording each request.

    An exception in the script is raised as if the network failed (give it ``request=None``;
    the transport attaches the request). Running out of answers raises ``RuntimeError`` naming
    the unexpected request, so a test fails loudly on a call it did not foresee.
    """

    def __init__(self, answers: Iterable[Answer] = ()) -> None:
        self.answers: deque[Answer] = deque(answers)
        self.requests: list[httpx.Request] = []
        super().__init__(self._answer)

    def add(self, *answers: Answer) -> None:
        """Append answers to the script."""
        self.answers.extend(answers)

    def calls(self) -> list[str]:
        """``METHOD path`` of every request received, in order."""
        return [f"{r.method} {r.url.path}" for r in self.requests]

    async def _answer(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        if not self.answers:
            raise RuntimeError(f"no scripted answer left for {request.method} {request.url}")
        answer = self.answers.popleft()
        if isinstance(answer, httpx.TransportError):
            answer.request = request
            raise answer
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


class ManualClock:
    """A monotonic clock that only moves when ``sleep`` is awaited; it records every wait."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock forward, without waiting."""
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Move the clock forward (time passing between calls)."""
        self.now += seconds
