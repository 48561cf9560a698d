"""Real-time factor and WER of the emulator's speech engines on the bundled clips.

Measures, in one run on this machine: the time to verify and load each engine, and for every clip
the transcription time divided by the audio duration (the real-time factor, RTF; lower is
faster), plus WER against the known text. The default engine (whisper-base) is compared with
whisper-tiny.en as its peer. Target: RTF <= 0.2 for whisper-base on 2 cores.

Run: ``.venv/bin/python bench/asr.py [--limit N] [--engines whisper-base,whisper-tiny.en]``.
Clips: ``tests/fixtures/audio`` and, when present, ``datasets/sample`` (two-channel visits,
transcribed per channel as the emulator does with ``isMultichannel``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import jiwer
import yaml

from scribe_eval.emulator.engines import (
    DecodedAudio,
    WhisperEngine,
    create_asr_engine,
    decode_audio,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
SAMPLE = ROOT / "datasets" / "sample"


@dataclass(frozen=True)
class Clip:
    """One recording with its reference text and language."""

    name: str
    path: Path
    language: str
    reference: str
    multichannel: bool
    keyterms: tuple[str, ...] = ()


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def _fixture_clips() -> list[Clip]:
    clips = json.loads((FIXTURES / "clips.json").read_text(encoding="utf-8"))
    found = []
    for name, info in clips.items():
        # The reference follows the turns in time order when the clip has them.
        turns = [turn["text"] for turn in info.get("turns", [])] or info["channels"].values()
        multichannel = len(info["channels"]) > 1
        keyterms = tuple(info.get("keyterms", ()))
        found.append(Clip(name, FIXTURES / name, "en", " ".join(turns), multichannel, keyterms))
    return found


def _sample_clips(limit: int) -> list[Clip]:
    manifest = SAMPLE / "dataset.yaml"
    if not manifest.is_file():
        return []
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    clips = []
    for encounter in data["encounters"][: limit or None]:
        lines = (SAMPLE / encounter["transcript"]).read_text(encoding="utf-8").splitlines()
        reference = " ".join(line.split(":", 1)[-1] for line in lines if line.strip())
        audio = encounter["audio"]
        clips.append(
            Clip(encounter["id"], SAMPLE / audio["path"], encounter["language"], reference,
                 len(audio.get("roles", {})) > 1, tuple(encounter.get("keyterms", ())))
        )  # fmt: skip
    return clips


def _measure(engine: WhisperEngine, clip: Clip, audio: DecodedAudio) -> tuple[float, float]:
    started = time.perf_counter()
    segments = engine.transcribe(
        audio, language=clip.language, keyterms=clip.keyterms, multichannel=clip.multichannel
    )
    elapsed = time.perf_counter() - started
    hypothesis = " ".join(s.text for s in sorted(segments, key=lambda s: s.start_ms))
    return elapsed, float(jiwer.wer(_norm(clip.reference), _norm(hypothesis)))


def main() -> None:
    """Measure every engine on every clip and print a table, totals and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3, help="sample visits to use (0 = all)")
    parser.add_argument("--engines", default="whisper-base,whisper-tiny.en")
    args = parser.parse_args()
    clips = _fixture_clips() + _sample_clips(args.limit)
    decoded = {clip.name: decode_audio(clip.path) for clip in clips}
    print(f"cores: {os.cpu_count()}  clips: {len(clips)}")
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for name in args.engines.split(","):
        started = time.perf_counter()
        engine = create_asr_engine(name)
        assert isinstance(engine, WhisperEngine)
        verified = time.perf_counter() - started
        engine.load()
        loaded = time.perf_counter() - started
        print(f"\n{name}: weights verified in {verified:.2f} s, ready in {loaded:.2f} s")
        print(f"  {'clip':36} {'audio s':>8} {'time s':>7} {'RTF':>6} {'WER':>6}")
        results[name] = {}
        for clip in clips:
            if engine.english_only and clip.language != "en":
                continue
            audio = decoded[clip.name]
            elapsed, wer = _measure(engine, clip, audio)
            results[name][clip.name] = (elapsed, audio.duration_s)
            print(
                f"  {clip.name:36} {audio.duration_s:8.1f} {elapsed:7.2f} "
                f"{elapsed / audio.duration_s:6.3f} {wer:6.1%}"
            )
        print(f"  overall RTF {_rtf(results[name], results[name].keys()):.3f}")
    _summary(results)


def _rtf(timings: dict[str, tuple[float, float]], names: Collection[str]) -> float:
    chosen = [timings[n] for n in timings if n in names]
    return sum(t for t, _ in chosen) / max(sum(d for _, d in chosen), 1e-9)


def _summary(results: dict[str, dict[str, tuple[float, float]]]) -> None:
    print()
    if "whisper-base" in results:
        rtf = _rtf(results["whisper-base"], results["whisper-base"].keys())
        verdict = "meets" if rtf <= 0.2 else "MISSES"
        print(f"whisper-base overall RTF {rtf:.3f} {verdict} the 0.2 target")
    if {"whisper-base", "whisper-tiny.en"} <= results.keys():
        common = results["whisper-base"].keys() & results["whisper-tiny.en"].keys()
        base = _rtf(results["whisper-base"], common)
        tiny = _rtf(results["whisper-tiny.en"], common)
        print(
            f"on the {len(common)} clips both ran: whisper-base RTF {base:.3f}, "
            f"whisper-tiny.en RTF {tiny:.3f}, ratio base/tiny {base / tiny:.2f}x"
        )


if __name__ == "__main__":
    main()
