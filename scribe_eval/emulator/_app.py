"""``create_app(settings)``: the emulator as a FastAPI app, every piece of state built here.

Nothing happens in start-up hooks, so ``httpx.ASGITransport`` (which runs no lifespan) drives the
same app that uvicorn serves. The API lives under ``/v2``; the token endpoint under ``/auth``;
``/v2/health``, ``/v2/_emulator/stats``, ``/v2/docs`` and ``/v2/openapi.json`` need no credentials
and never meet injected faults.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from scribe_eval._version import __version__
from scribe_eval.api import SUPPORTED_LANGUAGES, HealthResponse
from scribe_eval.emulator._auth import Authenticator, token_router
from scribe_eval.emulator._docs import docs_router
from scribe_eval.emulator._faults import FaultMiddleware, FaultPlan
from scribe_eval.emulator._openapi import install_openapi
from scribe_eval.emulator._problems import install_problem_handlers
from scribe_eval.emulator._routes_documents import documents_router
from scribe_eval.emulator._routes_interactions import interactions_router
from scribe_eval.emulator._routes_transcripts import transcripts_router
from scribe_eval.emulator._settings import EmulatorSettings
from scribe_eval.emulator._state import EmulatorState, SlashTwins, Tenant, add_route
from scribe_eval.emulator._store import EmulatorStore
from scribe_eval.emulator._worker import TranscriptWorker
from scribe_eval.emulator.engines import (
    AsrEngine,
    NoteEngine,
    create_asr_engine,
    create_note_engine,
)


def build_state(
    settings: EmulatorSettings, *, asr: AsrEngine | None = None, notes: NoteEngine | None = None
) -> EmulatorState:
    """Open the data dir, build the engines and the worker, and resume interrupted jobs."""
    store = EmulatorStore(settings.data_dir)
    if asr is None:
        asr = create_asr_engine(
            settings.asr_engine, model_dir=settings.asr_model_dir, threads=settings.asr_threads
        )
    if settings.preload_asr:
        load = getattr(asr, "load", None)
        if callable(load):
            load()
    worker = TranscriptWorker(store, asr)
    state = EmulatorState(
        settings=settings,
        store=store,
        auth=Authenticator(settings, store),
        faults=FaultPlan(settings.faults),
        asr=asr,
        notes=notes or create_note_engine(settings.note_engine),
        worker=worker,
    )
    worker.resume_interrupted()
    return state


def create_app(
    settings: EmulatorSettings, *, asr: AsrEngine | None = None, notes: NoteEngine | None = None
) -> FastAPI:
    """The emulator app for ``settings`` (opens the data dir and builds the engines now).

    ``asr`` and ``notes`` replace the engines the settings name (to embed another engine, or to
    observe what the server asks of one in a test).

    Raises:
        StoreError: The data dir cannot be opened.
        EngineError: A speech or note engine is unknown or lacks its weights.
    """
    state = build_state(settings, asr=asr, notes=notes)
    app = FastAPI(
        title="scribe-eval emulator",
        version=__version__,
        description="An offline emulator of the ambient-documentation API (contract v2).",
        redirect_slashes=False,
        openapi_url="/v2/openapi.json",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN; ours is served locally.
        redoc_url=None,
    )
    app.state.emulator = state
    install_problem_handlers(app)
    token = token_router(state.auth)
    own, interactions, transcripts, documents = api_routers = [
        build(state)
        for build in (_own_router, interactions_router, transcripts_router, documents_router)
    ]
    # Every call tries the routes in this order, each at a cost: the busiest first (of a run's
    # calls, half are documents and three in eight interactions or recordings), the rest last.
    # No two of these routes match the same path, so the order changes no answer.
    for router in (documents, interactions, transcripts, own):
        app.include_router(router, prefix="/v2")
    app.router.default = SlashTwins(app.router)
    app.include_router(token)
    app.include_router(docs_router(app))

    app.add_middleware(FaultMiddleware, plan=state.faults)
    install_openapi(app, settings, api_routers, first=[token])
    return app


def _own_router(state: EmulatorState) -> APIRouter:
    router = APIRouter(tags=["emulator"])

    async def health() -> JSONResponse:
        body = HealthResponse(
            status="ok",
            engines={"asr": state.asr.identity(), "notes": state.notes.identity()},
            version=__version__,
        ).to_wire()
        body["requests"] = state.faults.snapshot()["requests"]
        return JSONResponse(body)

    async def stats() -> JSONResponse:
        return JSONResponse({**state.faults.snapshot(), "stored": state.store.counts()})

    async def languages(tenant: Tenant, endpoint: str = "transcripts") -> JSONResponse:
        codes = (
            list(SUPPORTED_LANGUAGES)
            if endpoint == "transcripts"
            else state.catalogue.output_languages()
        )
        return JSONResponse({"endpoint": endpoint, "languages": list(codes)})

    add_route(
        router,
        "/health",
        health,
        methods=["GET"],
        response_model=HealthResponse,
        summary="Liveness and engine identities (no credentials needed)",
    )
    add_route(
        router,
        "/_emulator/stats",
        stats,
        methods=["GET"],
        summary="Requests served, injected faults and stored rows",
    )
    add_route(
        router,
        "/languages/",
        languages,
        methods=["GET"],
        summary="Supported language codes (endpoint=transcripts|documents)",
    )
    return router
