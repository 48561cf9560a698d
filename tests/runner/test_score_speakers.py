"""The runner's transcript scorer keeps speaker metrics when a segment is silent."""

from __future__ import annotations

from pathlib import Path

from scribe_eval.api import Transcript
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import MetricOptions
from scribe_eval.runner import score_transcript

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def test_a_blank_channel_segment_keeps_the_speaker_metrics() -> None:
    encounter = next(e for e in load_dataset(SAMPLE).encounters if e.language == "en")
    channels = {"doctor": 0, "patient": 1}
    segments = [
        {"channel": channels[t.speaker.lower()], "text": t.text} for t in encounter.reference_turns
    ]
    segments.insert(1, {"channel": 0, "text": " "})  # a silent stretch the API returned
    transcript = Transcript.model_validate(
        {
            "id": "t",
            "status": "completed",
            "metadata": {
                "participants_roles": [{"channel": c, "role": r} for r, c in channels.items()]
            },
            "transcripts": segments,
        }
    )
    scores = score_transcript(encounter, transcript, MetricOptions(), "en")
    assert scores["wer"] == 0.0
    assert scores["attributed_wer"] == 0.0
    assert scores["cpwer"] == 0.0
    assert set(scores["speakers"]) == {"doctor", "patient"}
