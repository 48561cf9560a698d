"""The OpenAPI document states exactly the error answers each operation sends.

For every operation in the document, a battery of requests drives every error path it has:
unknown and malformed ids, another tenant's data, no token and another tenant's token, each query
parameter with bad values, bodies with unknown fields or no JSON, the route's own refusals (bad
uploads, unknown recordings, templates, sections, languages), engines that fail, and each injected
fault. The test fails if a status is documented that no request produced (documented but never
sent) or a request produced a status the document does not list (sent but undocumented).
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

from scribe_eval.emulator import EmulatorSettings, FaultSettings, create_app
from scribe_eval.emulator.engines import AsrSegment, DecodedAudio, InstantEngine, OpenAINoteEngine

ENCOUNTER = {"identifier": "e-1", "status": "planned", "type": "consultation"}
CONTEXT = [{"type": "string", "data": "Cough for three days. Plan: rest and fluids."}]
CLIENTS = {
    "base": {"client_id": "base-id", "client_secret": "base-secret"},
    "other": {"client_id": "other-id", "client_secret": "other-secret"},
}
MAX_UPLOAD = 200_000
Operation = tuple[str, str]  # (method, path template)
Observed = defaultdict[Operation, set[int]]


def wav(seconds: float = 1.0) -> bytes:
    t = np.arange(int(16_000 * seconds)) / 16_000
    buffer = io.BytesIO()
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * 440 * t), 16_000, format="WAV")
    return buffer.getvalue()


class CrashingAsrEngine(InstantEngine):
    """A speech engine with a bug: every transcription raises (the route must answer 500)."""

    def transcribe(self, audio: DecodedAudio, **options: Any) -> list[AsrSegment]:
        raise RuntimeError("engine bug")


def _settings(data_dir: Path, **changes: Any) -> EmulatorSettings:
    base: dict[str, Any] = {
        "data_dir": data_dir,
        "asr_engine": "instant",
        "max_upload_bytes": MAX_UPLOAD,
        "auth": "client-credentials",
        "clients": CLIENTS,
    }
    return EmulatorSettings(**{**base, **changes})


def _error_codes(schema: dict[str, Any]) -> dict[Operation, set[int]]:
    return {
        (method.upper(), path): {int(code) for code in operation["responses"]}
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


class Emulator:
    """One app driven in-process, with a token for each tenant when it checks them."""

    def __init__(self, app: FastAPI, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http
        self.tokens: dict[str, str] = {}

    async def login(self) -> None:
        for tenant, client in CLIENTS.items():
            answer = await self.http.post(
                f"/auth/realms/{tenant}/protocol/openid-connect/token",
                data={"grant_type": "client_credentials", **client},
            )
            self.tokens[tenant] = answer.json()["access_token"] if answer.is_success else ""

    async def call(
        self, method: str, path: str, *, tenant: str = "base", token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {"Tenant-Name": tenant, **kw.pop("headers", {})}
        bearer = self.tokens.get(tenant, "") if token is None else token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return await self.http.request(method, path, headers=headers, **kw)

    async def world(self) -> dict[str, str]:
        """A fresh interaction with a recording, a finished transcript and a document."""
        iid = (await self.call("POST", "/v2/interactions/", json={"encounter": ENCOUNTER})).json()
        base = f"/v2/interactions/{iid['interactionId']}"
        rid = (await self.call("POST", f"{base}/recordings/", content=wav())).json()
        body = {"recordingId": rid["recordingId"], "primaryLanguage": "en"}
        tid = (await self.call("POST", f"{base}/transcripts/", json=body)).json()
        document = {"context": CONTEXT, "outputLanguage": "en", "templateKey": "corti-soap"}
        did = (await self.call("POST", f"{base}/documents/", json=document)).json()
        return {
            "interaction_id": iid["interactionId"],
            "recording_id": rid["recordingId"],
            "transcript_id": tid["id"],
            "document_id": did["id"],
            "key": "corti-soap",
            "tenant": "base",
        }


def _valid_request(operation: Operation, ids: dict[str, str]) -> dict[str, Any]:
    """Arguments of a request that succeeds, for each operation that takes a body."""
    method, path = operation
    if path.endswith("/token"):
        return {"data": {"grant_type": "client_credentials", **CLIENTS["base"]}}
    if method == "POST" and path == "/v2/interactions/":
        return {"json": {"encounter": ENCOUNTER}}
    if method == "POST" and path.endswith("/recordings/"):
        return {"content": wav()}
    if method == "POST" and path.endswith("/transcripts/"):
        return {"json": {"recordingId": ids["recording_id"], "primaryLanguage": "en"}}
    if method == "POST" and path.endswith("/documents/"):
        return {"json": {"context": CONTEXT, "outputLanguage": "en", "templateKey": "corti-soap"}}
    if method == "PATCH" and "/documents/" in path:
        return {"json": {"name": "Renamed"}}
    if method == "PATCH":
        return {"json": {"encounter": {**ENCOUNTER, "status": "in-progress"}}}
    return {}


def _own_refusals(operation: Operation, ids: dict[str, str]) -> list[dict[str, Any]]:
    """Requests each route refuses by itself (beyond validation, lookups and auth)."""
    method, path = operation
    if method == "POST" and path.endswith("/recordings/"):
        return [{"content": b""}, {"content": b"%PDF-1.7 no audio " * 8},
                {"content": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100},
                {"content": b"\x00" * (MAX_UPLOAD + 1)}]  # fmt: skip
    if method == "POST" and path.endswith("/transcripts/"):
        return [
            {"json": {"recordingId": str(uuid.uuid4()), "primaryLanguage": "en"}},
            {"json": {"recordingId": ids["recording_id"], "primaryLanguage": "xx"}},
        ]
    if method == "POST" and path.endswith("/documents/"):
        asked = {"context": CONTEXT, "outputLanguage": "en"}
        return [
            {"json": {**asked, "templateKey": "nope"}},
            {"json": {**asked, "outputLanguage": "xx", "templateKey": "corti-soap"}},
            {"json": {**asked, "template": {"sections": []}}},
        ]
    if method == "PATCH" and "/documents/" in path:
        return [{"json": {"sections": [{"key": "corti-nope", "text": "x"}]}}]
    if path.endswith("/token"):
        return [{"data": {"grant_type": "password"}},
                {"data": {"grant_type": "client_credentials", "client_id": "base-id",
                          "client_secret": "wrong"}}]  # fmt: skip
    return []


def _fill(path: str, ids: dict[str, str], **replace: str) -> str:
    return path.format(**{**ids, **replace})


async def _battery(
    emu: Emulator, schema: dict[str, Any], operation: Operation, observed: Observed
) -> None:
    method, path = operation
    spec = schema["paths"][path][method.lower()]
    shared = await emu.world()

    async def probe(ids: dict[str, str] | None = None, **kw: Any) -> None:
        # A DELETE consumes what it names, so each one gets a world of its own.
        use = ids or (await emu.world() if method == "DELETE" else shared)
        url = _fill(path, use, **kw.pop("replace", {}))
        answer = await emu.call(method, url, **{**_valid_request(operation, use), **kw})
        observed[operation].add(answer.status_code)

    await probe()
    assert max(observed[operation]) < 300, f"{operation}: the valid request failed"
    for name in (p["name"] for p in spec.get("parameters", []) if p["in"] == "path"):
        unknown = "corti-nothing" if name in ("key", "tenant") else str(uuid.uuid4())
        await probe(replace={name: unknown})
        await probe(replace={name: "not-a-uuid"})
    for name in (p["name"] for p in spec.get("parameters", []) if p["in"] == "query"):
        for bad in ("-1", "0", "not-valid"):
            await probe(params={name: bad})
    if "requestBody" in spec and "json" in _valid_request(operation, shared):
        await probe(json={"unexpected": 1})
        await probe(content=b"{not json", headers={"Content-Type": "application/json"})
    await probe(tenant="other")  # someone else's interaction
    await probe(token="")  # no token
    await probe(tenant="base", token=emu.tokens.get("other") or "")  # another tenant's token
    await probe(token="forged-token")
    for refusal in _own_refusals(operation, shared):
        await probe(**refusal)


@pytest.fixture
async def clients(tmp_path: Path) -> Any:
    """Client factory for apps built in this test; all closed at the end."""
    opened: list[httpx.AsyncClient] = []

    async def make(app: FastAPI) -> Emulator:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu")
        opened.append(http)
        emu = Emulator(app, http)
        await emu.login()
        return emu

    yield make
    for http in opened:
        await http.aclose()


def _fault_settings(tmp_path: Path, name: str, **chances: float) -> EmulatorSettings:
    return _settings(tmp_path / name, faults=FaultSettings(**chances))


async def test_every_documented_error_is_sent_and_every_sent_one_is_documented(
    tmp_path: Path, clients: Any
) -> None:
    # The document of the settings under which every mechanism is on: tokens checked and each
    # injected fault possible. Each answer is then produced by the app whose settings make it
    # certain (a fault at probability 1 hides every other answer, so each has its own app).
    everything = _fault_settings(tmp_path, "doc", p429=0.5, p500=0.5, p503=0.5)
    schema = create_app(everything).openapi()
    documented = _error_codes(schema)
    observed: Observed = defaultdict(set)

    main = await clients(create_app(_settings(tmp_path / "main")))
    for operation in documented:
        await _battery(main, schema, operation, observed)

    broken_app = create_app(
        _settings(tmp_path / "main"),  # the same data, so the same ids exist
        asr=CrashingAsrEngine(),
        notes=OpenAINoteEngine(base_url="http://127.0.0.1:9/v1", model="any"),  # nothing there
    )
    broken = await clients(broken_app)
    ids = await main.world()
    for operation in [o for o in documented if o[0] == "POST"]:
        url = _fill(operation[1], ids)
        answer = await broken.call(operation[0], url, **_valid_request(operation, ids))
        observed[operation].add(answer.status_code)

    for status in (429, 500, 503):
        chance = {429: "p429", 500: "p500", 503: "p503"}[status]
        faulty = await clients(create_app(_fault_settings(tmp_path, chance, **{chance: 1.0})))
        for operation in documented:
            url = _fill(operation[1], ids)
            answer = await faulty.call(operation[0], url, **_valid_request(operation, ids))
            observed[operation].add(answer.status_code)

    problems = []
    for operation, codes in sorted(documented.items()):
        never_sent = {c for c in codes if c >= 400} - observed[operation]
        undocumented = observed[operation] - codes
        if never_sent or undocumented:
            problems.append(f"{operation}: documented but never sent {sorted(never_sent)}, "
                            f"sent but undocumented {sorted(undocumented)}")  # fmt: skip
    assert problems == []
    assert len(documented) >= 26


async def test_without_tokens_or_faults_the_document_lists_no_401_429_or_503(
    tmp_path: Path, clients: Any
) -> None:
    settings = EmulatorSettings(data_dir=tmp_path / "open", asr_engine="instant")
    app = create_app(settings)
    documented = _error_codes(app.openapi())
    assert not any(codes & {401, 429, 503} for codes in documented.values())
    with_500 = {operation for operation, codes in documented.items() if 500 in codes}
    assert with_500 == {  # only where an engine does the work
        ("POST", "/v2/interactions/{interaction_id}/transcripts/"),
        ("POST", "/v2/interactions/{interaction_id}/documents/"),
    }
    emu = await clients(app)
    answer = await emu.call("GET", "/v2/interactions/", token="")
    assert answer.status_code == 200  # no token needed: the 401 is rightly absent


def _schema_problem_refs(schema: dict[str, Any]) -> Sequence[tuple[str, str, str]]:
    problem = {"$ref": "#/components/schemas/Problem"}
    return [
        (path, method, code)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for code, answer in operation["responses"].items()
        if int(code) >= 400 and code != "401" and path.startswith("/v2")
        and answer["content"]["application/json"]["schema"] != problem
    ]  # fmt: skip


def test_error_bodies_have_the_problem_schema_and_422_is_gone(tmp_path: Path) -> None:
    schema = create_app(_fault_settings(tmp_path, "d", p429=0.1, p503=0.1)).openapi()
    assert _schema_problem_refs(schema) == []
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"requestid", "status", "type", "detail", "validationErrors"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert all("422" not in op["responses"] for item in schema["paths"].values()
               for op in item.values())  # fmt: skip
    listed = schema["paths"]["/v2/interactions/"]["get"]["responses"]
    assert "content" not in listed["401"]  # the vendor's 401 has an empty body
    assert "Retry-After" in listed["429"]["headers"]


def test_paths_are_listed_in_the_documented_order_whatever_order_routes_are_tried(
    tmp_path: Path,
) -> None:
    app = create_app(_settings(tmp_path))
    paths = list(app.openapi()["paths"])
    assert paths[:4] == [
        "/auth/realms/{tenant}/protocol/openid-connect/token",
        "/v2/health",
        "/v2/_emulator/stats",
        "/v2/languages/",
    ]
    documents = paths.index("/v2/interactions/{interaction_id}/documents/")
    assert (
        paths.index("/v2/interactions/")
        < paths.index("/v2/interactions/{interaction_id}/transcripts/")
        < documents
    )
    assert paths[-3:] == ["/v2/templates/", "/v2/templates/{key}", "/v2/templateSections/"]
    assert not any(path.endswith("/") is False and f"{path}/" in paths for path in paths)
