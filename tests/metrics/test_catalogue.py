"""The metric catalogue and the runner's scorer agree: every key one writes, the other knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import load_dataset
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import MetricOptions
from scribe_eval.metrics import (
    COUNT_KEYS,
    JUDGE_METRIC_KEYS,
    METRICS,
    FigureUnit,
    fmt_against,
    fmt_change,
    fmt_figure,
    fmt_interval,
    fmt_points,
    metric,
    metrics_of,
)
from scribe_eval.runner import document_expectations, score_document, score_transcript
from scribe_eval.templates import builtin_catalogue

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def _numeric(scores: dict[str, Any]) -> set[str]:
    return {
        k
        for k, v in scores.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k not in COUNT_KEYS
    }


def _scored() -> tuple[dict[str, Any], dict[str, Any]]:
    encounter = next(
        e for e in load_dataset(SAMPLE).encounters if e.terms and e.keyterms and "soap" in e.notes
    )
    turns = [
        {"channel": 0 if t.speaker.lower() == "doctor" else 1, "text": t.text, "start": 0, "end": 1}
        for t in encounter.reference_turns
    ]
    transcript = Transcript.model_validate(
        {
            "id": "t",
            "status": "completed",
            "metadata": {
                "participantsRoles": [
                    {"channel": 0, "role": "doctor"},
                    {"channel": 1, "role": "patient"},
                ]
            },
            "transcripts": turns,
        }
    )
    note = encounter.notes["soap"]
    document = Document.model_validate(
        {
            "id": "d",
            "name": "soap",
            "outputLanguage": encounter.language,
            "sections": [
                {"key": note.section_keys[h], "name": h, "text": body, "sort": i}
                for i, (h, body) in enumerate(note.sections.items())
            ],
        }
    )
    options = MetricOptions()
    return (
        score_transcript(encounter, transcript, options, encounter.language),
        score_document(
            encounter,
            document,
            note_type="soap",
            output_language=encounter.language,
            options=options,
            expectations=document_expectations(
                {"templateKey": "corti-soap"}, encounter.language, builtin_catalogue()
            ),
        ),
    )


def test_every_scorer_metric_is_in_the_catalogue_and_every_catalogue_metric_is_scored() -> None:
    transcript, document = _scored()
    assert _numeric(transcript) == {s.key for s in metrics_of("transcript")}
    # A rate with nothing to judge is stored as None (no length limit in corti-soap).
    undefined = {k for k, v in document.items() if v is None}
    # The judge's metrics are written by the judge stage (tests/runner/test_judging.py).
    scorer = {s.key for s in metrics_of("document")} - JUDGE_METRIC_KEYS
    assert _numeric(document) | undefined == scorer
    assert undefined == {"adherence_length_rate"}


def test_every_ratio_metric_finds_its_numerator_and_denominator_in_the_scores() -> None:
    transcript, document = _scored()
    for spec in METRICS.values():
        scores = transcript if spec.cell == "transcript" else document
        if spec.key in JUDGE_METRIC_KEYS or scores[spec.key] is None:
            continue
        parts = spec.parts(scores)
        assert parts is not None, spec.key
        value = scores[spec.key]
        assert parts[0] / parts[1] == pytest.approx(value), spec.key


def test_error_counts_are_stored_once_and_add_up() -> None:
    transcript, _ = _scored()
    assert transcript["errors"] == (
        transcript["substitutions"] + transcript["deletions"] + transcript["insertions"]
    )


def test_directions_come_from_the_catalogue() -> None:
    assert METRICS["wer"].direction == "lower is better"
    assert METRICS["rougeLsum_f"].direction == "higher is better"
    assert METRICS["length_ratio"].direction == "descriptive"
    assert not METRICS["length_ratio"].gateable
    with pytest.raises(ConfigError, match="unknown metric 'bleu'"):
        metric("bleu")


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        pytest.param(-0.034, -0.009, "[−3.4, −0.9]", id="negative"),
        pytest.param(-0.016, 0.004, "[−1.6, 0.4]", id="straddling"),
        pytest.param(0.38, 0.445, "[38.0, 44.5]", id="positive"),
    ],
)
def test_intervals_are_unambiguous_points(low: float, high: float, shown: str) -> None:
    assert fmt_interval(low, high) == shown


def test_points_have_one_decimal_and_a_true_minus() -> None:
    assert fmt_points(0.41234) == "41.2"
    assert fmt_points(-0.0123, signed=True) == "−1.2"
    assert fmt_points(0.0123, signed=True) == "+1.2"
    assert fmt_points(None) == "—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param(0.1385, "13.9", id="half-rounds-away-from-zero"),
        pytest.param(0.13849999999999998, "13.9", id="float-noise-does-not-decide-a-tie"),
        pytest.param(0.1384999, "13.8", id="below-half"),
        pytest.param(-0.1385, "−13.9", id="negative-half"),
        pytest.param(-0.0004, "0.0", id="no-minus-zero"),
    ],
)
def test_points_round_half_away_from_zero(value: float, shown: str) -> None:
    assert fmt_points(value) == shown


def test_a_difference_beside_its_values_is_the_difference_of_the_shown_values() -> None:
    # 13.84 and 11.16 show as 13.8 and 11.2: the difference printed beside them is 2.6, though
    # the exact 2.68 would round to 2.7.
    assert (fmt_points(0.1384), fmt_points(0.1116)) == ("13.8", "11.2")
    assert fmt_change(0.1116, 0.1384) == "+2.6"
    assert fmt_change(0.1384, 0.1116) == "−2.6"
    assert fmt_change(0.1384, 0.1116, signed=False) == "2.6"
    assert fmt_change(0.10004, 0.1) == "±0.0"
    assert fmt_change(None, 0.1) == "—"
    values = [i / 9973 for i in range(0, 9973, 37)]
    for before, after in zip(values, reversed(values), strict=True):
        printed = float(fmt_change(before, after).replace("−", "-").replace("±", ""))
        assert printed == round(float(fmt_points(after)) - float(fmt_points(before)), 1)


def test_counts_and_milliseconds_follow_the_same_rule() -> None:
    assert fmt_figure(0.125, "count") == "0.13"
    assert fmt_figure(1234.5, "ms") == "1235"
    assert fmt_change(100.4, 200.4, "ms") == "+100"
    assert fmt_change(0.124, 0.126, "count") == "+0.01"


@pytest.mark.parametrize(
    ("value", "threshold", "unit", "shown"),
    [
        pytest.param(0.05004, 0.05, "points", ("5.004", "5.0"), id="just-above"),
        pytest.param(0.049996, 0.05, "points", ("4.9996", "5.0"), id="just-below"),
        pytest.param(0.0098, 0.01, "points", ("0.98", "1.0"), id="lead-short-of-a-minimum"),
        pytest.param(0.05, 0.05, "points", ("5.0", "5.0"), id="equal"),
        pytest.param(0.03, 0.05, "points", ("3.0", "5.0"), id="no-tie-no-extra-digit"),
        pytest.param(0.02004, 0.02005, "points", ("2.004", "2.005"), id="threshold-as-written"),
        pytest.param(0.05 + 1e-15, 0.05, "points", ("5.0", "5.0"), id="float-noise-is-no-order"),
        pytest.param(2.004, 2.0, "count", ("2.004", "2.00"), id="counts"),
        pytest.param(30000.4, 30000, "ms", ("30000.4", "30000"), id="milliseconds"),
        pytest.param(None, 0.05, "points", ("—", "5.0"), id="missing"),
    ],
)
def test_a_value_beside_its_threshold_reads_as_the_comparison_went(
    value: float | None, threshold: float, unit: FigureUnit, shown: tuple[str, str]
) -> None:
    assert fmt_against(value, threshold, unit) == shown


def test_each_metric_is_shown_on_the_scale_its_entry_names() -> None:
    ratio = METRICS["length_ratio"]
    assert ratio.unit == "percent"
    assert "percent of the reference" in ratio.description
    assert ratio.fmt(2.302) == "230%"
    assert ratio.fmt(0.995) == "100%"  # half away from zero, as points
    assert ratio.fmt_interval(1.804, 2.6) == "[180%, 260%]"
    assert ratio.fmt_change(1.0, 1.234) == "+23%"
    assert ratio.fmt(None) == "—"
    wer = METRICS["wer"]
    assert (wer.fmt(0.444), wer.fmt_interval(-0.034, -0.009)) == ("44.4", "[−3.4, −0.9]")
    assert {s.unit for s in METRICS.values()} == {"points", "percent"}
    assert [k for k, s in METRICS.items() if s.unit != "points"] == ["length_ratio"]


def test_a_diarized_one_channel_transcript_gets_cpwer_and_orcwer_but_no_swap_flag() -> None:
    encounter = next(e for e in load_dataset(SAMPLE).encounters if e.language == "en")
    reference = encounter.reference_turns

    def transcript(flip_last: bool) -> Transcript:
        segments = []
        for i, turn in enumerate(reference):
            speaker = 0 if turn.speaker.lower() == "doctor" else 1
            if flip_last and i == len(reference) - 1:
                speaker = 1 - speaker  # the diarizer gave the last turn to the other person
            segments.append({"channel": 0, "speakerId": speaker, "text": turn.text})
        return Transcript.model_validate(
            {"id": "t", "status": "completed", "transcripts": segments}
        )

    right = score_transcript(encounter, transcript(False), MetricOptions(), "en")
    wrong = score_transcript(encounter, transcript(True), MetricOptions(), "en")
    assert right["cpwer"] == 0.0
    assert right["orcwer"] == 0.0
    assert wrong["wer"] == 0.0  # every word right ...
    assert wrong["cpwer"] > 0.0  # ... but some given to the wrong speaker
    assert wrong["orcwer"] == 0.0
    assert wrong["attribution_error_rate"] == wrong["cpwer"]
    assert "speaker_swap" not in wrong  # no roles named: a swap cannot be told
    assert "attributed_wer" not in wrong


def test_corpus_value_is_a_mean_or_a_pooled_ratio_as_the_catalogue_says() -> None:
    cells: list[dict[str, float | None]] = [
        {"fact_recall": 1.0, "errors": 1, "ref_words": 10},
        {"fact_recall": 0.25, "errors": 9, "ref_words": 10},
        {"fact_recall": None, "errors": 0, "ref_words": 0},  # no reference facts, no words
    ]
    assert METRICS["fact_recall"].corpus(cells) == pytest.approx(0.625)  # mean of 1.0 and 0.25
    assert METRICS["wer"].corpus(cells) == pytest.approx(10 / 20)  # pooled errors / words
    assert METRICS["fact_precision"].corpus(cells) is None
