"""Persistence: a new app on the same data dir sees everything; DELETE really removes it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile as sf
from fastapi import FastAPI

from scribe_eval.api import CreateTranscriptRequest
from scribe_eval.emulator import EmulatorSettings, create_app
from scribe_eval.emulator._routes_transcripts import _new_row

SECRET_NAME = "Zebediah Quillfeather"
SECRET_TEXT = "Unmistakable-marker-phrase-4471"


def wav(seconds: float = 4.0) -> bytes:
    t = np.arange(int(16_000 * seconds)) / 16_000
    buffer = io.BytesIO()
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * 440 * t), 16_000, format="WAV")
    return buffer.getvalue()


def _app(data: Path) -> FastAPI:
    return create_app(EmulatorSettings(data_dir=data, asr_engine="instant"))


def _http(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://emu.test/v2/")


async def _fill(http: httpx.AsyncClient) -> dict[str, Any]:
    encounter = {"identifier": "e-1", "status": "planned", "type": "consultation"}
    iid = (
        await http.post("interactions/", json={"encounter": encounter,
                                               "patient": {"identifier": "p", "name": SECRET_NAME}})
    ).json()["interactionId"]  # fmt: skip
    audio = wav()
    rid = (await http.post(f"interactions/{iid}/recordings/", content=audio)).json()["recordingId"]
    transcript = await http.post(
        f"interactions/{iid}/transcripts/", json={"recordingId": rid, "primaryLanguage": "en"}
    )
    document = await http.post(
        f"interactions/{iid}/documents/",
        json={"context": [{"type": "string", "data": f"Patient says {SECRET_TEXT}."}],
              "outputLanguage": "en", "templateKey": "corti-soap"},
    )  # fmt: skip
    return {
        "iid": iid, "rid": rid, "audio": audio, "transcript": transcript.json(),
        "document": document.json(),
    }  # fmt: skip


async def test_restart_loses_nothing(tmp_path: Path) -> None:
    first = _app(tmp_path / "data")
    async with _http(first) as http:
        made = await _fill(http)
    first.state.emulator.store.close()
    second = _app(tmp_path / "data")
    iid = made["iid"]
    async with _http(second) as http:
        assert (await http.get(f"interactions/{iid}")).json()["patient"]["name"] == SECRET_NAME
        assert (await http.get("interactions/")).json()["interactions"][0]["id"] == iid
        assert (await http.get(f"interactions/{iid}/recordings/{made['rid']}")).content == made[
            "audio"
        ]
        tid = made["transcript"]["id"]
        assert (await http.get(f"interactions/{iid}/transcripts/{tid}")).json() == made[
            "transcript"
        ]
        did = made["document"]["id"]
        assert (await http.get(f"interactions/{iid}/documents/{did}")).json() == made["document"]
    assert second.state.emulator.store.tenants() == ["base"]


async def test_delete_interaction_removes_audio_and_text_from_disk(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = _app(data)
    async with _http(app) as http:
        made = await _fill(http)
        iid = made["iid"]
        audio_dir = data / "audio" / iid
        assert len(list(audio_dir.iterdir())) == 1
        assert (await http.delete(f"interactions/{iid}")).status_code == 204
        assert (await http.get(f"interactions/{iid}")).status_code == 404
        did = made["document"]["id"]
        assert (await http.get(f"interactions/{iid}/documents/{did}")).status_code == 404
    assert not audio_dir.exists()
    assert app.state.emulator.store.counts() == {
        "tenants": 1, "interactions": 0, "recordings": 0, "transcripts": 0, "documents": 0,
    }  # fmt: skip
    on_disk = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert SECRET_NAME.encode() not in on_disk
    assert SECRET_TEXT.encode() not in on_disk


async def test_delete_recording_removes_its_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with _http(_app(data)) as http:
        made = await _fill(http)
        [path] = list((data / "audio" / made["iid"]).iterdir())
        answer = await http.delete(f"interactions/{made['iid']}/recordings/{made['rid']}")
        assert answer.status_code == 204
    assert not path.exists()


async def test_interrupted_transcript_is_resumed_by_the_next_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _app(data)
    async with _http(first) as http:
        made = await _fill(http)
    request = CreateTranscriptRequest.model_validate(
        {"recordingId": made["rid"], "primaryLanguage": "en"}
    )
    # A transcript stored as processing whose job never ran: what a killed process leaves.
    row = _new_row(made["iid"], made["rid"], request, fails=False)
    first.state.emulator.store.put_transcript(row)
    first.state.emulator.store.close()
    second = _app(data)
    for _ in range(200):
        stored = second.state.emulator.store.transcript(row.id)
        if stored is not None and stored.status != "processing":
            break
        await _sleep()
    assert stored is not None
    assert stored.status == "completed"
    assert stored.body["transcripts"]


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.02)


def test_two_processes_never_share_a_data_dir(tmp_path: Path) -> None:
    """A second server on a folder would delete the first's uploads in flight and decode its
    pending transcripts again: another process is refused until the first closes (or dies)."""
    from scribe_eval.emulator._store import EmulatorStore

    data = tmp_path / "data"
    opening = [sys.executable, "-c", "import pathlib, sys\n"
               "from scribe_eval.emulator._store import EmulatorStore\n"
               f"EmulatorStore(pathlib.Path({str(data)!r})).close()"]  # fmt: skip
    first = EmulatorStore(data)
    upload = first.new_upload_path()
    upload.write_bytes(b"half an upload")
    refused = subprocess.run(opening, capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    last = refused.stderr.strip().splitlines()[-1]
    assert last == (
        f"scribe_eval.errors.StoreError: the emulator data dir {data} is in use by another "
        f"emulator (process {os.getpid()}); wait for it to stop, or give this server another "
        "--data-dir"
    )
    assert upload.exists()  # the refused one touched nothing
    first.close()
    subprocess.run(opening, check=True)


def test_a_delete_checkpoint_lets_other_calls_read_the_store_meanwhile(tmp_path: Path) -> None:
    """The checkpoint after a delete syncs to disk (~10 ms): under the store's lock it stalled
    every call the event loop served meanwhile. A reader holding an old snapshot keeps the
    delete's checkpoint waiting here; a read of another interaction still answers first."""
    import sqlite3
    import threading

    from scribe_eval.emulator._store import EmulatorStore

    store = EmulatorStore(tmp_path / "data")
    body = {"createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
    store.put_interaction("base", {**body, "id": "gone", "patient": {"name": SECRET_NAME}})
    store.put_interaction("base", {**body, "id": "kept"})
    reader = sqlite3.connect(tmp_path / "data" / "emulator.sqlite3", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM interactions").fetchone()  # an old snapshot, held
    order: list[str] = []

    def delete() -> None:
        store.delete_interaction("gone")
        order.append("deleted")

    deleting = threading.Thread(target=delete)
    deleting.start()
    for _ in range(2000):  # until the delete is in its checkpoint, waiting for the reader
        frame = sys._current_frames().get(deleting.ident or 0)
        if frame is not None and frame.f_code.co_name == "_truncate_wal":
            break
        threading.Event().wait(0.005)
    kept = store.interaction("kept")
    order.append("read")
    reader.execute("ROLLBACK")
    deleting.join()
    assert kept is not None
    assert order == ["read", "deleted"]
    store.close()
    wal = tmp_path / "data" / "emulator.sqlite3-wal"
    assert SECRET_NAME.encode() not in (wal.read_bytes() if wal.exists() else b"")
