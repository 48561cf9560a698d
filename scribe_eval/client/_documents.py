"""Documents (contract section 6), with the document duplicate guard and the retention header."""

from __future__ import annotations

import httpx
from pydantic import Field

from scribe_eval.api import CreateDocumentRequest, Document, DocumentList, UpdateDocumentRequest
from scribe_eval.client._base import ClientBase, request

_ONE = "/interactions/{id}/documents/{did}"
_RETENTION = "X-Corti-Retention-Policy"


class CreatedDocument(Document):
    """The answer of ``create_document``: the document, and whether no-retention was honoured.

    ``retention_acknowledged`` is True only when the answer carried ``X-Corti-Retention-Policy:
    acknowledged``; it is False for a document found again by the duplicate guard.
    """

    retention_acknowledged: bool = Field(default=False, exclude=True)


class DocumentsMixin(ClientBase):
    """``/interactions/{id}/documents/``."""

    async def create_document(
        self, interaction_id: str, body: CreateDocumentRequest, *, no_retention: bool = False
    ) -> CreatedDocument:
        """Write a document from context with one template (one per template x language).

        ``no_retention`` sends ``X-Corti-Retention-Policy: none`` (generate, do not store).

        Duplicate guard: give each document a ``name`` unique within its interaction (the runner
        uses the cell key). When the POST fails in a way that may have succeeded on the server (a
        read time-out, a dropped connection, 500/502/504) the client lists the interaction's
        documents and returns the one with that name instead of posting again. Without a name
        such a failure is raised at once, never retried, so no second document can appear.
        """
        headers = {_RETENTION: "none"} if no_retention else {}
        req = request(
            "POST", "/interactions/{id}/documents/", {"id": interaction_id},
            json=body.to_wire(), headers=headers, idempotent=False,
        )  # fmt: skip
        if body.name is None:
            return await self._http.call(req, _created_document)
        return await self._http.call(
            req, _created_document, lambda: self.find_document(interaction_id, body.name or "")
        )

    async def find_document(self, interaction_id: str, name: str) -> CreatedDocument | None:
        """The interaction's document called ``name`` (the last if several), else None."""
        matches = [d for d in await self.list_documents(interaction_id) if d.name == name]
        if not matches:
            return None
        return CreatedDocument.model_validate(matches[-1].model_dump())

    async def list_documents(self, interaction_id: str) -> list[Document]:
        """The documents of an interaction."""
        req = request("GET", "/interactions/{id}/documents/", {"id": interaction_id})
        return (await self._model(DocumentList, req)).data

    async def get_document(self, interaction_id: str, document_id: str) -> Document:
        """One document."""
        ids = {"id": interaction_id, "did": document_id}
        return await self._model(Document, request("GET", _ONE, ids))

    async def update_document(
        self, interaction_id: str, document_id: str, body: UpdateDocumentRequest
    ) -> Document:
        """Change a document's name or section texts (PATCH) and return it."""
        ids = {"id": interaction_id, "did": document_id}
        return await self._model(Document, request("PATCH", _ONE, ids, json=body.to_wire()))

    async def delete_document(self, interaction_id: str, document_id: str) -> None:
        """Delete a document."""
        ids = {"id": interaction_id, "did": document_id}
        await self._no_content(request("DELETE", _ONE, ids))


def _created_document(response: httpx.Response) -> CreatedDocument:
    document = CreatedDocument.model_validate_json(response.content)
    acknowledged = response.headers.get(_RETENTION, "").strip().lower() == "acknowledged"
    document.retention_acknowledged = acknowledged
    return document
