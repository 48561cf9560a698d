"""Sharing-safe mode and escaping: no clinical text with --no-text, nothing unescaped ever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scribe_eval.dataset import Dataset
from scribe_eval.report import build_report
from scribe_eval.store import CellRecord, RunStore

# Strings from the mini dataset's transcripts and notes, and from the generated documents.
CLINICAL_TEXT = (
    "brings you in",
    "dry cough",
    "cuff",
    "chest is clear",
    "Honey and rest",
    "Itchy, painless rash",
    "Emollient cream",
    "Paracetamol 1 g",
    "Lives alone",
    "Viral cough",
    "1 week",
)


def _all_files(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()
    )


def test_no_text_leaves_no_clinical_text_and_no_encounter_pages(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    run = kit.write_run(store, mini_dataset, run_spec("run-cand"))
    # An API error message may quote what it was sent.
    store.put_cell(
        CellRecord(
            run_id=run.id,
            cell_id="en-02-rash|echo|en|asr",
            kind="document",
            encounter_id="en-02-rash",
            template_label="echo",
            language="en",
            recording_language="en",
            source="asr",
            status="error",
            stage="document",
            error_type="APIStatusError",
            error_message="400: context 'Emollient cream' rejected",
        )
    )
    out = tmp_path / "out"
    build_report(store, run, out, compare_with=base)  # a text build first: must not survive
    assert "Honey and rest" in _all_files(out)
    build_report(store, run, out, compare_with=base, no_text=True)
    written = _all_files(out)
    assert not (out / "encounters").exists()
    for text in CLINICAL_TEXT:
        assert text.lower() not in written.lower(), text
    assert "experiments/test.yaml" not in written  # local paths shrink to file names
    assert "test.yaml" in written
    assert "Sharing-safe report" in written
    assert "ROUGE-Lsum" in written
    assert "en-01-cough" in written


def test_injected_markup_is_escaped_everywhere(evil_report: Path) -> None:
    script = "<script>window.__pwned=1</script>"
    written = _all_files(evil_report.parent)
    assert "__pwned" in written  # the payloads are there ...
    assert script not in written
    assert "<img" not in written
    assert "&lt;script&gt;" in written
    assert "onerror=" not in written.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert written.count("<script>") == len(list(evil_report.parent.rglob("*.html")))
