"""Transcript, note, text-encoding and language-code parsing."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from scribe_eval.dataset import (
    Turn,
    format_markdown_sections,
    format_plain_transcript,
    parse_markdown_sections,
    parse_plain_transcript,
)
from scribe_eval.dataset._languages import language_problem
from scribe_eval.dataset._text import (
    TextEncodingProblem,
    decode_utf8,
    guess_encoding,
    read_text_any,
)
from scribe_eval.dataset._transcript import parse_json_transcript


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Doctor: Hi.\nPatient: Hello.", [("doctor", "Hi."), ("patient", "Hello.")], id="labels"
        ),
        pytest.param(
            "D: How long\nhas it hurt?\n\nP: Two days.",
            [("doctor", "How long has it hurt?"), ("patient", "Two days.")],
            id="wrapped-turn-and-short-labels",
        ),
        pytest.param(
            "Doctor: Take it at 8: then rest.\nNote: not a label",
            [("doctor", "Take it at 8: then rest. Note: not a label")],
            id="colon-in-text-is-not-a-turn",
        ),
        pytest.param(
            "Arzt: Guten Tag.\nPatientin: Hallo.",
            [("doctor", "Guten Tag."), ("patient", "Hallo.")],
            id="german-labels",
        ),
        pytest.param(
            "Guest_family: She fell.\nSpeaker 2: Yes.",
            [("relative", "She fell."), ("speaker 2", "Yes.")],
            id="dataset-labels",
        ),
    ],
)
def test_parse_plain_transcript(text: str, expected: list[tuple[str, str]]) -> None:
    turns, problems = parse_plain_transcript(text)
    assert [(t.speaker, t.text) for t in turns] == expected
    assert problems == []


def test_parse_plain_transcript_reports_text_before_any_label() -> None:
    _, problems = parse_plain_transcript("hello there\nDoctor: Hi.")
    assert len(problems) == 1
    assert "line 1" in problems[0]


def test_plain_transcript_round_trips() -> None:
    turns = [Turn(speaker="doctor", text="Hi."), Turn(speaker="relative", text="She fell.")]
    assert parse_plain_transcript(format_plain_transcript(turns))[0] == turns


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            [{"speaker": "D", "text": "Hi", "start_ms": 0, "end_ms": 900}],
            Turn(speaker="doctor", text="Hi", start_ms=0, end_ms=900),
            id="ms",
        ),
        pytest.param(
            {"segments": [{"speaker": 1, "text": "Yes", "start": 1.5, "end": 2.25}]},
            Turn(speaker="1", text="Yes", start_ms=1500, end_ms=2250),
            id="seconds",
        ),
    ],
)
def test_parse_json_transcript(data: object, expected: Turn) -> None:
    assert parse_json_transcript(data) == ([expected], [])


def test_parse_json_transcript_reports_bad_segments() -> None:
    turns, problems = parse_json_transcript(
        [{"speaker": "doctor"}, {"text": "x", "speaker": "p", "start_ms": "soon"}]
    )
    assert turns == []
    assert [p.split()[1] for p in problems] == ["0", "1"]


def test_markdown_sections_in_order_with_problems() -> None:
    text = "# Title\n## Subjective\nCough.\n\n## Plan\nRest.\n## Plan\nMore."
    sections, problems = parse_markdown_sections(text)
    assert list(sections) == ["Subjective", "Plan"]
    assert sections["Subjective"] == "Cough."
    assert any("twice" in p for p in problems)


def test_markdown_without_headings_is_one_note_section() -> None:
    assert parse_markdown_sections("Free text note.\nLine two.")[0] == {
        "Note": "Free text note.\nLine two."
    }


def test_markdown_round_trips() -> None:
    sections = {"Subjective": "Cough for 3 days.", "Plan": "Rest.\n- fluids"}
    assert parse_markdown_sections(format_markdown_sections(sections))[0] == sections


@pytest.mark.parametrize(
    ("data", "guess"),
    [
        pytest.param(
            codecs.BOM_UTF16_LE + "Doctor".encode("utf-16-le"),
            "UTF-16 LE (byte-order",
            id="utf16le-bom",
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + "Doctor".encode("utf-16-be"),
            "UTF-16 BE (byte-order",
            id="utf16be-bom",
        ),
        pytest.param(codecs.BOM_UTF32_LE + "Doctor".encode("utf-32-le"), "UTF-32 LE", id="utf32"),
        pytest.param("Doctor: fièvre".encode("utf-16-le"), "UTF-16 LE (no byte", id="utf16-no-bom"),
        pytest.param("Patient: “café” – 38°".encode("cp1252"), "cp1252", id="cp1252"),
        pytest.param(b"caf\xe9 \x81", "latin-1", id="other-8-bit"),
    ],
)
def test_guess_encoding(data: bytes, guess: str) -> None:
    with pytest.raises(TextEncodingProblem) as caught:
        decode_utf8(data)
    assert caught.value.guess.startswith(guess)
    assert guess_encoding(data).startswith(guess)


def test_decode_utf8_accepts_bom_and_normalises_newlines() -> None:
    assert decode_utf8(codecs.BOM_UTF8 + b"a\r\nb\rc") == ("a\nb\nc", True)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(codecs.BOM_UTF16_LE + "D: é\r\n".encode("utf-16-le"), "D: é\n", id="utf16"),
        pytest.param("P: café\n".encode("cp1252"), "P: café\n", id="cp1252"),
        pytest.param(b"P: ok\n", "P: ok\n", id="utf8"),
    ],
)
def test_read_text_any(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    assert read_text_any(path) == text


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        pytest.param("en", None, id="en"),
        pytest.param("gsw-CH", None, id="gsw-CH"),
        pytest.param("en-gb", "write 'en-GB'", id="case"),
        pytest.param("de_CH", "write 'de-CH'", id="underscore"),
        pytest.param("fr-CA", "the API has 'fr'", id="region"),
        pytest.param("xx", "use one of en, en-GB", id="unknown"),
    ],
)
def test_language_problem(code: str, fragment: str | None) -> None:
    problem = language_problem(code)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None
        assert fragment in problem
