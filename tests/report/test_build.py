"""build_report on small synthetic runs: files, leaderboards, honesty about "best", degradation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scribe_eval.compare import identity_hash
from scribe_eval.dataset import Dataset
from scribe_eval.errors import ConfigError
from scribe_eval.metrics import METRICS_VERSION
from scribe_eval.report import _compare as report_compare
from scribe_eval.report import _pages as report_pages
from scribe_eval.report import build_report
from scribe_eval.report._audit import AUDIT_NOTES
from scribe_eval.report._leaderboard import _why_not_separated
from scribe_eval.stats import MetricSample, compare_paired
from scribe_eval.store import RunRecord, RunStore

_URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _all_html(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html")))


def test_writes_index_and_one_page_per_encounter(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    index = build_report(store, run, tmp_path / "out")
    assert index == tmp_path / "out" / "index.html"
    pages = sorted(p.name for p in (tmp_path / "out" / "encounters").iterdir())
    assert pages == [f"{e.id}.html" for e in mini_dataset.encounters]
    html = index.read_text(encoding="utf-8")
    for heading in (
        "WER",
        "ROUGE-1",
        "ROUGE-2",
        "ROUGE-L",
        "ROUGE-Lsum",
        "Section coverage",
        "Fact recall",
    ):
        assert f">{heading}<" in html
    assert 'href="encounters/en-01-cough.html"' in html
    assert "00aaaaaaaaaa" in html  # the template's spec hash
    assert "seed 7" in html
    assert "200 resamples" in html
    assert "english-clinical@" in html


def test_leaderboard_shows_each_template_value_with_its_interval(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    board = html.split('id="leader-1"', 1)[1].split("</table>", 1)[0]
    full, short = (
        board.split('<tr><td data-v="soap-full">')[1],
        board.split('<tr><td data-v="soap-short">')[1],
    )
    # soap-full copies every reference note: 100 on every note metric, a zero-width interval.
    assert full.split("</tr>")[0].count(">100.0<") >= 6
    assert "[100.0, 100.0]" in full.split("</tr>")[0]
    # soap-short drops the plan: coverage 3 of 4 sections on every encounter.
    assert 'data-v="0.75"' in short.split("</tr>")[0]


def test_no_clear_winner_on_three_encounters_says_more_are_needed(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    assert "No clear winner in en · reference: soap on ROUGE-Lsum" in html
    assert "n = 3 encounters every template scored" in html
    assert "With only 3 shared encounters no difference can reach significance" in html
    assert 'class="star"' not in html


def test_a_supported_winner_is_named_and_starred(
    store: RunStore, twelve_visits: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, twelve_visits, run_spec("run-b"))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    assert "soap-full is recommended in en · reference: soap" in html
    assert "Significantly better on ROUGE-Lsum than every other template" in html
    assert "not worse beyond 5.0 points on section coverage, fact recall or notes written" in html
    board = html.split('id="leader-1"', 1)[1]
    row = board.split('<tr><td data-v="soap-full">')[1].split("</tr>")[0]
    assert 'class="star"' in row
    assert "specialty: respiratory" in html  # slices from the dataset metadata


def test_failures_table_names_cell_stage_error_and_request_id(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    spec = run_spec("run-f", failed_documents=(("en-02-rash", "soap-short"),))
    run = kit.write_run(store, mini_dataset, spec)
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    failures = html.split('id="failures"', 1)[1].split("</table>", 1)[0]
    assert "en-02-rash|soap-short|en|asr" in failures
    assert "ServerError" in failures
    assert "req-503-abc" in failures
    assert ">document<" in failures


def test_missing_dataset_still_builds_and_says_text_views_are_unavailable(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    (mini_dataset.root / "dataset.yaml").unlink()
    index = build_report(store, run, tmp_path / "out")
    assert "Text views unavailable" in index.read_text(encoding="utf-8")
    page = (tmp_path / "out" / "encounters" / "en-01-cough.html").read_text(encoding="utf-8")
    assert "Text views unavailable" in page
    assert 'class="op sub' not in page  # no alignment without the reference
    assert "missing from the note" in page  # per-section findings come from the stored scores


def test_no_page_names_an_external_url(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    run = kit.write_run(store, mini_dataset, run_spec("run-cand"))
    build_report(store, run, tmp_path / "out", compare_with=base)
    html = _all_html(tmp_path / "out")
    assert _URL_ATTRIBUTE.findall(html) == []
    assert "<link" not in html
    assert "@import" not in html


def test_compare_view_pairs_runs_and_links_changed_encounters(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    worse = run_spec("run-cand", hypothesis=lambda e, t: kit.swap_words(t).replace("dry", "try"))
    run = kit.write_run(store, mini_dataset, worse)
    build_report(store, run, tmp_path / "out", compare_with=base)
    html = (tmp_path / "out" / "compare.html").read_text(encoding="utf-8")
    # The page shows the gate's own rows: per template, undecided on 3 encounters (too few),
    # so the gate is inconclusive there, never "passed".
    assert "ROUGE-Lsum non-inferiority (margin 2 points)" in html
    assert "template: soap-short" in html
    assert "a decision needs at least 5" in html
    verdict = html.split('id="gate-verdict"', 1)[1].split("</div>", 1)[0]
    assert "<strong>Gate inconclusive:</strong>" in verdict
    assert "changed slices undecided" in verdict
    # Each undecided slice named in the banner says on how many encounters it stands.
    assert "template: soap-short · 3 encounters</span>" in verdict
    assert "Gate passed" not in html
    # The banner says the verdict and what is unproven once; the line under it only the counts.
    assert html.count("changed slices undecided") == 1
    assert "INCONCLUSIVE" not in html.split('id="gate-verdict"', 1)[1].split("<table", 1)[0]
    assert "Compared candidate run-cand vs baseline run-base (built-in default gate);" in html
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "the rollout gate is INCONCLUSIVE" in index
    assert "Every metric and slice" not in html  # no second set of tests on the same page
    changed = html.split("Encounters that changed most", 1)[1]
    assert '<a href="encounters/en-01-cough.html">en-01-cough</a>' in changed
    assert "worse" in changed
    assert 'href="compare.html"' in index


def test_compare_view_degrades_when_the_gate_is_unavailable(
    store: RunStore,
    mini_dataset: Dataset,
    kit: Any,
    run_spec: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConfigError("runs a and b are not comparable: tokenizers differ")

    monkeypatch.setattr(report_compare, "evaluate_gate", refuse)
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    run = kit.write_run(store, mini_dataset, run_spec("run-cand"))
    build_report(store, run, tmp_path / "out", compare_with=base)
    html = (tmp_path / "out" / "compare.html").read_text(encoding="utf-8")
    assert "gate unavailable: runs a and b are not comparable: tokenizers differ" in html


def test_comparing_a_run_with_itself_is_refused(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    with pytest.raises(ConfigError, match="itself"):
        build_report(store, run, tmp_path / "out", compare_with=run)


def test_pages_written_by_worker_processes_equal_the_serial_ones(
    store: RunStore,
    mini_dataset: Dataset,
    kit: Any,
    run_spec: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    build_report(store, run, tmp_path / "serial")
    monkeypatch.setattr(report_pages, "PARALLEL_FROM", 1)
    build_report(store, run, tmp_path / "forked")
    serial = sorted((tmp_path / "serial" / "encounters").iterdir())
    forked = sorted((tmp_path / "forked" / "encounters").iterdir())
    assert [p.name for p in serial] == [p.name for p in forked]
    for a, b in zip(serial, forked, strict=True):
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        pytest.param([0.5, 0.6, 0.7], [0.2, 0.3, 0.4], "no difference can reach", id="too-few"),
        pytest.param(
            [0.5 + 0.3 * ((i * 7) % 5 - 2) / 2 for i in range(20)],
            [0.5 + 0.3 * ((i * 3) % 5 - 2) / 2 + 0.01 for i in range(20)],
            "could not be detected reliably",
            id="below-mde",
        ),
    ],
)
def test_no_winner_reason_names_what_limits_the_comparison(
    a: list[float], b: list[float], reason: str
) -> None:
    ids = [f"e{i:02d}" for i in range(len(a))]
    comparison = compare_paired(
        MetricSample.from_values(ids, a),
        MetricSample.from_values(ids, b),
        higher_is_better=True,
        label_a="x",
        label_b="y",
        resamples=500,
        permutations=500,
        seed=3,
    )
    assert not comparison.significant()
    assert reason in _why_not_separated(comparison, "x")


def test_a_run_without_cells_still_builds(store: RunStore, tmp_path: Path) -> None:
    empty = RunRecord(
        id="empty", name="empty", status="running", created="2026-11-24T00:00:00Z",
        experiment_hash="h", dataset_name="d", dataset_hash="h", target={}, config={},
        provenance={},
    )  # fmt: skip
    store.create_run(empty)
    html = build_report(store, empty, tmp_path / "out").read_text(encoding="utf-8")
    assert "No document was scored in this run." in html
    assert "the run did not record where its dataset lives" in html


def test_a_report_on_the_embedded_target_says_its_notes_say_nothing_of_the_vendor(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    run = kit.write_run(store, mini_dataset, run_spec("run-cand"))
    build_report(store, run, tmp_path / "out", compare_with=base)
    for page in ("index.html", "compare.html"):
        html = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert "offline rule-based writer" in html
        assert "nothing about the vendor&#39;s quality" in html


def test_the_overview_shows_fact_precision_length_and_coverage_beside_rouge(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    board = html.split('id="leader-1"', 1)[1].split("</table>", 1)[0]
    for heading in ("Fact precision", "Length ratio", "Section coverage", "ROUGE-Lsum"):
        assert f">{heading}<" in board


def test_a_judged_run_shows_the_judges_metrics_in_a_table_of_their_own(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    # Fourteen metric columns with intervals cannot fit a 1280 px page: the judge's five get
    # their own table under the board, so the board keeps its width.
    judged = run_spec("run-a", extra_provenance={"judge": {"model": "fake"}})
    run = kit.write_run(store, mini_dataset, judged)
    for cell in store.cells(run.id):
        if cell.kind == "document" and cell.status == "ok":
            scores = {**cell.scores, "judge_pdqi_mean": 0.5, "judge_omission_rate": 0.25}
            store.put_cell(cell.model_copy(update={"scores": scores}))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    board = html.split('id="leader-1"', 1)[1].split("</table>", 1)[0]
    judge = html.split('id="leader-1-judge"', 1)[1].split("</table>", 1)[0]
    assert "Judge:" not in board
    assert board.count("</th>") == 12  # template, nine note metrics, P(best), scored
    assert 'Judge: <span class="nw">PDQI-9</span> mean' in judge
    assert 'data-v="0.5"' in judge


def test_the_methods_show_what_each_metric_catches_on_this_dataset(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    table = html.split('id="audit-table"', 1)[1].split("</table>", 1)[0]
    dose = table.split("<td>dose tenfold", 1)[1].split("</tr>", 1)[0]
    assert "moved in" in dose
    assert 'paraphrase <span class="muted">(no clinical error)</span>' in table
    # Computed once per dataset content and metric version, then read from the store's cache.
    key = f"audit:{mini_dataset.content_hash}:{METRICS_VERSION}:unicode:{AUDIT_NOTES}"
    assert store.cache_get(key) is not None
    again = build_report(store, run, tmp_path / "again").read_text(encoding="utf-8")
    assert again.split('id="audit-table"', 1)[1].split("</table>", 1)[0] == table


def test_the_trend_page_has_one_point_per_comparable_run_of_the_dataset(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    first = kit.write_run(store, mini_dataset, run_spec("run-1"))
    second = kit.write_run(store, mini_dataset, run_spec("run-2"))
    older = run_spec("run-0", extra_provenance={"metrics": {"version": "0"}})
    kit.write_run(store, mini_dataset, older)  # another metric version: never on the same scale
    build_report(store, second, tmp_path / "out")
    html = (tmp_path / "out" / "trend.html").read_text(encoding="utf-8")
    section = html.split("ROUGE-Lsum, template soap-full, en", 1)[1].split("</section>", 1)[0]
    assert f"<code>{first.id}</code>" in section
    assert f"<code>{second.id}</code>" in section
    assert "<code>run-0</code>" not in section
    assert 'href="trend.html"' in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_the_wer_trend_leaves_out_runs_whose_numbers_are_on_another_scale(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """WER depends on its normaliser: a run normalised another way is no point of the report's
    WER trend, as it is none of its note trends nor of `runs trend` (the WER trend took every
    run of the dataset, so a changed normaliser read as a step in the vendor's recognition)."""
    first = kit.write_run(store, mini_dataset, run_spec("run-1"))
    second = kit.write_run(store, mini_dataset, run_spec("run-2"))
    other = {"metrics": {"version": METRICS_VERSION, "normalizers": {"en": "basic@2"}}}
    kit.write_run(store, mini_dataset, run_spec("run-0", extra_provenance=other))
    build_report(store, second, tmp_path / "out")
    html = (tmp_path / "out" / "trend.html").read_text(encoding="utf-8")
    section = html.split("WER, en", 1)[1].split("</section>", 1)[0]
    assert f"<code>{first.id}</code>" in section
    assert f"<code>{second.id}</code>" in section
    assert "<code>run-0</code>" not in section


def test_the_trend_page_says_which_identity_fields_changed_not_only_that_one_did(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    engine = {"kind": "embedded", "emulator": "1.0", "asr": {"model": "base", "sha": "aaa"}}
    updated = {**engine, "asr": {"model": "base", "sha": "bbb"}}
    kit.write_run(store, mini_dataset, run_spec("run-1", target=engine))
    kit.write_run(store, mini_dataset, run_spec("run-2", target=engine))
    last = kit.write_run(store, mini_dataset, run_spec("run-3", target=updated))
    build_report(store, last, tmp_path / "out")
    html = (tmp_path / "out" / "trend.html").read_text(encoding="utf-8")
    section = html.split("ROUGE-Lsum, template soap-full, en", 1)[1].split("</section>", 1)[0]
    rows = {row.split("</code>", 1)[0]: row for row in section.split("<tr><td><code>")[1:]}
    # The CLI's `runs trend` cell: the new identity's short hash and what changed, in the row.
    cell = f"{identity_hash(updated)}: asr.sha aaa -&gt; bbb"
    assert f'identity changed</span> <code class="identity-change">{cell}</code>' in rows["run-3"]
    assert "identity changed" not in rows["run-2"]
    # Each new identity in full stays available, folded away.
    assert "New target identities in full" in section


def test_a_run_that_did_not_complete_says_so_and_why_at_the_top(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    why = "stopped after 3 identical failures: <script>alert(1)</script> refused"
    store.update_run(run.id, status="failed", notes=why)
    html = build_report(store, store.get_run(run.id), tmp_path / "out").read_text(encoding="utf-8")
    main = html.split("<main", 1)[1]
    assert "This run failed" in main.split("Which template is best", 1)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "<script>alert(1)" not in html

    store.update_run(run.id, status="completed", notes=None)
    again = build_report(store, store.get_run(run.id), tmp_path / "ok").read_text(encoding="utf-8")
    assert "This run failed" not in again


def test_the_heat_map_colours_only_metrics_with_a_better_direction(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    for cell in store.cells(run.id):
        if cell.kind == "document" and cell.status == "ok":
            store.put_cell(cell.model_copy(update={"scores": {**cell.scores, "length_ratio": 1.4}}))
    html = build_report(store, run, tmp_path / "out").read_text(encoding="utf-8")
    assert ">Length ratio<" in html  # it is reported (in the leaderboards) ...
    assert 'class="heat" data-metric="rougeLsum_f"' in html
    # Length ratio has no better direction: a darker-is-better colour would mislead.
    assert 'class="heat" data-metric="length_ratio"' not in html


def test_the_baseline_is_called_by_its_blessed_name(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    base = kit.write_run(store, mini_dataset, run_spec("run-base"))
    run = kit.write_run(store, mini_dataset, run_spec("run-cand"))
    store.bless(base.id, "prod")
    build_report(store, run, tmp_path / "out", compare_with=base)
    page = (tmp_path / "out" / "compare.html").read_text("utf-8")
    assert f"<h1>Candidate {run.name} vs baseline prod</h1>" in page
    # Each run says which experiment it ran, the baseline's name beside its own: a heading that
    # put "(experiment X)" after the baseline alone read as if both runs were of X.
    origin = f"run of experiment {base.name}, blessed as prod"
    assert f"<code>{base.id}</code>, {origin}" in page
    assert f"<code>{run.id}</code>, run of experiment {run.name}" in page
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert f"Compared with baseline prod (<code>{base.id}</code>, {origin})" in index


def test_every_figure_is_shown_on_its_catalogue_scale(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    # The length ratio is a percent of the reference's length, not a 0-100 score: it reads
    # "230%" wherever it is shown, never "230.2" as if it were points off the scale. WER by
    # speaker sits beside the WER column in points ("44.4"): one scale, no "44.4%" beside it.
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    for cell in store.cells(run.id):
        if cell.kind == "document" and cell.status == "ok":
            store.put_cell(
                cell.model_copy(update={"scores": {**cell.scores, "length_ratio": 2.302}})
            )
    index = build_report(store, run, tmp_path / "out")
    html = index.read_text(encoding="utf-8")
    board = html.split('id="leader-1"', 1)[1].split("</table>", 1)[0]
    assert 'data-v="2.302">230%<span class="ci"' in board, board
    assert "[230%, 230%]" in board
    assert "230.2" not in html
    pages = list((index.parent / "encounters").glob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Length ratio 230%<" in text
        assert "230.2" not in text
    transcripts = html.split('id="transcripts"', 1)[1].split("</table>", 1)[0]
    speakers = re.findall(r'<span class="chip">(?:doctor|patient) ([^<]*)</span>', transcripts)
    assert speakers, transcripts
    assert all(re.fullmatch(r"\d+\.\d", figure) for figure in speakers), speakers


def test_a_compared_encounter_page_shows_the_baseline_note_beside_its_own(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """The compare page links each changed encounter to its page, which showed only this run's
    note: what the candidate's template lost was nowhere to be read."""

    def no_exam(encounter: Any, template: str) -> dict[str, str]:
        sections: dict[str, str] = kit.note_by_template(encounter, template)
        if template == "soap-full":
            sections["corti-objective"] = "Not examined."
        return sections

    base = kit.write_run(
        store, mini_dataset, run_spec("run-base", failed_documents=(("en-02-rash", "soap-short"),))
    )
    run = kit.write_run(store, mini_dataset, run_spec("run-cand", document=no_exam))
    build_report(store, run, tmp_path / "out", compare_with=base)
    page = (tmp_path / "out" / "encounters" / "en-01-cough.html").read_text(encoding="utf-8")
    full, short = page.split('<section class="doc"')[1:3]
    assert "Against the baseline" in full
    assert "<code>run-base</code>" in full
    assert "<del>" in full.split("Baseline note", 1)[1].split("This run's note", 1)[0]
    assert "Not examined" in full.split("This run's note", 1)[1]
    assert "→" in full  # each score, baseline then this run
    # The same text written again: said, with the scores, and no second copy of the note.
    assert "the same note: written again, word for word" in short
    assert "Baseline note" not in short
    rash = (tmp_path / "out" / "encounters" / "en-02-rash.html").read_text(encoding="utf-8")
    assert "the baseline&#39;s note failed at document: ServerError" in rash

    # One stored answer for both: said once, without the two notes.
    for cell in store.cells("run-cand"):
        if cell.cell_id == "en-01-cough|soap-short|en|asr":
            same = store.get_cell("run-base", cell.cell_id)
            assert same is not None
            store.put_cell(cell.model_copy(update={"cache_key": same.cache_key}))
    build_report(store, run, tmp_path / "again", compare_with=base)
    page = (tmp_path / "again" / "encounters" / "en-01-cough.html").read_text(encoding="utf-8")
    short = page.split('<section class="doc"')[2]
    assert "the same note: both runs hold the same stored answer" in short
    assert "Baseline note" not in short

    build_report(store, run, tmp_path / "alone")
    page = (tmp_path / "alone" / "encounters" / "en-01-cough.html").read_text(encoding="utf-8")
    assert "Against the baseline" not in page


def test_encounters_that_changed_most_are_ordered_as_their_changes_are_printed() -> None:
    """Sorted on the exact changes, a row printed −13.0 (exactly −13.05) stood above one printed
    −13.1 (exactly −13.04): the list looked out of order."""
    from scribe_eval.report._compare import Changed, most_changed

    printed_13_0 = Changed("en-07", None, "", "ROUGE-Lsum", 0.4444, 0.3139, True)
    printed_13_1 = Changed("en-02", None, "", "ROUGE-Lsum", 0.4456, 0.3152, True)
    assert abs(printed_13_0.delta) > abs(printed_13_1.delta)
    ordered = most_changed([printed_13_0, printed_13_1])
    assert [c.encounter_id for c in ordered] == ["en-02", "en-07"]


def test_a_run_whose_runner_is_gone_reads_interrupted_with_its_resume(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    """A run killed with SIGKILL stays stored ``running``: the report said "This run has not
    finished", as if it would, with no way to finish it."""
    run = kit.write_run(store, mini_dataset, run_spec("run-killed"))
    store.update_run(run.id, status="running")
    lease = store.acquire_lease(run.id)  # this live process holds it: it is running
    live = build_report(store, store.get_run(run.id), tmp_path / "live").read_text("utf-8")
    assert "This run has not finished" in live
    store.release_lease(run.id, lease.token)  # nobody runs it any more
    gone = build_report(store, store.get_run(run.id), tmp_path / "gone").read_text("utf-8")
    assert "This run was interrupted (its runner is gone: killed or crashed)" in gone
    assert f"<code>scribe-eval run --resume {run.id}</code>" in gone
