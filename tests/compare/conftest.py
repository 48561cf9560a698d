"""Synthetic runs written straight into a run store, where the right gate decision is known."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from scribe_eval.store import CellRecord, RunRecord, RunStore

MakeRun = Callable[..., str]

ENCOUNTERS = 40


def _run_record(
    run_id: str, templates: list[dict[str, str]], **provenance_changes: object
) -> RunRecord:
    metrics = {"version": "1", "normalizers": {"en": "english-clinical@1"}, "tokenizer": "unicode"}
    metrics.update(provenance_changes)  # type: ignore[arg-type]
    return RunRecord(
        id=run_id, name="demo", status="completed", created=f"2026-01-01T00:00:0{len(run_id) % 9}Z",
        experiment_hash="e", dataset_name="sample", dataset_hash="d" * 12,
        target={"kind": "embedded"}, config={},
        provenance={"metrics": {**metrics, "seed": 11, "bootstrap": 1000}, "templates": templates},
    )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    """An empty run store (closed after the test)."""
    with RunStore(tmp_path / "runs") as opened:
        yield opened


@pytest.fixture
def make_run(store: RunStore) -> MakeRun:
    """Write a run whose ROUGE-L F is ``base + shift`` per encounter and WER errors scaled.

    ``rouge_shift`` moves every document's ROUGE-L F, ``shifts`` one template's; ``wer_factor``
    scales transcript errors; ``errors`` marks that many ``soap`` document cells failed. A
    template whose ``versions`` entry and shift are the same in two runs (and ``noise_seed``)
    gets the same spec hash and cache keys: it is unchanged by construction. A template named in
    ``own_noise`` draws its noise from a generator of its own, so adding or dropping it leaves
    the other templates' values as they were.
    """

    def make(
        run_id: str,
        *,
        rouge_shift: float = 0.0,
        wer_factor: float = 1.0,
        errors: int = 0,
        noise_seed: int = 0,
        templates: tuple[str, ...] = ("soap", "brief"),
        shifts: dict[str, float] | None = None,
        versions: dict[str, str] | None = None,
        encounters: int = ENCOUNTERS,
        references: dict[str, str] | None = None,
        own_noise: tuple[str, ...] = (),
        **provenance: object,
    ) -> str:
        shift_of = {t: rouge_shift + (shifts or {}).get(t, 0.0) for t in templates}
        spec = {t: f"{t}-{(versions or {}).get(t, 'v1')}-{shift_of[t]}" for t in templates}
        refs = {t: (references or {}).get(t, "soap") for t in templates}
        listed = [{"label": t, "spec_hash": spec[t], "reference": refs[t]} for t in templates]
        store.create_run(_run_record(run_id, listed, **provenance))
        rng = np.random.default_rng(1234)  # the same encounters' difficulty in every run
        shared_noise = np.random.default_rng(noise_seed)
        noise_of = {t: np.random.default_rng([noise_seed, 1 + k]) for k, t in enumerate(own_noise)}
        for i in range(encounters):
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
                        "errors": round(subs * wer_factor) + 3,
                        "ref_words": ref_words,
                    },
                    timings={"transcript": 1000.0},
                    cache_key=f"transcript:{eid}:{wer_factor}",
                )
            )
            for label in templates:
                failed = i < errors and label == "soap"
                noise = noise_of.get(label, shared_noise)
                value = base_rouge + shift_of[label] + float(noise.normal(0, 0.002))
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
                            "fact_recall": min(1.0, value + 0.3),
                            "missing_sections": 0,
                        },
                        timings={"document": 200.0},
                        cache_key=f"document:{eid}:{spec[label]}:{noise_seed}",
                    )
                )
        return run_id

    return make
