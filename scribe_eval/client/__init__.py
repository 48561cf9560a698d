"""Async client of the ambient-documentation API: auth, retries, polling, error mapping.

``AmbientClient`` has one ``verb_resource`` method per endpoint of the contract and returns the
models of ``scribe_eval.api``. It sits on ``httpx.AsyncClient`` with an injectable transport, so
the same code drives the vendor, the embedded emulator in-process, or scripted answers in tests.
Failures are ``scribe_eval.errors.APIError`` subclasses; httpx errors never leave this package.
"""

from __future__ import annotations

from scribe_eval.client._auth import (
    Auth,
    BearerTokenAuth,
    ClientCredentialsAuth,
    NoAuth,
    vendor_token_url,
)
from scribe_eval.client._client import AmbientClient
from scribe_eval.client._documents import CreatedDocument
from scribe_eval.client._embedded import EmbeddedServer, read_embedded_identity
from scribe_eval.client._http import CallCounter
from scribe_eval.client._retry import PollPolicy, RetryPolicy, parse_retry_after
from scribe_eval.client._scripted import ManualClock, ScriptedTransport
from scribe_eval.client._settings import ClientSettings

__all__ = [
    "AmbientClient",
    "Auth",
    "BearerTokenAuth",
    "CallCounter",
    "ClientCredentialsAuth",
    "ClientSettings",
    "CreatedDocument",
    "EmbeddedServer",
    "ManualClock",
    "NoAuth",
    "PollPolicy",
    "RetryPolicy",
    "ScriptedTransport",
    "parse_retry_after",
    "read_embedded_identity",
    "vendor_token_url",
]
