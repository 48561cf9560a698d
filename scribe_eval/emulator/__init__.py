"""The embedded emulator of the ambient-documentation API: real work, offline.

``create_app(EmulatorSettings(...))`` builds a FastAPI app serving the contract under ``/v2``
(interactions, recordings, transcripts, documents, templates), its own token endpoint, fault
injection and ``/v2/health``. All state is built in the factory, so ``httpx.ASGITransport`` can
drive it in-process; ``scribe-eval emulator serve`` runs it with uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

# Loaded on first use (PEP 562): `scribe-eval emulator identity` and the engines must not pay for
# FastAPI and uvicorn, which only the served app needs.
if TYPE_CHECKING:
    from scribe_eval.emulator._app import create_app
    from scribe_eval.emulator._faults import ConnectionDropped, DroppedConnectionFilter, FaultPlan
    from scribe_eval.emulator._settings import (
        AuthMode,
        ClientCredential,
        EmulatorSettings,
        FaultSettings,
        default_data_dir,
    )
    from scribe_eval.emulator._state import preload_steps
    from scribe_eval.emulator._store import EmulatorStore

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "create_app": "_app",
    "ConnectionDropped": "_faults",
    "DroppedConnectionFilter": "_faults",
    "FaultPlan": "_faults",
    "AuthMode": "_settings",
    "ClientCredential": "_settings",
    "EmulatorSettings": "_settings",
    "FaultSettings": "_settings",
    "default_data_dir": "_settings",
    "EmulatorStore": "_store",
    "preload_steps": "_state",
}

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
    "preload_steps",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
