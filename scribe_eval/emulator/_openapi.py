"""The OpenAPI document lists exactly the error answers each operation can send.

FastAPI documents a 422 for every operation with parameters, which the emulator never sends (its
validation errors are the contract's 400), and knows nothing of the answers raised inside routes.
Here the document is rebuilt from the mechanisms that send errors, for each operation:

- **validation**: 400 when a body, or a parameter whose type or constraints can reject a value,
  is part of the operation (a free ``str`` query parameter can never be rejected);
- **declarations**: what the endpoint and each FastAPI dependency it uses declared with
  :func:`raises` (the tenant check declares 401/403 only when tokens are checked);
- **the fault layer**: 429, 500 and 503 for the calls it can fault, when their probability is
  above zero.

Every error body has the :class:`Problem` schema, except 401 (empty, with ``WWW-Authenticate``).
Routes outside ``/v2`` (the token endpoint) answer in OAuth's shape and declare their own.
"""

from __future__ import annotations

import types
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, Final

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from scribe_eval.emulator._faults import fault_problems, is_faulted
from scribe_eval.emulator._problems import Problem, declared_problems
from scribe_eval.emulator._settings import EmulatorSettings

_PROBLEM_REF: Final = "#/components/schemas/Problem"
# Parameter types that accept any value sent (a missing optional one takes its default).
_ANY_VALUE: Final[tuple[Any, ...]] = (str, str | None, list[str], list[str] | None)
_RETRY_AFTER: Final = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}


def install_openapi(
    app: FastAPI,
    settings: EmulatorSettings,
    api_routers: Sequence[APIRouter],
    *,
    first: Sequence[APIRouter] = (),
) -> None:
    """Make ``app.openapi()`` state each operation's real error answers (built once, cached).

    ``api_routers`` are the routers included under ``/v2``; the rest keep what they declared,
    less FastAPI's 422. The document lists the paths of ``first``, then those of
    ``api_routers``, in the order given, whatever order the app tries its routes in.
    """
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = default()
        _state_errors(schema, api_routers, settings)
        _order_paths(schema, [*_paths(first, ""), *_paths(api_routers, "/v2")])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def operation_problems(
    route: APIRoute, path: str, settings: EmulatorSettings
) -> dict[int, list[str]]:
    """Status -> reasons, for every error answer ``route`` at ``path`` can send."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    if _can_reject(route.dependant):
        found[400].append("the request is invalid (body, query or path); see validationErrors")
    for call in _calls(route.dependant):
        for status, why in declared_problems(call, settings).items():
            if why not in found[status]:
                found[status].append(why)
    if is_faulted(path):
        for status, why in fault_problems(settings.faults).items():
            found[status].append(why)
    return dict(sorted(found.items()))


def _state_errors(
    schema: dict[str, Any], api_routers: Sequence[APIRouter], settings: EmulatorSettings
) -> None:
    for item in schema["paths"].values():
        for operation in item.values():
            operation["responses"].pop("422", None)
    for router in api_routers:
        for route in router.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            path = f"/v2{route.path_format}"
            problems = operation_problems(route, path, settings)
            for method in route.methods or ():
                responses = schema["paths"][path][method.lower()]["responses"]
                for status, reasons in problems.items():
                    responses[str(status)] = _response(status, reasons)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Problem"] = Problem.model_json_schema(by_alias=True)


def _paths(routers: Sequence[APIRouter], prefix: str) -> Iterator[str]:
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                yield f"{prefix}{route.path_format}"


def _order_paths(schema: dict[str, Any], order: Sequence[str]) -> None:
    rank = {path: index for index, path in reversed(list(enumerate(order)))}
    paths: dict[str, Any] = schema["paths"]
    schema["paths"] = dict(sorted(paths.items(), key=lambda item: rank.get(item[0], len(rank))))


def _response(status: int, reasons: list[str]) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": "; ".join(reasons)}
    if status == 401:
        answer["headers"] = {
            "WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}
        }
        return answer
    answer["content"] = {"application/json": {"schema": {"$ref": _PROBLEM_REF}}}
    if status in (429, 503):
        answer["headers"] = _RETRY_AFTER
    return answer


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _can_reject(dependant: Dependant) -> bool:
    if dependant.body_params:
        return True
    for field in dependant.query_params + dependant.header_params + dependant.cookie_params:
        if field.field_info.is_required() or not _accepts_anything(field.field_info):
            return True
    if any(not _accepts_anything(field.field_info) for field in dependant.path_params):
        return True
    return any(_can_reject(sub) for sub in dependant.dependencies)


def _accepts_anything(info: Any) -> bool:
    annotation = info.annotation
    if isinstance(annotation, types.GenericAlias | types.UnionType) or annotation is str:
        return annotation in _ANY_VALUE and not info.metadata
    return False
