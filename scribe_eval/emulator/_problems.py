"""Error answers in the contract's shape (section 7), and the handlers that produce them.

Every error the emulator answers is ``{requestid, status, type, detail, validationErrors}``, except
401, which has an empty body and a ``WWW-Authenticate`` header as the vendor sends it. FastAPI's
own 422 for a body or parameter that fails validation becomes the contract's 400.

Whatever can raise an :class:`ApiProblem` says so with :func:`raises` (a route, or a dependency such
as the tenant or interaction lookup); the OpenAPI document is built from those declarations, so it
lists the error answers each operation can really send.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from scribe_eval.emulator._settings import EmulatorSettings

ProblemSource = Callable[[EmulatorSettings], Mapping[int, str]]
"""What a route or dependency can answer under these settings: status -> why."""

_F = TypeVar("_F", bound=Callable[..., Any])
_PROBLEMS_ATTRIBUTE: Final = "__emulator_problems__"

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


class Problem(BaseModel):
    """The body of every error answer but 401 (contract section 7), as the OpenAPI schema."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    requestid: str = Field(description="The request id, also sent as X-Request-Id")
    status: int = Field(description="The HTTP status code, repeated")
    type: str = Field(description="A stable name of the status, e.g. not_found")
    detail: str = Field(description="What went wrong and how to fix it")
    validation_errors: list[dict[str, str]] = Field(
        alias="validationErrors", description="Field name -> problem, for a rejected request"
    )


def raises(problems: Mapping[int, str] | ProblemSource) -> Callable[[_F], _F]:
    """Declare the error answers a route or dependency can send (for the OpenAPI document).

    ``problems`` maps status -> why, or is a function of the settings giving that mapping (for
    answers that only some settings make possible, such as 401 when tokens are checked).
    """
    source: ProblemSource = problems if callable(problems) else (lambda _settings: problems)

    def mark(function: _F) -> _F:
        setattr(function, _PROBLEMS_ATTRIBUTE, source)
        return function

    return mark


def declared_problems(function: Any, settings: EmulatorSettings) -> Mapping[int, str]:
    """What :func:`raises` declared on ``function`` under ``settings`` (empty when nothing)."""
    source = getattr(function, _PROBLEMS_ATTRIBUTE, None)
    return source(settings) if source is not None else {}


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
