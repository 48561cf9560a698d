"""Error answers in the contract's shape (section 7), and the handlers that produce them.

Every error the emulator answers is ``{requestid, status, type, detail, validationErrors}``, except
401, which has an empty body and a ``WWW-Authenticate`` header as the vendor sends it. FastAPI's
own 422 for a body or parameter that fails validation becomes the contract's 400.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

_TYPES: Final = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "too_many_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}


class ApiProblem(Exception):
    """Raised by a route to answer an error in the contract's shape."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        validation_errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.validation_errors = validation_errors or []
        self.headers = headers or {}


def request_id(request: Request) -> str:
    """The id of this request (made once, echoed in error bodies and ``X-Request-Id``)."""
    existing = getattr(request.state, "request_id", None)
    if isinstance(existing, str):
        return existing
    made = str(uuid.uuid4())
    request.state.request_id = made
    return made


def problem_body(
    status: int, detail: str, rid: str, validation_errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The contract's error body."""
    return {
        "requestid": rid,
        "status": status,
        "type": _TYPES.get(status, "error"),
        "detail": detail,
        "validationErrors": validation_errors or [],
    }


def problem_response(
    status: int,
    detail: str,
    rid: str,
    *,
    validation_errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error answer; 401 is empty with ``WWW-Authenticate``, as on the vendor."""
    all_headers = {"X-Request-Id": rid, **(headers or {})}
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')
        return Response(status_code=401, headers=all_headers)
    body = problem_body(status, detail, rid, validation_errors)
    return JSONResponse(body, status_code=status, headers=all_headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_detail(exc: RequestValidationError) -> tuple[str, list[dict[str, str]]]:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return "the request body is not valid JSON; send a JSON object", []
    fields = [{_field_name(tuple(e.get("loc", ()))): str(e.get("msg", "invalid"))} for e in errors]
    if any(e.get("loc", ())[:1] == ("path",) for e in errors):
        return "a path parameter is malformed (ids are UUIDs)", fields
    return "the request is invalid; see validationErrors", fields


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app answers use the contract's shape."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        return problem_response(
            exc.status,
            exc.detail,
            request_id(request),
            validation_errors=exc.validation_errors,
            headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        detail, fields = _validation_detail(exc)
        return problem_response(400, detail, request_id(request), validation_errors=fields)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404:
            detail = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem_response(
            exc.status_code, detail, request_id(request), headers=dict(exc.headers or {})
        )

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback; the caller gets the contract's shape, not plain text.
        detail = f"internal error ({type(exc).__name__}); see the emulator's log"
        return problem_response(500, detail, request_id(request))

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(Exception, on_crash)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
