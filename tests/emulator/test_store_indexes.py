"""The emulator's per-interaction reads use an index: a long-lived emulator (a team's, or one
whose runs keep their interactions) must not scan every document to list one interaction's."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval.emulator._store import EmulatorStore


@pytest.mark.parametrize("table", ["recordings", "transcripts", "documents"])
def test_reads_by_interaction_use_an_index(tmp_path: Path, table: str) -> None:
    store = EmulatorStore(tmp_path)
    try:
        plan = store._db.execute(
            f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE interaction_id = ?", ("x",)
        ).fetchall()
    finally:
        store.close()
    detail = " ".join(str(row[-1]) for row in plan)
    assert f"USING INDEX {table}_interaction" in detail, detail
