"""cpWER, ORC-WER and the swap flag on hand-computed examples."""

from __future__ import annotations

import json

import pytest

from scribe_eval.errors import MetricError
from scribe_eval.metrics import speaker_attribution

REF = [
    ("doctor", "How are you today?"),
    ("patient", "Fine, thanks doctor."),
    ("doctor", "Any fever?"),
]  # 9 words: doctor 6, patient 3


def _swapped(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("patient" if s == "doctor" else "doctor", t) for s, t in turns]


@pytest.mark.parametrize(
    ("hyp", "cpwer", "orcwer", "labelled", "swap"),
    [
        pytest.param(REF, 0.0, 0.0, 0.0, False, id="perfect"),
        # Every word right, every label swapped: permutation-free metrics forgive it, the flag
        # and the labelled WER do not (doctor: 3 substitutions + 3 deletions; patient:
        # 3 substitutions + 3 insertions; 12 errors over 9 words).
        pytest.param(_swapped(REF), 0.0, 0.0, 12 / 9, True, id="swap"),
        # The patient's words given to the doctor: 3 deletions + 3 insertions under cpWER, none
        # under ORC-WER (the utterance may go to the doctor's stream).
        pytest.param(
            [("doctor", "how are you today fine thanks doctor"), ("doctor", "any fever")],
            6 / 9, 0.0, 6 / 9, False, id="one-speaker",
        ),
        # One word attributed across a turn boundary: 1 insertion + 1 deletion either way.
        pytest.param(
            [("doctor", "how are you today fine"), ("patient", "thanks doctor"),
             ("doctor", "any fever")],
            2 / 9, 2 / 9, 2 / 9, False, id="boundary-word",
        ),
        pytest.param([], 1.0, 1.0, 1.0, False, id="empty-hypothesis"),
    ],
)  # fmt: skip
def test_known_values(
    hyp: list[tuple[str, str]], cpwer: float, orcwer: float, labelled: float, swap: bool
) -> None:
    result = speaker_attribution(REF, hyp)
    assert result.cpwer == pytest.approx(cpwer)
    assert result.orcwer == pytest.approx(orcwer)
    assert result.labelled_wer == pytest.approx(labelled)
    assert result.attribution_error_rate == pytest.approx(cpwer - orcwer)
    assert result.speaker_swap is swap


def test_empty_reference_gives_none_and_json() -> None:
    result = speaker_attribution([], REF)
    assert result.cpwer is None
    assert result.orcwer is None
    data = speaker_attribution(REF, _swapped(REF)).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["assignment"] == {"doctor": "patient", "patient": "doctor"}


def test_bad_turns_are_one_line_errors() -> None:
    with pytest.raises(MetricError, match="pairs"):
        speaker_attribution([("doctor",)], REF)  # type: ignore[list-item]
