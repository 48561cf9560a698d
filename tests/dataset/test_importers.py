"""Each importer turns its hand-written fixture into a dataset that validates.

The fixtures are files we wrote in each public dataset's published layout, with its column names
and quirks (``aci-bench-repo`` mirrors wyim/aci-bench's ``data/`` folder; ``primock57-cleaned``
the cleaned-transcript redistribution); no third-party data is committed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval.cli import main
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
        pytest.param("aci-bench", "aci-bench", ["D2N101", "D2N001", "D2N002"], 1, id="aci"),
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
    with pytest.raises(DatasetError, match="not empty; import into a new folder or add --force"):
        import_dataset("osce", FIXTURES / "osce", tmp_path)
    assert (tmp_path / "keep.txt").read_text("utf-8") == "mine"


def test_force_replaces_an_existing_dataset(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    import_dataset("osce", FIXTURES / "osce", dest)
    (dest / "stale.txt").write_text("old", "utf-8")
    result = import_dataset("mts-dialog", FIXTURES / "mts-dialog", dest, force=True)
    assert result.encounters == 2
    assert not (dest / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_failed_import_leaves_nothing_behind(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "broken.wav").write_bytes(b"RIFF....WAVEfmt not really audio")
    (src / "visits.csv").write_text("id,transcript,note,audio\nv1,Doctor: Hi.,,broken.wav\n")
    columns = CsvColumns(audio="audio")
    with pytest.raises(DatasetError, match=r"would not validate .*nothing was written"):
        import_dataset("csv", src / "visits.csv", tmp_path / "out", columns=columns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]
    # The same destination imports cleanly once the source is fixed.
    (src / "visits.csv").write_text("id,transcript,note\nv1,Doctor: Hi.,\n")
    assert import_dataset("csv", src / "visits.csv", tmp_path / "out").encounters == 1


ACI_REPO = FIXTURES / "aci-bench-repo"


@pytest.mark.parametrize(
    ("src", "ids"),
    [
        pytest.param("challenge_data/valid.csv", ["D2N901", "D2N902"], id="csv-with-metadata"),
        pytest.param("challenge_data", ["D2N901", "D2N902"], id="csv-folder"),
        pytest.param("challenge_data_json", ["D2N901", "D2N902"], id="json-folder"),
        pytest.param(
            "challenge_data_json/valid_subjective.json", ["D2N901", "D2N902"], id="one-division"
        ),
        pytest.param("src_experiment_data", ["D2N902"], id="experiment-csv-id-column"),
        pytest.param(".", ["D2N901", "D2N902", "D2N902-valid_aci_asr"], id="whole-data-folder"),
    ],
)
def test_aci_bench_published_layouts_import_one_encounter_per_visit(
    tmp_path: Path, src: str, ids: list[str]
) -> None:
    result = import_dataset("aci-bench", ACI_REPO / src, tmp_path / "out")
    assert [f for f in result.warnings if f.severity == "error"] == []
    assert [e.id for e in load_dataset(tmp_path / "out").encounters] == ids
    assert result.notes == len(ids)


def test_aci_bench_quirks_are_reported_not_fatal(tmp_path: Path) -> None:
    result = import_dataset("aci-bench", ACI_REPO / "challenge_data/valid.csv", tmp_path / "out")
    assert result.skipped == ("valid.csv row 1 (D2N901): dropped 1 empty turn(s)",)
    visit = load_dataset(tmp_path / "out").encounter("D2N901")
    assert visit.metadata.tags == ("virtassist", "cc:knee pain", "gender:female")
    texts = [t.text for t in visit.reference_turns]
    assert "when did it start ? was it after the fall ?" in texts  # unlabelled line continues
    assert [t.speaker for t in visit.reference_turns][-1] == "relative"
    assert result.turns == 5 + 2


def test_aci_bench_division_files_build_the_note_when_no_whole_note(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for division in ("subjective", "assessment_and_plan"):
        shutil.copy(ACI_REPO / f"challenge_data_json/valid_{division}.json", src)
    import_dataset("aci-bench", src, tmp_path / "out")
    note = load_dataset(tmp_path / "out").encounter("D2N901").notes["visit-note"]
    assert list(note.sections) == ["Chief complaint", "Assessment and plan"]


def test_aci_bench_metadata_file_alone_names_the_right_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"metadata only; give the split's CSV \(e.g. valid.csv"):
        import_dataset("aci-bench", ACI_REPO / "challenge_data/valid_metadata.csv", tmp_path / "o")


def test_aci_bench_repository_root_points_at_its_data_folder(tmp_path: Path) -> None:
    repo = tmp_path / "aci-bench"
    shutil.copytree(ACI_REPO, repo / "data")
    (repo / "baselines").mkdir()
    (repo / "baselines" / "predictions.csv").write_text("dialogue,note,encounter_id\n", "utf-8")
    with pytest.raises(DatasetError, match=r"whole ACI-Bench repository.*give .*data"):
        import_dataset("aci-bench", repo, tmp_path / "out")
    assert import_dataset("aci-bench", repo / "data", tmp_path / "out").encounters == 3


def test_aci_bench_wrong_columns_do_not_suggest_csv_flags(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="dataset import --help") as info:
        import_dataset("aci-bench", FIXTURES / "csv" / "visits.csv", tmp_path / "o")
    assert "--id-column" not in str(info.value)


def test_primock57_cleaned_redistribution_imports_as_one_speaker(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "primock57-cleaned", src)
    (src / "raw_audio").mkdir()
    shutil.copy(
        FIXTURES / "primock57/audio/day1_consultation01_doctor.wav",
        src / "raw_audio/day1_consultation01_conversation.wav",
    )
    result = import_dataset("primock57", src, tmp_path / "out")
    first, second = load_dataset(tmp_path / "out").encounters
    assert [t.speaker for t in first.reference_turns] == ["speaker 1"]
    assert first.reference_turns[0].text.startswith("Hello? Hi, how can I help you")
    assert first.channel_roles == {0: "multiple"}
    assert second.audio is None
    assert result.skipped == (
        "1 consultation(s) imported without audio (missing, or Git LFS pointers: run 'git lfs "
        "pull' in the clone), e.g. day1_consultation02",
    )


def test_primock57_lfs_pointers_import_without_audio(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "primock57", src)
    for wav in (src / "audio").glob("*.wav"):
        wav.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n")
    result = import_dataset("primock57", src, tmp_path / "out")
    [encounter] = load_dataset(tmp_path / "out").encounters
    assert encounter.audio is None
    assert len(encounter.reference_turns) == 2
    assert "Git LFS pointers" in result.skipped[-1]


def test_unlabelled_csv_transcript_is_one_speaker(tmp_path: Path) -> None:
    src = tmp_path / "visits.csv"
    src.write_text('id,transcript,note\nv1,"Hello there.\nHow are you today?",\n', "utf-8")
    import_dataset("csv", src, tmp_path / "out")
    turns = load_dataset(tmp_path / "out").encounters[0].reference_turns
    assert [(t.speaker, t.text) for t in turns] == [
        ("speaker 1", "Hello there."),
        ("speaker 1", "How are you today?"),
    ]


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


def test_cli_help_lists_every_format_with_its_layout() -> None:
    result = CliRunner().invoke(main, ["dataset", "import", "--help"])
    assert result.exit_code == 0
    for fmt, layout in [
        ("aci-bench", "<split>_metadata.csv"),
        ("primock57", "_pure_text.txt"),
        ("mts-dialog", "section_header"),
        ("osce", "D:/P:"),
        ("csv", "csv flags"),
    ]:
        line = next(line for line in result.output.splitlines() if line.strip().startswith(fmt))
        assert layout in result.output[result.output.index(line) :], fmt


def test_cli_import_prints_counts_and_force_replaces(tmp_path: Path) -> None:
    args = ["dataset", "import", "aci-bench", str(ACI_REPO / "challenge_data"), str(tmp_path / "o")]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Imported 2 encounters (7 turns, 2 notes)" in first.output
    assert "1 source problem(s) skipped; valid" in first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "add --force" in again.output
    assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0


def test_an_imported_dataset_has_the_mode_of_any_new_folder(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        import_dataset("osce", FIXTURES / "osce", tmp_path / "out", columns=CSV_COLUMNS)
    finally:
        os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755  # not mkdtemp's private 0700


def test_osce_skips_text_files_that_are_not_labelled_transcripts(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "osce", src)
    (src / "requirements.txt").write_text("numpy>=1.26\npandas\n", encoding="utf-8")
    result = import_dataset("osce", src, tmp_path / "out", columns=CSV_COLUMNS)
    assert [e.id for e in load_dataset(tmp_path / "out").encounters] == ["RES0001", "RES0002"]
    assert any("requirements.txt" in line and "speaker label" in line for line in result.skipped)
