"""The word-by-word transcript alignment of an encounter page, rebuilt with `metrics.wer`.

The alignment runs over normalised words (the words WER counted), laid out along the reference's
speaker turns; substitutions, deletions and insertions are coloured, lettered (S/D/I) and carry
a tooltip; the encounter's medical terms are marked where the reference says them. Words are
escaped with `html.escape` (quotes included), faster than markupsafe's on thousands of words.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from scribe_eval.api import Transcript
from scribe_eval.dataset import Encounter
from scribe_eval.errors import ScribeEvalError
from scribe_eval.metrics import NORMALIZERS, WerResult, get_normalizer, wer

_AS_IS = NORMALIZERS["none"]


@dataclass(frozen=True)
class AlignedTurn:
    """One reference turn: its speaker and the aligned words as safe markup."""

    speaker: str
    html: Markup


@dataclass(frozen=True)
class Alignment:
    """A transcript's alignment against the reference, per turn, with its counts."""

    turns: tuple[AlignedTurn, ...]
    result: WerResult
    terms_missed: tuple[str, ...]
    terms_found: tuple[str, ...]


def align(encounter: Encounter, transcript: Transcript, normalizer: str) -> Alignment | None:
    """Align the transcript to the encounter's reference; None when there is no reference."""
    if not encounter.reference_text.strip():
        return None
    try:
        norm = get_normalizer(normalizer.split("@", 1)[0] or "basic")
    except ScribeEvalError:
        norm = get_normalizer("basic")
    # Normalising turn by turn gives the turn boundaries; the words are then aligned as they are
    # (the "none" normaliser splits on spaces), so each text is normalised only once.
    said = [(t.speaker, norm.words(t.text)) for t in encounter.reference_turns if t.text]
    reference = " ".join(" ".join(words) for _, words in said)
    result = wer(reference, " ".join(norm.words(transcript.text())), normalizer=_AS_IS)
    sizes = [len(words) for _, words in said]
    speakers = [speaker for speaker, _ in said]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    term_at, term_words = _terms(encounter, norm.words, result.ref_words)
    bodies: list[list[str]] = [[] for _ in sizes]

    def turn_of(index: int) -> int:
        return max(bisect_right(starts, index) - 1, 0)

    for op in result.ops:
        ref = result.ref_words[op.ref_start : op.ref_end]
        hyp = result.hyp_words[op.hyp_start : op.hyp_end]
        if op.kind == "insert":
            where = turn_of(max(op.ref_start - 1, 0))
            bodies[where] += [_insert(word) for word in hyp]
            continue
        for offset, word in enumerate(ref):
            index = op.ref_start + offset
            heard = hyp[offset] if op.kind == "substitute" and offset < len(hyp) else None
            bodies[turn_of(index)].append(_word(op.kind, word, heard, term_at.get(index)))
    missed = {term_at[i] for i, ok in _term_hits(result, term_at).items() if not ok}
    turns = tuple(
        AlignedTurn(speaker, Markup(" ".join(body)))
        for speaker, body in zip(speakers, bodies, strict=True)
    )
    return Alignment(turns, result, tuple(sorted(missed)), tuple(sorted(set(term_words) - missed)))


def _terms(
    encounter: Encounter, words: object, ref_words: tuple[str, ...]
) -> tuple[dict[int, str], list[str]]:
    """Reference word index -> the medical term said there, and the terms found at all."""
    at: dict[int, str] = {}
    found: list[str] = []
    for term in encounter.terms:
        pattern = tuple(words(term.text))  # type: ignore[operator]
        if not pattern:
            continue
        size = len(pattern)
        for start in range(len(ref_words) - size + 1):
            if ref_words[start : start + size] == pattern:
                found.append(term.text)
                for k in range(start, start + size):
                    at[k] = term.text
    return at, found


def _term_hits(result: WerResult, term_at: dict[int, str]) -> dict[int, bool]:
    """For each reference index inside a term: whether it was recognised (an equal op)."""
    hits: dict[int, bool] = {}
    for op in result.ops:
        for index in range(op.ref_start, op.ref_end):
            if index in term_at:
                hits[index] = op.kind == "equal"
    return hits


def _word(kind: str, word: str, heard: str | None, term: str | None) -> str:
    extra = " term" if term else ""
    term_note = f"; medical term “{escape(term)}”" if term else ""
    if kind == "equal":
        if term:
            return f'<mark class="term" title="medical term “{escape(term)}”">{escape(word)}</mark>'
        return str(escape(word))
    if kind == "substitute":
        return (
            f'<span class="op sub{extra}" title="substitution: said “{escape(word)}”, heard '
            f'“{escape(heard or "")}”{term_note}"><s>{escape(word)}</s> '
            f"<b>{escape(heard or '')}</b></span>"
        )
    return (
        f'<span class="op del{extra}" title="deletion: “{escape(word)}” was not heard{term_note}">'
        f"<s>{escape(word)}</s></span>"
    )


def _insert(word: str) -> str:
    return (
        f'<span class="op ins" title="insertion: “{escape(word)}” heard but not said">'
        f"<b>{escape(word)}</b></span>"
    )


def recognised_segments(transcript: Transcript) -> list[tuple[str, str, str]]:
    """The transcript as the API returned it: (speaker, time range, text) per segment."""
    roles = transcript.roles_by_channel()
    out = []
    for segment in transcript.segments:
        speaker = roles.get(segment.channel or 0) if roles else None
        if speaker is None:
            speaker = f"speaker {segment.speaker_id}" if segment.speaker_id is not None else "—"
        when = ""
        if segment.start is not None and segment.end is not None:
            when = f"{_clock(segment.start)}–{_clock(segment.end)}"
        out.append((speaker, when, segment.text))
    return out


def _clock(ms: int) -> str:
    seconds = max(ms, 0) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"
