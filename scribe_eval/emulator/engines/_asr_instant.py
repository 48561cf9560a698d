"""The ``instant`` load-test engine: a fixed transcript at once, no model, never the default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from scribe_eval.emulator.engines._asr import ASR_PIPELINE_VERSION, AsrSegment, whisper_language
from scribe_eval.emulator.engines._audio import DecodedAudio, is_silent

_INSTANT_LINES: Final = (
    "Good morning, what brings you in today?",
    "I have had a cough and a sore throat for about three days.",
    "Any fever, shortness of breath or chest pain?",
    "A mild fever at night, no chest pain.",
    "Are you taking any medication at the moment?",
    "Only paracetamol when I need it.",
    "Your chest sounds clear and your throat is a little red.",
    "This looks like a viral infection; rest, fluids and come back if it gets worse.",
)


@dataclass
class InstantEngine:
    """Load-test engine: a fixed doctor-patient dialogue, one line per 4 s of audio, no model.

    Never the default. Lines alternate between speakers 0 and 1 (and channels 0 and 1 for
    multichannel audio); silent audio still gives no segments, as the contract requires.
    """

    name: str = "instant"
    seconds_per_line: float = 4.0

    def identity(self) -> dict[str, str]:
        """The engine name and pipeline version (there is no model)."""
        return {"engine": self.name, "pipeline": ASR_PIPELINE_VERSION}

    def transcribe(
        self,
        audio: DecodedAudio,
        *,
        language: str,
        keyterms: Sequence[str] = (),
        multichannel: bool = False,
        diarize: bool = False,
    ) -> list[AsrSegment]:
        """The fixed transcript scaled to the audio's duration (no recognition happens)."""
        whisper_language(language)
        if is_silent(audio):
            return []
        count = max(1, round(audio.duration_s / self.seconds_per_line))
        step = audio.duration_s * 1000 / count
        two_channels = multichannel and audio.channels > 1
        return [
            AsrSegment(
                _INSTANT_LINES[i % len(_INSTANT_LINES)],
                round(i * step),
                round((i + 0.9) * step),
                channel=i % 2 if two_channels else 0,
                speaker=i % 2 if two_channels or diarize else 0,
            )
            for i in range(count)
        ]
