"""Building engines by name: the factories live apart from the protocols they return.

The engines import their protocols (`_asr`, `_notes`); the factories import the engines. Keeping
the factories here leaves no import cycle between a protocol module and its implementations.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from scribe_eval.emulator.engines import _weights
from scribe_eval.emulator.engines._asr import (
    DEFAULT_ASR_ENGINE,
    LIST_PROMPT,
    AsrEngine,
    WhisperEngine,
)
from scribe_eval.emulator.engines._notes import DEFAULT_NOTE_ENGINE, NoteEngine
from scribe_eval.errors import EngineError


def create_asr_engine(
    name: str = DEFAULT_ASR_ENGINE, *, model_dir: Path | None = None, threads: int | None = None
) -> AsrEngine:
    """Build a speech engine by name (see the module docstring for the names).

    A ``model_dir`` (or ``SCRIBE_EVAL_ASR_MODEL_DIR``) replaces the packaged weights of the
    ``whisper-*`` engines. Weights are verified here; the model loads on first use (or ``load()``).

    Raises:
        EngineError: Unknown name, or missing/altered weights (the message says how to fix it).
    """
    cpu_threads = threads or os.cpu_count() or 1
    if name == "instant":
        from scribe_eval.emulator.engines._asr_instant import InstantEngine

        return InstantEngine()
    configured = model_dir or _env_model_dir()
    if configured is not None and name in _LOCAL_OVERRIDABLE:
        return _local_engine(configured, cpu_threads)
    if name == "whisper-local":
        raise EngineError(
            "engine 'whisper-local' needs a model folder: pass model_dir or set "
            "SCRIBE_EVAL_ASR_MODEL_DIR to a faster-whisper (CTranslate2) model folder"
        )
    if name == "whisper-base":
        path = _weights.ensure_whisper_base()
        return WhisperEngine(
            name, path, _weights.WHISPER_BASE.file("model.bin").sha256,
            _weights.WHISPER_BASE.origin, english_only=False, beam_size=5, threads=cpu_threads,
        )  # fmt: skip
    if name == "whisper-tiny.en":
        path = _weights.ensure_whisper_tiny_en()
        return WhisperEngine(
            name, path, _weights.WHISPER_TINY_EN.file("model.bin").sha256,
            _weights.WHISPER_TINY_EN.origin, english_only=True, beam_size=1, threads=cpu_threads,
            keyterm_prompt=LIST_PROMPT,
        )  # fmt: skip
    if name.startswith("whisper-hub:") and name.partition(":")[2]:
        hub_name = name.partition(":")[2]
        path = _weights.fetch_hub_model(hub_name)
        return _whisper_from_dir(name, path, f"hub:{hub_name}", cpu_threads)
    raise EngineError(
        f"unknown speech engine {name!r}; use whisper-base, whisper-tiny.en, whisper-local, "
        "whisper-hub:<model name> or instant"
    )


_LOCAL_OVERRIDABLE: Final = frozenset({"whisper-base", "whisper-tiny.en", "whisper-local"})


def _env_model_dir() -> Path | None:
    value = os.environ.get("SCRIBE_EVAL_ASR_MODEL_DIR", "").strip()
    return Path(value).expanduser() if value else None


def _local_engine(directory: Path, threads: int) -> WhisperEngine:
    _weights.check_local_model_dir(directory)
    return _whisper_from_dir("whisper-local", directory, f"local:{directory}", threads)


def _whisper_from_dir(name: str, directory: Path, origin: str, threads: int) -> WhisperEngine:
    digest = _weights.cached_sha256(directory / "model.bin")
    english_only = _is_english_only(directory)
    return WhisperEngine(name, directory, digest, origin, english_only, 5, threads)


def _is_english_only(directory: Path) -> bool:
    # A multilingual Whisper vocabulary has 51865+ tokens; the English-only models have 51864.
    vocabulary = directory / "vocabulary.txt"
    if vocabulary.is_file():
        with vocabulary.open(encoding="utf-8") as handle:
            return sum(1 for _ in handle) < 51865
    return directory.name.endswith(".en")


def create_note_engine(name: str = DEFAULT_NOTE_ENGINE, **options: Any) -> NoteEngine:
    """Build a note engine by name: ``template`` (default) or ``openai``.

    ``options`` go to the engine's constructor (for ``openai``: ``base_url``, ``model``,
    ``api_key``, ``timeout_s``; missing ones come from the ``SCRIBE_EVAL_NOTE_*`` variables).

    Raises:
        EngineError: Unknown name, or the ``openai`` engine lacks its base URL or model.
    """
    if name == "template":
        from scribe_eval.emulator.engines._notes_template_engine import TemplateNoteEngine

        if options:
            raise EngineError(
                f"the template note engine takes no options (got {', '.join(sorted(options))}); "
                "leave them out or use the openai engine"
            )
        return TemplateNoteEngine()
    if name == "openai":
        from scribe_eval.emulator.engines._notes_openai import OpenAINoteEngine

        return OpenAINoteEngine.from_env(**options)
    raise EngineError(f"unknown note engine {name!r}; use 'template' (the default) or 'openai'")


def engine_identity(
    asr_engine: str = DEFAULT_ASR_ENGINE,
    note_engine: str = DEFAULT_NOTE_ENGINE,
    *,
    model_dir: Path | None = None,
) -> dict[str, Any]:
    """What makes the emulator's answers what they are: its version and each engine's identity
    (model hashes and versions), never its port. Weights are verified, no model is loaded.

    ``scribe-eval emulator identity`` prints it; the runner keys its cache on it.

    Raises:
        EngineError: Unknown engine name, or missing/altered weights.
    """
    from scribe_eval._version import __version__

    asr = create_asr_engine(asr_engine, model_dir=model_dir).identity()
    notes = create_note_engine(note_engine).identity()
    return {"emulator": __version__, "asr": asr, "notes": notes}
