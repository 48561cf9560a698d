"""The duplicate guard: a POST that may have succeeded is looked up before it is ever repeated."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    CreateTranscriptRequest,
    EncounterSpec,
    StringContext,
)
from scribe_eval.client import AmbientClient, ManualClock, NoAuth, ScriptedTransport
from scribe_eval.client._scripted import Answer
from scribe_eval.errors import ServerError, TransportError

IID = "4a1f0c52-0000-4000-8000-000000000000"
CELL = "run-7/visit-003/corti-soap/en"
INTERACTION = CreateInteractionRequest(
    encounter=EncounterSpec(identifier=CELL, status="planned", type="consultation")
)
DOCUMENT = CreateDocumentRequest(
    context=[StringContext(type="string", data="Cough for three days.")],
    output_language="en",
    template_key="corti-soap",
    name=CELL,
)


def _client(*answers: Answer) -> tuple[AmbientClient, ScriptedTransport]:
    transport, clock = ScriptedTransport(answers), ManualClock()
    client = AmbientClient(
        "https://api.test/v2", auth=NoAuth(), transport=transport, sleep=clock.sleep, clock=clock
    )
    return client, transport


def _interaction(iid: str, identifier: str) -> dict[str, object]:
    return {
        "id": iid,
        "encounter": {"identifier": identifier, "status": "planned", "type": "consultation"},
        "createdAt": datetime(2026, 11, 24, tzinfo=UTC).isoformat(),
        "websocketUrl": f"wss://api.test/interactions/{iid}/streams",
    }


def _page(*items: dict[str, object]) -> httpx.Response:
    return httpx.Response(200, json={"interactions": list(items)})


def _applied_then(
    failure: Exception, server: list[str]
) -> Callable[[httpx.Request], httpx.Response]:
    """The server carries the POST out, then the answer is lost."""

    def answer(request: httpx.Request) -> httpx.Response:
        server.append(json.loads(request.content)["encounter"]["identifier"])
        raise failure

    return answer


async def test_timed_out_create_interaction_is_found_not_repeated() -> None:
    server: list[str] = []
    client, transport = _client(
        _applied_then(httpx.ReadTimeout("answer lost"), server),
        _page(_interaction("other-1", "run-7/visit-001/corti-soap/en")),
        _page(_interaction(IID, CELL)),
    )
    created = await client.create_interaction(INTERACTION)
    assert created.interaction_id == IID
    assert created.websocket_url == f"wss://api.test/interactions/{IID}/streams"
    assert server == [CELL]
    assert transport.calls().count("POST /v2/interactions/") == 1
    assert [r.url.params.get("index") for r in transport.requests[1:]] == ["1", "2"]


async def test_create_interaction_lost_before_the_server_acted_is_posted_again() -> None:
    created = {"interactionId": IID, "websocketUrl": "wss://x"}
    client, transport = _client(
        httpx.ReadTimeout("answer lost"),
        _page(_interaction("other-1", "someone-else")),
        _page(),
        httpx.Response(201, json=created),
    )
    assert (await client.create_interaction(INTERACTION)).interaction_id == IID
    assert transport.calls().count("POST /v2/interactions/") == 2


async def test_a_gateway_timeout_on_create_is_also_checked() -> None:
    server: list[str] = []

    def applied(request: httpx.Request) -> httpx.Response:
        server.append("created")
        return httpx.Response(504)

    client, transport = _client(applied, _page(_interaction(IID, CELL)))
    assert (await client.create_interaction(INTERACTION)).interaction_id == IID
    assert server == ["created"]
    assert transport.calls().count("POST /v2/interactions/") == 1


async def test_a_connection_refused_needs_no_lookup() -> None:
    created = {"interactionId": IID}
    client, transport = _client(httpx.ConnectError("refused"), httpx.Response(201, json=created))
    await client.create_interaction(INTERACTION)
    assert transport.calls() == ["POST /v2/interactions/", "POST /v2/interactions/"]


async def test_a_503_is_not_ambiguous_and_is_simply_retried() -> None:
    client, transport = _client(httpx.Response(503), httpx.Response(201, json={"id": IID}))
    assert (await client.create_interaction(INTERACTION)).interaction_id == IID
    assert transport.calls() == ["POST /v2/interactions/", "POST /v2/interactions/"]


async def test_found_after_the_last_attempt_still_counts_as_created() -> None:
    answers: list[Answer] = []
    for _ in range(3):
        answers += [httpx.Response(500), _page()]
    answers += [httpx.Response(500), _page(_interaction(IID, CELL))]
    client, transport = _client(*answers)
    assert (await client.create_interaction(INTERACTION)).interaction_id == IID
    assert transport.calls().count("POST /v2/interactions/") == 4


async def test_never_created_after_every_attempt_raises() -> None:
    answers: list[Answer] = []
    for _ in range(4):
        answers += [httpx.Response(502), _page()]
    client, _ = _client(*answers)
    with pytest.raises(ServerError, match="after 4 attempts"):
        await client.create_interaction(INTERACTION)


def _document(name: str, did: str) -> dict[str, object]:
    return {"id": did, "name": name, "templateRef": "corti-soap", "sections": []}


async def test_timed_out_create_document_is_found_by_name_not_repeated() -> None:
    stored: list[dict[str, object]] = []

    def applied(request: httpx.Request) -> httpx.Response:
        stored.append(_document(json.loads(request.content)["name"], "doc-1"))
        raise httpx.RemoteProtocolError("server disconnected")

    client, transport = _client(
        applied,
        lambda r: httpx.Response(200, json={"data": [_document("other", "doc-0"), *stored]}),
    )
    document = await client.create_document(IID, DOCUMENT)
    assert (document.id, document.name) == ("doc-1", CELL)
    assert document.retention_acknowledged is False
    assert transport.calls() == [
        f"POST /v2/interactions/{IID}/documents/",
        f"GET /v2/interactions/{IID}/documents/",
    ]


async def test_create_document_not_found_is_posted_again() -> None:
    client, transport = _client(
        httpx.ReadTimeout("lost"),
        httpx.Response(200, json={"data": []}),
        httpx.Response(201, json=_document(CELL, "doc-2")),
    )
    assert (await client.create_document(IID, DOCUMENT)).id == "doc-2"
    assert transport.calls().count(f"POST /v2/interactions/{IID}/documents/") == 2


async def test_create_document_without_a_name_is_never_retried_after_a_timeout() -> None:
    unnamed = DOCUMENT.model_copy(update={"name": None})
    client, transport = _client(httpx.ReadTimeout("lost"))
    with pytest.raises(TransportError, match="ReadTimeout"):
        await client.create_document(IID, unnamed)
    assert len(transport.requests) == 1


RID = "7c1e0d52-0000-4000-8000-000000000001"
TRANSCRIPT = CreateTranscriptRequest.model_validate({"recordingId": RID, "primaryLanguage": "en"})


def _listed(*items: tuple[str, str, str]) -> httpx.Response:
    """A ``full=true`` listing of (transcript id, recording id, status)."""
    return httpx.Response(
        200,
        json={
            "transcripts": [
                {"id": tid, "transcript": {"id": tid, "recordingId": rid, "status": status}}
                for tid, rid, status in items
            ]
        },
    )


async def test_a_timed_out_transcript_post_finds_the_one_made_instead_of_posting_again() -> None:
    client, transport = _client(
        httpx.ReadTimeout("answer lost"),
        _listed(("t-failed", RID, "failed"), ("t-other", "another-recording", "processing"),
                ("t-1", RID, "processing")),
    )  # fmt: skip
    found = await client.create_transcript(IID, TRANSCRIPT, one_per_recording=True)
    assert (found.id, found.status) == ("t-1", "processing")
    assert transport.calls().count(f"POST /v2/interactions/{IID}/transcripts/") == 1
    assert transport.requests[1].url.params.get("full") == "true"


async def test_a_transcript_post_lost_before_the_server_acted_is_posted_again() -> None:
    made = {"id": "t-2", "recordingId": RID, "status": "completed", "transcripts": []}
    client, transport = _client(
        httpx.ReadTimeout("answer lost"),
        _listed(("t-failed", RID, "failed")),
        httpx.Response(201, json=made),
    )
    assert (await client.create_transcript(IID, TRANSCRIPT, one_per_recording=True)).id == "t-2"
    assert transport.calls().count(f"POST /v2/interactions/{IID}/transcripts/") == 2


async def test_without_the_guard_a_transcript_post_is_retried_blindly() -> None:
    made = {"id": "t-3", "status": "completed"}
    client, transport = _client(httpx.ReadTimeout("answer lost"), httpx.Response(201, json=made))
    assert (await client.create_transcript(IID, TRANSCRIPT)).id == "t-3"
    assert transport.calls() == [f"POST /v2/interactions/{IID}/transcripts/"] * 2
