"""Synthetic runs written straight into a run store, where the right gate decision is known."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from scribe_eval.store import CellRecord, RunRecord, RunStore

MakeRun = Callable[..., str]

ENCOUNTERS = 40


def _run_record(run_id: str, **provenance_changes: object) -> RunRecord:
    metrics = {"version": "1", "normalizers": {"en": "english-clinical@1"}, "tokenizer": "unicode"}
    metrics.update(provenance_changes)  # type: ignore[arg-type]
    return RunRecord(
        id=run_id, name="demo", status="completed", created=f"2026-01-01T00:00:0{len(run_id) % 9}Z",
        experiment_hash="e", dataset_name="sample", dataset_hash="d" * 12,
        target={"kind": "embedded"},
        config={}, provenance={"metrics": {**metrics, "seed": 11, "bootstrap": 1000}},
    )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    """An empty run store (closed after the test)."""
    with RunStore(tmp_path / "runs") as opened:
        yield opened


@pytest.fixture
def make_run(store: RunStore) -> MakeRun:
    """Write a run whose ROUGE-L F is ``base + shift`` per encounter and WER errors scaled.

    ``rouge_shift`` moves every document's ROUGE-L F; ``wer_factor`` scales transcript errors;
    ``errors`` marks that many document cells failed.
    """

    def make(
        run_id: str,
        *,
        rouge_shift: float = 0.0,
        wer_factor: float = 1.0,
        errors: int = 0,
        noise_seed: int = 0,
        **provenance: object,
    ) -> str:
        store.create_run(_run_record(run_id, **provenance))
        rng = np.random.default_rng(1234)  # the same encounters' difficulty in every run
        noise = np.random.default_rng(noise_seed)
        for i in range(ENCOUNTERS):
            eid = f"en-{i:02d}"
            ref_words = int(rng.integers(150, 300))
            subs = int(rng.integers(5, 30))
            base_rouge = float(rng.uniform(0.3, 0.6))
            store.put_cell(
                CellRecord(
                    run_id=run_id,
                    cell_id=f"{eid}|transcript|en|asr",
                    kind="transcript",
                    encounter_id=eid,
                    language="en",
                    recording_language="en",
                    source="asr",
                    status="ok",
                    scores={
                        "substitutions": round(subs * wer_factor),
                        "deletions": 2,
                        "insertions": 1,
                        "ref_words": ref_words,
                    },
                    timings={"transcript": 1000.0},
                )
            )
            for label in ("soap", "brief"):
                failed = i < errors and label == "soap"
                value = base_rouge + rouge_shift + float(noise.normal(0, 0.002))
                store.put_cell(
                    CellRecord(
                        run_id=run_id,
                        cell_id=f"{eid}|{label}|en|asr",
                        kind="document",
                        encounter_id=eid,
                        template_label=label,
                        language="en",
                        recording_language="en",
                        source="asr",
                        status="error" if failed else "ok",
                        error_type="ServerError" if failed else None,
                        scores={}
                        if failed
                        else {
                            "rougeL_f": value,
                            "rougeLsum_f": value,
                            "missing_sections": 0,
                        },
                        timings={"document": 200.0},
                    )
                )
        return run_id

    return make
