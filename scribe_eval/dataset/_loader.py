"""Loading a manifest into a Dataset while collecting every problem as a Finding."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scribe_eval._yaml import YamlTextError, load_yaml_text
from scribe_eval.dataset._audio import audio_hash
from scribe_eval.dataset._checks import AudioChecker
from scribe_eval.dataset._languages import language_problem
from scribe_eval.dataset._manifest import (
    AudioEntry,
    EncounterEntry,
    ManifestHeader,
    MetadataEntry,
    NoteEntry,
    TermEntry,
)
from scribe_eval.dataset._model import (
    Dataset,
    Encounter,
    EncounterMetadata,
    Finding,
    ReferenceNote,
    Term,
    Turn,
)
from scribe_eval.dataset._notes import parse_markdown_sections
from scribe_eval.dataset._paths import Findings, manifest_path
from scribe_eval.dataset._sections import check_note
from scribe_eval.dataset._transcript import parse_json_transcript, parse_plain_transcript
from scribe_eval.errors import DatasetError

_KNOWN_FIELDS = sorted(
    {
        name
        for model in (
            ManifestHeader,
            EncounterEntry,
            AudioEntry,
            NoteEntry,
            TermEntry,
            MetadataEntry,
        )
        for name in model.model_fields
    }
)
_MAX_KEYTERMS = 1000
_MAX_KEYTERM_CHARS = 50


def collect(path: Path, *, deep: bool) -> tuple[Dataset | None, list[Finding]]:
    """Load the dataset at ``path`` and return it (None if unusable) with every finding.

    ``deep`` also decodes every audio file (undecodable, empty or silent audio).
    """
    manifest = manifest_path(Path(path))
    findings = Findings(manifest.parent)
    raw = _read_manifest(manifest, findings)
    if raw is None:
        return None, findings.items
    header: ManifestHeader | None = None
    try:
        header = ManifestHeader.model_validate(raw)
    except ValidationError as exc:
        _pydantic_findings(findings, None, manifest.name, exc)
    # A broken header must not hide the encounters' problems: check them with what is there.
    language = str(raw.get("default_language", "en"))
    problem = language_problem(language)
    if problem:
        findings.error(None, manifest.name, f"default_language: {problem}")
    raws = raw.get("encounters")
    loader = _EncounterLoader(findings, language, AudioChecker(findings, deep=deep))
    encounters = loader.load_all(raws if isinstance(raws, list) else [], manifest.name)
    if header is None or findings.errors:
        return None, findings.items
    dataset = Dataset(
        name=header.name,
        description=header.description,
        licence=header.licence,
        root=findings.root,
        default_language=header.default_language,
        encounters=tuple(encounters),
        content_hash=_dataset_hash(header, encounters),
    )
    return dataset, findings.items


def load_dataset(path: str | Path) -> Dataset:
    """Load a dataset folder (or its ``dataset.yaml``) for evaluation.

    Reads the manifest, every reference and every audio header; computes content hashes.

    Raises:
        DatasetError: on the first error found, with a count of the others and the command that
            lists them all.
    """
    dataset, findings = collect(Path(path), deep=False)
    errors = [f for f in findings if f.severity == "error"]
    if dataset is None or errors:
        first = errors[0] if errors else None
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DatasetError(
            f"dataset {path} is unusable: {first}{more}; run `scribe-eval dataset validate {path}`"
        )
    return dataset


def _read_manifest(manifest: Path, findings: Findings) -> dict[str, Any] | None:
    if not manifest.exists():
        findings.error(
            None,
            str(manifest),
            "no dataset manifest here; give a dataset folder "
            "that holds dataset.yaml, or the manifest file itself",
        )
        return None
    text = findings.read_text("", manifest.name)
    if text is None:
        return None
    try:
        raw = load_yaml_text(text)
    except YamlTextError as exc:
        findings.error(None, manifest.name, f"{exc}")
        return None
    if not isinstance(raw, dict):
        findings.error(None, manifest.name, "must be a YAML mapping with name and encounters")
        return None
    if not raw.get("encounters"):
        findings.error(
            None, manifest.name, "has no encounters; add at least one under 'encounters:'"
        )
    return raw


def _pydantic_findings(
    findings: Findings, encounter: str | None, path: str, exc: ValidationError
) -> None:
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(error["loc"][-1]), _KNOWN_FIELDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "check its spelling"
            message = f"unknown field; {hint}"
        elif error["type"] == "string_pattern_mismatch":
            message = "use letters, digits, '.', '_' and '-' only (start with a letter or digit)"
        findings.error(encounter, path, f"{where}: {message}")


class _EncounterLoader:
    def __init__(self, findings: Findings, default_language: str, audio: AudioChecker) -> None:
        self.findings = findings
        self.default_language = default_language
        self.audio = audio

    def load_all(self, raws: list[Any], manifest: str) -> list[Encounter]:
        encounters: list[Encounter] = []
        seen: set[str] = set()
        for index, raw in enumerate(raws):
            label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{index}"
            try:
                entry = EncounterEntry.model_validate(raw)
            except ValidationError as exc:
                _pydantic_findings(self.findings, label, manifest, exc)
                continue
            if entry.id in seen:
                self.findings.error(
                    entry.id,
                    manifest,
                    f"encounter id {entry.id!r} is used twice; give each encounter its own id",
                )
                continue
            seen.add(entry.id)
            encounter = self.load(entry)
            if encounter is not None:
                encounters.append(encounter)
        return encounters

    def load(self, entry: EncounterEntry) -> Encounter | None:
        before = len(self.findings.errors)
        language = entry.language or self.default_language
        problem = language_problem(language)
        if problem:
            self.findings.error(entry.id, None, f"language: {problem}")
        turns = self._turns(entry)
        notes = {kind: self._note(entry.id, kind, note) for kind, note in entry.notes.items()}
        self._check_content(entry)
        audio = self.audio.check(entry.id, entry.audio) if entry.audio else None
        if len(self.findings.errors) > before:
            return None
        resolved = {k: n for k, n in notes.items() if n is not None}
        terms = tuple(Term(text=t.text, kind=t.kind) for t in entry.terms)
        self._check_terms(entry.id, terms, turns or [], resolved)
        metadata = EncounterMetadata(
            specialty=entry.metadata.specialty,
            visit_type=entry.metadata.visit_type,
            tags=tuple(entry.metadata.tags),
        )
        paths = list(audio.paths) if audio else []
        return Encounter(
            id=entry.id,
            language=language,
            audio=audio,
            audio_hash=audio_hash(paths) if paths else None,
            channel_roles=dict(entry.audio.roles) if entry.audio else {},
            reference_turns=tuple(turns or ()),
            notes=resolved,
            terms=terms,
            keyterms=tuple(entry.keyterms),
            metadata=metadata,
            reference_hash=_reference_hash(language, turns or [], resolved, entry),
        )

    def _turns(self, entry: EncounterEntry) -> list[Turn] | None:
        rel = entry.transcript
        if rel is None:
            return None
        if rel.lower().endswith(".json"):
            data = self.findings.read_json(entry.id, rel)
            if data is None:
                return None
            turns, problems = parse_json_transcript(data)
        else:
            text = self.findings.read_text(entry.id, rel)
            if text is None:
                return None
            turns, problems = parse_plain_transcript(text)
        for problem in problems:
            self.findings.error(entry.id, rel, problem)
        if not any(turn.text for turn in turns):
            self.findings.error(
                entry.id,
                rel,
                "reference transcript is empty; write the spoken "
                "words as 'Doctor: ...' / 'Patient: ...' lines",
            )
        return turns

    def _note(self, encounter: str, kind: str, note: NoteEntry) -> ReferenceNote | None:
        where = note.path or f"notes.{kind}"
        sections = dict(note.sections) if note.sections is not None else None
        if note.path is not None:
            sections = self._note_file(encounter, note.path)
        if sections is None:
            return None
        check_note(self.findings, encounter, where, sections, note.section_keys)
        path = (self.findings.root / note.path).resolve() if note.path else None
        return ReferenceNote(
            note_type=kind, sections=sections, section_keys=dict(note.section_keys), path=path,
            ratings=dict(note.ratings),
        )  # fmt: skip

    def _note_file(self, encounter: str, rel: str) -> dict[str, str] | None:
        text = self.findings.read_text(encounter, rel)
        if text is None:
            return None
        if rel.lower().endswith((".yaml", ".yml")):
            try:
                data = load_yaml_text(text)
            except YamlTextError as exc:
                self.findings.error(encounter, rel, f"{exc}")
                return None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                self.findings.error(encounter, rel, "must be a mapping of heading to text")
                return None
            return {str(k): v.strip() for k, v in data.items()}
        sections, problems = parse_markdown_sections(text)
        for problem in problems:
            self.findings.warning(encounter, rel, problem)
        return sections

    def _check_terms(
        self,
        encounter: str,
        terms: tuple[Term, ...],
        turns: list[Turn],
        notes: dict[str, ReferenceNote],
    ) -> None:
        # A term found in no reference cannot be checked for in a generated note: likely a typo.
        haystack = " ".join([t.text for t in turns] + [n.text for n in notes.values()]).lower()
        missing = [term.text for term in terms if term.text.lower() not in haystack]
        if missing:
            self.findings.warning(
                encounter,
                None,
                f"terms {missing} appear in neither the reference transcript nor the notes; "
                "check their spelling",
            )

    def _check_content(self, entry: EncounterEntry) -> None:
        if entry.audio is None and entry.transcript is None:
            self.findings.error(
                entry.id,
                None,
                "has neither audio nor a reference transcript; "
                "add one of them so the API has something to write a note from",
            )
        if entry.transcript is None and not entry.notes:
            self.findings.error(
                entry.id,
                None,
                "has no reference transcript and no reference "
                "note, so nothing can be scored; add at least one",
            )
        if len(entry.keyterms) > _MAX_KEYTERMS:
            self.findings.error(
                entry.id,
                None,
                f"has {len(entry.keyterms)} keyterms; the API accepts at most {_MAX_KEYTERMS}",
            )
        for term in entry.keyterms:
            if not term.strip() or len(term) > _MAX_KEYTERM_CHARS:
                self.findings.error(
                    entry.id,
                    None,
                    f"keyterm {term!r} must be 1-"
                    f"{_MAX_KEYTERM_CHARS} characters; shorten or remove it",
                )


def _reference_hash(
    language: str, turns: list[Turn], notes: dict[str, ReferenceNote], entry: EncounterEntry
) -> str:
    payload = {
        "language": language,
        "turns": [t.model_dump(mode="json") for t in turns],
        "notes": {k: [n.sections, n.section_keys] for k, n in sorted(notes.items())},
        "terms": [t.model_dump(mode="json") for t in entry.terms],
        "keyterms": entry.keyterms,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _dataset_hash(header: ManifestHeader, encounters: list[Encounter]) -> str:
    payload = [header.name, header.default_language] + [
        [
            e.id,
            e.audio_hash,
            e.reference_hash,
            sorted(e.channel_roles.items()),
            e.metadata.model_dump(mode="json"),
        ]
        for e in encounters
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def validate_dataset(path: str | Path) -> list[Finding]:
    """Check a dataset thoroughly and return every problem found (empty when it is clean).

    Besides everything ``load_dataset`` checks, every audio file is decoded in full (damaged,
    empty or silent audio).
    """
    return collect(Path(path), deep=True)[1]
