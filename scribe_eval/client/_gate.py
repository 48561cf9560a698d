"""A gate around every HTTP attempt the client makes: what a caller's concurrency limit holds.

A caller that limits its calls in flight (the runner's ``execution.concurrency``) must hold a
slot while a request is on the wire and only then: not while it reads a recording from disk or
writes its store, not while it waits out a retry's back-off, and not between the polls of a
transcript being made (minutes, for a real visit on the vendor's API). `gated_calls` sets, for
the code it wraps (its task and the tasks that task starts), the gate each attempt of
``Http.call`` passes through, after its credentials are in hand (a token fetch is an attempt of
its own, gated alone, so a slot is never held while waiting for another).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager

#: Opens the gate for one attempt: entered before the request is sent, left once its answer (or
#: error) is in. An exception raised on entering ends the call with it, with nothing sent.
CallGate = Callable[[], AbstractAsyncContextManager[None]]

_GATE: contextvars.ContextVar[CallGate | None] = contextvars.ContextVar(
    "scribe_eval_call_gate", default=None
)


@contextlib.contextmanager
def gated_calls(gate: CallGate) -> Iterator[None]:
    """Pass every HTTP attempt made inside this block (in this context) through ``gate``."""
    token = _GATE.set(gate)
    try:
        yield
    finally:
        _GATE.reset(token)


def call_gate() -> AbstractAsyncContextManager[None]:
    """The gate of the current context for one attempt (a no-op when none is set)."""
    gate = _GATE.get()
    return contextlib.nullcontext() if gate is None else gate()
