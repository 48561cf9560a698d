"""One contract, two stores: every test here runs on the SQLite file and on PostgreSQL."""

from __future__ import annotations

import importlib.util
import json
import math
import sqlite3
import time
from pathlib import Path
from types import ModuleType

import pytest

from scribe_eval.errors import RunLockedError, StoreError
from scribe_eval.metrics import METRICS
from scribe_eval.store import (
    STORE_FILENAME,
    BaselineEvent,
    CacheEntry,
    RemoteRecord,
    RunListing,
    RunStore,
    SpeakerFigures,
    utc_now,
)


def _builders() -> ModuleType:
    """tests/store/_builders.py, loaded by path: tests are no package."""
    path = Path(__file__).with_name("_builders.py")
    spec = importlib.util.spec_from_file_location("_store_builders", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_run = _builders().make_run
cell = _builders().cell


def test_runs_round_trip_resolve_and_update(store: RunStore) -> None:
    store.create_run(make_run("20260101-aaaa", "2026-01-01T00:00:00Z"))
    store.create_run(make_run("20260102-bbbb", "2026-01-02T00:00:00Z"))
    assert [r.id for r in store.list_runs()] == ["20260102-bbbb", "20260101-aaaa"]
    assert store.resolve_run("latest").id == "20260102-bbbb"
    assert store.resolve_run("20260101").id == "20260101-aaaa"
    assert store.resolve_run("20260101-aaaa").id == "20260101-aaaa"
    with pytest.raises(StoreError, match="matches 2 runs"):
        store.resolve_run("2026")
    with pytest.raises(StoreError, match="runs list"):
        store.resolve_run("nope")
    with pytest.raises(StoreError, match="runs list"):
        store.get_run("nope")
    store.update_run("20260101-aaaa", status="completed", api_calls_delta=5, notes="n")
    store.update_run("20260101-aaaa", api_calls_delta=2, expired_cache_delta=3)
    store.update_run("20260101-aaaa", expired_cache_delta=1)
    run = store.get_run("20260101-aaaa")
    assert (run.status, run.api_calls, run.notes) == ("completed", 7, "n")
    assert (run.expired_cache, store.get_run("20260102-bbbb").expired_cache) == (4, 0)
    assert run.target == {"kind": "embedded", "identity": {"asr": "x"}}
    with pytest.raises(StoreError, match=r"no run 'nope'.*runs list"):
        store.update_run("nope", api_calls_delta=1)
    with pytest.raises(StoreError, match="already exists"):
        store.create_run(make_run("20260101-aaaa"))


def test_run_listings_are_the_listed_fields_of_list_runs(store: RunStore) -> None:
    store.create_run(make_run("20260101-aaaa", "2026-01-01T00:00:00Z"))
    store.create_run(make_run("20260102-bbbb", "2026-01-02T00:00:00Z", target={"kind": "url"}))
    store.create_run(make_run("20260102-cccc", "2026-01-02T00:00:00Z"))  # same time: by id
    store.update_run(
        "20260101-aaaa", status="completed", finished="2026-01-01T00:05:00Z", api_calls_delta=9
    )
    listed = store.run_listings()
    assert listed == [RunListing.of(r) for r in store.list_runs()]
    assert [(r.id, r.status, r.finished, r.api_calls) for r in listed] == [
        ("20260102-cccc", "running", None, 0),
        ("20260102-bbbb", "running", None, 0),
        ("20260101-aaaa", "completed", "2026-01-01T00:05:00Z", 9),
    ]
    assert listed[1].target == {"kind": "url"}


def test_latest_on_an_empty_store_says_how_to_start(store: RunStore) -> None:
    with pytest.raises(StoreError, match="scribe-eval run"):
        store.resolve_run("latest")


def test_cells_are_replaced_ordered_and_keep_every_field(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    store.put_cell(cell("r1", "d1", kind="document", encounter_id="b", status="pending"))
    failed = cell(
        "r1", "d1", kind="document", encounter_id="b", status="error", stage="document",
        error_type="ServerError", error_message="boom", request_id="rq",
        traceback="Traceback ...", scores={"rouge1_f": 0.5, "nan": math.nan},
        timings={"document": 12.5},
    )  # fmt: skip
    store.put_cell(failed)
    store.put_cell(cell("r1", "t1", kind="transcript", encounter_id="z"))
    store.put_cell(cell("r1", "d0", kind="document", encounter_id="a"))
    assert [c.cell_id for c in store.cells("r1")] == ["t1", "d0", "d1"]
    got = store.get_cell("r1", "d1")
    assert got is not None
    assert (got.status, got.error_message, got.request_id, got.traceback) == (
        "error", "boom", "rq", "Traceback ...",
    )  # fmt: skip
    assert got.scores["rouge1_f"] == 0.5
    assert math.isnan(got.scores["nan"])
    assert got.timings == {"document": 12.5}
    assert store.get_cell("r1", "missing") is None
    assert store.cells("other") == []


def test_cache_and_remote_rows_survive_reopening(store: RunStore, open_same: object) -> None:
    store.create_run(make_run("r1"))
    store.cache_put("k1", "transcript", {"id": "t", "transcripts": []}, request_id="rq")
    store.cache_put("k2", "document", {"id": "d"}, elapsed_ms=3.5)
    store.put_remote(_remote("r1", "interaction:en-01", "pending"))
    store.put_remote(_remote("r1", "interaction:en-01", "created", remote_id="i-1"))
    store.put_remote(_remote("r1", "document:x", "created", kind="document"))
    with store.reopen() as again:
        entry = again.cache_get("k1")
        assert entry is not None
        assert (entry.value, entry.request_id, entry.stage) == (
            {"id": "t", "transcripts": []}, "rq", "transcript",
        )  # fmt: skip
        assert again.cache_get("missing") is None
        assert again.cache_count() == 2
        remote = again.get_remote("r1", "interaction:en-01")
        assert remote is not None
        assert (remote.state, remote.remote_id) == ("created", "i-1")
        assert [r.key for r in again.remotes("r1", kind="interaction")] == ["interaction:en-01"]
        assert [r.key for r in again.remotes("r1")] == ["document:x", "interaction:en-01"]
        assert again.get_remote("r2", "interaction:en-01") is None


def test_an_answer_replacing_a_too_old_one_counts_it_for_its_run(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    store.create_run(make_run("r2"))
    store.cache_put("k", "document", {"id": "old"})
    store.cache_put("k", "document", {"id": "new"}, elapsed_ms=2.0, expired_run="r1")
    store.cache_put("k2", "document", {"id": "d"}, expired_run="r1")
    store.cache_put("k3", "document", {"id": "d"})
    entry = store.cache_get("k")
    assert entry is not None
    assert (entry.value, entry.elapsed_ms) == ({"id": "new"}, 2.0)
    assert store.cache_count() == 3
    assert (store.get_run("r1").expired_cache, store.get_run("r2").expired_cache) == (2, 0)


def test_an_encounters_remote_rows_are_read_in_one_call_by_key(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    store.create_run(make_run("r2"))
    store.put_remote(_remote("r1", "interaction:e1:en", "created", remote_id="i-1"))
    store.put_remote(_remote("r1", "document:e1|soap|en|asr", "pending", kind="document"))
    store.put_remote(_remote("r1", "interaction:e10:en", "created", remote_id="i-10"))
    store.put_remote(_remote("r2", "interaction:e1:en", "created", remote_id="other run"))
    wanted = ["interaction:e1:en", "recording:e1:en", "document:e1|soap|en|asr"]
    rows = store.get_remotes("r1", wanted)
    assert [(r.key, r.remote_id) for r in rows] == [
        ("document:e1|soap|en|asr", None), ("interaction:e1:en", "i-1"),
    ]  # fmt: skip
    assert rows == [store.get_remote("r1", r.key) for r in rows]
    assert store.get_remotes("r1", []) == []
    assert store.get_remotes("r3", wanted) == []


def test_an_intent_is_written_only_over_the_row_it_was_decided_on(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    key = "interaction:e1:en"
    first = _remote("r1", key, "pending")
    assert store.put_remote_if(first, expected=None) is True
    assert store.get_remote("r1", key) == first
    # Someone wrote a row meanwhile: a second "no row yet" intent is refused and changes nothing.
    assert store.put_remote_if(_remote("r1", key, "pending", target="b"), expected=None) is False
    assert store.get_remote("r1", key) == first
    created = _remote("r1", key, "created", remote_id="i-1")
    assert store.put_remote_if(created, expected=first) is True  # the row as written
    again = _remote("r1", key, "pending", updated="2099-01-01T00:00:00.000000Z")
    assert store.put_remote_if(again, expected=first) is False  # stale: it is `created` now
    assert store.get_remote("r1", key) == created
    read = store.get_remote("r1", key)
    assert store.put_remote_if(again, expected=read) is True  # the row as read back
    assert store.get_remote("r1", key) == again
    assert [r.key for r in store.remotes("r1")] == [key]


def test_each_write_adds_the_api_calls_it_carries_to_its_run(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    store.create_run(make_run("r2"))
    pending = _remote("r1", "document:c1", "pending", kind="document")
    assert store.put_remote_if(pending, expected=None, api_calls_delta=1) is True
    created = _remote("r1", "interaction:e1:en", "created", remote_id="i-1")
    store.put_remote(created, api_calls_delta=2)
    done = _remote("r1", "document:c1", "created", kind="document", remote_id="d-1")
    store.cache_put("k", "document", {"id": "d-1"}, remote=done, api_calls_delta=4)
    store.put_cell(cell("r1", "c1", cache_key="k"), api_calls_delta=8)
    store.update_run("r1", api_calls_delta=16)
    assert store.get_run("r1").api_calls == 31
    assert store.get_run("r2").api_calls == 0
    # Each write stored what it wrote besides the calls.
    assert store.get_remote("r1", "document:c1") == done
    assert store.get_remote("r1", "interaction:e1:en") == created
    assert [c.cell_id for c in store.cells("r1")] == ["c1"]
    entry = store.cache_get("k")
    assert entry is not None
    assert (entry.value, entry.run_id) == ({"id": "d-1"}, "r1")


def test_an_answer_bought_again_counts_its_expiry_and_its_calls_together(store: RunStore) -> None:
    # Both counts change the same run row in the one write (a second change of a row by the
    # same statement would be lost on PostgreSQL).
    store.create_run(make_run("r1"))
    store.cache_put("k", "document", {"id": "old"})
    row = _remote("r1", "document:c1", "created", kind="document", remote_id="d-2")
    store.cache_put("k", "document", {"id": "new"}, expired_run="r1", remote=row, api_calls_delta=3)
    run = store.get_run("r1")
    assert (run.expired_cache, run.api_calls) == (1, 3)
    assert store.get_remote("r1", "document:c1") == row


def test_a_write_that_stores_nothing_counts_none_of_the_calls_it_carried(
    store: RunStore,
) -> None:
    store.create_run(make_run("r1"))
    key = "interaction:e1:en"
    first = _remote("r1", key, "pending")
    assert store.put_remote_if(first, expected=None, api_calls_delta=2) is True
    # Refused (someone wrote the row meanwhile): the calls are the caller's to carry again.
    late = _remote("r1", key, "pending", target="b")
    assert store.put_remote_if(late, expected=None, api_calls_delta=5) is False
    stale = _remote("r1", key, "created", remote_id="i-1")
    assert store.put_remote_if(stale, expected=late, api_calls_delta=7) is False
    assert store.get_remote("r1", key) == first
    # A cell of a run that does not exist is refused whole.
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        store.put_cell(cell("missing", "c1"), api_calls_delta=11)
    # Calls with an answer but no row naming their run are refused before anything is stored.
    with pytest.raises(ValueError, match="remote row"):
        store.cache_put("k", "document", {"id": "d"}, api_calls_delta=13)
    assert store.cache_count() == 0
    assert store.get_run("r1").api_calls == 2


def test_a_cell_reusing_another_runs_answer_is_marked_shared(store: RunStore) -> None:
    store.create_run(make_run("alice"))
    store.create_run(make_run("bob"))
    store.cache_put("k", "document", {"id": "d"})
    store.put_cell(cell("alice", "c1", cache_key="k"))  # alice paid for the call
    store.put_cell(cell("alice", "c2", cache_key="k", from_cache=True))  # alice reusing her own
    store.put_cell(cell("bob", "c1", cache_key="k", from_cache=True))
    store.put_cell(cell("bob", "c3", cache_key="k"))  # a later call by bob does not steal it
    entry = store.cache_get("k")
    assert entry is not None
    assert entry.run_id == "alice"
    assert store.shared_cells("bob") == {"c1": "alice"}
    assert store.shared_cells("alice") == {}


def test_blessing_records_who_when_why_and_never_moves_without_force(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for run_id in ("r1", "r2"):
        store.create_run(make_run(run_id))
    monkeypatch.setenv("SCRIBE_EVAL_USER", "dr-alice")
    first = store.bless("r1", "prod", reason="first release")
    assert first is not None
    assert (first.user, first.reason, first.previous_run_id, first.forced) == (
        "dr-alice", "first release", None, False,
    )  # fmt: skip
    assert store.bless("r1", "prod") is None  # already so: nothing recorded
    with pytest.raises(StoreError, match="--force"):
        store.bless("r2", "prod")
    assert store.baselines() == {"prod": "r1"}
    moved = store.bless("r2", "prod", reason="vendor v2", force=True, user="ci")
    assert moved is not None
    assert store.baselines() == {"prod": "r2"}
    assert store.resolve_run("prod").id == "r2"
    history = store.baseline_history("prod")
    assert [(e.run_id, e.user, e.previous_run_id, e.forced) for e in history] == [
        ("r1", "dr-alice", None, False),
        ("r2", "ci", "r1", True),
    ]
    assert history[0].blessed <= history[1].blessed
    assert store.baseline_history("other") == []
    with pytest.raises(StoreError, match="no run"):
        store.bless("missing", "x")


def test_a_lease_admits_one_runner_until_it_expires_or_is_taken_over(store: RunStore) -> None:
    lease = store.acquire_lease("r1", ttl_s=30)
    assert (lease.run_id, lease.since <= lease.heartbeat < lease.expires) == ("r1", True)
    with pytest.raises(RunLockedError, match=rf"host {lease.host} \(pid {lease.pid}\) since"):
        store.acquire_lease("r1")
    store.renew_lease("r1", lease.token, ttl_s=60)
    taken = store.acquire_lease("r1", take_over=True)
    assert taken.token != lease.token
    with pytest.raises(RunLockedError):
        store.renew_lease("r1", lease.token)
    store.release_lease("r1", lease.token)  # not ours any more: changes nothing
    with pytest.raises(RunLockedError):
        store.acquire_lease("r1")
    store.release_lease("r1", taken.token)
    store.acquire_lease("r1")
    other = store.acquire_lease("r2", ttl_s=0.05)
    time.sleep(0.15)
    assert store.acquire_lease("r2").token != other.token  # it expired


def test_a_dead_holder_is_replaced_by_one_caller_only(store: RunStore) -> None:
    assert store.lease("r1") is None
    dead = store.acquire_lease("r1", ttl_s=30)
    assert store.lease("r1") == dead
    with pytest.raises(RunLockedError):
        store.acquire_lease("r1", stale_token="not-the-holder")
    first = store.acquire_lease("r1", stale_token=dead.token)
    assert store.lease("r1") == first
    # A second caller that also found the dead holder loses: the lease changed hands.
    with pytest.raises(RunLockedError, match=rf"pid {first.pid}"):
        store.acquire_lease("r1", stale_token=dead.token)
    store.release_lease("r1", first.token)
    assert store.lease("r1") is None


def test_renewing_moves_the_expiry_forward(store: RunStore) -> None:
    lease = store.acquire_lease("r1", ttl_s=0.2)
    store.renew_lease("r1", lease.token, ttl_s=60)
    time.sleep(0.3)
    with pytest.raises(RunLockedError):
        store.acquire_lease("r1")


def test_copying_cache_entries_and_blessings_is_idempotent(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    entry = CacheEntry(key="k", stage="document", value={"a": 1}, created=utc_now(), run_id="r1")
    assert store.import_cache_entry(entry) is True
    assert store.import_cache_entry(entry) is False
    assert store.cache_entries() == [entry]
    event = BaselineEvent(name="prod", run_id="r1", user="u", blessed=utc_now(), reason="why")
    store.import_baseline_event(event)
    assert store.baseline_history() == [event]
    assert store.baselines() == {"prod": "r1"}


def _remote(run_id: str, key: str, state: str, **changes: str) -> RemoteRecord:
    data = {
        "run_id": run_id, "key": key, "kind": "interaction", "target": "embedded",
        "identifier": f"scribe-eval:{run_id}:{key}", "state": state, "updated": utc_now(),
        **changes,
    }  # fmt: skip
    return RemoteRecord.model_validate(data)


def test_cell_counts_are_per_kind_status_and_cache(store: RunStore) -> None:
    store.create_run(make_run("20260101-aaaa"))
    store.create_run(make_run("20260102-bbbb", "2026-01-02T00:00:00Z"))
    store.put_cell(cell("20260101-aaaa", "e1|transcript", kind="transcript"))
    store.put_cell(cell("20260101-aaaa", "e1|soap", kind="document", from_cache=True))
    store.put_cell(cell("20260101-aaaa", "e2|soap", kind="document", from_cache=True))
    store.put_cell(cell("20260101-aaaa", "e3|soap", kind="document", status="error"))
    store.put_cell(cell("20260102-bbbb", "e1|soap", kind="document"))
    assert store.cell_counts("20260101-aaaa") == {
        ("transcript", "ok", False): 1,
        ("document", "ok", True): 2,
        ("document", "error", False): 1,
    }
    assert store.cell_counts("no-such-run") == {}


def test_failed_cell_counts_count_error_cells_of_every_run(store: RunStore) -> None:
    for run_id in ("20260101-aaaa", "20260102-bbbb", "20260103-cccc"):
        store.create_run(make_run(run_id))
    store.put_cell(cell("20260101-aaaa", "e1|transcript", kind="transcript", status="error"))
    store.put_cell(cell("20260101-aaaa", "e1|soap", status="skipped"))
    store.put_cell(cell("20260101-aaaa", "e2|soap", status="error"))
    store.put_cell(cell("20260102-bbbb", "e1|soap", status="error"))
    store.put_cell(cell("20260102-bbbb", "e2|soap"))
    store.put_cell(cell("20260103-cccc", "e1|soap"))
    # Transcript and document failures both count; skipped and ok cells do not; a clean run
    # is absent rather than 0.
    assert store.failed_cell_counts() == {"20260101-aaaa": 2, "20260102-bbbb": 1}


def test_failed_tracebacks_are_those_of_the_runs_failed_cells_that_kept_one(
    store: RunStore,
) -> None:
    for run_id in ("20260101-aaaa", "20260102-bbbb"):
        store.create_run(make_run(run_id))
    store.put_cell(cell("20260101-aaaa", "e1|soap", status="error", traceback="tb one"))
    store.put_cell(cell("20260101-aaaa", "e2|soap", status="error"))  # an error of ours: none
    store.put_cell(cell("20260101-aaaa", "e3|soap", status="ok", traceback="stale"))
    store.put_cell(cell("20260102-bbbb", "e1|soap", status="error", traceback="tb other run"))
    assert store.failed_tracebacks("20260101-aaaa") == {"e1|soap": "tb one"}
    assert store.failed_tracebacks("no-such-run") == {}


_DOCUMENT_SCORES: dict[str, object] = {
    "rougeLsum_f": 0.41, "rouge1_f": 0.5, "fact_recall": None, "length_ratio": math.nan,
    "missing_sections": 2, "note_type": "soap",
    "sections": [{"reference_heading": "Plan", "rouge": {"rouge1_f": 0.3}}] * 50,
    "fact_misses": [["medication", "ramipril 5 mg"]] * 20, "not_a_metric": 3.0,
}  # fmt: skip
_TRANSCRIPT_SCORES: dict[str, object] = {
    "wer": 0.25, "errors": 5, "ref_words": 20, "aligned_words": 22, "normalizer": "basic",
    "speakers": {"doctor": {"wer": 0.2, "errors": 2, "ref_words": 10}, "patient": {"errors": 3}},
}  # fmt: skip


def _scored_run(store: RunStore) -> None:
    store.create_run(make_run("r1"))
    store.put_cell(cell("r1", "b|soap", encounter_id="b", scores=_DOCUMENT_SCORES))
    transcript = cell("r1", "b|t", kind="transcript", encounter_id="b", scores=_TRANSCRIPT_SCORES)
    store.put_cell(transcript)
    store.put_cell(
        cell("r1", "a|soap", encounter_id="a", status="error", error_message="boom",
             traceback="Traceback ...", timings={"document": 4.0}, scores={"unscored": "no note"})
    )  # fmt: skip
    store.put_cell(cell("r1", "a|t", kind="transcript", encounter_id="a", scores={"wer": 0.1}))


def test_cell_summaries_are_the_cells_with_typed_figures_instead_of_scores(
    store: RunStore,
) -> None:
    _scored_run(store)
    full = store.cells("r1")
    summaries = store.cell_summaries("r1")
    assert [s.cell_id for s in summaries] == [c.cell_id for c in full] == [
        "a|t", "b|t", "a|soap", "b|soap",
    ]  # fmt: skip
    for summary, record in zip(summaries, full, strict=True):
        assert summary.model_dump(exclude={"figures"}) == record.model_dump(
            exclude={"scores", "traceback"}
        )
        assert not hasattr(summary, "scores")
    document = summaries[3].figures
    # Every catalogue metric the cell has (None where no finite number), no lists, no strangers.
    assert document.metrics == {
        "rougeLsum_f": 0.41, "rouge1_f": 0.5, "fact_recall": None, "length_ratio": None,
    }  # fmt: skip
    assert document.counts == {"missing_sections": 2.0}
    assert (document.note_type, document.unscored, document.normalizer) == ("soap", None, None)
    assert len(document.model_dump_json()) < len(json.dumps(_DOCUMENT_SCORES)) / 4
    transcript = summaries[1].figures
    assert transcript.counts == {"errors": 5.0, "ref_words": 20.0, "aligned_words": 22.0}
    assert transcript.normalizer == "basic"
    assert transcript.speakers["doctor"] == SpeakerFigures(wer=0.2, errors=2, ref_words=10)
    assert transcript.speakers["patient"] == SpeakerFigures(errors=3)
    assert METRICS["wer"].parts(transcript) == (5.0, 20.0)
    assert METRICS["rougeLsum_f"].parts(document) == (0.41, 1.0)
    assert METRICS["fact_recall"].parts(document) is None
    assert summaries[2].figures.unscored == "no note"
    # Summaries share one set of field names (memory); copying one never changes the others.
    edited = summaries[0].model_copy(update={"status": "error"})
    assert edited.status == "error"
    assert [s.status for s in store.cell_summaries("r1")[:1]] == [summaries[0].status]
    assert summaries[1].model_fields_set == set(type(summaries[1]).model_fields)
    assert len({id(s.model_fields_set) for s in store.cell_summaries("r1")}) == 1
    assert len({id(s.figures.model_fields_set) for s in summaries if s.cell_id != "a|soap"}) == 1
    # A summary and its full cell name the same reference note type (None when none stored).
    stored = store.get_cell("r1", "b|soap")
    assert stored is not None
    assert [summaries[3].note_type, stored.note_type, summaries[2].note_type] == [
        "soap",
        "soap",
        None,
    ]
    assert summaries[2].timings == {"document": 4.0}
    assert store.cell_summaries("other") == []


def test_equal_scores_have_equal_digests_and_a_changed_score_does_not(store: RunStore) -> None:
    _scored_run(store)
    store.create_run(make_run("r2"))
    store.put_cell(cell("r2", "b|soap", encounter_id="b", scores=dict(_DOCUMENT_SCORES)))
    changed = {**_DOCUMENT_SCORES, "fact_misses": []}  # not a figure, but a stored score
    store.put_cell(cell("r2", "a|soap", encounter_id="a", scores=changed))
    one = {s.cell_id: s.figures for s in store.cell_summaries("r1")}
    two = {s.cell_id: s.figures for s in store.cell_summaries("r2")}
    assert one["b|soap"].digest == two["b|soap"].digest
    assert two["a|soap"].digest != two["b|soap"].digest
    assert two["a|soap"].metrics == two["b|soap"].metrics


def test_encounter_cells_are_one_encounters_full_cells(store: RunStore) -> None:
    _scored_run(store)
    store.create_run(make_run("r2"))
    store.put_cell(cell("r2", "b|soap", encounter_id="b"))
    cells = store.encounter_cells("r1", "b")
    assert [c.cell_id for c in cells] == ["b|t", "b|soap"]
    assert cells[1].scores == store.get_cell("r1", "b|soap").scores  # type: ignore[union-attr]
    assert cells[1].scores["fact_misses"] == [["medication", "ramipril 5 mg"]] * 20
    failed = store.encounter_cells("r1", "a")
    assert [c.traceback for c in failed] == [None, "Traceback ..."]
    assert store.encounter_cells("r1", "missing") == []


def test_cells_stored_before_figures_existed_get_them_once(
    store: RunStore, store_url: str | None, tmp_path: Path
) -> None:
    _scored_run(store)
    expected = store.cell_summaries("r1")
    _forget_figures(store_url, tmp_path)
    assert _stored_figures(store_url, tmp_path) == [None] * 4
    assert store.cell_summaries("r1") == expected
    assert None not in _stored_figures(store_url, tmp_path)  # kept: computed once
    assert store.cell_summaries("r1") == expected


def _forget_figures(store_url: str | None, tmp_path: Path) -> None:
    """Make the cells look as a store before migration 4 (SQLite) / 2 (PostgreSQL) wrote them."""
    _sql(store_url, tmp_path, "UPDATE cells SET figures = NULL")


def _stored_figures(store_url: str | None, tmp_path: Path) -> list[object]:
    return [r[0] for r in _sql(store_url, tmp_path, "SELECT figures FROM cells ORDER BY cell_id")]


def _sql(store_url: str | None, tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    if store_url is None:
        db = sqlite3.connect(tmp_path / "runs" / STORE_FILENAME, isolation_level=None)
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()
    import psycopg

    with psycopg.connect(store_url, autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []
