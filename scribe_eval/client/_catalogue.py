"""The read-only catalogue (templates, sections, languages) and the emulator's health call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from scribe_eval.api import HealthResponse, Section, SectionList, Template, TemplateList
from scribe_eval.client._base import ClientBase, params, request

#: Keys under which a language answer may hold its list, and under which an entry its code.
_LIST_KEYS = ("data", "languages", "items", "results")
_CODE_KEYS = ("code", "id", "languageId", "language_id", "language", "key", "locale")


class CatalogueMixin(ClientBase):
    """``/templates/``, ``/templateSections/``, ``/languages/`` and the emulator's ``/health``."""

    async def list_templates(
        self,
        *,
        lang: str | Sequence[str] | None = None,
        org: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
    ) -> list[Template]:
        """The stored templates; each filter may repeat (no ``lang`` means English)."""
        query = params(lang=_many(lang), org=_many(org), status=_many(status))
        return (await self._model(TemplateList, request("GET", "/templates/", params=query))).data

    async def get_template(self, key: str) -> Template:
        """One template by key.

        Raises:
            NotFoundError: The key is unknown: the emulator answers 404, the vendor 500 (so a
                500 here is not retried and means "unknown key").
        """
        req = request("GET", "/templates/{key}", {"key": key}, not_found=frozenset({404, 500}))
        return await self._model(Template, req)

    async def list_template_sections(
        self, *, lang: str | Sequence[str] | None = None, org: str | Sequence[str] | None = None
    ) -> list[Section]:
        """The catalogue's sections, the units templates are assembled from."""
        query = params(lang=_many(lang), org=_many(org))
        req = request("GET", "/templateSections/", params=query)
        return (await self._model(SectionList, req)).data

    async def list_languages(self, *, endpoint: str | None = "transcripts") -> list[str]:
        """The language codes the API supports for ``endpoint`` (the live list)."""
        req = request("GET", "/languages/", params=params(endpoint=endpoint))
        return await self._http.call(req, _language_codes)

    async def health(self) -> HealthResponse:
        """The emulator's ``GET /v2/health`` (the real vendor API has no such call)."""
        return await self._model(HealthResponse, request("GET", "/health"))


def _many(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _language_codes(response: httpx.Response) -> list[str]:
    """Codes from a list of strings or objects, bare or under a ``data``-like key."""
    body: Any = json.loads(response.content)
    if isinstance(body, dict):
        body = next((body[k] for k in _LIST_KEYS if isinstance(body.get(k), list)), None)
    if not isinstance(body, list):
        raise ValueError("expected a list of languages")
    codes: list[str] = []
    for entry in body:
        if isinstance(entry, str):
            codes.append(entry)
        elif isinstance(entry, dict):
            code = next((entry[k] for k in _CODE_KEYS if isinstance(entry.get(k), str)), None)
            if code is None:
                raise ValueError(f"a language entry has no code: {sorted(entry)}")
            codes.append(code)
    return codes
