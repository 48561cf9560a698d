"""What the store's tables hold, readable without pydantic: the closed sets of values, the orders
rows are read in, and `RunListing`, a run's plain fields (what `scribe-eval runs list` shows).

The typed records (`RunRecord` and the rest, in ``_records``) are pydantic models: importing
pydantic and building them costs about 0.2 s, most of what `runs list` would take, and each run's
record parses its whole configuration and provenance. A listing needs a few plain fields of each
run, so `RunStore.run_listings` reads those columns into `RunListing`, whose fields are
`RunRecord`'s own (same names and types: a test pins them to the record, so the two cannot
drift). This module imports nothing of ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from scribe_eval.store._records import RunRecord

RunStatus = Literal["running", "completed", "interrupted", "failed"]
CellStatus = Literal["pending", "ok", "error", "skipped"]
CellKind = Literal["transcript", "document"]
TranscriptSource = Literal["asr", "reference"]
RemoteState = Literal["pending", "created", "deleted"]

#: The order every store lists runs in: newest first.
RUN_ORDER = "created DESC, id DESC"

#: The order every store returns a run's cells in: transcripts first, then by encounter.
CELL_ORDER = "kind DESC, encounter_id, template_label, language, source"


@dataclass(frozen=True, slots=True)
class RunListing:
    """A run as listed: the fields of its `RunRecord` that `runs list` shows, and the experiment
    it ran (whether an experiment ran to completion before), read without building the record
    (its configuration and provenance are neither read nor parsed).

    Every field is the `RunRecord` field of the same name and type.
    """

    id: str
    name: str
    status: RunStatus
    created: str
    finished: str | None
    experiment_hash: str
    dataset_name: str
    api_calls: int
    target: dict[str, Any]

    @classmethod
    def of(cls, record: RunRecord) -> RunListing:
        """The listing of a typed record (what `RunStore.run_listings` reads from its row)."""
        return cls(**{name: getattr(record, name) for name in LISTING_FIELDS})


#: The ``runs`` columns a listing reads, in the order of its fields.
LISTING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RunListing))
LISTING_COLUMNS = ", ".join(LISTING_FIELDS)


def listing_from_row(row: Mapping[str, Any]) -> RunListing:
    """A listing from a row of ``LISTING_COLUMNS`` (``target`` as the stored JSON text)."""
    data = {name: row[name] for name in LISTING_FIELDS}
    data["target"] = json.loads(data["target"])
    return RunListing(**data)
