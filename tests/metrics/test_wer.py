"""The WER family: equality with jiwer, edge cases, pooling and confusion pairs."""

from __future__ import annotations

import json
import random

import jiwer
import pytest

from scribe_eval.errors import MetricError
from scribe_eval.metrics import METRICS_VERSION, confusion_pairs, corpus_wer, wer

_VOCAB = [
    "the",
    "patient",
    "has",
    "a",
    "cough",
    "fever",
    "for",
    "three",
    "days",
    "left",
    "knee",
    "pain",
    "mg",
]


def _random_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)

    def text() -> str:
        return " ".join(rng.choice(_VOCAB) for _ in range(rng.randint(1, 25)))

    return [(text(), text()) for _ in range(n)]


@pytest.mark.parametrize(("reference", "hypothesis"), _random_pairs(200, seed=5))
def test_equals_jiwer_per_pair(reference: str, hypothesis: str) -> None:
    ours = wer(reference, hypothesis, normalizer="none")
    words = jiwer.process_words(reference, hypothesis)
    assert (ours.hits, ours.substitutions, ours.deletions, ours.insertions) == (
        words.hits,
        words.substitutions,
        words.deletions,
        words.insertions,
    )
    assert ours.wer == pytest.approx(words.wer, abs=1e-12)
    assert ours.mer == pytest.approx(words.mer, abs=1e-12)
    assert ours.wil == pytest.approx(words.wil, abs=1e-12)
    assert ours.cer == pytest.approx(jiwer.cer(reference, hypothesis), abs=1e-12)


def test_pooled_equals_jiwer_over_a_corpus() -> None:
    pairs = _random_pairs(40, seed=9)
    refs, hyps = [r for r, _ in pairs], [h for _, h in pairs]
    pooled = corpus_wer(wer(r, h, normalizer="none") for r, h in pairs)
    assert pooled.wer == pytest.approx(jiwer.wer(refs, hyps), abs=1e-12)
    assert pooled.mer == pytest.approx(jiwer.mer(refs, hyps), abs=1e-12)
    assert pooled.wil == pytest.approx(jiwer.wil(refs, hyps), abs=1e-12)
    assert pooled.cer == pytest.approx(jiwer.cer(refs, hyps), abs=1e-12)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        pytest.param("a b c", "a b c", 0.0, id="perfect"),
        pytest.param("a b", "x y z w", 2.0, id="wer-above-one"),
        pytest.param("a b c d", "", 1.0, id="empty-hypothesis"),
        pytest.param("हिन्दी में बात", "हिन्दी मे बात", 1 / 3, id="devanagari-mark"),
        pytest.param("Blutdruck erhöht", "blutdruck erhäht", 0.5, id="diacritic-is-error"),
        pytest.param("血压 正常", "血压 正常", 0.0, id="cjk"),
    ],
)
def test_known_values(reference: str, hypothesis: str, expected: float) -> None:
    assert wer(reference, hypothesis, normalizer="multilingual").wer == pytest.approx(expected)


def test_empty_reference_is_reported_not_divided() -> None:
    result = wer("  ", "hello there", normalizer="basic")
    assert result.empty_reference
    assert result.wer is None
    assert result.cer is None
    assert result.insertions == 2
    assert result.as_dict()["wer"] is None
    pooled = corpus_wer([result, wer("a b", "a c")])
    assert pooled.n_empty_reference == 1
    assert pooled.wer_mean == pytest.approx(0.5)
    assert pooled.wer == pytest.approx(3 / 2)  # the insertions still count when pooled


def test_both_empty_is_not_a_perfect_score() -> None:
    result = wer("", "")
    assert (result.wer, result.mer, result.cer) == (None, None, None)


def test_normalizer_changes_the_number_and_is_recorded() -> None:
    raw = wer("Hello, World.", "hello world", normalizer="none")
    basic = wer("Hello, World.", "hello world", normalizer="basic")
    assert raw.wer == 1.0
    assert basic.wer == 0.0
    assert basic.as_dict()["normalizer"] == "basic@2"
    assert basic.as_dict()["metrics_version"] == METRICS_VERSION


def test_alignment_is_kept_with_word_spans() -> None:
    result = wer("take the pill now", "take a pill", normalizer="basic")
    spans = [(op.kind, *result.op_words(op)) for op in result.ops]
    assert spans == [
        ("equal", ("take",), ("take",)),
        ("substitute", ("the",), ("a",)),
        ("equal", ("pill",), ("pill",)),
        ("delete", ("now",), ()),
    ]
    data = result.as_dict(alignment=True)
    assert json.loads(json.dumps(data)) == data
    assert data["alignment"][1] == {
        "kind": "substitute",
        "ref_start": 1,
        "ref_end": 2,
        "hyp_start": 1,
        "hyp_end": 2,
    }


def test_stable_item_keys() -> None:
    keys = wer("a", "b").as_dict().keys()
    for key in ("wer", "mer", "wil", "cer", "hits", "substitutions", "deletions"):
        assert key in keys
    assert {"insertions", "ref_words"} <= set(keys)


def test_pooling_different_normalizers_is_refused() -> None:
    with pytest.raises(MetricError, match="different normalizers"):
        corpus_wer([wer("a", "a", normalizer="none"), wer("a", "a", normalizer="basic")])


def test_confusion_pairs_are_counted_and_ranked() -> None:
    results = [
        wer("lisinopril daily", "listen daily"),
        wer("take lisinopril", "take listen"),
        wer("metoprolol", "metro"),
    ]
    assert confusion_pairs(results, top=2) == [
        ("lisinopril", "listen", 2),
        ("metoprolol", "metro", 1),
    ]
    gaps = confusion_pairs([wer("take it daily", "take take daily")], include_gaps=True)
    assert gaps == [("it", "take", 1)]
    gaps = confusion_pairs(
        [wer("take it daily", "take daily"), wer("go", "go now")], include_gaps=True
    )
    assert gaps == [("", "now", 1), ("it", "", 1)]


def _long_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """Transcript-length pairs with runs of errors, so the alignment has many kinds of op."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        ref = [rng.choice(_VOCAB) for _ in range(rng.randint(0, 300))]
        hyp: list[str] = []
        for word in ref:
            roll = rng.random()
            if roll < 0.1:
                hyp.append(rng.choice(_VOCAB))
            elif roll < 0.15:
                continue
            else:
                hyp.append(word)
            if rng.random() < 0.05:
                hyp.extend(rng.choice(_VOCAB) for _ in range(rng.randint(1, 3)))
        pairs.append((" ".join(ref), " ".join(hyp)))
    return pairs


def test_counts_alignment_and_cer_equal_jiwer_on_long_transcripts() -> None:
    for reference, hypothesis in _long_pairs(60, seed=13):
        ours = wer(reference, hypothesis, normalizer="none")
        assert ours.errors == ours.substitutions + ours.deletions + ours.insertions
        if not reference:
            assert ours.insertions == len(hypothesis.split())
            continue
        words = jiwer.process_words(reference, hypothesis)
        assert (ours.hits, ours.substitutions, ours.deletions, ours.insertions) == (
            words.hits,
            words.substitutions,
            words.deletions,
            words.insertions,
        )
        assert [op.as_dict() for op in ours.ops] == [
            {
                "kind": c.type,
                "ref_start": c.ref_start_idx,
                "ref_end": c.ref_end_idx,
                "hyp_start": c.hyp_start_idx,
                "hyp_end": c.hyp_end_idx,
            }
            for c in words.alignments[0]
        ]
        chars = jiwer.process_characters(reference, hypothesis)
        assert ours.char_errors == chars.substitutions + chars.deletions + chars.insertions
        assert ours.ref_chars == chars.hits + chars.substitutions + chars.deletions


def test_cer_is_computed_only_when_asked_for() -> None:
    result = wer("the patient has a cough", "the patient has no cough", normalizer="none")
    assert result.wer == pytest.approx(0.2)
    assert "char_errors" not in vars(result)  # the word figures did not pay for CER
    assert result.cer == pytest.approx(2 / 23)
    assert vars(result)["char_errors"] == 2


def test_errors_is_a_field_of_the_result() -> None:
    result = wer("a b c d e f", "a c d x f g", normalizer="none")
    assert (result.substitutions, result.deletions, result.insertions) == (1, 1, 1)
    assert result.errors == 3
    assert result.as_dict()["errors"] == 3
    with pytest.raises(AttributeError):
        result.errors = 0  # type: ignore[misc]
