"""Async client of the ambient-documentation API: auth, retries, polling, error mapping.

``AmbientClient`` has one ``verb_resource`` method per endpoint of the contract and returns the
models of ``scribe_eval.api``. It sits on ``httpx.AsyncClient`` with an injectable transport, so
the same code drives the vendor, the embedded emulator in-process, or scripted answers in tests.
Failures are ``scribe_eval.errors.APIError`` subclasses; httpx errors never leave this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

# Loaded on first use (PEP 562): `run` starts the embedded emulator (`_embedded`, the standard
# library only) before it pays for httpx and the rest of the client.
if TYPE_CHECKING:
    from scribe_eval.client._auth import (
        Auth,
        BearerTokenAuth,
        ClientCredentialsAuth,
        NoAuth,
        vendor_token_url,
    )
    from scribe_eval.client._client import AmbientClient
    from scribe_eval.client._documents import CreatedDocument
    from scribe_eval.client._embedded import EmbeddedServer, WarmStart, read_embedded_identity
    from scribe_eval.client._gate import CallGate, gated_calls
    from scribe_eval.client._http import CallCounter
    from scribe_eval.client._network import AsyncioBackend, asyncio_transport
    from scribe_eval.client._retry import PollPolicy, RetryPolicy, parse_retry_after
    from scribe_eval.client._scripted import ManualClock, ScriptedTransport
    from scribe_eval.client._settings import ClientSettings

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "Auth": "_auth",
    "BearerTokenAuth": "_auth",
    "ClientCredentialsAuth": "_auth",
    "NoAuth": "_auth",
    "vendor_token_url": "_auth",
    "AmbientClient": "_client",
    "CreatedDocument": "_documents",
    "EmbeddedServer": "_embedded",
    "read_embedded_identity": "_embedded",
    "WarmStart": "_embedded",
    "CallGate": "_gate",
    "gated_calls": "_gate",
    "CallCounter": "_http",
    "AsyncioBackend": "_network",
    "asyncio_transport": "_network",
    "PollPolicy": "_retry",
    "RetryPolicy": "_retry",
    "parse_retry_after": "_retry",
    "ManualClock": "_scripted",
    "ScriptedTransport": "_scripted",
    "ClientSettings": "_settings",
}

__all__ = [
    "AmbientClient",
    "AsyncioBackend",
    "Auth",
    "BearerTokenAuth",
    "CallCounter",
    "CallGate",
    "ClientCredentialsAuth",
    "ClientSettings",
    "CreatedDocument",
    "EmbeddedServer",
    "ManualClock",
    "NoAuth",
    "PollPolicy",
    "RetryPolicy",
    "ScriptedTransport",
    "WarmStart",
    "asyncio_transport",
    "gated_calls",
    "parse_retry_after",
    "read_embedded_identity",
    "vendor_token_url",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
