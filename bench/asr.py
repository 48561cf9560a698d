"""Real-time factor and WER of the emulator's speech engines on the bundled clips.

Measures, in one run on this machine: the time to verify and load each engine, and for every clip
the transcription time divided by the audio duration (the real-time factor, RTF; lower is
faster), plus WER against the known text. Other processes sharing the cores inflate wall time,
so a CPU-based RTF (process CPU seconds / cores / audio seconds) is printed next to it. The
default engine (whisper-base) is compared with whisper-tiny.en as its peer. Target: RTF <= 0.2
for whisper-base on 2 cores.

Run: ``.venv/bin/python bench/asr.py [--limit N] [--engines whisper-base,whisper-tiny.en]``.
Clips: ``tests/fixtures/audio`` and, when present, ``datasets/sample`` (two-channel visits,
transcribed per channel as the emulator does with ``isMultichannel``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from scribe_eval.emulator.engines import (
    DecodedAudio,
    WhisperEngine,
    create_asr_engine,
    decode_audio,
)
from scribe_eval.metrics import wer as wer_of

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
SAMPLE = ROOT / "datasets" / "sample"
CORES = os.cpu_count() or 1
TARGET_RTF = 0.2


@dataclass(frozen=True)
class Clip:
    """One recording with its reference text and language."""

    name: str
    path: Path
    language: str
    reference: str
    multichannel: bool
    keyterms: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class Timing:
    """One transcription: wall-clock and process CPU seconds, audio seconds, WER."""

    wall_s: float
    cpu_s: float
    audio_s: float
    wer: float


def _measure(engine: WhisperEngine, clip: Clip, audio: DecodedAudio) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    segments = engine.transcribe(
        audio, language=clip.language, keyterms=clip.keyterms, multichannel=clip.multichannel
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    hypothesis = " ".join(s.text for s in sorted(segments, key=lambda s: s.start_ms))
    # The project's own WER with its clinical English normaliser (numbers to digits on both
    # sides), as a report would compute it; other languages get the multilingual one.
    normalizer = "english-clinical" if clip.language == "en" else "multilingual"
    wer = wer_of(clip.reference, hypothesis, normalizer=normalizer).wer
    if wer is None:
        raise SystemExit(f"{clip.name} has an empty reference text")
    return Timing(wall, cpu, audio.duration_s, wer)


def _rtf(timings: Collection[Timing], *, cpu: bool = False) -> float:
    """Seconds spent per second of audio; with ``cpu``, CPU seconds divided by the cores."""
    spent = sum(t.cpu_s / CORES if cpu else t.wall_s for t in timings)
    return spent / max(sum(t.audio_s for t in timings), 1e-9)


def main() -> None:
    """Measure every engine on every clip and print a table, totals and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3, help="sample visits to use (0 = all)")
    parser.add_argument("--engines", default="whisper-base,whisper-tiny.en")
    args = parser.parse_args()
    clips = _fixture_clips() + _sample_clips(args.limit)
    decoded = {clip.name: decode_audio(clip.path) for clip in clips}
    print(f"cores: {CORES}  clips: {len(clips)}  load average: {os.getloadavg()[0]:.1f}")
    results: dict[str, dict[str, Timing]] = {}
    for name in args.engines.split(","):
        results[name] = _run_engine(name, clips, decoded)
    print(
        f"\nload average at the end: {os.getloadavg()[0]:.1f} (above {CORES}: other work shared "
        "the cores; the CPU-based RTF is then the better estimate for an idle machine)"
    )
    _summary(results)


def _run_engine(
    name: str, clips: list[Clip], decoded: dict[str, DecodedAudio]
) -> dict[str, Timing]:
    started = time.perf_counter()
    engine = create_asr_engine(name)
    assert isinstance(engine, WhisperEngine)
    verified = time.perf_counter() - started
    engine.load()
    loaded = time.perf_counter() - started
    print(f"\n{name}: weights verified in {verified:.2f} s, ready in {loaded:.2f} s")
    print(f"  {'clip':34} {'audio s':>7} {'wall s':>7} {'RTF':>6} {'cpu RTF':>7} {'WER':>6}")
    timings: dict[str, Timing] = {}
    for clip in clips:
        if engine.english_only and clip.language != "en":
            continue
        t = timings[clip.name] = _measure(engine, clip, decoded[clip.name])
        print(
            f"  {clip.name:34} {t.audio_s:7.1f} {t.wall_s:7.2f} {_rtf([t]):6.3f} "
            f"{_rtf([t], cpu=True):7.3f} {t.wer:6.1%}"
        )
    every = timings.values()
    mean_wer = sum(t.wer * t.audio_s for t in every) / sum(t.audio_s for t in every)
    print(
        f"  overall: RTF {_rtf(every):.3f}, CPU-based RTF {_rtf(every, cpu=True):.3f}, "
        f"duration-weighted WER {mean_wer:.1%}"
    )
    return timings


def _summary(results: dict[str, dict[str, Timing]]) -> None:
    if "whisper-base" in results:
        every = results["whisper-base"].values()
        rtf, cpu_rtf = _rtf(every), _rtf(every, cpu=True)
        for label, value in (("wall-clock RTF", rtf), ("CPU-based RTF", cpu_rtf)):
            verdict = "meets" if value <= TARGET_RTF else "misses"
            print(f"whisper-base {label} {value:.3f} {verdict} the {TARGET_RTF} target")
    if {"whisper-base", "whisper-tiny.en"} <= results.keys():
        common = results["whisper-base"].keys() & results["whisper-tiny.en"].keys()
        base = [results["whisper-base"][n] for n in common]
        tiny = [results["whisper-tiny.en"][n] for n in common]
        print(
            f"on the {len(common)} clips both ran: whisper-base / whisper-tiny.en = "
            f"{_rtf(base) / _rtf(tiny):.2f}x wall, "
            f"{_rtf(base, cpu=True) / _rtf(tiny, cpu=True):.2f}x CPU"
        )


if __name__ == "__main__":
    main()
