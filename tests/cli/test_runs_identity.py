"""`runs trend` and `runs show` name a target identity by its short hash, never as a JSON blob
on every row: the rows say "same as above" or which fields changed; the full identity is printed
once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from scribe_eval.cli import main
from scribe_eval.compare import identity_changes, identity_hash, identity_short
from scribe_eval.store import CellRecord, RunRecord, RunStore

ASR = {
    "engine": "whisper-base",
    "model_sha256": "d" * 64,
    "model_origin": "Systran/faster-whisper-base@" + "e" * 40,
    "beam_size": "5",
}
IDENTITIES = {
    "r1": {"kind": "embedded", "asr": ASR, "notes": {"engine": "template", "version": "1"}},
    "r2": {"kind": "embedded", "asr": ASR, "notes": {"engine": "template", "version": "1"}},
    "r3": {"kind": "embedded", "asr": {**ASR, "engine": "whisper-small"},
           "notes": {"engine": "template", "version": "1"}},
}  # fmt: skip


def _store(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    with RunStore(folder) as store:
        for day, (run_id, target) in enumerate(IDENTITIES.items(), start=1):
            store.create_run(
                RunRecord(
                    id=run_id, name="demo", status="completed",
                    created=f"2026-01-0{day}T00:00:00Z", experiment_hash="e" * 64,
                    dataset_name="sample", dataset_hash="d" * 64, target=target, config={},
                    provenance={"metrics": {"seed": 7, "bootstrap": 200}},
                )
            )  # fmt: skip
            for i in range(3):
                store.put_cell(
                    CellRecord(
                        run_id=run_id, cell_id=f"e{i}|soap|en|asr", kind="document",
                        encounter_id=f"e{i}", template_label="soap", spec_hash="a" * 64,
                        language="en", recording_language="en", source="asr", status="ok",
                        scores={"rougeLsum_f": 0.4 + i / 10},
                    )
                )  # fmt: skip
    return folder


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def _full(identity: dict[str, Any]) -> str:
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


def test_the_trend_shows_a_short_identity_per_row_and_each_identity_once(tmp_path: Path) -> None:
    runs = _store(tmp_path)
    out = _invoke(
        "runs", "trend", "--template", "soap", "--language", "en", "--runs-dir", str(runs)
    )
    r1 = next(line for line in out.splitlines() if " r1 " in f"{line} ")
    r2 = next(line for line in out.splitlines() if " r2 " in f"{line} ")
    r3 = next(line for line in out.splitlines() if " r3 " in f"{line} ")
    assert r1.rstrip().endswith(identity_hash(IDENTITIES["r1"]))
    assert r2.rstrip().endswith("same as above")
    assert r3.startswith("*")  # the model-update mark stays
    assert "asr.engine whisper-base -> whisper-small" in r3
    assert identity_hash(IDENTITIES["r3"]) in r3
    # Each distinct identity in full exactly once, after the table.
    assert out.count(_full(IDENTITIES["r1"])) == 1
    assert out.count(_full(IDENTITIES["r3"])) == 1
    assert max(len(line) for line in out.splitlines()[:4]) < 200


def test_runs_show_names_the_identity_by_hash_and_prints_it_in_full_once(tmp_path: Path) -> None:
    runs = _store(tmp_path)
    out = _invoke("runs", "show", "latest", "--runs-dir", str(runs))
    target_line = next(line for line in out.splitlines() if line.startswith("target "))
    assert identity_hash(IDENTITIES["r3"]) in target_line
    assert len(target_line) < 100
    assert out.count(_full(IDENTITIES["r3"])) == 1
    assert out.rstrip().endswith(_full(IDENTITIES["r3"]))


def test_identity_changes_name_every_changed_field_and_the_short_form_at_most_two() -> None:
    before = {"asr": {"engine": "a", "vad": "x"}, "notes": {"v": "1"}, "gone": 1}
    after = {"asr": {"engine": "b", "vad": "x"}, "notes": {"v": "2"}, "new": None}
    assert identity_changes(before, after) == [
        "asr.engine a -> b",
        "gone 1 -> -",
        "new - -> null",
        "notes.v 1 -> 2",
    ]
    short = identity_short(after, before)
    assert short == f"{identity_hash(after)}: asr.engine a -> b; gone 1 -> - (+2 more)"
    assert identity_short(after, dict(after)) == "same as above"
    assert identity_short(after, None) == identity_hash(after)
