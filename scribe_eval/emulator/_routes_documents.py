"""Documents and the template catalogue (contract sections 5 and 6).

A document request is resolved against the built-in catalogue (stored ``templateKey``, or an
inline template from section keys or from sections with overrides), its context becomes a
``NoteRequest`` (transcript segments get the role of their channel or participant, looked up in
the interaction's transcripts), and the note engine writes it off the event loop. With
``X-Corti-Retention-Policy: none`` the document is answered but never stored.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from scribe_eval.api import (
    CreateDocumentRequest,
    Document,
    DocumentList,
    FactsContext,
    SectionList,
    StringContext,
    Template,
    TemplateList,
    TranscriptContext,
    UpdateDocumentRequest,
)
from scribe_eval.emulator._catalogue import CatalogueError, ResolvedTemplate
from scribe_eval.emulator._problems import ApiProblem, raises
from scribe_eval.emulator._state import (
    EmulatorState,
    OwnInteraction,
    Tenant,
    add_route,
    emulator_state,
)
from scribe_eval.emulator._store import DocumentRow, utc_now
from scribe_eval.emulator.engines import NoteRequest, NoteSegment, WrittenSection
from scribe_eval.errors import EngineError

RETENTION_HEADER: Final = "X-Corti-Retention-Policy"


def documents_router(state: EmulatorState) -> APIRouter:
    """Routes of ``/interactions/{id}/documents``, ``/templates`` and ``/templateSections``."""
    router = APIRouter()

    @raises(
        {
            400: "the template, its sections or the output language cannot be served",
            404: "the templateKey or a section key is unknown",
            500: "the note engine failed",
        }
    )
    async def create_document(
        interaction: OwnInteraction,
        body: CreateDocumentRequest,
        retention: Annotated[str | None, Header(alias=RETENTION_HEADER)] = None,
    ) -> JSONResponse:
        interaction_id = interaction.id
        try:
            resolved = state.catalogue.resolve(body)
        except CatalogueError as exc:
            raise ApiProblem(exc.status, exc.detail) from exc
        note = _note_request(state, interaction_id, body, resolved)
        try:
            written = await asyncio.to_thread(state.notes.write, note)
        except EngineError as exc:
            raise ApiProblem(500, f"the note engine failed: {exc.message}") from exc
        wire = _document(body, resolved, written)
        headers = {}
        if retention is not None and retention.strip().lower() == "none":
            headers[RETENTION_HEADER] = "acknowledged"
        else:
            state.store.put_document(interaction_id, wire)
        return JSONResponse(wire, status_code=201, headers=headers)

    async def list_documents(interaction: OwnInteraction) -> JSONResponse:
        return JSONResponse({"data": state.store.documents(interaction.id)})

    async def get_document(row: OwnDocument) -> JSONResponse:
        return JSONResponse(row.body)

    @raises({404: "the document has no section with that key"})
    async def update_document(row: OwnDocument, body: UpdateDocumentRequest) -> JSONResponse:
        updated = _patched(row.body, body)
        state.store.put_document(row.interaction_id, updated)
        return JSONResponse(updated)

    async def delete_document(row: OwnDocument) -> Response:
        state.store.delete_document(row.id)
        return Response(status_code=204)

    async def list_templates(
        tenant: Tenant,
        lang: Annotated[list[str] | None, Query()] = None,
        org: Annotated[list[str] | None, Query()] = None,
        status: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        templates = state.catalogue.templates(lang or ["en"])
        if status:
            templates = [t for t in templates if t.status in status]
        return JSONResponse({"data": [t.to_wire() for t in templates]})

    @raises({404: "the template key is unknown"})
    async def get_template(tenant: Tenant, key: str) -> JSONResponse:
        template = state.catalogue.template(key)
        if template is None:
            raise ApiProblem(404, f"unknown template key {key!r}; GET /templates/ lists them")
        return JSONResponse(template.to_wire())

    async def list_sections(
        tenant: Tenant,
        lang: Annotated[list[str] | None, Query()] = None,
        org: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        sections = state.catalogue.sections(lang or ["en"])
        return JSONResponse({"data": [s.to_wire() for s in sections]})

    base, tags = "/interactions/{interaction_id}/documents", ["documents"]
    add_route(
        router,
        f"{base}/",
        create_document,
        methods=["POST"],
        status_code=201,
        tags=tags,
        response_model=Document,
        summary="Write a document from context",
    )
    add_route(
        router,
        f"{base}/",
        list_documents,
        methods=["GET"],
        tags=tags,
        response_model=DocumentList,
        summary="List documents",
    )
    item = f"{base}/{{document_id}}"
    add_route(
        router,
        item,
        get_document,
        methods=["GET"],
        tags=tags,
        response_model=Document,
        summary="Get a document",
    )
    add_route(
        router,
        item,
        update_document,
        methods=["PATCH"],
        tags=tags,
        response_model=Document,
        summary="Edit a document's name or sections",
    )
    add_route(
        router,
        item,
        delete_document,
        methods=["DELETE"],
        status_code=204,
        tags=tags,
        summary="Delete a document",
    )
    tags = ["templates"]
    add_route(
        router,
        "/templates/",
        list_templates,
        methods=["GET"],
        tags=tags,
        response_model=TemplateList,
        summary="Stored templates (lang: default en)",
    )
    add_route(
        router,
        "/templates/{key}",
        get_template,
        methods=["GET"],
        tags=tags,
        response_model=Template,
        summary="One stored template (404 when unknown)",
    )
    add_route(
        router,
        "/templateSections/",
        list_sections,
        methods=["GET"],
        tags=tags,
        response_model=SectionList,
        summary="Catalogue sections",
    )
    return router


def _roles(state: EmulatorState, interaction_id: str) -> dict[int, str]:
    # Later transcripts win: the most recent one is what the caller most likely used.
    roles: dict[int, str] = {}
    for row in state.store.transcripts(interaction_id, status="completed"):
        for item in (row.body.get("metadata") or {}).get("participantsRoles") or []:
            roles[int(item.get("channel", 0))] = str(item["role"])
    return roles


def _note_request(
    state: EmulatorState,
    interaction_id: str,
    body: CreateDocumentRequest,
    template: ResolvedTemplate,
) -> NoteRequest:
    roles = _roles(state, interaction_id)
    segments: list[NoteSegment] = []
    free_text: str | None = None
    facts: list[str] = []
    for item in body.context:
        if isinstance(item, TranscriptContext):
            data = item.data
            channel = data.channel if data.channel is not None else data.participant
            segments.append(
                NoteSegment(
                    text=data.text,
                    role=roles.get(channel) if channel is not None else None,
                    start_ms=data.start,
                    end_ms=data.end,
                )
            )
        elif isinstance(item, StringContext):
            free_text = item.data
        elif isinstance(item, FactsContext):
            # "group: text" is how the note engines route a fact to its section.
            facts.extend(f"{f.group}: {f.text}" if f.group else f.text for f in item.data)
    return NoteRequest(
        segments=tuple(segments),
        free_text=free_text,
        facts=tuple(facts),
        template=template,
        output_language=body.output_language,
    )


def _document(
    body: CreateDocumentRequest, resolved: ResolvedTemplate, written: list[WrittenSection]
) -> dict[str, Any]:
    now = utc_now()
    words = sum(len(s.text.split()) for s in written)
    return {
        "id": str(uuid.uuid4()),
        "name": resolved.name,
        "templateRef": resolved.template_ref,
        "isStream": False,
        "outputLanguage": body.output_language,
        "sections": [
            {
                "key": s.key,
                "name": s.name,
                "text": s.text,
                "sort": index,
                "createdAt": now,
                "updatedAt": now,
            }
            for index, s in enumerate(written, start=1)
        ],
        "createdAt": now,
        "updatedAt": now,
        "usageInfo": {"creditsConsumed": round(0.5 + words / 500, 3)},
    }


def _patched(document: dict[str, Any], changes: UpdateDocumentRequest) -> dict[str, Any]:
    now = utc_now()
    sections = [dict(s) for s in document.get("sections", [])]
    by_key = {s["key"]: s for s in sections}
    for edit in changes.sections or []:
        target = by_key.get(edit.key)
        if target is None:
            raise ApiProblem(404, f"the document has no section {edit.key!r}")
        target.update(edit.to_wire())
        target["updatedAt"] = now
    name = changes.name if changes.name is not None else document.get("name")
    return {**document, "name": name, "sections": sections, "updatedAt": now}


@raises({404: "the document does not exist in this interaction"})
async def own_document(
    request: Request, interaction: OwnInteraction, document_id: uuid.UUID
) -> DocumentRow:
    """Dependency: a document of the tenant's interaction named in the path."""
    row = emulator_state(request).store.document(str(document_id))
    if row is None or row.interaction_id != interaction.id:
        raise ApiProblem(
            404, f"document {document_id} does not exist in interaction {interaction.id}"
        )
    return row


OwnDocument = Annotated[DocumentRow, Depends(own_document)]
