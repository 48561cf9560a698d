"""The one place where httpx failures and HTTP error answers become scribe-eval errors.

Nothing else in ``client/`` builds an ``APIError`` from an httpx object, so every error a caller
sees names the call (method and path template), the status, the vendor's ``detail`` and request id
when it sent them, and a fix where one exists. Bodies are never quoted beyond the vendor's own
error text, so a secret in a request can never end up in a message.
"""

from __future__ import annotations

import json
from collections.abc import Collection

import httpx
from pydantic import ValidationError

from scribe_eval.api import ErrorBody
from scribe_eval.errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    ConfigError,
    NotFoundError,
    RateLimitError,
    ScribeEvalError,
    ServerError,
    TransportError,
)

#: Response headers that may carry a request id, most specific first.
_REQUEST_ID_HEADERS = ("x-request-id", "x-corti-request-id", "request-id", "x-correlation-id")

#: Transport failures that happen before the request left: the server cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

_FIXES: dict[int, str] = {
    400: "the API refused the request as invalid; check the ids, language and template fields",
    403: "the credentials are valid but not for this resource; check SCRIBE_EVAL_TENANT",
    404: "check the id or key; it may belong to another tenant or have been deleted",
    408: "the API timed out reading the request; try again on a steadier connection",
    413: "the recording is too large; the limit is 150 MB and 120 minutes",
    422: "the API refused the request as invalid; check the request fields",
    429: "lower the concurrency, or top up the vendor balance if it is exhausted",
}


def label(method: str, path: str) -> str:
    """How a call is named in messages, logs and the call counter: ``GET /interactions/{id}``."""
    return f"{method.upper()} {path}"


def is_ambiguous(exc: httpx.HTTPError) -> bool:
    """True when a failed request may nevertheless have been carried out by the server."""
    return not isinstance(exc, _NOT_SENT)


def request_id_of(response: httpx.Response, body: ErrorBody | None = None) -> str | None:
    """The request id from the error body, else from a response header."""
    if body is not None and body.requestid:
        return body.requestid
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def error_body_of(response: httpx.Response) -> ErrorBody | None:
    """The error body in either of the vendor's shapes (or OAuth's), None when there is none."""
    if not response.content:
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if "error_description" in data or ("error" in data and "detail" not in data):
        # An OpenID Connect token endpoint answers {error, error_description}.
        data = {"type": data.get("error"), "detail": data.get("error_description")}
    try:
        return ErrorBody.model_validate(data)
    except ValidationError:
        return None


#: Where a base URL comes from when the caller does not say: the client's own setting.
DEFAULT_URL_SOURCE = "SCRIBE_EVAL_BASE_URL"


def map_transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL,
    call: str,
    attempts: int,
    *,
    url_source: str = DEFAULT_URL_SOURCE,
) -> ScribeEvalError:
    """A TransportError (or ConfigError for an unusable URL) for an httpx failure.

    ``url_source`` names where the base URL was set (an environment variable, an experiment
    file's key, a command-line option): the fix points there.
    """
    tries = _attempts(attempts)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigError(f"{call}: the URL is not usable ({exc}); check {url_source}")
    kind = type(exc).__name__
    reason = str(exc) or "no further detail"
    if isinstance(exc, httpx.TimeoutException):
        fix = "the API did not answer in time; raise SCRIBE_EVAL_TIMEOUT or try again later"
    elif isinstance(exc, httpx.ConnectError):
        fix = f"nothing answered at that address; check {url_source} and that it is up"
    else:
        fix = "the connection failed; try again later"
    error = TransportError(f"{call} failed {tries} with {kind}: {reason}. Fix: {fix}")
    # Nothing answered (refused, unknown host, TLS handshake) after every retry: the next call
    # would fail the same way. A timeout or a dropped answer may be this call's bad luck.
    error.run_wide = isinstance(exc, httpx.ConnectError)
    return error


def map_status_error(
    response: httpx.Response,
    call: str,
    attempts: int,
    *,
    not_found: Collection[int] = (404,),
    auth_hint: str | None = None,
) -> APIStatusError:
    """The APIStatusError subclass for an error answer, with status, request id and detail."""
    status = response.status_code
    body = error_body_of(response)
    detail = (body.message() or None) if body else None
    request_id = request_id_of(response, body)
    cls = _class_for(status, not_found)
    fix = auth_hint if status == 401 and auth_hint else _fix_for(status, cls)
    text = f"{call} answered {status} {response.reason_phrase or ''}".rstrip()
    text += f" {_attempts(attempts)}"
    if detail:
        text += f": {detail}"
    elif status == 401:
        text += ": the token was refused (401 carries no body)"
    if request_id:
        text += f" (request id {request_id})"
    if fix:
        text += f". Fix: {fix}"
    return cls(text, status_code=status, request_id=request_id, detail=detail)


def wrong_root(error: APIStatusError, url_source: str) -> APIStatusError:
    """``error`` (a 404, 405 or 501 on a top-level collection, ``POST /interactions/``) said as
    what it means: the base URL is not the API's root, so every call of a run would fail alike
    (``run_wide``); the fix names where the URL was set instead of blaming an id."""
    text = error.message.split(". Fix: ")[0]
    error = type(error)(
        f"{text}. Fix: that URL is not the API's root; check that {url_source} ends in /v2 "
        "(such as https://api.eu.corti.app/v2)",
        status_code=error.status_code, request_id=error.request_id, detail=error.detail,
    )  # fmt: skip
    error.run_wide = True
    return error


def map_decode_error(
    response: httpx.Response, call: str, exc: Exception, *, url_source: str = DEFAULT_URL_SOURCE
) -> APIError:
    """An APIError for a success answer whose body does not match the contract."""
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return APIError(
        f"{call} answered {response.status_code} with a body that does not match the contract "
        f"({reason}). Fix: check that {url_source} points at the API's /v2 root"
    )


def _class_for(status: int, not_found: Collection[int]) -> type[APIStatusError]:
    if status in not_found:
        return NotFoundError
    if status in (401, 403):
        return AuthenticationError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return APIStatusError


def _fix_for(status: int, cls: type[APIStatusError]) -> str | None:
    if cls is NotFoundError:
        return _FIXES[404]
    if status == 401:
        return "check the credentials in SCRIBE_EVAL_CLIENT_ID/SCRIBE_EVAL_CLIENT_SECRET or TOKEN"
    if status >= 500:
        return "the API failed on its side; try again later"
    return _FIXES.get(status)


def _attempts(attempts: int) -> str:
    return "after 1 attempt" if attempts == 1 else f"after {attempts} attempts"
