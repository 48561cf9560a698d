"""The embedded emulator of the ambient-documentation API: real work, offline.

``create_app(EmulatorSettings(...))`` builds a FastAPI app serving the contract under ``/v2``
(interactions, recordings, transcripts, documents, templates), its own token endpoint, fault
injection and ``/v2/health``. All state is built in the factory, so ``httpx.ASGITransport`` can
drive it in-process; ``scribe-eval emulator serve`` runs it with uvicorn.
"""

from __future__ import annotations

from scribe_eval.emulator._app import create_app
from scribe_eval.emulator._faults import ConnectionDropped, DroppedConnectionFilter, FaultPlan
from scribe_eval.emulator._settings import (
    AuthMode,
    ClientCredential,
    EmulatorSettings,
    FaultSettings,
    default_data_dir,
)
from scribe_eval.emulator._store import EmulatorStore

__all__ = [
    "AuthMode",
    "ClientCredential",
    "ConnectionDropped",
    "DroppedConnectionFilter",
    "EmulatorSettings",
    "EmulatorStore",
    "FaultPlan",
    "FaultSettings",
    "create_app",
    "default_data_dir",
]
