"""Audio checks: files present and inside the root, decodable, not empty or silent, sane format."""

from __future__ import annotations

import re
from pathlib import Path

from scribe_eval.dataset._audio import SILENCE_PEAK, FileHeader, audio_info, channel_peaks, probe
from scribe_eval.dataset._integrity import container_problem
from scribe_eval.dataset._manifest import AudioEntry
from scribe_eval.dataset._model import AudioInfo
from scribe_eval.dataset._paths import Findings

MAX_DURATION_S = 120 * 60
MAX_BYTES = 150 * 1024 * 1024
MIN_SAMPLE_RATE = 8000
RECOMMENDED_SAMPLE_RATE = 16000
SHORT_DURATION_S = 1.0


class AudioChecker:
    """Checks an encounter's audio entry; ``deep`` also decodes every sample."""

    def __init__(self, findings: Findings, *, deep: bool) -> None:
        self.findings = findings
        self.deep = deep

    def check(self, encounter: str, entry: AudioEntry) -> AudioInfo | None:
        """Return the AudioInfo, or None (with findings recorded) when the audio is unusable."""
        rels: list[str] = (
            [entry.path] if entry.path is not None else list((entry.channel_paths or {}).values())
        )
        per_channel = entry.channel_paths is not None
        paths: list[Path] = []
        headers: list[FileHeader] = []
        for rel in rels:
            path = self.findings.resolve(encounter, rel)
            header = self._file(encounter, rel, path, mono=per_channel) if path else None
            if path is None or header is None:
                continue
            paths.append(path)
            headers.append(header)
        if len(headers) != len(rels):
            return None
        self._layout(encounter, rels, headers, entry, per_channel=per_channel)
        return audio_info(paths, headers, per_channel=per_channel)

    def _file(self, encounter: str, rel: str, path: Path, *, mono: bool) -> FileHeader | None:
        if path.stat().st_size == 0:
            self.findings.error(encounter, rel, "audio file is empty (0 bytes); replace it")
            return None
        try:
            header = probe(path)
        except (RuntimeError, OSError) as exc:  # soundfile's LibsndfileError is a RuntimeError
            self.findings.error(
                encounter,
                rel,
                f"audio cannot be decoded ({_short(exc)}); convert it to WAV, FLAC or Ogg",
            )
            return None
        add = self.findings.add
        if path.stat().st_size > MAX_BYTES:
            add(
                "error",
                encounter,
                rel,
                "audio is larger than the API's 150 MB limit; "
                "compress it (FLAC or Ogg) or split the visit",
            )
        if header.frames == 0:
            add("error", encounter, rel, "audio is empty (no samples); replace the file")
            return None
        if header.duration_s > MAX_DURATION_S:
            add(
                "error",
                encounter,
                rel,
                f"audio lasts {header.duration_s / 60:.0f} min, over "
                "the API's 120 min limit; split the visit",
            )
        elif header.duration_s < SHORT_DURATION_S:
            add(
                "warning",
                encounter,
                rel,
                f"audio lasts only {header.duration_s:.2f} s; check that the file is complete",
            )
        if header.sample_rate < MIN_SAMPLE_RATE:
            add(
                "error",
                encounter,
                rel,
                f"sample rate {header.sample_rate} Hz is too low for "
                "speech recognition; record at 16000 Hz or more",
            )
        elif header.sample_rate < RECOMMENDED_SAMPLE_RATE:
            add(
                "warning",
                encounter,
                rel,
                f"sample rate {header.sample_rate} Hz is below the "
                "recommended 16000 Hz; expect a higher error rate",
            )
        if mono and header.channels != 1:
            add(
                "error",
                encounter,
                rel,
                f"has {header.channels} channels but channel_paths "
                "needs one mono file per channel; split it or use 'path'",
            )
        if self.deep:
            return header if self._signal(encounter, rel, path, header) else None
        return header

    def _signal(self, encounter: str, rel: str, path: Path, header: FileHeader) -> bool:
        try:
            frames, peaks = channel_peaks(path)
        except (RuntimeError, OSError) as exc:  # soundfile's LibsndfileError is a RuntimeError
            self.findings.error(
                encounter,
                rel,
                f"audio fails to decode part-way ({_short(exc)}); "
                "the file is damaged: re-export it",
            )
            return False
        if frames == 0:
            self.findings.error(encounter, rel, "audio decodes to no samples; replace the file")
            return False
        damage = self._damage(path, header, frames)
        if damage is not None:
            self.findings.error(
                encounter, rel, f"audio is damaged: {damage}; re-export or copy the file again"
            )
            return False
        if max(peaks) < SILENCE_PEAK:
            self.findings.error(
                encounter,
                rel,
                "audio is silent on every channel; check the recording and replace the file",
            )
            return False
        silent = [c for c, peak in enumerate(peaks) if peak < SILENCE_PEAK]
        if silent and header.channels > 1:
            self.findings.warning(
                encounter,
                rel,
                f"channels {silent} are silent; check the microphone of that participant",
            )
        return True

    def _damage(self, path: Path, header: FileHeader, frames: int) -> str | None:
        """Truncation or damage the decoder passed over (see ``_integrity``), else None."""
        if frames < header.frames:
            rate = header.sample_rate or 1
            return (
                f"it decodes to {frames / rate:.2f} s of the {header.duration_s:.2f} s its "
                "header declares"
            )
        try:
            return container_problem(path, header.format)
        except OSError as exc:
            return f"it cannot be read to the end ({exc.strerror or exc})"

    def _layout(
        self,
        encounter: str,
        rels: list[str],
        headers: list[FileHeader],
        entry: AudioEntry,
        *,
        per_channel: bool,
    ) -> None:
        where = rels[0]
        channels = len(headers) if per_channel else headers[0].channels
        if per_channel and len({h.sample_rate for h in headers}) > 1:
            rates = [h.sample_rate for h in headers]
            self.findings.error(
                encounter,
                where,
                f"channel files have different sample rates {rates}; resample them to one rate",
            )
        too_high = sorted(c for c in entry.roles if c >= channels)
        if too_high:
            self.findings.error(
                encounter,
                where,
                f"roles name channels {too_high} but the audio "
                f"has {channels} channel(s); fix the roles or the file",
            )
        elif channels > 1 and not entry.roles:
            self.findings.warning(
                encounter,
                where,
                f"audio has {channels} channels but no roles; "
                "it will be mixed down. Add roles: {0: doctor, 1: patient}",
            )
        elif entry.roles and len(entry.roles) < channels:
            missing = sorted(set(range(channels)) - set(entry.roles))
            self.findings.warning(
                encounter,
                where,
                f"channels {missing} have no role; add them to roles (doctor, patient or multiple)",
            )
        durations = [h.duration_s for h in headers]
        if per_channel and max(durations) - min(durations) > 1.0:
            self.findings.warning(
                encounter,
                where,
                "channel files differ in length by more than "
                "1 s; check they are from the same recording",
            )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # libsndfile repeats the whole path ("Error opening '/x/y.ogg': ..."); the finding names it.
    text = re.sub(r"^Error opening '.*?': ", "", text)
    return text[:120]
