"""Validation reports every problem of a broken dataset at once, one line each, with the fix."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from scribe_eval.dataset import Finding, validate_dataset

from .conftest import MINI

GOOD_AUDIO = {"path": "audio/en-01-cough.ogg", "roles": {0: "doctor", 1: "patient"}}
SOAP = {
    "soap": {
        "sections": {"Subjective": "Cough.", "Plan": "Rest."},
        "section_keys": {"Subjective": "corti-subjective", "Plan": "corti-plan"},
    }
}


def _wav(path: Path, data: np.ndarray, rate: int = 16000) -> None:
    sf.write(str(path), data.astype(np.float32), rate, subtype="PCM_16")


def _speech(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return 0.3 * np.sin(2 * np.pi * 220 * t)


def _write_files(root: Path) -> None:
    text = root / "transcripts"
    (text / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + "Doctor: Hi.".encode("utf-16-le"))
    (text / "cp1252.txt").write_bytes("Patient: café – 38°".encode("cp1252"))
    (text / "empty.txt").write_text("\n\n", "utf-8")
    (text / "bom.txt").write_bytes(codecs.BOM_UTF8 + b"Doctor: Hi.\n")
    (root.parent / "outside.txt").write_text("Doctor: secret\n", "utf-8")
    audio = root / "audio"
    (audio / "not-audio.ogg").write_text("this is not audio", "utf-8")
    _wav(audio / "empty.wav", np.zeros((0, 1)))
    _wav(audio / "silent.wav", np.zeros((32000, 2)))
    _wav(audio / "one-silent.wav", np.stack([_speech(2), np.zeros(32000)], axis=1))
    _wav(audio / "rate6k.wav", _speech(2, 6000), 6000)
    _wav(audio / "rate11k.wav", _speech(2, 11025), 11025)
    _wav(audio / "stereo.wav", np.stack([_speech(2), _speech(2)], axis=1))


def _encounters() -> list[dict[str, object]]:
    t = "transcripts/en-01-cough.txt"

    def enc(eid: str, **fields: object) -> dict[str, object]:
        return {"id": eid, "transcript": t, "notes": SOAP, **fields}

    return [
        enc("ok", audio=GOOD_AUDIO),
        enc("ok", audio=GOOD_AUDIO),
        enc("missing", transcript="transcripts/nope.txt"),
        enc("escape", transcript="../outside.txt"),
        enc("absolute", transcript="/etc/hostname"),
        enc("utf16", transcript="transcripts/utf16.txt"),
        enc("cp1252", transcript="transcripts/cp1252.txt"),
        enc("empty-text", transcript="transcripts/empty.txt"),
        enc("bom", transcript="transcripts/bom.txt"),
        enc("us", language="en-US"),
        enc("caps", language="EN"),
        enc("empty-note", notes={"soap": {"sections": {"Plan": " "}}}),
        enc(
            "bad-keys",
            notes={
                "soap": {
                    "sections": {"Plan": "Rest."},
                    "section_keys": {"Pln": "corti-plan", "Plan": "Corti Plan"},
                }
            },
        ),
        enc(
            "odd-key",
            notes={"soap": {"sections": {"Plan": "Rest."}, "section_keys": {"Plan": "acme-plan"}}},
        ),
        enc("typo", audo="audio/x.ogg"),
        {"id": "nothing", "notes": SOAP},
        enc("long-keyterm", keyterms=["x" * 51]),
        enc("stray-term", terms=["cough", {"text": "amoxycillin", "kind": "medication"}]),
        enc("undecodable", audio={"path": "audio/not-audio.ogg"}),
        enc("no-samples", audio={"path": "audio/empty.wav"}),
        enc("silent", audio={"path": "audio/silent.wav", "roles": {0: "doctor", 1: "patient"}}),
        enc(
            "one-silent",
            audio={"path": "audio/one-silent.wav", "roles": {0: "doctor", 1: "patient"}},
        ),
        enc("low-rate", audio={"path": "audio/rate6k.wav"}),
        enc("lowish-rate", audio={"path": "audio/rate11k.wav"}),
        enc("bad-roles", audio={"path": "audio/stereo.wav", "roles": {0: "doctor", 2: "patient"}}),
        enc("no-roles", audio={"path": "audio/stereo.wav"}),
        enc("not-mono", audio={"channel_paths": {0: "audio/stereo.wav", 1: "audio/rate11k.wav"}}),
    ]


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    root = tmp_path_factory.mktemp("broken") / "broken"
    shutil.copytree(MINI, root)
    _write_files(root)
    manifest = {"name": "broken", "default_language": "en", "encounters": _encounters()}
    (root / "dataset.yaml").write_text(yaml.safe_dump(manifest), "utf-8")
    return validate_dataset(root)


# (severity, encounter, path or None, a fragment of the message)
EXPECTED = [
    ("error", "ok", "dataset.yaml", "used twice"),
    ("error", "missing", "transcripts/nope.txt", "file not found"),
    ("error", "escape", "../outside.txt", "leaves the dataset folder and is refused"),
    ("error", "absolute", "/etc/hostname", "absolute paths are refused"),
    ("error", "utf16", "transcripts/utf16.txt", "looks like UTF-16 LE (byte-order mark)"),
    ("error", "cp1252", "transcripts/cp1252.txt", "looks like cp1252"),
    ("error", "empty-text", "transcripts/empty.txt", "reference transcript is empty"),
    ("warning", "bom", "transcripts/bom.txt", "UTF-8 byte-order mark"),
    ("error", "us", None, "unknown language code 'en-US'; the API has 'en'"),
    ("error", "caps", None, "write 'en'"),
    ("error", "empty-note", "notes.soap", "reference note is empty"),
    ("error", "bad-keys", "notes.soap", "names heading 'Pln' that the note lacks"),
    ("error", "bad-keys", "notes.soap", "'Corti Plan' is malformed"),
    ("warning", "odd-key", "notes.soap", "'acme-plan' is not a standard key"),
    ("error", "typo", "dataset.yaml", "audo: unknown field; did you mean 'audio'?"),
    ("error", "nothing", None, "neither audio nor a reference transcript"),
    ("error", "long-keyterm", None, "must be 1-50 characters"),
    ("warning", "stray-term", None, "terms ['amoxycillin'] appear in neither"),
    ("error", "undecodable", "audio/not-audio.ogg", "cannot be decoded"),
    ("error", "no-samples", "audio/empty.wav", "audio is empty"),
    ("error", "silent", "audio/silent.wav", "silent on every channel"),
    ("warning", "one-silent", "audio/one-silent.wav", "channels [1] are silent"),
    ("error", "low-rate", "audio/rate6k.wav", "6000 Hz is too low"),
    ("warning", "lowish-rate", "audio/rate11k.wav", "11025 Hz is below the recommended"),
    ("error", "bad-roles", "audio/stereo.wav", "roles name channels [2]"),
    ("warning", "no-roles", "audio/stereo.wav", "it will be mixed down"),
    ("error", "not-mono", "audio/stereo.wav", "needs one mono file per channel"),
    ("error", "not-mono", "audio/stereo.wav", "different sample rates"),
    ("warning", "not-mono", "audio/rate11k.wav", "11025 Hz is below the recommended"),
    ("warning", "not-mono", "audio/stereo.wav", "it will be mixed down"),
]


@pytest.mark.parametrize(
    ("severity", "encounter", "path", "fragment"),
    [pytest.param(*row, id=f"{row[1]}:{row[3][:24]}") for row in EXPECTED],
)
def test_each_problem_is_reported(
    findings: list[Finding], severity: str, encounter: str, path: str | None, fragment: str
) -> None:
    matches = [
        f
        for f in findings
        if f.encounter_id == encounter and f.path == path and fragment in f.message
    ]
    assert [f.severity for f in matches] == [severity], [str(f) for f in findings]


def test_nothing_else_is_reported(findings: list[Finding]) -> None:
    # The good encounter is clean, and no finding is unexpected (no noise drowning the real ones).
    assert not [f for f in findings if f.encounter_id == "ok" and "twice" not in f.message]
    assert len(findings) == len(EXPECTED)


def test_every_finding_is_one_line(findings: list[Finding]) -> None:
    for finding in findings:
        line = str(finding)
        assert "\n" not in line
        assert line.startswith(f"{finding.severity}: ")


def test_outside_file_is_never_read(findings: list[Finding]) -> None:
    assert not any("secret" in f.message for f in findings)


@pytest.mark.parametrize(
    ("manifest", "fragment"),
    [
        pytest.param("name: [unclosed", "YAML syntax error", id="yaml-syntax"),
        pytest.param(
            "name: x\nencounters: []\nname: y\n",
            "key 'name' is written twice (lines 1 and 3)",
            id="duplicate-key",
        ),
        pytest.param("- just a list", "must be a YAML mapping", id="not-mapping"),
        pytest.param("name: x\nencounters: []\n", "has no encounters", id="no-encounters"),
        pytest.param("name: bad name!\nencounters: [{id: a}]\n", "name: use letters", id="name"),
        pytest.param(
            "name: x\ndefault_language: klingon\nencounters: []\n", "klingon", id="default-language"
        ),
    ],
)
def test_manifest_level_problems(tmp_path: Path, manifest: str, fragment: str) -> None:
    (tmp_path / "dataset.yaml").write_text(manifest, "utf-8")
    findings = validate_dataset(tmp_path)
    assert any(fragment in str(f) and f.severity == "error" for f in findings), findings


def test_a_broken_header_does_not_hide_encounter_problems(tmp_path: Path) -> None:
    manifest = "name: bad name!\nlicense: MIT\nencounters:\n  - id: a\n    transcript: nope.txt\n"
    (tmp_path / "dataset.yaml").write_text(manifest, "utf-8")
    lines = [str(f) for f in validate_dataset(tmp_path)]
    assert lines == [
        "error: dataset.yaml: name: use letters, digits, '.', '_' and '-' only (start with a "
        "letter or digit)",
        "error: dataset.yaml: license: unknown field; did you mean 'licence'?",
        "error: a nope.txt: file not found; create it or correct the path",
    ]
