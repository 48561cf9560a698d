"""`RunListing`, the pydantic-free view `runs list` reads, is a projection of `RunRecord`."""

from __future__ import annotations

import dataclasses
import typing

from scribe_eval.store import RunListing, RunRecord


def test_each_listing_field_is_the_run_record_field_of_that_name_and_type() -> None:
    hints = typing.get_type_hints(RunListing)
    assert [f.name for f in dataclasses.fields(RunListing)] == list(hints)
    for name, hint in hints.items():
        assert name in RunRecord.model_fields, name
        assert RunRecord.model_fields[name].annotation == hint, name


def test_a_listing_of_a_record_keeps_its_values() -> None:
    record = RunRecord(
        id="r", name="demo", status="completed", created="2026-01-01T00:00:00Z",
        finished="2026-01-01T00:01:00Z", experiment_hash="e", dataset_name="sample",
        dataset_hash="d", target={"kind": "url"}, config={"a": 1}, provenance={}, api_calls=3,
    )  # fmt: skip
    listing = RunListing.of(record)
    assert dataclasses.asdict(listing) == record.model_dump(
        include=set(dataclasses.asdict(listing))
    )
    assert (listing.status, listing.finished, listing.api_calls) == (
        "completed",
        record.finished,
        3,
    )
