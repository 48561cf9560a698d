"""Speaker attribution in transcripts: cpWER, ORC-WER and the doctor/patient swap flag.

Definitions from the meeting-recognition literature, computed with the maintained ``meeteval``
package (von Neumann et al.):

- **cpWER** (concatenated minimum-permutation WER, CHiME-6): each speaker's words are concatenated
  on both sides, and the hypothesis speakers are matched to the reference speakers by the
  assignment with the fewest errors; errors of that assignment / reference words.
- **ORC-WER** (optimal reference combination WER): every reference utterance may go to whichever
  hypothesis speaker stream fits it best, so speaker labels cost nothing; it is the WER of the
  words alone, given the segmentation.

cpWER's assignment is found by trying each one (`_best_cp`) when a visit has at most six speakers;
of equally good assignments, the one that keeps the labels as given (then one without a swap)
wins (meeteval's optimiser decides beyond six speakers).

``cpwer - orcwer`` is the share of error due to attribution (right words, wrong speaker). A
permutation-free metric forgives a doctor/patient swap, which matters clinically, so
``speaker_swap`` says whether the best assignment maps the reference doctor to the hypothesis
patient and back; ``labelled_wer`` scores the labels as given (no permutation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scribe_eval.errors import MetricError
from scribe_eval.metrics._normalize import Normalizer, get_normalizer
from scribe_eval.metrics._transcript import Turn, speaker_wer
from scribe_eval.metrics._version import METRICS_VERSION

__all__ = ["AttributionResult", "speaker_attribution"]

_SESSION = "encounter"


@dataclass(frozen=True)
class AttributionResult:
    """cpWER, ORC-WER, the WER of the labels as given, and the swap flag of one transcript."""

    ref_words: int
    cp_errors: int
    orc_errors: int
    labelled_errors: int
    assignment: dict[str, str | None]
    speaker_swap: bool
    normalizer: str

    def _rate(self, errors: int) -> float | None:
        return errors / self.ref_words if self.ref_words else None

    @property
    def cpwer(self) -> float | None:
        """Errors of the best speaker assignment / reference words (``None`` without words)."""
        return self._rate(self.cp_errors)

    @property
    def orcwer(self) -> float | None:
        """Errors when every reference utterance picks its best hypothesis stream / words."""
        return self._rate(self.orc_errors)

    @property
    def labelled_wer(self) -> float | None:
        """Errors with the hypothesis labels taken as given (no permutation) / words."""
        return self._rate(self.labelled_errors)

    @property
    def attribution_error_rate(self) -> float | None:
        """cpWER - ORC-WER: the error due to words given to the wrong speaker."""
        return self._rate(self.cp_errors - self.orc_errors)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types under stable keys."""
        return {
            "cpwer": self.cpwer,
            "orcwer": self.orcwer,
            "labelled_wer": self.labelled_wer,
            "attribution_error_rate": self.attribution_error_rate,
            "speaker_swap": self.speaker_swap,
            "assignment": dict(self.assignment),
            "ref_words": self.ref_words,
            "normalizer": self.normalizer,
            "metrics_version": METRICS_VERSION,
        }


def speaker_attribution(
    ref_turns: Sequence[Turn],
    hyp_turns: Sequence[Turn],
    *,
    normalizer: str | Normalizer = "basic",
) -> AttributionResult:
    """cpWER, ORC-WER and the doctor/patient swap flag (see the module docstring).

    Args:
        ref_turns: Reference (speaker, text) turns in spoken order.
        hyp_turns: Hypothesis (speaker, text) turns in order, speakers as the API labelled them.
        normalizer: Applied to every turn before scoring.
    """
    norm = get_normalizer(normalizer)
    labelled = speaker_wer(ref_turns, hyp_turns, normalizer=norm)  # also checks the turn shape
    ref, hyp = _seglst(ref_turns, norm), _seglst(hyp_turns, norm)
    words = sum(len(s["words"].split()) for s in ref)
    if not words:
        return AttributionResult(0, 0, 0, 0, {}, False, norm.label)
    # meeteval is imported here, not at module level: it costs ~0.15 s that every other
    # metric (and `score notes`) would pay. It ships no type information.
    from meeteval.io import SegLST  # type: ignore[import-untyped]
    from meeteval.wer import api as meeteval_api  # type: ignore[import-untyped]

    try:
        hyp = _or_silence(hyp, ref)
        cp = _best_cp(ref, hyp)
        if cp is None:
            found = meeteval_api.cpwer(SegLST(ref), SegLST(hyp))[_SESSION]
            cp = found.errors, {r: h for r, h in found.assignment if r is not None}
        orc = meeteval_api.orcwer(SegLST(ref), SegLST(hyp))[_SESSION]
    except (ValueError, AssertionError) as exc:  # meeteval's own input checks
        raise MetricError(f"meeteval could not score these turns: {exc}; check the turns") from exc
    cp_errors, assignment = cp
    swap = _is_swap(assignment)
    labelled_errors = sum(r.errors for r in labelled.per_speaker.values())
    return AttributionResult(
        words, cp_errors, orc.errors, labelled_errors, assignment, swap, norm.label
    )


#: Most speakers on either side whose assignments `_best_cp` tries one by one (6! = 720).
_MAX_PERMUTED = 6


def _best_cp(
    ref: list[dict[str, Any]], hyp: list[dict[str, Any]]
) -> tuple[int, dict[str, str | None]] | None:
    """cpWER's errors and speaker assignment, every assignment tried (None: too many speakers).

    As meeteval's cpWER: each speaker's words concatenated on both sides, the smaller side padded
    with empty speakers, the errors the word-level edit distance of the assignment with the
    fewest. A visit has a few speakers, so every assignment is tried; meeteval solves it with
    SciPy's optimiser, whose import alone is 0.5-0.7 s of CPU (a run paid it in the middle of its
    calls), and it is left to meeteval beyond `_MAX_PERMUTED` speakers.

    Of assignments with the fewest errors, the one keeping the most speaker labels as the
    hypothesis gave them is chosen, then one that does not swap doctor and patient, then the
    first by speaker names: the words are no evidence of a swap, so none is claimed, and the
    choice does not depend on who spoke first. meeteval takes whichever the optimiser meets
    first, which flagged a doctor/patient swap on a tie.
    """
    from itertools import permutations

    from rapidfuzz.distance import Levenshtein

    refs, hyps = _speaker_words(ref), _speaker_words(hyp)
    ref_keys, hyp_keys = list(refs), list(hyps)
    size = max(len(refs), len(hyps))
    if size > _MAX_PERMUTED:
        return None
    # Rows and columns past a side's speakers are its padding: empty speakers.
    ref_words = [refs[k] for k in ref_keys] + [()] * (size - len(refs))
    hyp_words = [hyps[k] for k in hyp_keys] + [()] * (size - len(hyps))
    cost = [[Levenshtein.distance(r, h) for h in hyp_words] for r in ref_words]
    best: tuple[int, int, bool, list[tuple[str, str]]] | None = None
    chosen: dict[str, str | None] = {}
    for order in permutations(range(size)):
        errors = sum(cost[row][column] for row, column in enumerate(order))
        pairs = {
            r: hyp_keys[c] if c < len(hyp_keys) else None
            for r, c in zip(ref_keys, order[: len(ref_keys)], strict=True)
        }
        kept = sum(r == h for r, h in pairs.items())
        rank = (errors, -kept, _is_swap(pairs), sorted((str(r), str(h)) for r, h in pairs.items()))
        if best is None or rank < best:
            best, chosen = rank, pairs
    assert best is not None
    return best[0], chosen


def _is_swap(assignment: dict[str, str | None]) -> bool:
    """Whether an assignment maps the reference doctor to the hypothesis patient and back."""
    return assignment.get("doctor") == "patient" and assignment.get("patient") == "doctor"


def _speaker_words(segments: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Each speaker's words, concatenated in turn order (speakers in order of first turn)."""
    words: dict[str, list[str]] = {}
    for segment in sorted(segments, key=lambda s: s["start_time"]):
        words.setdefault(segment["speaker"], []).extend(segment["words"].split())
    return {speaker: tuple(w) for speaker, w in words.items()}


def _seglst(turns: Sequence[Turn], norm: Normalizer) -> list[dict[str, Any]]:
    """meeteval segments: normalised words, turn order kept through the turn index as times."""
    segments = []
    for i, (speaker, text) in enumerate(turns):
        words = " ".join(norm.words(text))
        if words:
            segments.append(
                {"session_id": _SESSION, "speaker": speaker, "words": words,
                 "start_time": i, "end_time": i + 1}
            )  # fmt: skip
    return segments


def _or_silence(hyp: list[dict[str, Any]], ref: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An empty hypothesis still needs the session: one empty segment of the first speaker."""
    if hyp:
        return hyp
    return [{**ref[0], "words": ""}]
