"""A run store with two small runs, written straight through `RunStore`, for the CLI's outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval.store import CellRecord, RunRecord, RunStore

RUN_IDS = ("20261124-010000-aaaaaa", "20261124-020000-bbbbbb")
ENCOUNTERS = [f"en-{i:02d}-long-encounter-identifier" for i in range(6)]


def _run(run_id: str) -> RunRecord:
    return RunRecord(
        id=run_id, name="cli-test", status="completed", created=f"2026-11-24T0{run_id[10]}:00:00Z",
        finished=None, experiment_hash="e" * 64, dataset_name="mini", dataset_hash="d" * 64,
        target={"kind": "embedded"}, config={},
        provenance={
            "scribe_eval": "0.test",
            "metrics": {
                "version": "2", "normalizers": {"en": "english-clinical@2"},
                "tokenizer": "unicode", "seed": 11, "bootstrap": 200,
            },
        },
        api_calls=7,
    )  # fmt: skip


def _transcript(run_id: str, number: int, encounter: str) -> CellRecord:
    errors = 3 + number + (2 if run_id == RUN_IDS[1] else 0)
    return CellRecord(
        run_id=run_id, cell_id=f"{encounter}|transcript|en|asr", kind="transcript",
        encounter_id=encounter, language="en", recording_language="en", source="asr",
        status="ok", cache_key=f"transcript:{number}",
        scores={
            "wer": errors / 100, "ref_words": 100, "hits": 100 - errors, "substitutions": errors,
            "deletions": 0, "insertions": 0, "errors": errors, "aligned_words": 100,
            "normalizer": "english-clinical@2",
            "speakers": {"doctor": {"wer": errors / 120, "ref_words": 60}},
            "term_misses": [["paracetamol", "paris ita mol"]],
        },
        timings={"transcript": 1000.0 + number},
    )  # fmt: skip


def _document(run_id: str, number: int, encounter: str) -> CellRecord:
    failed = number == 5
    return CellRecord(
        run_id=run_id, cell_id=f"{encounter}|soap|en|asr", kind="document",
        encounter_id=encounter, template_label="soap", spec_hash="a" * 64, language="en",
        recording_language="en", source="asr", status="error" if failed else "ok",
        stage="document" if failed else None, error_type="ServerError" if failed else None,
        error_message="500 after 4 retries" if failed else None,
        request_id="req-5" if failed else None,
        scores={} if failed else {"rougeL_f": 0.5 + number / 100, "rougeLsum_f": 0.5,
                                  "fact_recall": 0.8, "note_type": "soap", "n_scored": 4},
        timings={"document": 2000.0 + number},
    )  # fmt: skip


def write_runs(store: RunStore) -> None:
    """Two completed runs over six encounters; the second a little worse at recognition."""
    for run_id in RUN_IDS:
        store.create_run(_run(run_id))
        for number, encounter in enumerate(ENCOUNTERS):
            store.put_cell(_transcript(run_id, number, encounter))
            store.put_cell(_document(run_id, number, encounter))


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    """A runs directory holding the two runs; the first blessed as ``prod``."""
    folder = tmp_path / "runs"
    with RunStore(folder) as store:
        write_runs(store)
        store.bless(RUN_IDS[0], "prod")
    return folder


@pytest.fixture
def run_ids() -> tuple[str, ...]:
    """The ids of the two runs, oldest first."""
    return RUN_IDS
