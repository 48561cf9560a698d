"""Golden outputs of every named normaliser: each case pins the exact words."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
import regex  # type: ignore[import-untyped]

from scribe_eval.errors import MetricError
from scribe_eval.metrics import (
    NORMALIZERS,
    Normalizer,
    get_normalizer,
    load_normalizer,
    normalizer_provenance,
    wer,
)
from scribe_eval.metrics._normalize import _SPLIT_SPACE
from scribe_eval.metrics._whisper import PACKAGE_VERSION as WN


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("none", "The  cat,\tsat.", "The cat, sat.", id="none-whitespace-only"),
        pytest.param(
            "basic", "The Patient's (left) KNEE.", "the patient's left knee", id="basic-edges"
        ),
        pytest.param(
            "basic", "BP 120/80, temp 37.5.", "bp 120/80 temp 37.5", id="basic-keeps-120/80"
        ),
        pytest.param("basic", "Straße erhöht!", "strasse erhöht", id="basic-casefold-diacritics"),
        pytest.param("basic", "e\u0301tat", "\u00e9tat", id="basic-nfc"),
        pytest.param("basic", "follow-up...", "follow-up", id="basic-inner-hyphen"),
        pytest.param(
            "english-clinical",
            "The patient's (left) knee.",
            "the patient's left knee",
            id="clinical-possessive-and-parentheses",
        ),
        pytest.param(
            "english-clinical",
            "Take 1/2 tablet b.i.d., 5 milligrams.",
            "take 1/2 tablet b.i.d. 5 mg",
            id="clinical-fraction-dose-abbreviation",
        ),
        pytest.param(
            "english-clinical",
            "BP one hundred twenty over eighty, sats ninety five percent",
            "bp 120/80 sats 95%",
            id="clinical-spelled-numbers",
        ),
        pytest.param(
            "english-clinical",
            "Um, she's got anaemia and doesn't follow-up. It's 1,000 mg.",
            "she has got anemia and does not follow up it is 1000 mg",
            id="clinical-fillers-contractions-spelling",
        ),
        pytest.param(
            "english-clinical",
            "I'd say twenty-five days, pain 3.5 out of ten",
            "i would say 25 days pain 3.5 out of 10",
            id="clinical-hyphenated-number",
        ),
        pytest.param(
            "english-clinical",
            "Mr. Green saw Dr Patel; mrs Green, mister Green",
            "mister green saw doctor patel missus green mister green",
            id="clinical-titles",
        ),
        pytest.param(
            "english-clinical",
            "ER visit, uh, colour grey (right) oedema",
            "er visit color gray right edema",
            id="clinical-er-is-not-a-filler",
        ),
        pytest.param(
            "english-clinical",
            "one hundred and five, two thousand three hundred, five six",
            "105 2300 5 6",
            id="clinical-number-grammar",
        ),
        pytest.param(
            "english-clinical",
            "The dog's bowl; who's there",
            "the dog's bowl who is there",
            id="clinical-s",
        ),
        pytest.param(
            "multilingual",
            "Blutdruck erhöht, 120/80!",
            "blutdruck erhöht 120/80",
            id="multi-german",
        ),
        pytest.param("multilingual", "हिन्दी में बात।", "हिन्दी में बात", id="multi-devanagari"),
        pytest.param(
            "multilingual",
            "L'hôpital — aujourd'hui: 3,5 °C",
            "l'hôpital aujourd'hui 3.5 c",
            id="multi-french",
        ),
        pytest.param("multilingual", "follow-up", "follow up", id="multi-hyphen-splits"),
        pytest.param("basic", "Give .5 mg, (-5) or −5.", "give .5 mg -5 or -5", id="basic-signs"),
        pytest.param(
            "basic", "- fever, follow-up 5-10 mg -x", "fever follow-up 5-10 mg x", id="basic-dashes"
        ),
        pytest.param(
            "english-clinical",
            "Give .5 mg; -.5, temp −5 degrees",
            "give 0.5 mg -0.5 temp -5 degrees",
            id="clinical-signs",
        ),
        pytest.param(
            "english-clinical",
            "point five milligrams, zero point five mg, at that point two nurses",
            "0.5 mg 0.5 mg at that point 2 nurses",
            id="clinical-spoken-naked-decimal",
        ),
        pytest.param(
            "english-clinical",
            "- fever, follow-up 5-10 mg",
            "fever follow up 5-10 mg",
            id="clinical-dashes",
        ),
        pytest.param(
            "english-clinical",
            "Give 5mg, then 2.5ml; the 2nd dose, 5x daily, 10%",
            "give 5 mg then 2.5 ml the 2nd dose 5x daily 10%",
            id="clinical-glued-units",
        ),
        pytest.param(
            "multilingual",
            "Gib .5 mg; Temperatur −5 Grad (-3)",
            "gib .5 mg temperatur -5 grad -3",
            id="multi-signs",
        ),
        pytest.param(
            "multilingual", "- Fieber, x-5, 5-10 mg", "fieber x 5 5-10 mg", id="multi-dashes"
        ),
    ],
)
def test_golden_outputs(name: str, text: str, expected: str) -> None:
    assert NORMALIZERS[name].text(text) == expected


@pytest.mark.parametrize("name", ["basic", "english-clinical", "multilingual"])
@pytest.mark.parametrize(
    ("ref", "hyp"),
    [
        pytest.param("give .5 mg of lorazepam", "give 5 mg of lorazepam", id="naked-decimal"),
        pytest.param("temperature -5 degrees", "temperature 5 degrees", id="minus"),
        pytest.param("Temperatur \u22125 Grad", "Temperatur 5 Grad", id="unicode-minus"),
    ],
)
def test_a_dropped_sign_is_an_error(name: str, ref: str, hyp: str) -> None:
    assert wer(ref, hyp, normalizer=name).wer == pytest.approx(1 / len(ref.split()))


def test_a_dose_written_against_its_unit_is_the_same_dose() -> None:
    """ASR writes "5mg" where the reference has "5 mg": two errors (a substitution and a
    deletion) for the same dose, under the normaliser meant to be fair to clinical text."""
    clinical = "english-clinical"
    assert wer("give 5 mg of lorazepam", "give 5mg of lorazepam", normalizer=clinical).wer == 0
    wrong = wer("give 5 mg of lorazepam", "give 50mg of lorazepam", normalizer=clinical)
    assert wrong.wer == pytest.approx(1 / 5)


@pytest.mark.parametrize("name", ["basic", "english-clinical", "multilingual"])
def test_diacritic_difference_survives(name: str) -> None:
    norm = NORMALIZERS[name]
    assert norm.words("erhöht") != norm.words("erhäht")


@pytest.mark.parametrize("name", ["basic", "english-clinical", "multilingual"])
def test_devanagari_words_stay_whole(name: str) -> None:
    assert NORMALIZERS[name].words("हिन्दी किताब") == ("हिन्दी", "किताब")


def test_labels_carry_versions() -> None:
    assert [n.label for n in NORMALIZERS.values()] == [
        "none@1",
        "basic@2",
        "english-clinical@5",
        "multilingual@3",
        f"whisper-english@1+wn{WN}",
        f"whisper-english-keep-oh@1+wn{WN}",
        f"whisper-basic@1+wn{WN}",
        "primock57-board@1",
    ]


def test_unknown_normalizer_names_the_choices() -> None:
    with pytest.raises(MetricError, match=r"unknown normalizer 'fancy'.*basic"):
        get_normalizer("fancy")


def test_custom_normalizer_object_is_accepted() -> None:
    custom = Normalizer("upper", "1", "upper-case split", lambda t: tuple(t.upper().split()))
    assert get_normalizer(custom).words("a b") == ("A", "B")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param(
            "whisper-english",
            "Oh, it's two hundred and five mg.",
            "0 it is 205 mg",
            id="en-oh-zero",
        ),
        pytest.param(
            "whisper-english-keep-oh",
            "Oh, it's two hundred and five mg.",
            "oh it is 205 mg",
            id="en-keep-oh",
        ),
        pytest.param(
            "whisper-english-keep-oh",
            "one oh five, Um, colour",
            "one oh 5 color",
            id="en-oh-digits",
        ),
        pytest.param("whisper-basic", "Hello, [noise] Wörld!", "hello wörld", id="basic-brackets"),
        pytest.param(
            "primock57-board",
            "Oh okay, yeah it's alright, kinda. My Mom said OK.",
            "oh ok yes it is all right kind of my mum said ok",
            id="board",
        ),
    ],
)
def test_whisper_and_board_outputs(name: str, text: str, expected: str) -> None:
    assert NORMALIZERS[name].text(text) == expected


def test_board_turns_variant_spellings_into_no_errors() -> None:
    ref = "Okay, yeah, that's all right, Mum."
    hyp = "OK yes that is alright mom"
    assert (wer(ref, hyp, normalizer="whisper-english").wer or 0) > 0
    assert wer(ref, hyp, normalizer="primock57-board").wer == 0


def _pipeline(tmp_path: Path, body: str, words: str | None = None) -> Path:
    if words is not None:
        (tmp_path / "words.yaml").write_text(words, encoding="utf-8")
    path = tmp_path / "mine.normalizer.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_pipeline_runs_steps_in_order_with_word_map_file_and_regex(tmp_path: Path) -> None:
    path = _pipeline(
        tmp_path,
        "name: mine\nversion: '3'\nsteps:\n  - basic\n  - word_map: words.yaml\n"
        "  - regex: {pattern: '(\\d+) mg', replace: '\\1mg'}\n",
        "b.i.d: twice daily\nper os: orally\n",
    )
    norm = get_normalizer(str(path))
    assert norm.text("Take 5 mg b.i.d. per os.") == "take 5mg twice daily orally"
    assert norm.label == "mine@3"
    assert normalizer_provenance(norm) == f"mine@3#{norm.content_hash}"
    assert get_normalizer("mine") is norm  # a result's label finds it again


def test_pipeline_hash_follows_the_word_map_content(tmp_path: Path) -> None:
    path = _pipeline(tmp_path, "name: mine\nsteps: [basic, {word_map: words.yaml}]\n", "a: b\n")
    first = load_normalizer(path).provenance
    (tmp_path / "words.yaml").write_text("a: c\n", encoding="utf-8")
    second = load_normalizer(path).provenance
    assert first != second
    assert first.startswith("mine@1#")


@pytest.mark.parametrize(
    ("body", "words", "message"),
    [
        pytest.param("steps: [fancy]\n", None, r"step 1: unknown normalizer 'fancy'", id="unknown"),
        pytest.param("steps: []\n", None, r"'steps' must be a non-empty list", id="no-steps"),
        pytest.param(
            "steps: [{word_map: nope.yaml}]\n",
            None,
            r"word map .*nope.yaml does not exist",
            id="map",
        ),
        pytest.param(
            "steps: [{word_map: words.yaml}]\n", "yeah: yes\n", r"quote words", id="yaml-bool"
        ),
        pytest.param("steps: [{regex: {pattern: '('}}]\n", None, r"bad pattern", id="regex"),
        pytest.param("name: basic\nsteps: [basic]\n", None, r"is a built-in", id="name-taken"),
    ],
)
def test_bad_pipelines_say_what_to_fix(
    tmp_path: Path, body: str, words: str | None, message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        load_normalizer(_pipeline(tmp_path, body, words))


def test_shipped_board_pipeline_records_its_hash() -> None:
    provenance = normalizer_provenance("primock57-board")
    assert provenance.startswith("primock57-board@1#")
    assert len(provenance.split("#")[1]) == 12


def test_basic_strips_edge_punctuation_like_per_word_stripping() -> None:
    # `basic` strips punctuation at word edges in one pass over the text; it must equal the
    # per-word definition, for every kind of whitespace str.split() knows and any punctuation.
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert regex.fullmatch(f"[{_SPLIT_SPACE}]+", spaces)
    assert not regex.search(
        f"[{_SPLIT_SPACE}]", "".join(chr(c) for c in range(0x3001) if not chr(c).isspace())
    )
    lead, trail = regex.compile(r"^\p{P}*"), regex.compile(r"\p{P}+$")

    def strip(word: str) -> str:
        # Edge punctuation goes, except a "-", "." or "-." that starts a number; then a Unicode
        # minus that starts a number is written "-".
        run: str = lead.match(word).group()
        rest = word[len(run) :]
        sign = ""
        if regex.match(r"\d", rest):
            sign = "-." if run.endswith("-.") else run[-1:] if run[-1:] in {"-", "."} else ""
        out: str = sign + trail.sub("", rest)
        return "-" + out[1:] if regex.match(r"\u2212\.?\d", out) else out

    def per_word(text: str) -> tuple[str, ...]:
        folded = unicodedata.normalize("NFC", text).casefold()
        return tuple(w for w in (strip(t) for t in folded.split()) if w)

    alphabet = [
        *"ab .,;:!?'\"()-–—…¿¡«»%\t\n\x1c\x1f\x85\u00a0\u2028\u3000éÉßİ",
        "\u0301",
        "。",
        "x",
        "5",
        "\u2212",
    ]
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert get_normalizer("basic").words(text) == per_word(text), repr(text)


def test_whisper_labels_name_the_installed_release() -> None:
    from importlib.metadata import version

    assert version("whisper-normalizer") == WN
    assert (
        get_normalizer("whisper-basic").label
        == f"whisper-basic@1+wn{version('whisper-normalizer')}"
    )


def test_whisper_normalisers_load_on_first_use() -> None:
    # Every command reading the normalisers (score notes, a run) imported whisper-normalizer's
    # English module (~0.05-0.09 s) for three normalisers few use; it loads when one is used.
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from scribe_eval.metrics import get_normalizer\n"
        "get_normalizer('english-clinical').words('Two tablets daily')\n"
        "print('whisper_normalizer.english' in sys.modules)\n"
        "print(get_normalizer('whisper-english').words('Oh, two hundred!'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "('200',)"]


def test_every_builtin_normaliser_pickles() -> None:
    # The Whisper ones are loaded on first use; they still pickle (a process pool can take them).
    import pickle

    for name in ("whisper-english", "whisper-basic", "basic", "english-clinical"):
        normalizer = get_normalizer(name)
        again = pickle.loads(pickle.dumps(normalizer))
        assert again.words("Two tablets, b.i.d.") == normalizer.words("Two tablets, b.i.d.")


# Pairs a fair scorer must call equal (a pure formatting difference) under the named normaliser,
# both ways round: the same normalisation reaches both sides.
@pytest.mark.parametrize(
    ("name", "one", "other"),
    [
        pytest.param("english-clinical", "the second day", "the 2nd day", id="ordinal"),
        pytest.param("english-clinical", "the twenty first", "the 21st", id="compound-ordinal"),
        pytest.param("english-clinical", "a thirty second wait", "a 30 second wait", id="tens-2nd"),
        pytest.param(
            "english-clinical", "BP 120/80", "BP one hundred twenty over eighty", id="bp-over"
        ),
        pytest.param("english-clinical", "BP 120 / 80", "BP 120 over 80", id="bp-slash-spaced"),
        pytest.param("english-clinical", "uh-huh, yes", "yes", id="filler-whole-token"),
        pytest.param(
            "english-clinical", "a 45-year-old man", "a 45 year old man", id="digit-hyphen"
        ),
        pytest.param("english-clinical", "COVID-19", "covid 19", id="letter-digit-hyphen"),
        pytest.param("english-clinical", "well\u2014I think", "well I think", id="em-dash"),
        pytest.param("english-clinical", "5\u201310 mg", "5-10 mg", id="en-dash-range"),
        pytest.param("english-clinical", "he's been unwell", "he has been unwell", id="s-been"),
        pytest.param("english-clinical", "I'd been there", "I had been there", id="d-been"),
        pytest.param("english-clinical", "she's got a cough", "she has got a cough", id="s-got"),
        pytest.param("english-clinical", "at 2:30", "at two thirty", id="time"),
        pytest.param("english-clinical", "temp 38,5", "temp 38.5", id="decimal-comma"),
        pytest.param("english-clinical", "1\u202f000 units", "1000 units", id="narrow-nbsp-group"),
        pytest.param("multilingual", "Temperatur 38,5 Grad", "Temperatur 38.5 Grad", id="de-comma"),
        pytest.param("multilingual", "0,5 mg", "0.5 mg", id="de-comma-zero"),
        pytest.param("multilingual", "2,5ml", "2.5 ml", id="de-glued-comma"),
        pytest.param("multilingual", "5\u201310 mg", "5-10 mg", id="multi-en-dash-range"),
        pytest.param("multilingual", "Ibuprofen 400mg", "Ibuprofen 400 mg", id="multi-glued-unit"),
        pytest.param("multilingual", "1\u202f000 unités", "1000 unités", id="fr-narrow-nbsp"),
        pytest.param("multilingual", "l'homme", "l' homme", id="fr-elision-space"),
        pytest.param("multilingual", "qu'il vient", "qu\u2019 il vient", id="fr-elision-qu"),
        pytest.param(
            "multilingual", "äh ich habe ähm Schmerzen", "ich habe Schmerzen", id="de-fill"
        ),
        pytest.param("multilingual", "euh j'ai mal", "j'ai mal", id="fr-filler"),
    ],
)
def test_formatting_difference_is_no_error(name: str, one: str, other: str) -> None:
    assert NORMALIZERS[name].words(one) == NORMALIZERS[name].words(other)
    assert wer(other, one, normalizer=name).errors == 0


# Pairs that differ in what was said: each must still cost at least one error.
@pytest.mark.parametrize(
    ("name", "reference", "hypothesis"),
    [
        pytest.param("english-clinical", "uh-uh, no pain", "uh-huh, no pain", id="uh-uh-is-no"),
        pytest.param("english-clinical", "the first dose", "the third dose", id="ordinals"),
        pytest.param("english-clinical", "twenty, first dose", "21st dose", id="boundary-ordinal"),
        pytest.param("english-clinical", "120 over 80", "120 over 90", id="bp-differs"),
        pytest.param("english-clinical", "at 2:30", "at 2:50", id="time-differs"),
        pytest.param("english-clinical", "1,500 units", "1.5 units", id="thousands-vs-decimal"),
        pytest.param("english-clinical", "5-10 mg", "5 10 mg", id="range-vs-two"),
        pytest.param("multilingual", "1.500 Einheiten", "1,5 Einheiten", id="de-ambiguous-mark"),
        pytest.param("multilingual", "38,5", "385", id="de-mark-dropped"),
        pytest.param("multilingual", "um 8 Uhr", "8 Uhr", id="de-um-is-a-word"),
        pytest.param("multilingual", "l'homme", "homme", id="fr-elision-dropped"),
        pytest.param("multilingual", "5 mg", "5 mcg", id="multi-unit"),
    ],
)
def test_real_difference_still_counts(name: str, reference: str, hypothesis: str) -> None:
    assert wer(reference, hypothesis, normalizer=name).errors >= 1
