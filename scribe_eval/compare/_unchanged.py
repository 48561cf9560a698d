"""When a slice of the candidate is *unchanged*: nothing that made its answers differs.

An unchanged slice is reported but is not a hypothesis and cannot fail the gate: the same
request to the same target identity returned the same stored answers, so any difference would be
noise by construction.
"""

from __future__ import annotations

from scribe_eval.compare._data import RunData
from scribe_eval.metrics import CellKindName
from scribe_eval.store import CellSummary


def unchanged(base: RunData, cand: RunData, kind: CellKindName, where: dict[str, str]) -> bool:
    """True when nothing that made this slice's answers changed between the runs.

    The target identity must be equal, every template in the slice must have the same spec hash
    and reference, and every cell the runs share in the slice must point to the same stored
    answer (equal cache keys) with equal stored scores (equal digests of their JSON).
    """
    if base.run.target != cand.run.target:
        return False
    labels = [where["template"]] if "template" in where else None
    cells_a = {c.cell_id: c for c in base.cells if _in_slice(base, c, kind, where)}
    cells_b = {c.cell_id: c for c in cand.cells if _in_slice(cand, c, kind, where)}
    shared = set(cells_a) & set(cells_b)
    if not shared:
        return False
    if kind == "document":
        for label in labels or {cells_a[i].template_label for i in shared}:
            ta, tb = base.templates.get(label), cand.templates.get(label)
            if ta is None or tb is None:
                return False
            if (ta.spec_hash, ta.reference) != (tb.spec_hash, tb.reference):
                return False
    return all(
        cells_a[i].status == "ok" == cells_b[i].status
        and cells_a[i].cache_key is not None
        and cells_a[i].cache_key == cells_b[i].cache_key
        and cells_a[i].figures.digest == cells_b[i].figures.digest
        for i in shared
    )


def _in_slice(data: RunData, cell: CellSummary, kind: str, where: dict[str, str]) -> bool:
    if cell.kind != kind:
        return False
    return all(value in data.values(cell, dimension) for dimension, value in where.items())
