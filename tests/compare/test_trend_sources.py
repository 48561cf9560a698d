"""A trend follows one transcript source: notes written from the reference transcript (a run
that isolates note quality) are no point of the ASR notes' trend, as they have their own board."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scribe_eval.compare import load_run_data, trend_rows
from scribe_eval.report._trend import trend_series
from scribe_eval.store import CellRecord, RunStore

MakeRun = Callable[..., str]


def _add_reference_notes(store: RunStore, run_id: str, better_by: float) -> None:
    """Notes of ``soap`` written from the reference transcript, ``better_by`` above the ASR ones."""
    for cell in store.cell_summaries(run_id):
        if cell.kind != "document" or cell.template_label != "soap":
            continue
        measured = cell.figures.metrics["rougeLsum_f"]
        assert measured is not None
        value = measured + better_by
        store.put_cell(
            CellRecord(
                run_id=run_id, cell_id=cell.cell_id.replace("|asr", "|reference"),
                kind="document", encounter_id=cell.encounter_id, template_label="soap",
                language="en", recording_language="en", source="reference", status="ok",
                scores={"rougeLsum_f": value, "rougeL_f": value, "fact_recall": 0.9},
                cache_key=f"ref:{cell.cell_id}",
            )
        )  # fmt: skip


def test_a_run_that_adds_the_reference_source_makes_no_step_in_the_asr_trend(
    store: RunStore, make_run: MakeRun
) -> None:
    make_run("run-1")
    make_run("run-2")
    _add_reference_notes(store, "run-2", better_by=0.3)
    first, second = trend_rows(store, template="soap", language="en")
    # The ASR notes are the same in both runs: the second point did not rise by 15 points
    # because the reference-transcript notes were averaged in.
    assert second.value == pytest.approx(first.value, abs=1e-9)
    assert second.n == first.n == 40


def test_the_report_trend_has_one_series_per_source(store: RunStore, make_run: MakeRun) -> None:
    make_run("run-1")
    make_run("run-2")
    _add_reference_notes(store, "run-2", better_by=0.3)
    series = trend_series(load_run_data(store, store.get_run("run-2")))
    soap = [s for s in series if "template soap," in s.title]
    assert len(soap) == 1, [s.title for s in series]
    first, second = soap[0].points
    assert second.value == pytest.approx(first.value, abs=1e-9)
