"""The overview's slice table compares templates as the leaderboards do."""

from __future__ import annotations

from typing import Any

from scribe_eval.compare import RunData, load_run_data
from scribe_eval.dataset import Dataset, Encounter
from scribe_eval.report._leaderboard import note_leaderboards
from scribe_eval.report._overview import SliceRow, slice_rows
from scribe_eval.store import RunStore

HARD = ("v01", "v03", "v05")  # general-practice visits where every note is poor


def _document(encounter: Encounter, template: str) -> dict[str, str]:
    """'soap-full' is a little better than 'soap-short' on every visit; both are poor on HARD."""
    note = encounter.notes["soap"]
    sections = {note.section_keys[h]: body for h, body in note.sections.items()}
    if encounter.id in HARD:
        sections = dict.fromkeys(sections, "Patient seen today.")
    if template == "soap-short":
        sections.pop("corti-objective", None)
    return sections


def _run(store: RunStore, dataset: Dataset, kit: Any, run_spec: Any, **spec: Any) -> RunData:
    run = kit.write_run(
        store, dataset, run_spec("20261124-010000-000001", document=_document, **spec)
    )
    return load_run_data(store, run)


def _slice(data: RunData, label: str) -> SliceRow:
    return next(r for r in slice_rows(data, note_leaderboards(data)) if r.slice == label)


def test_a_template_failing_its_hardest_encounters_does_not_look_better_in_a_slice(
    store: RunStore, twelve_visits: Dataset, kit: Any, run_spec: Any
) -> None:
    failed = tuple((e, "soap-short") for e in HARD[:2])
    data = _run(store, twelve_visits, kit, run_spec, failed_documents=failed)
    (board,) = note_leaderboards(data)
    row = _slice(data, "specialty: general-practice")
    full, short = row.values[(board.group, "soap-full")], row.values[(board.group, "soap-short")]
    assert full.value is not None
    assert short.value is not None
    assert full.value > short.value  # on the same encounters, as on every one of them
    assert full.n == short.n == row.n_in(board.group) == 6 - len(failed)
    assert row.n == 6


def test_notes_from_the_asr_and_the_reference_transcript_are_not_averaged_together(
    store: RunStore, twelve_visits: Dataset, kit: Any, run_spec: Any
) -> None:
    data = _run(store, twelve_visits, kit, run_spec)
    # The same run as if it had also written every note from the reference transcript, poorly.
    poor = [
        c.model_copy(
            update={
                "source": "reference",
                "cell_id": c.cell_id.replace("|asr", "|reference"),
                "figures": c.figures.model_copy(
                    update={"metrics": {**c.figures.metrics, "rougeLsum_f": 0.01}}
                ),
            }
        )
        for c in data.cells
        if c.kind == "document"
    ]
    config = {**data.run.config, "sources": ["asr", "reference"]}
    both = RunData(
        store=data.store,
        run=data.run.model_copy(update={"config": config}),
        cells=[*data.cells, *poor],
        dataset=data.dataset,
        dataset_problem=data.dataset_problem,
    )
    label = "specialty: respiratory"
    alone = {t: v.value for (_, t), v in _slice(data, label).values.items() if t != "transcripts"}
    by_group: dict[str, dict[str, float | None]] = {}
    for (group, template), shown in _slice(both, label).values.items():
        if template != "transcripts":
            by_group.setdefault(group, {})[template] = shown.value
    assert len(by_group) == 2
    asr = next(g for g in by_group if "ASR" in g)
    reference = next(g for g in by_group if g != asr)
    assert by_group[asr] == alone
    assert by_group[reference] == {"soap-full": 0.01, "soap-short": 0.01}
