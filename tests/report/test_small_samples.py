"""Numbers from one or two encounters are shown without an interval or a chance of being best."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scribe_eval.dataset import Dataset
from scribe_eval.report import build_report
from scribe_eval.report._leaderboard import Shown
from scribe_eval.stats import MIN_ENCOUNTERS_FOR_INTERVAL
from scribe_eval.store import RunStore


def test_too_few_encounters_show_no_interval() -> None:
    assert MIN_ENCOUNTERS_FOR_INTERVAL == 3
    one = Shown(0.5, 0.5, 0.5, 1)
    two = Shown(0.5, 0.4, 0.6, 2)
    three = Shown(0.5, 0.4, 0.6, 3)
    assert (one.low, one.high) == (None, None)
    assert (two.low, two.high) == (None, None)
    assert (three.low, three.high) == (0.4, 0.6)


def test_a_missing_chance_of_being_best_says_why(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    # "—" in the P(best) column, with no word why, read as a broken cell: each board says why.
    failed = (("en-01-cough", "soap-short"),)  # 2 of the 3 encounters scored by both templates
    two = kit.write_run(store, mini_dataset, run_spec("run-two", failed_documents=failed))
    html = build_report(store, two, tmp_path / "two").read_text(encoding="utf-8")
    assert 'title="No P(best): 2 encounters every template scored: too few (at least 3)"' in html
    # The heat-map's cells say why they have no interval, as the leaderboard's do.
    assert "soap-full · en · reference: soap: n=2, too few encounters for an interval" in html
    one = kit.write_run(store, mini_dataset, run_spec("run-one", templates=("soap-full",)))
    html = build_report(store, one, tmp_path / "one").read_text(encoding="utf-8")
    assert 'title="No P(best): one template: there is nothing to compare it with"' in html
    three = kit.write_run(store, mini_dataset, run_spec("run-three"))
    html = build_report(store, three, tmp_path / "three").read_text(encoding="utf-8")
    assert "No P(best)" not in html


def test_the_distribution_shows_the_leaderboard_s_encounters(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """The strip chart's line is the leaderboard's value, the mean over the encounters every
    template scored; its dots were every encounter's, one template's failure left in for the
    others, so the line was not the mean of the dots drawn around it."""
    failed = (("en-01-cough", "soap-short"),)
    run = kit.write_run(store, mini_dataset, run_spec("run-two", failed_documents=failed))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    charts = html[html.index('<h2 id="distributions">') :]
    charts = charts[: charts.index("<h2", 10)]
    assert "(1 encounter not scored by every template left out, as in the leaderboard)" in charts
    assert "en-01-cough" not in charts
    assert "en-02-rash" in charts


def test_an_encounter_s_row_shows_its_note_in_the_recording_s_language(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """With notes in several languages, the encounters table showed whichever was stored first
    (here a German note of an English visit); it shows the recording's language's note."""
    run = kit.write_run(store, mini_dataset, run_spec("run-langs"))
    (english,) = [
        c for c in store.cells(run.id)
        if c.encounter_id == "en-02-rash" and c.template_label == "soap-full"
    ]  # fmt: skip
    store.put_cell(
        english.model_copy(
            update={
                "cell_id": english.cell_id.replace("|en|", "|de|"),
                "language": "de",
                "scores": {**english.scores, "rougeLsum_f": 0.0123},
            }
        )
    )
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    table = html[html.index('<h2 id="encounters">') :]
    row = table[table.index("en-02-rash") :]
    row = row[: row.index("</tr>")]
    assert 'data-v="0.0123"' not in row
    assert f'data-v="{english.scores["rougeLsum_f"]}"' in row


def test_a_value_beyond_the_chart_s_scale_is_marked() -> None:
    """A recording's WER of 121 was drawn at the 100 edge with nothing to say so, beside a
    table reading 121.0."""
    from scribe_eval.report._svg import StripRow, strip_chart

    beyond = StripRow("fr", (("fr-01", 1.21, None), ("fr-02", 0.3, None)), 0.8, None, None)
    chart = str(strip_chart([beyond], title="WER", higher_is_better=False))
    assert "<title>1 above 100, drawn at the edge; the highest 121.0</title>&gt;100" in chart
    within = StripRow("en", (("en-01", 0.21, None),), 0.21, None, None)
    assert "offscale" not in str(strip_chart([within], title="WER", higher_is_better=False))


def test_an_empty_leaderboard_cell_says_why(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """A note that states no fact has no fact precision: its "—" says so, not a broken cell."""
    run = kit.write_run(store, mini_dataset, run_spec("run-nofacts"))
    for cell in store.cells(run.id):
        if cell.kind == "document" and cell.template_label == "soap-short":
            scores = {**cell.scores, "fact_precision": None}
            store.put_cell(cell.model_copy(update={"scores": scores}))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    assert (
        'title="No value here: Fact precision is the share of the note&#39;s facts that the '
        'reference supports (a hallucination proxy; none for notes that state no fact)"' in html
    )
