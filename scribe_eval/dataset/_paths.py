"""Findings collection and safe resolution of paths written in a manifest."""

from __future__ import annotations

import json
from pathlib import Path

from scribe_eval.dataset._model import Finding, Severity
from scribe_eval.dataset._text import TextEncodingProblem, decode_utf8

MANIFEST_NAME = "dataset.yaml"


def manifest_path(path: Path) -> Path:
    """The manifest file for a dataset folder, or the path itself when it names a file."""
    return path / MANIFEST_NAME if path.is_dir() else path


class Findings:
    """An ordered list of findings with helpers that keep the call sites short."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.items: list[Finding] = []

    def add(self, severity: Severity, encounter: str | None, path: str | None, msg: str) -> None:
        """Record one finding."""
        self.items.append(
            Finding(severity=severity, encounter_id=encounter, path=path, message=msg)
        )

    def error(self, encounter: str | None, path: str | None, message: str) -> None:
        """Record an error."""
        self.add("error", encounter, path, message)

    def warning(self, encounter: str | None, path: str | None, message: str) -> None:
        """Record a warning."""
        self.add("warning", encounter, path, message)

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity error."""
        return [f for f in self.items if f.severity == "error"]

    def resolve(self, encounter: str, rel: str) -> Path | None:
        """Resolve a manifest path inside the root; record an error and return None otherwise."""
        candidate = Path(rel)
        if candidate.is_absolute():
            self.error(
                encounter,
                rel,
                "absolute paths are refused; give a path relative to the "
                "dataset folder and copy the file into it",
            )
            return None
        resolved = (self.root / candidate).resolve()
        if not resolved.is_relative_to(self.root):
            self.error(
                encounter,
                rel,
                "path leaves the dataset folder and is refused; copy the "
                "file into the dataset folder and give a path relative to it",
            )
            return None
        if not resolved.exists():
            self.error(encounter, rel, "file not found; create it or correct the path")
            return None
        if not resolved.is_file():
            self.error(encounter, rel, "is not a regular file; point to a file")
            return None
        return resolved

    def read_text(self, encounter: str, rel: str) -> str | None:
        """Read a UTF-8 text file named in the manifest, recording every problem."""
        path = self.resolve(encounter, rel)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.error(encounter, rel, f"cannot be read ({exc.strerror}); fix its permissions")
            return None
        try:
            text, had_bom = decode_utf8(data)
        except TextEncodingProblem as problem:
            self.error(
                encounter,
                rel,
                f"is not UTF-8: it looks like {problem.guess}; re-save it "
                "as UTF-8 (e.g. iconv -f <encoding> -t UTF-8)",
            )
            return None
        if had_bom:
            self.warning(
                encounter,
                rel,
                "starts with a UTF-8 byte-order mark; it was ignored, "
                "but re-save without it for other tools",
            )
        return text

    def read_json(self, encounter: str, rel: str) -> object | None:
        """Read a UTF-8 JSON file named in the manifest, recording every problem."""
        text = self.read_text(encounter, rel)
        if text is None:
            return None
        try:
            data: object = json.loads(text)
            return data
        except json.JSONDecodeError as exc:
            self.error(
                encounter,
                rel,
                f"is not valid JSON ({exc.msg} at line {exc.lineno}); fix the syntax",
            )
            return None
