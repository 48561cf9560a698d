"""How the client proves who it is: OAuth2 client credentials, a fixed bearer token, or nothing.

An ``Auth`` hands the client the ``Authorization`` header for each call and says whether a 401
is worth one fresh token. Secrets are kept as ``SecretStr`` and never appear in a repr or a log.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from pydantic import SecretStr

from scribe_eval.api import TokenResponse

#: The vendor's token endpoint; ``env`` is ``eu`` or ``us``.
VENDOR_TOKEN_URL = "https://auth.{env}.corti.app/realms/{tenant}/protocol/openid-connect/token"


def vendor_token_url(tenant: str, env: str = "eu") -> str:
    """The vendor's OAuth2 token URL for ``tenant`` in environment ``env`` (``eu`` or ``us``)."""
    return VENDOR_TOKEN_URL.format(env=env, tenant=tenant)


class TokenFetcher(Protocol):
    """What an ``Auth`` needs from the client to get a token (retries and errors included)."""

    async def fetch_token(self, url: str, form: Mapping[str, str]) -> TokenResponse:
        """POST ``form`` (form-encoded) to ``url`` and parse the token answer."""
        ...


class Auth:
    """Base of the authentication modes; subclasses override ``authorization``."""

    #: Hint added to a 401 error message.
    fix_hint = "the API wants credentials; set SCRIBE_EVAL_CLIENT_ID and SCRIBE_EVAL_CLIENT_SECRET"

    async def authorization(self, fetcher: TokenFetcher) -> str | None:
        """The ``Authorization`` header value for the next call, None to send none."""
        return None

    def invalidate(self, authorization: str | None) -> bool:
        """Forget a refused header value; True when a fresh one may succeed (one re-auth)."""
        return False


class NoAuth(Auth):
    """Send no credentials (the embedded emulator with auth disabled)."""

    def __repr__(self) -> str:
        return "NoAuth()"


class BearerTokenAuth(Auth):
    """A fixed bearer token obtained elsewhere; a 401 is final."""

    fix_hint = "the bearer token was refused or has expired; set a fresh SCRIBE_EVAL_TOKEN"

    def __init__(self, token: SecretStr | str) -> None:
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        if not self._token.get_secret_value():
            raise ValueError("BearerTokenAuth needs a non-empty token")

    async def authorization(self, fetcher: TokenFetcher) -> str | None:
        """``Bearer <token>``."""
        return f"Bearer {self._token.get_secret_value()}"

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=SecretStr('**********'))"


class ClientCredentialsAuth(Auth):
    """OAuth2 client credentials: the token is cached and refreshed before it expires.

    A token is renewed ``refresh_margin`` seconds (at most half its lifetime) before expiry, so a
    call never leaves with a token about to lapse. Concurrent calls share one token request. A 401
    invalidates the token once; the client then retries the call with a fresh one. A token request
    that failed (after the client's own retries) is not repeated by every waiting call: its error
    is given to each call for ``failure_backoff`` seconds, so a run with a wrong token URL or secret
    asks once, not once per cell.
    """

    fix_hint = (
        "the token was refused after re-authenticating; check SCRIBE_EVAL_CLIENT_ID, "
        "SCRIBE_EVAL_CLIENT_SECRET and SCRIBE_EVAL_TENANT"
    )

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr | str,
        *,
        scope: str = "openid",
        refresh_margin: float = 30.0,
        failure_backoff: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        if not client_id or not secret.get_secret_value():
            raise ValueError("ClientCredentialsAuth needs a client id and a client secret")
        self.token_url = token_url
        self.client_id = client_id
        self._secret = secret
        self.scope = scope
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._header: str | None = None
        self._renew_at = 0.0
        self.failure_backoff = failure_backoff
        self._failure: Exception | None = None
        self._failed_until = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def for_tenant(
        cls, tenant: str, client_id: str, client_secret: SecretStr | str, *, env: str = "eu"
    ) -> ClientCredentialsAuth:
        """Client credentials against the vendor's token endpoint of ``tenant``."""
        return cls(vendor_token_url(tenant, env), client_id, client_secret)

    async def authorization(self, fetcher: TokenFetcher) -> str | None:
        """A cached ``Bearer`` header, fetching a new token when none is valid long enough."""
        async with self._lock:
            if self._header is None or self._clock() >= self._renew_at:
                if self._failure is not None and self._clock() < self._failed_until:
                    raise self._failure
                try:
                    await self._renew(fetcher)
                except Exception as exc:
                    self._failure, self._failed_until = exc, self._clock() + self.failure_backoff
                    raise
                self._failure = None
            return self._header

    def invalidate(self, authorization: str | None) -> bool:
        """Drop the refused token (unless a newer one replaced it); one retry is worth it."""
        if authorization is not None and authorization == self._header:
            self._header = None
        return True

    async def _renew(self, fetcher: TokenFetcher) -> None:
        started = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret.get_secret_value(),
            "scope": self.scope,
        }
        answer = await fetcher.fetch_token(self.token_url, form)
        margin = min(self.refresh_margin, answer.expires_in / 2)
        self._header = f"{answer.token_type.capitalize() or 'Bearer'} {answer.access_token}"
        self._renew_at = started + answer.expires_in - margin

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            "client_secret=SecretStr('**********'))"
        )
