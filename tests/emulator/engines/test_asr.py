"""Real speech recognition on synthetic clips of known text (tiny.en; base for one check)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jiwer
import numpy as np
import pytest

from scribe_eval.emulator.engines import (
    AsrEngine,
    AsrSegment,
    DecodedAudio,
    InstantEngine,
    WhisperEngine,
    create_asr_engine,
    decode_audio,
    whisper_language,
)
from scribe_eval.emulator.engines._asr import DIARIZER_VERSION
from scribe_eval.emulator.engines._cpu import CPU_BACKEND, cpu_backend
from scribe_eval.errors import EngineError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
CLIPS: dict[str, Any] = json.loads((FIXTURES / "clips.json").read_text(encoding="utf-8"))
TINY_EN_OFFICIAL = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's model cache (the same folder the autouse isolation points at)."""
    base = tmp_path_factory.getbasetemp() / "model-cache"
    base.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCRIBE_EVAL_CACHE_DIR", str(base))
        yield base


@pytest.fixture(scope="session")
def tiny(shared_cache: Path) -> WhisperEngine:
    """The English tiny model, loaded once for the whole session."""
    engine = create_asr_engine("whisper-tiny.en")
    assert isinstance(engine, WhisperEngine)
    return engine.load()


@pytest.fixture(scope="session")
def dialogue() -> DecodedAudio:
    """Two channels: the doctor (male voice) on 0, the patient (female voice) on 1, in turns."""
    return decode_audio(FIXTURES / "dialogue_stereo.ogg")


@pytest.fixture(scope="session")
def mono_clip() -> DecodedAudio:
    """One voice reading one known sentence, with 0.25 s of silence at each end."""
    return decode_audio(FIXTURES / "mono_en.flac")


@pytest.fixture(scope="session")
def mono_segments(tiny: WhisperEngine, mono_clip: DecodedAudio) -> list[AsrSegment]:
    """tiny.en's transcript of the mono clip (computed once, compared by several tests)."""
    return tiny.transcribe(mono_clip, language="en-GB")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def _wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(_norm(reference), _norm(hypothesis)))


def _text(segments: list[AsrSegment]) -> str:
    return " ".join(s.text for s in segments)


def test_known_clip_within_wer_bound_and_real_timestamps(
    mono_clip: DecodedAudio, mono_segments: list[AsrSegment]
) -> None:
    audio, segments = mono_clip, mono_segments
    assert _wer(CLIPS["mono_en.flac"]["channels"]["0"], _text(segments)) <= 0.10
    # The clip has 0.25 s of silence at each end; Whisper's word times are good to ~0.2 s.
    assert abs(segments[0].start_ms - 250) <= 250
    assert abs(segments[-1].end_ms - (audio.duration_s * 1000 - 250)) <= 300
    assert {(s.channel, s.speaker) for s in segments} == {(0, 0)}


def test_multichannel_attributes_each_channel(tiny: WhisperEngine, dialogue: DecodedAudio) -> None:
    segments = tiny.transcribe(dialogue, language="en", multichannel=True)
    by_channel = {ch: [s for s in segments if s.channel == ch] for ch in (0, 1)}
    for channel, reference in CLIPS["dialogue_stereo.ogg"]["channels"].items():
        assert _wer(reference, _text(by_channel[int(channel)])) <= 0.35, channel
    assert [s.channel for s in segments] == [
        t["channel"] for t in CLIPS["dialogue_stereo.ogg"]["turns"]
    ]
    assert all(s.speaker == s.channel for s in segments)
    assert [s.start_ms for s in segments] == sorted(s.start_ms for s in segments)
    for seg in segments:  # each segment sits where its own channel is loud
        middle = (seg.start_ms + seg.end_ms) * 16 // 2
        window = dialogue.samples[:, middle - 1600 : middle + 1600]
        loudness = np.sqrt((window**2).mean(axis=1))
        assert loudness[seg.channel] > 10 * loudness[1 - seg.channel], seg


def test_multichannel_off_mixes_down(tiny: WhisperEngine, dialogue: DecodedAudio) -> None:
    segments = tiny.transcribe(dialogue, language="en")
    everything = " ".join(t["text"] for t in CLIPS["dialogue_stereo.ogg"]["turns"])
    assert _wer(everything, _text(segments)) <= 0.30
    assert {(s.channel, s.speaker) for s in segments} == {(0, 0)}


def test_diarize_separates_two_voices_on_mono(tiny: WhisperEngine, dialogue: DecodedAudio) -> None:
    mono = DecodedAudio.from_array(dialogue.mono())
    segments = tiny.transcribe(mono, language="en", diarize=True)
    turns = [t["channel"] for t in CLIPS["dialogue_stereo.ogg"]["turns"]]
    assert [s.speaker for s in segments] == turns
    assert all(s.channel == 0 for s in segments)


def test_diarize_keeps_one_voice_as_one_speaker(
    tiny: WhisperEngine, mono_clip: DecodedAudio
) -> None:
    segments = tiny.transcribe(mono_clip, language="en", diarize=True)
    assert segments
    assert {s.speaker for s in segments} == {0}


@pytest.mark.parametrize(
    "signal",
    [
        pytest.param(np.zeros(3 * 16_000), id="digital-silence"),
        pytest.param(np.random.default_rng(0).normal(0, 0.05, 3 * 16_000), id="noise"),
        pytest.param(0.2 * np.sin(2 * np.pi * 1000 * np.arange(3 * 16_000) / 16_000), id="tone"),
    ],
)
def test_audio_without_speech_gives_no_segments(
    tiny: WhisperEngine, signal: np.ndarray[Any, Any]
) -> None:
    audio = DecodedAudio.from_array(np.stack([signal, signal]))
    assert tiny.transcribe(audio, language="en") == []
    assert tiny.transcribe(audio, language="en", multichannel=True) == []


def test_keyterms_bias_recognition(tiny: WhisperEngine) -> None:
    clip = CLIPS["keyterms_en.flac"]
    audio = decode_audio(FIXTURES / "keyterms_en.flac")
    plain = _norm(_text(tiny.transcribe(audio, language="en")))
    biased = _norm(_text(tiny.transcribe(audio, language="en", keyterms=clip["keyterms"])))
    assert "lisinopril" not in plain  # the unbiased model garbles the drug name...
    assert "lisinopril" in biased  # ...and the key term fixes it


def test_concurrent_calls_share_one_model_safely(
    tiny: WhisperEngine, mono_clip: DecodedAudio, mono_segments: list[AsrSegment]
) -> None:
    expected = mono_segments
    results: list[list[AsrSegment]] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(tiny.transcribe(mono_clip, language="en-GB"))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 2


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("en-GB", "en", id="en-GB"),
        pytest.param("de-CH", "de", id="de-CH"),
        pytest.param("gsw-CH", "de", id="gsw-CH"),
        pytest.param("no", "no", id="norwegian"),
        pytest.param("da", "da", id="danish"),
        pytest.param("pt", "pt", id="portuguese"),
    ],
)
def test_contract_languages_map_to_whisper(code: str, expected: str) -> None:
    assert whisper_language(code) == expected


def test_unsupported_language_is_refused(tiny: WhisperEngine) -> None:
    audio = DecodedAudio.from_array(np.zeros(1600))
    with pytest.raises(EngineError, match=r"English-only .* 'de'"):
        tiny.transcribe(audio, language="de")
    with pytest.raises(EngineError, match="unsupported transcript language 'xx'"):
        tiny.transcribe(audio, language="xx")


def test_default_engine_is_verified_whisper_base(
    shared_cache: Path, mono_clip: DecodedAudio
) -> None:
    engine = create_asr_engine()
    assert isinstance(engine, AsrEngine)
    identity = engine.identity()
    assert identity["engine"] == "whisper-base"
    assert identity["model_sha256"] == (
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    )
    # The VAD's runtime can move a cut and change the words: its version is part of the identity.
    assert identity["onnxruntime"] == importlib.metadata.version("onnxruntime")
    segments = engine.transcribe(mono_clip, language="en")
    assert _wer(CLIPS["mono_en.flac"]["channels"]["0"], _text(segments)) <= 0.10


def test_configured_local_folder_wins(
    shared_cache: Path, monkeypatch: pytest.MonkeyPatch, tiny: WhisperEngine
) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_ASR_MODEL_DIR", str(tiny.model_dir))
    engine = create_asr_engine("whisper-base")
    assert isinstance(engine, WhisperEngine)
    assert engine.name == "whisper-local"
    assert engine.english_only  # detected from the folder's vocabulary
    assert engine.identity()["model_sha256"] == TINY_EN_OFFICIAL


def test_local_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"has no model\.bin"):
        create_asr_engine("whisper-local", model_dir=tmp_path)
    with pytest.raises(EngineError, match="needs a model folder"):
        create_asr_engine("whisper-local")


def test_unknown_engine_name_is_refused() -> None:
    with pytest.raises(EngineError, match="unknown speech engine 'whisper-large'"):
        create_asr_engine("whisper-large")


def test_instant_engine_scales_with_duration_and_respects_silence() -> None:
    engine = create_asr_engine("instant")
    assert isinstance(engine, InstantEngine)
    assert engine.identity()["engine"] == "instant"
    tone = 0.1 * np.sin(np.arange(40 * 16_000) / 3)
    segments = engine.transcribe(DecodedAudio.from_array(tone), language="en")
    assert len(segments) == 10
    assert segments[-1].end_ms <= 40_000
    assert [s.start_ms for s in segments] == sorted(s.start_ms for s in segments)
    stereo = engine.transcribe(
        DecodedAudio.from_array(np.stack([tone, tone])), language="en", multichannel=True
    )
    assert {s.channel for s in stereo} == {0, 1}
    assert engine.transcribe(DecodedAudio.from_array(np.zeros(16_000)), language="en") == []


def test_hub_model_only_by_explicit_name(
    shared_cache: Path, monkeypatch: pytest.MonkeyPatch, tiny: WhisperEngine
) -> None:
    import faster_whisper.utils

    asked: list[str] = []

    def offline(name: str) -> str:
        asked.append(name)
        raise OSError("no route to the model hub")

    monkeypatch.setattr(faster_whisper.utils, "download_model", offline)
    with pytest.raises(EngineError, match=r"cannot fetch hub model 'small'.*needs network"):
        create_asr_engine("whisper-hub:small")
    assert asked == ["small"]
    # A fetched hub folder (here: the tiny.en folder standing in for the hub's copy) is used.
    monkeypatch.setattr(faster_whisper.utils, "download_model", lambda name: str(tiny.model_dir))
    engine = create_asr_engine("whisper-hub:tiny.en")
    assert engine.identity()["model_origin"] == "hub:tiny.en"
    assert engine.identity()["model_sha256"] == TINY_EN_OFFICIAL


def test_decoding_never_falls_back_to_sampling(
    tiny: WhisperEngine, mono_clip: DecodedAudio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # faster-whisper's default temperatures (0.0, 0.2, ... 1.0) re-decode a failing window by
    # unseeded sampling: the same recording then gives different words from call to call. One
    # temperature of 0 is beam search alone, the same words every time.
    import faster_whisper

    seen: list[Any] = []
    real = faster_whisper.WhisperModel.transcribe

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("temperature", "faster-whisper's default"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(faster_whisper.WhisperModel, "transcribe", spy)
    first = tiny.transcribe(mono_clip, language="en-GB")
    assert seen
    assert all(t in (0, 0.0, [0.0], (0.0,)) for t in seen), seen
    assert tiny.transcribe(mono_clip, language="en-GB") == first
    assert tiny.identity()["temperature"] == "0.0"


def test_the_identity_names_the_decoders_versions_without_importing_them() -> None:
    """The versions come from the packages' metadata (a cached re-run reads the identity and
    imports no decoder, nor numpy for the diarizer's name): the very strings the modules report,
    so no cache key changes."""
    probe = """
import json, sys
from pathlib import Path
from scribe_eval.emulator.engines import WhisperEngine
engine = WhisperEngine("whisper-local", Path("m"), "0" * 64, "local:m", english_only=False)
print(json.dumps(engine.identity()))
heavy = ("faster_whisper", "ctranslate2", "av", "numpy")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    identity, imported = (json.loads(line) for line in done.stdout.splitlines())
    import ctranslate2
    import faster_whisper

    assert identity["faster_whisper"] == faster_whisper.__version__
    assert identity["ctranslate2"] == ctranslate2.__version__
    assert identity["diarizer"] == DIARIZER_VERSION
    assert imported == []


def test_the_cpu_backend_is_pinned_and_named_in_the_identity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CTranslate2 picks MKL on Intel and oneDNN elsewhere, with different words (7 of the 8
    English sample visits changed on one machine): the emulator pins one backend before the
    decoder loads, a user's own setting wins, and either shows in the target identity."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        pytest.skip("CTranslate2 has one CPU backend off x86")
    for name in CPU_BACKEND:
        monkeypatch.delenv(name, raising=False)
    engine = WhisperEngine("whisper-local", Path("m"), "0" * 64, "local:m", english_only=False)
    pinned = engine.identity()
    assert pinned["cpu_ct2_use_mkl"] == "0"
    assert pinned["cpu_ct2_force_cpu_isa"] == pinned["cpu_onednn_max_cpu_isa"] == "AVX2"
    monkeypatch.setenv("CT2_USE_MKL", "1")
    assert engine.identity()["cpu_ct2_use_mkl"] == "1"
    # The VAD's import loads CTranslate2 too: it pins first (in a process of its own, as the
    # emulator's, so this test's imports do not count).
    probe = """
import json, os
import numpy as np
from scribe_eval.emulator.engines._asr_diarize import speech_regions
speech_regions(np.zeros(16000, dtype=np.float32))
print(json.dumps({k: v for k, v in os.environ.items() if k in NAMES}))
""".replace("NAMES", repr(set(CPU_BACKEND)))
    env = {k: v for k, v in os.environ.items() if k not in CPU_BACKEND}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    monkeypatch.delenv("CT2_USE_MKL")
    assert json.loads(done.stdout) == cpu_backend()


def test_the_emulator_pins_numpy_before_importing_it(tmp_path: Path) -> None:
    """NumPy and its OpenBLAS compute Whisper's input features with AVX-512 where there is one,
    which changed every English sample transcript: ``emulator serve`` holds them to AVX2 first
    thing, as NumPy reads its setting once, when imported."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        pytest.skip("the pins are x86 names")
    probe = f"""
import json, os, sys
import uvicorn
uvicorn.Server.run = lambda self, sockets=None: None  # serve returns at once
from scribe_eval.cli._main import main
main(["emulator", "serve", "--port", "0", "--data-dir", {str(tmp_path / "d")!r},
      "--asr-engine", "instant", "--no-preload"], standalone_mode=False)
from numpy._core._multiarray_umath import __cpu_features__
print(json.dumps({{"numpy": os.environ.get("NPY_DISABLE_CPU_FEATURES"),
                  "openblas": os.environ.get("OPENBLAS_CORETYPE"),
                  "x86_v4": __cpu_features__.get("X86_V4")}}))
"""
    env = {k: v for k, v in os.environ.items() if k not in CPU_BACKEND}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["numpy"] == CPU_BACKEND["NPY_DISABLE_CPU_FEATURES"]
    assert seen["openblas"] == cpu_backend().get("OPENBLAS_CORETYPE")
    assert seen["x86_v4"] is False  # whatever the CPU has: NumPy's AVX-512 loops are off
