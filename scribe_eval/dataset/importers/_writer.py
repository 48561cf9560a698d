"""Writing an imported dataset folder in scribe-eval's format, atomically.

Everything is written into a hidden temporary folder beside DEST; ``finish`` writes the
manifest, validates the result and only then moves it into place (replacing DEST under
``force``). A failed import leaves DEST as it was and no half-written folder behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scribe_eval.dataset._loader import validate_dataset
from scribe_eval.dataset._model import Finding, Role, Turn
from scribe_eval.dataset._notes import format_markdown_sections
from scribe_eval.dataset._paths import MANIFEST_NAME
from scribe_eval.dataset._transcript import format_plain_transcript, speaker_of
from scribe_eval.errors import DatasetError


@dataclass
class ImportedNote:
    """A reference note found in the source: sections and the vendor keys found for them."""

    sections: dict[str, str]
    section_keys: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportedEncounter:
    """One encounter read from a public dataset, before it is written."""

    id: str
    turns: list[Turn]
    notes: dict[str, ImportedNote] = field(default_factory=dict)
    audio: list[Path] = field(default_factory=list)
    per_channel: bool = False
    roles: dict[int, Role] = field(default_factory=dict)
    language: str | None = None
    specialty: str | None = None
    visit_type: str | None = None
    tags: list[str] = field(default_factory=list)


def safe_id(raw: str) -> str:
    """An encounter id the manifest accepts, made from a source identifier."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", raw.strip()).strip("-._")
    return cleaned[:128] or "encounter"


class DatasetWriter:
    """Writes encounters into a temporary folder beside DEST, then validates and moves it."""

    def __init__(
        self, dest: Path, *, name: str, description: str, language: str, force: bool = False
    ) -> None:
        if dest.exists() and not dest.is_dir():
            raise DatasetError(f"{dest} is a file; give a folder path for the new dataset")
        if not force and dest.exists() and any(dest.iterdir()):
            what = "holds a dataset" if (dest / MANIFEST_NAME).exists() else "is not empty"
            raise DatasetError(f"{dest} {what}; import into a new folder or add --force")
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.dest = dest
        self.force = force
        self.work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.importing-", dir=dest.parent))
        self.header: dict[str, Any] = {
            "name": safe_id(name),
            "description": description,
            "licence": "see the source dataset's licence",
            "default_language": language,
        }
        self.entries: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.turns = 0
        self.notes = 0

    def add(self, encounter: ImportedEncounter) -> str:
        """Write one encounter's files; return the (unique) id it got."""
        eid = self._unique(safe_id(encounter.id))
        entry: dict[str, Any] = {"id": eid}
        if encounter.language:
            entry["language"] = encounter.language
        if encounter.audio:
            entry["audio"] = self._audio(eid, encounter)
        if encounter.turns:
            entry["transcript"] = self._transcript(eid, encounter.turns)
            self.turns += len(encounter.turns)
        notes = {}
        for kind, note in encounter.notes.items():
            rel = f"notes/{eid}.{kind}.md"
            self._write(rel, format_markdown_sections(note.sections))
            notes[kind] = (
                {"path": rel, "section_keys": note.section_keys}
                if note.section_keys
                else {"path": rel}
            )
        if notes:
            entry["notes"] = notes
            self.notes += len(notes)
        metadata = {
            "specialty": encounter.specialty,
            "visit_type": encounter.visit_type,
            "tags": encounter.tags,
        }
        if any(metadata.values()):
            entry["metadata"] = metadata
        self.entries.append(entry)
        return eid

    def finish(self) -> list[Finding]:
        """Write ``dataset.yaml``, validate, move into DEST; return the warnings found.

        Raises:
            DatasetError: nothing was imported, or the written dataset has errors.
        """
        if not self.entries:
            raise DatasetError("the source held no encounters to import; check the path and format")
        manifest = {**self.header, "encounters": self.entries}
        text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
        self._write(MANIFEST_NAME, text)
        findings = validate_dataset(self.work)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = "; ".join(str(f) for f in errors[:3])
            raise DatasetError(
                f"the imported dataset would not validate ({len(errors)} error(s): {first}); "
                "nothing was written to the destination"
            )
        self._move_into_place()
        return findings

    def discard(self) -> None:
        """Remove the temporary folder (after a failure); DEST is untouched."""
        shutil.rmtree(self.work, ignore_errors=True)

    def _move_into_place(self) -> None:
        # mkdtemp made the folder 0700 (private while it is written); the dataset gets the mode
        # any folder made here would have, so colleagues sharing it can read it.
        umask = os.umask(0)
        os.umask(umask)
        self.work.chmod(0o777 & ~umask)
        old: Path | None = None
        if self.dest.exists():
            old = self.work.with_name(self.work.name.replace(".importing-", ".replaced-"))
            self.dest.rename(old)
        self.work.rename(self.dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _unique(self, eid: str) -> str:
        candidate, n = eid, 2
        while candidate in self.ids:
            candidate, n = f"{eid}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def _audio(self, eid: str, encounter: ImportedEncounter) -> dict[str, Any]:
        rels = []
        for index, source in enumerate(encounter.audio):
            suffix = f"-ch{index}" if encounter.per_channel else ""
            rel = f"audio/{eid}{suffix}{source.suffix.lower()}"
            (self.work / "audio").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, self.work / rel)
            rels.append(rel)
        audio: dict[str, Any] = (
            {"channel_paths": dict(enumerate(rels))} if encounter.per_channel else {"path": rels[0]}
        )
        if encounter.roles:
            audio["roles"] = dict(encounter.roles)
        return audio

    def _transcript(self, eid: str, turns: list[Turn]) -> str:
        # Plain text is easier to read; JSON keeps times and speakers plain text cannot label.
        timed = any(t.start_ms is not None for t in turns)
        labelled = all(speaker_of(t.speaker) == t.speaker for t in turns)
        if timed or not labelled:
            rel = f"transcripts/{eid}.json"
            segments = [t.model_dump(exclude_none=True) for t in turns]
            self._write(rel, json.dumps({"segments": segments}, indent=1, ensure_ascii=False))
        else:
            rel = f"transcripts/{eid}.txt"
            self._write(rel, format_plain_transcript(turns))
        return rel

    def _write(self, rel: str, text: str) -> None:
        path = self.work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
