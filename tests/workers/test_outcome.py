"""A run over workers ends with the lines a local run ends with (`runner.RunOutcome`)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scribe_eval.store import CellRecord, RemoteRecord, RunRecord, RunStore
from scribe_eval.workers import _coordinator


def _run(store: RunStore) -> RunRecord:
    run = RunRecord(
        id="r1", name="x", status="failed", created="2026-12-03T00:00:00Z", experiment_hash="h",
        dataset_name="d", dataset_hash="h", target={"kind": "embedded"}, config={},
        provenance={}, api_calls=3,
    )  # fmt: skip
    store.create_run(run)
    common: dict[str, Any] = {"run_id": run.id, "kind": "transcript", "language": "en",
                              "recording_language": "en", "source": "asr"}  # fmt: skip
    store.put_cell(CellRecord(cell_id="e1|t", encounter_id="e1", status="ok", **common))
    store.put_cell(
        CellRecord(
            cell_id="e2|t", encounter_id="e2", status="error", stage="transcript",
            error_type="ServerError", error_message="the API answered 503 after 4 retries",
            **common,
        )
    )  # fmt: skip
    store.put_remote(
        RemoteRecord(
            run_id=run.id,
            key="interaction|e2|en",
            kind="interaction",
            target="embedded",
            identifier="e2",
            remote_id="i-2",
            state="created",
            updated="2026-12-03T00:00:01Z",
        )
    )
    return run


def test_a_run_over_workers_says_why_it_failed_and_what_it_left(tmp_path: Path) -> None:
    """The coordinator built its own outcome without the failure line and without the
    interactions it kept on the target: `run --workers` exited 3 saying only the count."""
    with RunStore(tmp_path / "runs") as store:
        run = _run(store)
        session: Any = SimpleNamespace(calls={})
        outcome = _coordinator._outcome(store, run.id, session, 0, kept=True)
    assert outcome.failure is not None
    assert outcome.failure.startswith("1 cell(s) failed, 1 with ServerError, such as e2|t")
    assert outcome.left_on_target == 1
