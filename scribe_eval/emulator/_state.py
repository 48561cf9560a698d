"""The emulator's state (built once by ``create_app``) and helpers the routers share.

Routers are built by functions that close over one :class:`EmulatorState`, so two apps in one
process (e.g. a test's "before" and "after restart") never share anything but their data dir.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request

from scribe_eval.emulator._auth import Authenticator
from scribe_eval.emulator._catalogue import Catalogue
from scribe_eval.emulator._faults import FaultPlan
from scribe_eval.emulator._problems import ApiProblem
from scribe_eval.emulator._settings import EmulatorSettings
from scribe_eval.emulator._store import EmulatorStore, InteractionRow, RecordingRow
from scribe_eval.emulator._worker import TranscriptWorker
from scribe_eval.emulator.engines import AsrEngine, NoteEngine


@dataclass
class EmulatorState:
    """Everything one emulator app owns."""

    settings: EmulatorSettings
    store: EmulatorStore
    auth: Authenticator
    faults: FaultPlan
    asr: AsrEngine
    notes: NoteEngine
    catalogue: Catalogue
    worker: TranscriptWorker

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


def add_route(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    methods: list[str],
    status_code: int = 200,
    **kwargs: Any,
) -> None:
    """Register ``path`` and its twin with or without the trailing slash (only one in OpenAPI)."""
    twin = path[:-1] if path.endswith("/") else f"{path}/"
    router.add_api_route(path, endpoint, methods=methods, status_code=status_code, **kwargs)
    router.add_api_route(
        twin,
        endpoint,
        methods=methods,
        status_code=status_code,
        include_in_schema=False,
        **kwargs,
    )
