"""Transcription off the event loop: one worker thread runs every speech job, in order.

A job is a stored transcript row in status ``processing``; the worker decodes the recording (or
takes the audio its upload decoded, see `DecodedRecordings`), runs the speech engine and stores
the finished body (``completed``) or the reason it failed (``failed``). Synchronous requests wait
for their job; asynchronous ones (202) do not. One job at a time is deliberate: a Whisper call
already uses every core. Jobs left ``processing`` by a process
that stopped are resumed when the next one starts (the request and the audio are both stored).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Final

from scribe_eval.api import CreateTranscriptRequest, Replacement
from scribe_eval.emulator._store import EmulatorStore, RecordingRow, TranscriptRow
from scribe_eval.emulator.engines import AsrEngine, AsrSegment, DecodedAudio, decode_audio
from scribe_eval.errors import ScribeEvalError

logger = logging.getLogger(__name__)

FAULT_KEY: Final = "_emulatorFault"
"""Key in a stored request marking a transcript the fault plan chose to fail."""

_SPOKEN: Final = (
    (r"\s*\b(full stop|period)\b", "."), (r"\s*\bcomma\b", ","), (r"\s*\bquestion mark\b", "?"),
    (r"\s*\bexclamation (mark|point)\b", "!"), (r"\s*\bcolon\b", ":"),
)  # fmt: skip
_PUNCTUATION: Final = re.compile(r"[.,?!;:]")


#: Most bytes of decoded audio `DecodedRecordings` keeps (a 30-minute stereo recording is 230 MB).
DECODED_MAX_BYTES: Final = 64 * 1024 * 1024


class DecodedRecordings:
    """Audio decoded at upload, kept for the recording's first transcription.

    An upload is decoded whole before its 201 (to refuse what cannot be decoded); transcribing it
    decoded the same file again, a few milliseconds per recording on the same cores as the event
    loop. The first job for a recording takes its audio from here (each decoded array serves one
    job, so no engine ever shares one); later jobs, and recordings pushed out by newer ones past
    ``max_bytes``, decode from disk as before. A deleted recording's audio is dropped with it.
    Thread-safe: uploads put from the event loop, jobs take on the worker thread.
    """

    def __init__(self, max_bytes: int = DECODED_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._audio: OrderedDict[str, tuple[str, DecodedAudio]] = OrderedDict()
        self._bytes = 0

    def put(self, interaction_id: str, recording_id: str, audio: DecodedAudio) -> None:
        """Keep a just-uploaded recording's audio (not one larger than ``max_bytes``)."""
        size = audio.samples.nbytes
        if size > self.max_bytes:
            return
        with self._lock:
            self._audio[recording_id] = (interaction_id, audio)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, oldest) = self._audio.popitem(last=False)
                self._bytes -= oldest.samples.nbytes

    def take(self, recording_id: str) -> DecodedAudio | None:
        """The recording's audio, removed from here; None when not kept."""
        with self._lock:
            kept = self._audio.pop(recording_id, None)
            if kept is None:
                return None
            self._bytes -= kept[1].samples.nbytes
            return kept[1]

    def drop(self, *, interaction_id: str, recording_id: str | None = None) -> None:
        """Forget a deleted recording, or every recording of a deleted interaction."""
        with self._lock:
            for rid, (iid, audio) in list(self._audio.items()):
                if iid == interaction_id and recording_id in (None, rid):
                    del self._audio[rid]
                    self._bytes -= audio.samples.nbytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._audio)


class TranscriptWorker:
    """Runs speech jobs one at a time on a worker thread and stores their results."""

    def __init__(self, store: EmulatorStore, engine: AsrEngine) -> None:
        self._store = store
        self._engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scribe-eval-asr")
        self.decoded = DecodedRecordings()

    def submit(self, transcript_id: str) -> Future[TranscriptRow | None]:
        """Queue the job of a stored ``processing`` transcript; do not wait for it."""
        return self._pool.submit(self.process, transcript_id)

    async def run(self, transcript_id: str) -> TranscriptRow | None:
        """Queue a job and wait for it without blocking the event loop."""
        return await asyncio.wrap_future(self.submit(transcript_id))

    def resume_interrupted(self) -> int:
        """Queue every transcript a previous process left ``processing``; how many."""
        pending = self._store.transcripts(status="processing")
        for row in pending:
            self.submit(row.id)
        return len(pending)

    def close(self) -> None:
        """Stop taking jobs (the running one finishes)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def process(self, transcript_id: str) -> TranscriptRow | None:
        """Do one job now, on the calling thread; ``None`` if the transcript was deleted."""
        row = self._store.transcript(transcript_id)
        if row is None:
            return None
        request = dict(row.request)
        if request.pop(FAULT_KEY, False):
            return self._finish(row, "failed", "injected fault: the transcript failed")
        recording = self._store.recording(row.recording_id)
        if recording is None:
            return self._finish(row, "failed", "the recording was deleted before transcription")
        try:
            parsed = CreateTranscriptRequest.model_validate(request)
            audio = self.decoded.take(recording.id)
            body = transcribe_recording(self._engine, recording, parsed, row.id, audio=audio)
        except ScribeEvalError as exc:
            return self._finish(row, "failed", exc.message)
        except Exception as exc:  # The job must end failed, whatever the engine raised.
            logger.exception("transcript %s failed", row.id)
            return self._finish(row, "failed", f"internal error: {type(exc).__name__}")
        done = replace(row, status="completed", body=body, error=None)
        return done if self._store.finish_transcript(done) else None

    def _finish(self, row: TranscriptRow, status: str, error: str) -> TranscriptRow | None:
        body = {**row.body, "status": status}
        done = replace(row, status=status, body=body, error=error)
        return done if self._store.finish_transcript(done) else None


def transcribe_recording(
    engine: AsrEngine,
    recording: RecordingRow,
    request: CreateTranscriptRequest,
    tid: str,
    *,
    audio: DecodedAudio | None = None,
) -> dict[str, Any]:
    """Decode a recording (unless ``audio`` is its decoded file already), recognise it as the
    request asks, and build the wire transcript."""
    if audio is None:
        audio = decode_audio(recording.path)
    multichannel = request.is_multichannel and audio.channels > 1
    if audio.channels > 1 and not multichannel:
        audio = DecodedAudio.from_array(audio.mono(), format=audio.format)
    keyterms = [k.term for k in request.keyterms.terms] if request.keyterms else []
    segments = engine.transcribe(
        audio,
        language=request.primary_language,
        keyterms=keyterms,
        multichannel=multichannel,
        diarize=request.diarize,
    )
    roles = [p.to_wire() for p in request.participants] if request.participants else None
    return {
        "id": tid,
        "recordingId": recording.id,
        "status": "completed",
        "metadata": {"participantsRoles": roles},
        "transcripts": [_segment(s, request, multichannel=multichannel) for s in segments],
        "usageInfo": {"creditsConsumed": round(recording.duration_s / 60, 4)},
    }


def _segment(
    segment: AsrSegment, request: CreateTranscriptRequest, *, multichannel: bool
) -> dict[str, Any]:
    # Multichannel: a participant per channel (the roles in metadata are keyed by channel).
    # Mono: the participant is the speaker the engine found (always 0 unless diarising).
    return {
        "channel": segment.channel if multichannel else 0,
        "participant": segment.channel if multichannel else segment.speaker,
        "speakerId": segment.speaker,
        "text": finish_text(segment.text, request),
        "start": segment.start_ms,
        "end": segment.end_ms,
    }


def finish_text(text: str, request: CreateTranscriptRequest) -> str:
    """Apply spoken punctuation, punctuation removal and the replacements to a segment's text."""
    if request.spoken_punctuation:
        for pattern, mark in _SPOKEN:
            text = re.sub(pattern, mark, text, flags=re.IGNORECASE)
    if not request.automatic_punctuation and not request.spoken_punctuation:
        text = _PUNCTUATION.sub("", text)
    return apply_replacements(text.strip(), request.replacements or [])


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    # A function, not a template string, so backslashes in the replacement stay literal.
    return lambda _match: replacement


def apply_replacements(text: str, replacements: Sequence[Replacement]) -> str:
    """Replace each ``find`` (whole words, any case) with its ``replace``, in order."""
    for item in replacements:
        left = r"\b" if item.find[:1].isalnum() else ""
        right = r"\b" if item.find[-1:].isalnum() else ""
        pattern = re.compile(left + re.escape(item.find) + right, re.IGNORECASE)
        text = pattern.sub(_literal(item.replace), text)
    return text
