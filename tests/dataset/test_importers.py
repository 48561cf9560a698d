"""Each importer turns its hand-written fixture into a dataset that validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scribe_eval.dataset import Dataset, load_dataset, validate_dataset
from scribe_eval.dataset.importers import CsvColumns, import_dataset, parse_textgrid
from scribe_eval.errors import DatasetError

from .conftest import FIXTURES

CSV_COLUMNS = CsvColumns(
    id="visit", transcript="dialogue", note="soap_note", audio="recording", language="lang"
)


def _import(fmt: str, src: Path, dest: Path, columns: CsvColumns | None = None) -> Dataset:
    result = import_dataset(fmt, src, dest, columns=columns)
    assert [f for f in validate_dataset(dest) if f.severity == "error"] == []
    dataset = load_dataset(dest)
    assert result.encounters == len(dataset.encounters)
    return dataset


@pytest.mark.parametrize(
    ("fmt", "src", "ids", "skipped"),
    [
        pytest.param("primock57", "primock57", ["day1_consultation01"], 1, id="primock57"),
        pytest.param("aci-bench", "aci-bench", ["D2N101-aci", "D2N001", "D2N002"], 1, id="aci"),
        pytest.param(
            "mts-dialog",
            "mts-dialog",
            ["MTS-Dialog-TrainingSet-0", "MTS-Dialog-TrainingSet-1"],
            1,
            id="mts",
        ),
        pytest.param("osce", "osce", ["RES0001", "RES0002"], 0, id="osce"),
        pytest.param("csv", "csv/visits.csv", ["v1", "v2"], 1, id="csv"),
    ],
)
def test_import_validates(tmp_path: Path, fmt: str, src: str, ids: list[str], skipped: int) -> None:
    result = import_dataset(fmt, FIXTURES / src, tmp_path / "out", columns=CSV_COLUMNS)
    assert len(result.skipped) == skipped
    assert validate_dataset(tmp_path / "out") == []
    assert [e.id for e in load_dataset(tmp_path / "out").encounters] == ids


def test_primock57_two_channels_times_and_gp_note(tmp_path: Path) -> None:
    encounter = _import("primock57", FIXTURES / "primock57", tmp_path / "p").encounters[0]
    assert encounter.audio is not None
    assert encounter.audio.per_channel_files
    assert encounter.channel_roles == {0: "doctor", 1: "patient"}
    turns = encounter.reference_turns
    assert [(t.speaker, t.start_ms, t.end_ms) for t in turns] == [
        ("doctor", 0, 1500),
        ("patient", 1500, 3000),
    ]
    # The patient's grid is UTF-16 with Praat markup: tags dropped, their words kept.
    assert turns[1].text == "I've had a dry cough for three days, but no fever"
    assert encounter.notes["gp-note"].sections["Note"].startswith("3/7 dry cough.")


def test_aci_bench_sections_and_speakers(tmp_path: Path) -> None:
    dataset = _import("aci-bench", FIXTURES / "aci-bench", tmp_path / "a")
    first = dataset.encounter("D2N001")
    note = first.notes["visit-note"]
    assert list(note.sections) == [
        "Chief complaint",
        "History of present illness",
        "Physical examination",
        "Assessment and plan",
    ]
    assert note.section_keys["Assessment and plan"] == "corti-assessment-and-plan"
    assert [t.speaker for t in first.reference_turns] == [
        "doctor",
        "patient",
        "doctor",
        "patient",
        "relative",
    ]
    assert first.metadata.tags == ("virtassist",)
    # Turns written on one line are split at each [speaker] marker.
    assert len(dataset.encounter("D2N002").reference_turns) == 4


def test_mts_dialog_header_mapping_and_wrapped_turns(tmp_path: Path) -> None:
    dataset = _import("mts-dialog", FIXTURES / "mts-dialog", tmp_path / "m")
    genhx = dataset.encounters[0].notes["section"]
    assert genhx.section_keys == {"History of present illness": "corti-hpi"}
    assert dataset.encounters[0].reference_turns[-1].text == "Yes, much worse at night."
    famsoc = dataset.encounters[1]
    assert famsoc.notes["section"].section_keys == {}
    assert "relative" in [t.speaker for t in famsoc.reference_turns]


def test_osce_reads_utf16_and_cp1252_and_joins_wrapped_turns(tmp_path: Path) -> None:
    dataset = _import("osce", FIXTURES / "osce", tmp_path / "o")
    with_audio = dataset.encounter("RES0001")
    assert with_audio.channel_roles == {0: "multiple"}
    assert [t.text for t in with_audio.reference_turns] == [
        "What brings you in today?",
        "I've had a dry cough for three days, but no fever.",
    ]
    text_only = dataset.encounter("RES0002")
    assert text_only.audio is None
    assert text_only.reference_turns[1].text.endswith("café crème.")


def test_csv_columns_languages_and_audio(tmp_path: Path) -> None:
    dataset = _import("csv", FIXTURES / "csv" / "visits.csv", tmp_path / "c", CSV_COLUMNS)
    v1, v2 = dataset.encounters
    assert v1.audio is not None
    assert v1.language == "en"
    assert v2.audio is None
    assert v2.language == "de"
    assert v1.notes["soap"].section_keys == {"Subjective": "corti-subjective", "Plan": "corti-plan"}
    assert v2.notes["soap"].sections == {
        "Subjective": "Schmerzen im linken Knie.",
        "Assessment": "Kniegelenksreizung.",
    }


@pytest.mark.parametrize(
    ("fmt", "src", "columns", "fragment"),
    [
        pytest.param("nope", "csv", None, "unknown import format", id="format"),
        pytest.param("csv", "missing-folder", None, "does not exist", id="src"),
        pytest.param(
            "csv",
            "csv/visits.csv",
            None,
            "lacks columns ['id', 'transcript', 'note']",
            id="columns",
        ),
        pytest.param(
            "csv",
            "csv/visits.csv",
            CsvColumns(transcript=None, note=None),
            "name a transcript column or a note column",
            id="no-content-columns",
        ),
    ],
)
def test_import_errors(
    tmp_path: Path, fmt: str, src: str, columns: CsvColumns | None, fragment: str
) -> None:
    with pytest.raises(DatasetError, match=fragment.replace("[", r"\[")):
        import_dataset(fmt, FIXTURES / src, tmp_path / "out", columns=columns)


def test_import_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", "utf-8")
    with pytest.raises(DatasetError, match="not empty"):
        import_dataset("osce", FIXTURES / "osce", tmp_path)
    assert (tmp_path / "keep.txt").read_text("utf-8") == "mine"


def test_parse_textgrid_unescapes_quotes() -> None:
    grid = 'intervals [1]:\n xmin = 0.5\n xmax = 1.25\n text = "He said ""ow"" <UNIN/> loudly"\n'
    [turn] = parse_textgrid(grid, "patient")
    assert (turn.text, turn.start_ms, turn.end_ms) == ('He said "ow" loudly', 500, 1250)


def test_parse_textgrid_short_format() -> None:
    grid = (
        'File type = "ooTextFile short"\n"TextGrid"\n\n0\n3.5\n<exists>\n1\n"IntervalTier"\n'
        '"Doctor"\n0\n3.5\n3\n0\n1.2\n""\n1.2\n2.75\n"Any ""pain""?"\n2.75\n3.5\n"No."\n'
    )
    turns = parse_textgrid(grid, "doctor")
    assert [(t.text, t.start_ms, t.end_ms) for t in turns] == [
        ('Any "pain"?', 1200, 2750),
        ("No.", 2750, 3500),
    ]


def test_primock57_note_found_by_day_and_consultation(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "primock57", src)
    (src / "notes" / "day1_consultation01.json").rename(src / "notes" / "renamed.json")
    dataset = _import("primock57", src, tmp_path / "out")
    assert "3/7 dry cough." in dataset.encounters[0].notes["gp-note"].text
