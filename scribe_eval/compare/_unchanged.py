"""When a slice of the candidate is *unchanged*: nothing that made its answers differs.

An unchanged slice is reported but is not a hypothesis and cannot fail the gate: the same
request to the same target identity returned the same stored answers, so any difference would be
noise by construction. It is judged on the cells the row is measured on (the slice's shared
cells, `scribe_eval.compare._shared`), so an unchanged row's two values are always equal.
"""

from __future__ import annotations

from collections.abc import Collection

from scribe_eval.compare._data import RunData


def unchanged(base: RunData, cand: RunData, cells: Collection[str]) -> bool:
    """True when nothing that made these cells' answers changed between the runs.

    ``cells`` are ids both runs have (a slice's shared cells). The target identity must be
    equal, every template among them must have the same spec hash and reference in both runs,
    and every cell must point to the same stored answer (equal cache keys) with equal stored
    scores (equal digests of their JSON). No cell: not unchanged (nothing shows it).
    """
    if not cells or base.run.target != cand.run.target:
        return False
    pairs = [(base.by_id.get(i), cand.by_id.get(i)) for i in cells]
    if any(a is None or b is None for a, b in pairs):
        return False
    labels = {a.template_label for a, _ in pairs if a is not None and a.kind == "document"}
    for label in labels:
        ta, tb = base.templates.get(label), cand.templates.get(label)
        if ta is None or tb is None or (ta.spec_hash, ta.reference) != (tb.spec_hash, tb.reference):
            return False
    return all(
        a is not None
        and b is not None
        and a.status == "ok" == b.status
        and a.cache_key is not None
        and a.cache_key == b.cache_key
        and a.figures.digest == b.figures.digest
        for a, b in pairs
    )
