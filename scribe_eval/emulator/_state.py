"""The emulator's state (built once by ``create_app``) and helpers the routers share.

Routers are built by functions that close over one :class:`EmulatorState`, so two apps in one
process (e.g. a test's "before" and "after restart") never share anything but their data dir.
The checks most routes share (the tenant's credentials, the interaction or recording named in
the path) are FastAPI dependencies that find the state through ``request.app``, each declaring
with :func:`raises` the answers it can send, so the OpenAPI document lists them for every route
that uses them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.routing import Match, Router
from starlette.types import Receive, Scope, Send

from scribe_eval.emulator._auth import Authenticator, auth_problems
from scribe_eval.emulator._catalogue import Catalogue, builtin_catalogue
from scribe_eval.emulator._faults import FaultPlan
from scribe_eval.emulator._problems import ApiProblem, raises
from scribe_eval.emulator._settings import EmulatorSettings
from scribe_eval.emulator._store import EmulatorStore, InteractionRow, RecordingRow
from scribe_eval.emulator._worker import TranscriptWorker
from scribe_eval.emulator.engines import (
    AsrEngine,
    NoteEngine,
    create_note_engine,
    preload_decoder,
)


@dataclass
class EmulatorState:
    """Everything one emulator app owns."""

    settings: EmulatorSettings
    store: EmulatorStore
    auth: Authenticator
    faults: FaultPlan
    asr: AsrEngine
    notes: NoteEngine
    worker: TranscriptWorker

    @property
    def catalogue(self) -> Catalogue:
        """The built-in template catalogue, read on first use (or by `preload`)."""
        return builtin_catalogue()

    def preload(self) -> None:
        """Load now what the first calls would otherwise load when they need it: the audio
        decoder, the catalogue and the note engine's writing (the speech model is not among
        them: ``preload_asr`` decides when that loads). ``emulator serve`` runs this on a
        thread of its own once it is ready, so it delays neither its start nor its first calls.
        """
        for step in preload_steps(self.notes):
            step()

    def tenant(self, request: Request) -> str:
        """The tenant of a call whose credentials are accepted (else 401/403)."""
        return self.auth.tenant(request)

    def interaction(self, tenant: str, interaction_id: uuid.UUID) -> InteractionRow:
        """The tenant's interaction, or 404 (unknown) / 403 (another tenant's)."""
        row = self.store.interaction(str(interaction_id))
        if row is None:
            raise ApiProblem(404, f"interaction {interaction_id} does not exist")
        if row.tenant != tenant:
            raise ApiProblem(403, f"interaction {interaction_id} belongs to another tenant")
        return row

    def recording(
        self, tenant: str, interaction_id: uuid.UUID, recording_id: uuid.UUID
    ) -> RecordingRow:
        """A recording of the tenant's interaction, or 404/403."""
        self.interaction(tenant, interaction_id)
        row = self.store.recording(str(recording_id))
        if row is None or row.interaction_id != str(interaction_id):
            raise ApiProblem(
                404, f"recording {recording_id} does not exist in interaction {interaction_id}"
            )
        return row


def emulator_state(request: Request) -> EmulatorState:
    """The state of the app serving ``request``."""
    state: EmulatorState = request.app.state.emulator
    return state


@raises(auth_problems)
async def current_tenant(request: Request) -> str:
    """Dependency: the tenant of a call whose credentials are accepted (else 401/403)."""
    return emulator_state(request).tenant(request)


Tenant = Annotated[str, Depends(current_tenant)]
"""A route parameter that is the calling tenant, credentials checked."""


@raises(
    {
        403: "the interaction belongs to another tenant",
        404: "the interaction does not exist",
    }
)
async def own_interaction(
    request: Request, tenant: Tenant, interaction_id: uuid.UUID
) -> InteractionRow:
    """Dependency: the tenant's interaction named in the path."""
    return emulator_state(request).interaction(tenant, interaction_id)


OwnInteraction = Annotated[InteractionRow, Depends(own_interaction)]
"""A route parameter that is the interaction of the path, owned by the caller."""


@raises({404: "the recording does not exist in this interaction"})
async def own_recording(
    request: Request, interaction: OwnInteraction, recording_id: uuid.UUID
) -> RecordingRow:
    """Dependency: a recording of the tenant's interaction named in the path."""
    row = emulator_state(request).store.recording(str(recording_id))
    if row is None or row.interaction_id != interaction.id:
        raise ApiProblem(
            404, f"recording {recording_id} does not exist in interaction {interaction.id}"
        )
    return row


OwnRecording = Annotated[RecordingRow, Depends(own_recording)]
"""A route parameter that is the recording of the path, in the caller's interaction."""


def add_route(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    methods: list[str],
    status_code: int = 200,
    **kwargs: Any,
) -> None:
    """Register ``path``, the canonical form (the one in OpenAPI); `SlashTwins` also serves it
    with or without the trailing slash."""
    router.add_api_route(path, endpoint, methods=methods, status_code=status_code, **kwargs)


class SlashTwins:
    """The router's fallback for a path no route matched: the same path with the trailing slash
    toggled, when a route matches that form.

    Clients may write a collection or an item with or without the trailing slash, and both are
    served the same, with no redirect (a POST's body would have to be sent twice). This costs
    nothing on the canonical paths (clients use those): the router tries them first, as it
    would anyway. It replaces a second route per path, each of which FastAPI analysed at start-up
    (~50 ms of a start on the critical path of every `run`) and the router tried on every call
    that matched none before it.
    """

    def __init__(self, router: Router) -> None:
        self._router = router
        self._not_found = router.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and not scope.get(_TOGGLED) and path not in ("", "/"):
            twin = {**scope, "path": _toggle(path), _TOGGLED: True}
            raw = scope.get("raw_path")
            if isinstance(raw, bytes) and raw:
                twin["raw_path"] = raw[:-1] if raw.endswith(b"/") else raw + b"/"
            if any(route.matches(twin)[0] is not Match.NONE for route in self._router.routes):
                await self._router.app(twin, receive, send)
                return
        await self._not_found(scope, receive, send)


_TOGGLED: Final = "scribe_eval.slash_toggled"
"""Set in the scope of a request re-routed by `SlashTwins` (so it is re-routed once at most)."""


def _toggle(path: str) -> str:
    return path[:-1] if path.endswith("/") else f"{path}/"


def preload_steps(notes: NoteEngine | None = None) -> tuple[Callable[[], object], ...]:
    """What a served emulator's first calls would otherwise load, as steps to take ahead: the
    audio decoder (NumPy, PyAV), the built-in catalogue, the note engine's writing (``notes``,
    else the default engine's). `EmulatorState.preload` takes them all; a warm start takes them
    while it waits for its options."""
    engine = notes if notes is not None else create_note_engine()
    load = getattr(engine, "load", None)
    return (preload_decoder, builtin_catalogue, *((load,) if callable(load) else ()))
