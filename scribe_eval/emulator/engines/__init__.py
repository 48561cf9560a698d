"""The emulator's engines: speech recognition and note writing behind small protocols.

Speech: :func:`create_asr_engine` builds an :class:`AsrEngine` by name (``whisper-base`` by
default, ``whisper-tiny.en``, ``whisper-local``, ``whisper-hub:<name>``, ``instant``); audio is
sniffed with :func:`sniff_audio_format` and decoded with :func:`decode_audio` (numpy and PyAV
are imported on the first decode, or ahead of it by :func:`preload_decoder`).

Notes: :func:`create_note_engine` builds a :class:`NoteEngine` by name (``template`` by default,
deterministic and model-free; ``openai`` for any OpenAI-compatible chat-completions endpoint);
it writes :class:`WrittenSection` objects from a :class:`NoteRequest`.
"""

from typing import TYPE_CHECKING

from scribe_eval._cachedir import cache_dir
from scribe_eval._lazy import lazy_exports
from scribe_eval.emulator.engines._asr import (
    CONTRACT_LANGUAGES,
    DEFAULT_ASR_ENGINE,
    AsrEngine,
    AsrSegment,
    WhisperEngine,
    whisper_language,
)
from scribe_eval.emulator.engines._asr_instant import InstantEngine
from scribe_eval.emulator.engines._audio import (
    DecodedAudio,
    decode_audio,
    is_silent,
    preload_decoder,
    sniff_audio_format,
)
from scribe_eval.emulator.engines._factory import (
    create_asr_engine,
    create_note_engine,
    engine_identity,
)
from scribe_eval.emulator.engines._notes import (
    DEFAULT_NOTE_ENGINE,
    NoteEngine,
    NoteRequest,
    NoteSegment,
    WrittenSection,
)
from scribe_eval.emulator.engines._notes_template_engine import TemplateNoteEngine
from scribe_eval.emulator.engines._weights import (
    ensure_whisper_base,
    ensure_whisper_tiny_en,
)

# The OpenAI note engine is loaded on first use (PEP 562): the emulator's start-up does not import
# it, and httpx with it (~60 ms), unless it serves that engine (`create_note_engine` imports it).
if TYPE_CHECKING:
    from scribe_eval.emulator.engines._notes_openai import OpenAINoteEngine

__all__ = [
    "CONTRACT_LANGUAGES",
    "DEFAULT_ASR_ENGINE",
    "DEFAULT_NOTE_ENGINE",
    "AsrEngine",
    "AsrSegment",
    "DecodedAudio",
    "InstantEngine",
    "NoteEngine",
    "NoteRequest",
    "NoteSegment",
    "OpenAINoteEngine",
    "TemplateNoteEngine",
    "WhisperEngine",
    "WrittenSection",
    "cache_dir",
    "create_asr_engine",
    "create_note_engine",
    "decode_audio",
    "engine_identity",
    "ensure_whisper_base",
    "ensure_whisper_tiny_en",
    "is_silent",
    "preload_decoder",
    "sniff_audio_format",
    "whisper_language",
]

__getattr__, __dir__ = lazy_exports(__name__, {"OpenAINoteEngine": "_notes_openai"}, __all__)
