"""Loading datasets: the mini fixture's content, hashes, audio bytes and the sample's promises."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from scribe_eval.dataset import Finding, encounter_audio_bytes, load_dataset, summarize
from scribe_eval.dataset.importers import import_dataset
from scribe_eval.errors import DatasetError

from .conftest import FIXTURES, MINI, SAMPLE

SOAP_KEYS = {"corti-subjective", "corti-objective", "corti-assessment", "corti-plan"}


def test_mini_loads_with_audio_and_text_only_encounters() -> None:
    dataset = load_dataset(MINI)
    assert dataset.name == "mini"
    assert [e.has_audio for e in dataset.encounters] == [True, True, False]
    cough = dataset.encounter("en-01-cough")
    assert cough.channel_roles == {0: "doctor", 1: "patient"}
    assert cough.audio is not None
    assert cough.audio.channels == 2
    assert 6 <= cough.audio.duration_s <= 12
    assert cough.audio_hash is not None
    assert len(cough.audio_hash) == 64
    assert cough.reference_text.startswith("What brings you in today? I've had a dry cough")
    assert "Doctor" not in cough.reference_text
    assert set(cough.notes["soap"].section_keys.values()) == SOAP_KEYS
    assert cough.notes["soap"].sections["Plan"] == "Honey and rest. Review in 1 week."
    text_only = dataset.encounter("en-03-headache-text-only")
    assert text_only.audio is None
    assert text_only.audio_hash is None
    assert text_only.reference_turns[1].speaker == "patient"


def test_json_transcript_keeps_times() -> None:
    rash = load_dataset(MINI / "dataset.yaml").encounter("en-02-rash")
    starts = [t.start_ms or 0 for t in rash.reference_turns]
    assert all(t.start_ms is not None for t in rash.reference_turns)
    assert starts == sorted(starts)


def test_unknown_encounter_is_a_dataset_error() -> None:
    with pytest.raises(DatasetError, match="known ids include en-01-cough"):
        load_dataset(MINI).encounter("nope")


def test_content_hash_follows_references_not_location(tmp_path: Path) -> None:
    original = load_dataset(MINI)
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    assert load_dataset(copy).content_hash == original.content_hash
    transcript = copy / "transcripts" / "en-01-cough.txt"
    transcript.write_text(transcript.read_text("utf-8").replace("three", "four"), "utf-8")
    changed = load_dataset(copy)
    assert changed.content_hash != original.content_hash
    before, after = original.encounter("en-01-cough"), changed.encounter("en-01-cough")
    assert after.reference_hash != before.reference_hash
    assert after.audio_hash == before.audio_hash


def test_load_dataset_raises_one_line_with_a_count(tmp_path: Path) -> None:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    (copy / "transcripts" / "en-01-cough.txt").unlink()
    (copy / "audio" / "en-02-rash.ogg").unlink()
    with pytest.raises(DatasetError) as caught:
        load_dataset(copy)
    message = caught.value.message
    assert "\n" not in message
    assert "en-01-cough" in message
    assert "(and 1 more)" in message
    assert "scribe-eval dataset validate" in message


def test_missing_manifest_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no dataset manifest"):
        load_dataset(tmp_path)


def test_single_file_audio_bytes_are_the_file() -> None:
    dataset = load_dataset(MINI)
    encounter = dataset.encounter("en-01-cough")
    data, content_type = encounter_audio_bytes(dataset, encounter)
    assert content_type == "audio/ogg"
    assert data == (MINI / "audio" / "en-01-cough.ogg").read_bytes()
    with pytest.raises(DatasetError, match="has no audio"):
        encounter_audio_bytes(dataset, dataset.encounter("en-03-headache-text-only"))


def test_channel_files_are_merged_into_one_flac(tmp_path: Path) -> None:
    dest = tmp_path / "primock"
    import_dataset("primock57", FIXTURES / "primock57", dest)
    dataset = load_dataset(dest)
    encounter = dataset.encounters[0]
    data, content_type = encounter_audio_bytes(dataset, encounter)
    assert content_type == "audio/flac"
    merged, rate = sf.read(io.BytesIO(data), dtype="int16", always_2d=True)
    doctor, _ = sf.read(FIXTURES / "primock57/audio/day1_consultation01_doctor.wav", dtype="int16")
    patient, _ = sf.read(
        FIXTURES / "primock57/audio/day1_consultation01_patient.wav", dtype="int16"
    )
    assert rate == 16000
    assert merged.shape == (len(doctor), 2)
    assert np.array_equal(merged[:, 0], doctor)
    assert np.array_equal(merged[:, 1], patient)


def test_sample_validates_clean(sample_findings: list[Finding]) -> None:
    assert [str(f) for f in sample_findings] == []


def test_sample_keeps_its_promises() -> None:
    dataset = load_dataset(SAMPLE)
    languages = [e.language for e in dataset.encounters]
    assert languages.count("en") >= 8
    assert languages.count("de") >= 2
    assert len([lang for lang in languages if lang not in {"en", "de"}]) >= 1
    assert sum(1 for e in dataset.encounters if "brief" in e.notes) >= 4
    for encounter in dataset.encounters:
        assert encounter.audio is not None
        assert encounter.audio.paths[0].name.startswith(f"{encounter.language}-")
        assert 45 <= encounter.audio.duration_s <= 120, encounter.id
        assert encounter.audio.channels == 2
        assert encounter.channel_roles == {0: "doctor", 1: "patient"}
        assert set(encounter.notes["soap"].section_keys.values()) == SOAP_KEYS
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size <= 15 * 1024 * 1024
    summary = summarize(dataset)
    assert summary.total.encounters == len(dataset.encounters)
    assert [row.language for row in summary.rows] == ["de", "en", "fr"]
    assert sum(row.encounters for row in summary.rows) == summary.total.encounters
    assert summary.total.note_types == {"brief": 5, "soap": 11}
    assert summary.total.minutes * 60 == pytest.approx(
        sum(e.audio.duration_s for e in dataset.encounters if e.audio)
    )
    assert summary.total.words == sum(len(e.reference_text.split()) for e in dataset.encounters)


def test_sample_doctor_and_patient_speak_on_their_own_channels() -> None:
    # While one participant speaks, the other channel is silent: check one visit's turns.
    path = SAMPLE / "audio" / "en-01-sore-throat.ogg"
    data, _ = sf.read(path, dtype="float32", always_2d=True)
    loud = np.abs(data) > 0.05
    both = np.logical_and(loud[:, 0], loud[:, 1]).mean()
    assert loud[:, 0].mean() > 0.05
    assert loud[:, 1].mean() > 0.05
    assert both < 0.01


def test_mini_fixture_is_small() -> None:
    assert sum(p.stat().st_size for p in MINI.rglob("*") if p.is_file()) < 300 * 1024


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in sorted((SAMPLE / "audio").glob("*.ogg"))[:3]]
    + [pytest.param(MINI / "audio" / "en-01-cough.ogg", id="mini")],
)
def test_audio_decodes_with_pyav(path: Path) -> None:
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        assert stream.channels == 2
        assert samples / stream.rate == pytest.approx(sf.info(str(path)).duration, abs=0.1)


def test_yaml_note_file_and_shorthands(tmp_path: Path) -> None:
    shutil.copytree(MINI / "audio", tmp_path / "audio")
    (tmp_path / "t.txt").write_text("Doctor: Any rash?\nPatient: No rash.\n", "utf-8")
    (tmp_path / "brief.yaml").write_text(
        "Chief complaint: Rash check.\nAssessment and plan: |\n  No rash.\n  Reassure.\n", "utf-8"
    )
    (tmp_path / "dataset.yaml").write_text(
        "name: shorthand\nencounters:\n"
        "  - id: a\n    audio: audio/en-02-rash.ogg\n    transcript: t.txt\n"
        "    terms: [rash]\n"
        "    notes:\n      brief:\n        path: brief.yaml\n"
        "        section_keys: {Chief complaint: corti-chief-complaint}\n",
        "utf-8",
    )
    encounter = load_dataset(tmp_path).encounters[0]
    assert encounter.language == "en"
    assert encounter.channel_roles == {}
    assert encounter.audio is not None
    assert encounter.terms[0].kind == "other"
    note = encounter.notes["brief"]
    assert note.sections == {
        "Chief complaint": "Rash check.",
        "Assessment and plan": "No rash.\nReassure.",
    }
    assert note.text.startswith("## Chief complaint\nRash check.\n\n## Assessment and plan\n")
