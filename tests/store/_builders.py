"""Minimal records for the store tests (loaded by path: tests are no package)."""

from __future__ import annotations

from scribe_eval.store import CellRecord, RunRecord


def make_run(run_id: str, created: str = "2026-01-01T00:00:00Z", **changes: object) -> RunRecord:
    """A minimal run record."""
    data: dict[str, object] = {
        "id": run_id,
        "name": "demo",
        "status": "running",
        "created": created,
        "experiment_hash": "e" * 64,
        "dataset_name": "sample",
        "dataset_hash": "d" * 64,
        "target": {"kind": "embedded", "identity": {"asr": "x"}},
        "config": {"templates": ["corti-soap"]},
        "provenance": {"seed": 7},
    }
    data.update(changes)
    return RunRecord.model_validate(data)


def cell(run_id: str, cell_id: str, **changes: object) -> CellRecord:
    """A minimal ok document cell."""
    data: dict[str, object] = {
        "run_id": run_id, "cell_id": cell_id, "kind": "document", "encounter_id": "en-01",
        "template_label": "soap", "language": "en", "recording_language": "en",
        "source": "asr", "status": "ok",
    }  # fmt: skip
    data.update(changes)
    return CellRecord.model_validate(data)
