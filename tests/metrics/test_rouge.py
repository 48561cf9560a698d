"""ROUGE: proven equal to rouge-score 0.1.2, plus the Unicode tokenizer and sentence splitter."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType

import pytest
from rouge_score import rouge_scorer

from scribe_eval.errors import MetricError
from scribe_eval.metrics import ROUGE_TYPES, TokenizerName, rouge, split_sentences, tokenize
from scribe_eval.metrics._lcs import union_lcs_indices
from scribe_eval.metrics._tokenize import sentence_tokens


def _load_notes() -> ModuleType:
    """The shared sample notes (tests/metrics/_notes.py), loaded by path: tests are no package."""
    spec = importlib.util.spec_from_file_location("_notes", Path(__file__).with_name("_notes.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_notes = _load_notes()
_VOCAB = [
    "The",
    "patient",
    "reports",
    "cough",
    "fever",
    "for",
    "three",
    "days",
    "denies",
    "chest",
    "pain",
    "left",
    "knee",
    "swelling",
    "mg",
    "b.i.d.",
    "lisinopril",
    "10",
    "blood",
    "pressure",
    "120/80",
    "heart-rate",
    "plan",
    "follow-up",
    "in",
    "two",
    "weeks",
    "erhöht",
    "Fieber",
    "血压",
]


def _random_text(rng: random.Random) -> str:
    out: list[str] = []
    for _ in range(rng.randint(0, 50)):
        out.append(rng.choice(_VOCAB))
        roll = rng.random()
        if roll < 0.06:
            out.append(".\n")
        elif roll < 0.09:
            out.append(". ")
        elif roll < 0.1:
            out.append("\n\n  \n")
    return " ".join(out)


def _pairs() -> list[tuple[str, str]]:
    rng = random.Random(20261124)
    pairs = [(_random_text(rng), _random_text(rng)) for _ in range(400)]
    for note in _notes.NOTES:
        pairs.extend((note, _notes.perturb(note, rng)) for _ in range(15))
    pairs.extend([("", ""), ("", "a"), ("a", ""), ("\n\n", "a\nb"), ("...", "a")])
    return pairs


@pytest.fixture(scope="session")
def pairs() -> list[tuple[str, str]]:
    return _pairs()


@pytest.mark.parametrize("stemmer", [False, True], ids=["plain", "stemmed"])
def test_equal_to_rouge_score(pairs: list[tuple[str, str]], stemmer: bool) -> None:
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=stemmer)
    for reference, hypothesis in pairs:
        expected = scorer.score(reference, hypothesis)
        ours = rouge(reference, hypothesis, tokenizer="rouge-score", stemmer=stemmer)
        for name in ROUGE_TYPES:
            got, want = getattr(ours, name), expected[name]
            assert abs(got.precision - want.precision) <= 1e-12, (name, reference, hypothesis)
            assert abs(got.recall - want.recall) <= 1e-12, (name, reference, hypothesis)
            assert abs(got.fmeasure - want.fmeasure) <= 1e-12, (name, reference, hypothesis)


@pytest.mark.parametrize("vocab", [1, 2, 3, 6, 40], ids=lambda v: f"vocab{v}")
def test_union_lcs_kernel_matches_rouge_score_backtrack(vocab: int) -> None:
    # Tiny vocabularies force many tied LCS choices: the bit-parallel walk must pick the same
    # LCS as rouge-score's backtrack, candidate by candidate, including empty sentences and
    # sentences longer than one machine word.
    rng = random.Random(7 + vocab)
    for _ in range(600):
        longest = rng.choice([3, 12, 90])
        refs = [
            [rng.randrange(vocab) for _ in range(rng.randint(0, longest))]
            for _ in range(rng.randint(0, 5))
        ]
        cands = [
            [rng.randrange(vocab) for _ in range(rng.randint(0, longest))]
            for _ in range(rng.randint(0, 5))
        ]
        expected = [
            rouge_scorer._find_union([rouge_scorer.lcs_ind(r, c) for c in cands]) for r in refs
        ]
        assert union_lcs_indices(refs, cands) == expected, (refs, cands)


def test_union_lcs_ties_pick_rouge_scores_indices() -> None:
    # rouge-score takes a match as soon as its backtrack meets one, so "a a" against "a" uses
    # the second "a"; a union of both candidates keeps one index, not two.
    assert union_lcs_indices([[0, 0]], [[0], [0]]) == [[1]]
    assert union_lcs_indices([[0, 1, 0]], [[0], [1, 0]]) == [[1, 2]]
    assert union_lcs_indices([[0, 1, 0, 1]], [[1, 0], [0, 1]]) == [[1, 2, 3]]


def test_long_notes_equal_rouge_score() -> None:
    rng = random.Random(3)
    reference, hypothesis = _notes.long_note(400, rng), _notes.long_note(400, rng)
    expected = rouge_scorer.RougeScorer(["rougeL", "rougeLsum"]).score(reference, hypothesis)
    ours = rouge(reference, hypothesis, tokenizer="rouge-score")
    assert ours.rougeL.fmeasure == pytest.approx(expected["rougeL"].fmeasure, abs=1e-12)
    assert ours.rougeLsum.fmeasure == pytest.approx(expected["rougeLsum"].fmeasure, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Blutdruck erhöht, 120/80", ["blutdruck", "erhöht", "120", "80"], id="german"),
        pytest.param("हिन्दी में बात", ["हिन्दी", "में", "बात"], id="devanagari-marks-kept"),
        pytest.param("e\u0301tat", ["\u00e9tat"], id="nfc"),
        pytest.param("follow-up_x", ["follow", "up", "x"], id="underscore-splits"),
    ],
)
def test_unicode_tokenizer(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_rouge_score_tokenizer_drops_non_ascii_like_rouge_score() -> None:
    assert tokenize("Blutdruck erhöht", "rouge-score") == ["blutdruck", "erh", "ht"]


def test_non_latin_notes_score_in_unicode_mode_only() -> None:
    reference, hypothesis = "रोगी को बुखार है", "रोगी को खांसी है"
    assert rouge(reference, hypothesis).rouge1.fmeasure == pytest.approx(0.75)
    assert rouge(reference, hypothesis, tokenizer="rouge-score").rouge1.fmeasure == 0.0


def test_diacritics_matter() -> None:
    assert rouge("Fieber erhöht", "Fieber erhäht").rouge1.recall == 0.5


@pytest.mark.parametrize(
    ("text", "tokenizer", "expected"),
    [
        pytest.param(
            "No fever. Cough for 3 days. Dr. Smith saw her.",
            "unicode",
            ["No fever.", "Cough for 3 days.", "Dr. Smith saw her."],
            id="abbreviation-not-split",
        ),
        pytest.param(
            "Take 1 tab b.i.d. Return in 2 weeks.",
            "unicode",
            ["Take 1 tab b.i.d. Return in 2 weeks."],
            id="dose-abbreviation-not-split",
        ),
        pytest.param("Temp 37.5 today. ok", "unicode", ["Temp 37.5 today. ok"], id="lowercase"),
        pytest.param("a. B\n\nc", "rouge-score", ["a. B", "c"], id="rouge-score-newlines-only"),
        pytest.param("x\n \ny", "unicode", ["x", " ", "y"], id="blank-line-kept-as-rouge-score"),
        pytest.param("发烧三天。咳嗽。", "unicode", ["发烧三天。", "咳嗽。"], id="cjk-full-stop"),
    ],
)
def test_sentence_splitter(text: str, tokenizer: str, expected: list[str]) -> None:
    assert split_sentences(text, tokenizer) == expected  # type: ignore[arg-type]


def test_lsum_splits_sentences_without_newlines_in_unicode_mode() -> None:
    reference = "Cough for three days. No fever."
    hypothesis = "No fever. Cough for three days."
    unicode = rouge(reference, hypothesis).rougeLsum.fmeasure
    ascii_mode = rouge(reference, hypothesis, tokenizer="rouge-score").rougeLsum.fmeasure
    assert unicode == 1.0
    assert ascii_mode == pytest.approx(4 / 6)


def test_stemming_is_english_only_and_opt_in() -> None:
    assert rouge("coughing", "coughs").rouge1.fmeasure == 0.0
    assert rouge("coughing", "coughs", stemmer=True).rouge1.fmeasure == 1.0
    with pytest.raises(MetricError, match="English-only"):
        rouge("Husten", "Husten", stemmer=True, language="de")


def test_unknown_tokenizer() -> None:
    with pytest.raises(MetricError, match="unknown tokenizer"):
        rouge("a", "a", tokenizer="nltk")  # type: ignore[arg-type]


def test_as_dict_has_stable_keys_and_provenance() -> None:
    data = rouge("a b c", "a b d").as_dict()
    assert json.loads(json.dumps(data)) == data
    for name in ROUGE_TYPES:
        assert {f"{name}_p", f"{name}_r", f"{name}_f"} <= set(data)
    assert data["tokenizer"] == "unicode@1"
    assert data["rouge1_f"] == pytest.approx(2 / 3)


def _adversarial_text(rng: random.Random, vocab: list[str]) -> str:
    """Few distinct words (so LCS ties everywhere), odd separators, empty and blank lines."""
    parts: list[str] = []
    for _ in range(rng.randint(0, 120)):
        parts.append(rng.choice(vocab))
        parts.append(rng.choice([" ", " ", " ", "\n", "\n\n", " \r\n", ", ", "\u00a0", "”", "\t"]))
    return "".join(parts)


@pytest.mark.parametrize("vocab", [["a"], ["a", "b"], ["a", "B", "c3", "é"], _VOCAB], ids=len)
def test_equal_to_rouge_score_on_tied_and_odd_notes(vocab: list[str]) -> None:
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES))
    rng = random.Random(len(vocab))
    for _ in range(150):
        reference, hypothesis = _adversarial_text(rng, vocab), _adversarial_text(rng, vocab)
        expected = scorer.score(reference, hypothesis)
        ours = rouge(reference, hypothesis, tokenizer="rouge-score")
        for name in ROUGE_TYPES:
            got, want = getattr(ours, name), expected[name]
            for field in ("precision", "recall", "fmeasure"):
                assert abs(getattr(got, field) - getattr(want, field)) <= 1e-12, (
                    name,
                    field,
                    reference,
                    hypothesis,
                )


@pytest.mark.parametrize("tokenizer", ["unicode", "rouge-score"])
def test_sentence_tokens_concatenate_to_the_text_tokens(tokenizer: TokenizerName) -> None:
    # rouge() tokenizes each sentence once and joins them for ROUGE-1/2/L: that must be the
    # text's own tokens, whatever the script, case (final sigma), marks or separators.
    alphabet = [*"aB .!?\n\t\u00a0ΣσΑé", "\u0301", "。", "।", "Dr. ", "b.i.d. ", "ΟΔΟΣ. ", "İ", "ß"]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        joined = [t for s in sentence_tokens(text, tokenizer) for t in s]
        assert joined == tokenize(text, tokenizer), repr(text)
        assert len(sentence_tokens(text, tokenizer)) == len(split_sentences(text, tokenizer))
