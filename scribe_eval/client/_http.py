"""The request loop under every client method: auth, retries, logging, counting, error mapping.

One call goes through ``Http.call``: it adds ``Tenant-Name`` and ``Authorization``, sends, and on
failure decides between giving up, re-authenticating once (401), and waiting to try again (408,
429, 5xx, transport errors). A POST that is not safe to repeat passes a ``recover`` function; after
an *ambiguous* failure (the server may have acted: a read time-out, a dropped connection, 500/502/
504) it is asked first whether the effect already exists, and its answer ends the call.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from pydantic import ValidationError

from scribe_eval.api import TokenResponse
from scribe_eval.client._auth import Auth
from scribe_eval.client._errors import (
    DEFAULT_URL_SOURCE,
    error_body_of,
    is_ambiguous,
    label,
    map_decode_error,
    map_status_error,
    map_transport_error,
    request_id_of,
    wrong_root,
)
from scribe_eval.client._gate import call_gate
from scribe_eval.client._retry import RetryPolicy, is_retryable_status, parse_retry_after
from scribe_eval.errors import APIError, ScribeEvalError, TransportError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Body = bytes | AsyncIterator[bytes]
QueryParams = Sequence[tuple[str, str | int | bool]]

logger = logging.getLogger("scribe_eval.client")

#: Error answers after which a POST may nevertheless have been carried out.
_AMBIGUOUS_STATUSES = frozenset({500, 502, 504})
#: What a server that is not the API answers a call on one of its collections (`Request.root`):
#: no such path, no such method on it, no such method at all (a static web server's POST).
_NO_SUCH_ENDPOINT = frozenset({404, 405, 501})


class CallCounter:
    """HTTP requests sent, per ``METHOD /path/{template}`` (retries and token calls included).

    A request counts once it may have reached the server: it was answered, or it failed after
    the connection was made (a read time-out, a dropped answer). An attempt that never got a
    connection (refused, unknown host, TLS, connect time-out) is no API call: it is counted
    apart, in `unsent`, so that a dead address reports "0 API calls", not one per retry.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._unsent: Counter[str] = Counter()

    def record(self, call: str) -> None:
        """Count one request of ``call``."""
        self._counts[call] += 1

    def record_unsent(self, call: str) -> None:
        """Count one attempt of ``call`` that never reached a server."""
        self._unsent[call] += 1

    @property
    def unsent(self) -> int:
        """Attempts so far that never reached a server (not in `total`)."""
        return sum(self._unsent.values())

    def __getitem__(self, call: str) -> int:
        return self._counts[call]

    @property
    def total(self) -> int:
        """All requests sent so far."""
        return sum(self._counts.values())

    def as_dict(self) -> dict[str, int]:
        """A sorted snapshot: call label -> number of requests."""
        return dict(sorted(self._counts.items()))

    def __repr__(self) -> str:
        return f"CallCounter({self.as_dict()!r})"


@dataclass(frozen=True, slots=True)
class Request:
    """One logical call, before auth headers and retries."""

    method: str
    template: str
    path: str
    params: QueryParams = ()
    json: Any = None
    content: Callable[[], Body] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = True
    not_found: frozenset[int] = frozenset({404})
    authenticate: bool = True
    replayable: bool = True
    #: A call on a top-level collection (``/interactions/``), which exists on every account:
    #: a 404, 405 or 501 answer means the base URL is not the API's root (every call would
    #: hit it): not retried, run-wide.
    root: bool = False

    @property
    def call(self) -> str:
        """The label of this call for counting: method and path template."""
        return label(self.method, self.template)

    @property
    def target(self) -> str:
        """The label of this call for messages and logs: method and concrete path, no query."""
        return label(self.method, urlsplit(self.path).path or self.path)


class Http:
    """Sends ``Request``s on an ``httpx.AsyncClient`` under an auth mode and a retry policy."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        auth: Auth,
        *,
        tenant: str | None,
        retry: RetryPolicy,
        sleep: Sleep,
        rng: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        url_source: str = DEFAULT_URL_SOURCE,
    ) -> None:
        self.client = client
        self.url_source = url_source
        self.auth = auth
        self.tenant = tenant
        self.retry = retry
        self.sleep = sleep
        self.rng = rng
        self.now = now
        self.counter = CallCounter()

    async def fetch_token(self, url: str, form: Mapping[str, str]) -> TokenResponse:
        """POST the client-credentials form to the token endpoint (no auth, normal retries)."""
        path = urlsplit(url).path or url
        request = Request(
            "POST", path, url, content=lambda: urlencode(dict(form)).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            authenticate=False,
        )  # fmt: skip
        return await self.call(request, lambda r: TokenResponse.model_validate_json(r.content))

    async def call(
        self,
        request: Request,
        parse: Callable[[httpx.Response], T],
        recover: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """Send ``request`` until it succeeds or fails for good; ``parse`` reads the answer."""
        attempt, reauthenticated, unsure = 1, False, False
        while True:
            outcome = await self._attempt(request, attempt)
            if isinstance(outcome, httpx.Response):
                if outcome.is_success or (_already_deleted(request, outcome) and unsure):
                    return self._parse(outcome, request, parse)
                if (
                    outcome.status_code == 401
                    and request.authenticate
                    and request.replayable
                    and (not reauthenticated)
                ):
                    reauthenticated = True
                    if self.auth.invalidate(outcome.request.headers.get("Authorization")):
                        continue
                error, retryable, ambiguous, wait = self._judge_status(outcome, request, attempt)
                cause: httpx.HTTPError | None = None
            else:
                error = map_transport_error(
                    outcome, request.target, attempt, url_source=self.url_source
                )
                cause = outcome
                retryable, ambiguous = isinstance(error, TransportError), is_ambiguous(outcome)
                wait = self.retry.delay(attempt, None, self.rng)
            if isinstance(error, APIError):
                error.call = request.call  # whose failure it is, for callers that must know
            if ambiguous and not request.idempotent:
                if recover is None:
                    raise error from cause
                if (found := await recover()) is not None:
                    logger.debug(
                        "%s: the earlier attempt had succeeded; not repeated", request.target
                    )
                    return found
            unsure = unsure or ambiguous
            retryable = retryable and request.replayable
            if not retryable or attempt >= self.retry.max_attempts or wait is None:
                raise error from cause
            await self.sleep(wait)
            attempt += 1

    def _judge_status(
        self, response: httpx.Response, request: Request, attempt: int
    ) -> tuple[ScribeEvalError, bool, bool, float | None]:
        status = response.status_code
        hint = self.auth.fix_hint if request.authenticate else _TOKEN_HINT
        error = map_status_error(
            response, request.target, attempt, not_found=request.not_found, auth_hint=hint
        )
        wrong = request.root and status in _NO_SUCH_ENDPOINT
        if wrong:
            error = wrong_root(error, self.url_source)
        retryable = is_retryable_status(status) and status not in request.not_found and not wrong
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.now())
        wait = self.retry.delay(attempt, retry_after, self.rng)
        return error, retryable, status in _AMBIGUOUS_STATUSES, wait

    async def _attempt(self, request: Request, attempt: int) -> httpx.Response | httpx.HTTPError:
        headers = dict(request.headers)
        if self.tenant:
            headers["Tenant-Name"] = self.tenant
        if request.authenticate and (value := await self.auth.authorization(self)) is not None:
            headers["Authorization"] = value
        content = request.content() if request.content is not None else None
        started = time.perf_counter()
        try:
            async with call_gate():  # the caller's slot, held while the request is out
                started = time.perf_counter()
                response = await self.client.request(
                    request.method, request.path, params=list(request.params) or None,
                    json=request.json, content=content, headers=headers,
                )  # fmt: skip
        except httpx.InvalidURL as exc:
            self.counter.record_unsent(request.call)
            raise map_transport_error(
                exc, request.target, attempt, url_source=self.url_source
            ) from exc
        except httpx.HTTPError as exc:
            if is_ambiguous(exc):  # connected: the server may have read the request
                self.counter.record(request.call)
            else:
                self.counter.record_unsent(request.call)
            _log(request, attempt, started, type(exc).__name__, None)
            return exc
        self.counter.record(request.call)
        body = None if response.is_success else error_body_of(response)
        _log(request, attempt, started, str(response.status_code), request_id_of(response, body))
        return response

    def _parse(self, response: httpx.Response, request: Request, parse: Callable[..., T]) -> T:
        try:
            return parse(response)
        except (ValidationError, ValueError) as exc:
            raise map_decode_error(
                response, request.target, exc, url_source=self.url_source
            ) from exc


def _already_deleted(request: Request, response: httpx.Response) -> bool:
    """A DELETE answered 404: success when an earlier attempt may have deleted it already."""
    return request.method == "DELETE" and response.status_code == 404


_TOKEN_HINT = (
    "the token endpoint refused the client credentials; check SCRIBE_EVAL_CLIENT_ID, "
    "SCRIBE_EVAL_CLIENT_SECRET, SCRIBE_EVAL_TENANT and SCRIBE_EVAL_AUTH_URL"
)


def _log(request: Request, attempt: int, started: float, outcome: str, rid: str | None) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    elapsed = (time.perf_counter() - started) * 1000
    logger.debug(
        "%s -> %s in %.1f ms (attempt %d, request id %s)",
        request.target, outcome, elapsed, attempt, rid or "-",
    )  # fmt: skip
