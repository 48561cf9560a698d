"""ACI-Bench: doctor-patient dialogues with full visit notes, no audio (Yim et al., 2023).

Layouts read, as the wyim/aci-bench repository publishes them (SRC is a file or any folder):

- ``challenge_data/<split>.csv``: ``dataset, encounter_id, dialogue, note``; beside it
  ``<split>_metadata.csv`` (``encounter_id, cc, patient_gender, ...``), read when present.
- ``src_experiment_data/<split>_<source>.csv``: the same with an ``id`` column instead.
- ``challenge_data_json/<split>.json`` and ``<split>_full.json`` (the same visits twice) and
  ``<split>_<division>.json`` (one note division each), all ``{"data": [{"src", "tgt", "file"}]}``
  with ``file`` like ``D2N001-virtassist-subjective``.

Each visit is imported once: records with the same dialogue are merged, whatever file they
come from (a division file only adds a note when no file has the whole note). A visit id that
comes back with another dialogue (an ASR variant of the visit) gets its file name added.
Dialogues use ``[doctor]``/``[patient]`` turns; empty turns are dropped and reported. The
note's upper-case headings become sections mapped to the vendor's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scribe_eval.dataset.importers._common import parse_dialogue, split_note
from scribe_eval.dataset.importers._tables import (
    read_csv_rows,
    read_json,
    require_columns,
    table_files,
)
from scribe_eval.dataset.importers._writer import DatasetWriter, ImportedEncounter
from scribe_eval.errors import DatasetError

NOTE_TYPE = "visit-note"
DIVISIONS = ("subjective", "objective_exam", "objective_results", "assessment_and_plan")
_METADATA_SUFFIX = "_metadata"


@dataclass
class _Visit:
    id: str
    dialogue: str
    where: str
    note: str = ""
    divisions: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def import_aci_bench(src: Path, writer: DatasetWriter) -> list[str]:
    """Import every visit once as a transcript-only encounter with its visit note."""
    if (src / "data" / "challenge_data").is_dir():
        raise DatasetError(
            f"{src} is the whole ACI-Bench repository, whose baselines/ and results/ hold model "
            f"outputs, not visits; give {src / 'data'} (or data/challenge_data for the 5 splits)"
        )
    files = table_files(src, (".csv", ".json"))
    tables = [p for p in files if not p.stem.endswith(_METADATA_SUFFIX)]
    if not tables:
        raise DatasetError(
            f"{src} is ACI-Bench metadata only; give the split's CSV (e.g. "
            f"{files[0].name.replace(_METADATA_SUFFIX, '')}): its metadata beside it is read too"
        )
    visits: dict[str, _Visit] = {}
    for path in tables:
        for visit in _visits(path):
            _merge(visits, visit, path)
    return [problem for visit in visits.values() for problem in _write(visit, writer)]


def _merge(visits: dict[str, _Visit], visit: _Visit, path: Path) -> None:
    # A visit is its dialogue: the same text under another file (or another split's JSON) is
    # the same visit, and numbered JSON items ("0-aci") have no visit id to match on.
    key = " ".join(visit.dialogue.split())
    known = visits.get(key)
    if known is None:
        if any(v.id == visit.id for v in visits.values()):
            visit.id = f"{visit.id}-{path.stem}"
        visits[key] = visit
        return
    known.note = known.note or visit.note
    known.divisions.update(visit.divisions)
    known.tags += [t for t in visit.tags if t not in known.tags]


def _write(visit: _Visit, writer: DatasetWriter) -> list[str]:
    dialogue = parse_dialogue(visit.dialogue)
    note = visit.note or "\n\n".join(visit.divisions[d] for d in DIVISIONS if d in visit.divisions)
    if not dialogue.turns or not note.strip():
        return [f"{visit.where}: empty dialogue or note, visit skipped"]
    writer.add(
        ImportedEncounter(
            id=visit.id,
            turns=dialogue.turns,
            notes={NOTE_TYPE: split_note(note)},
            tags=visit.tags,
        )
    )
    problem = dialogue.problem(visit.where)
    return [problem] if problem else []


def _visits(path: Path) -> list[_Visit]:
    if path.suffix.lower() == ".json":
        return _json_visits(path)
    rows = read_csv_rows(path)
    id_column = "encounter_id" if rows and "encounter_id" in rows[0] else "id"
    require_columns(path, rows, [id_column, "dialogue", "note"])
    metadata = _metadata(path.with_name(f"{path.stem}{_METADATA_SUFFIX}{path.suffix}"))
    return [
        _Visit(
            id=row[id_column] or f"{path.stem}-{index}",
            dialogue=row["dialogue"],
            where=f"{path.name} row {index} ({row[id_column]})",
            note=row["note"],
            tags=_tags(row.get("dataset", ""), metadata.get(row[id_column], {})),
        )
        for index, row in enumerate(rows, start=1)
    ]


def _json_visits(path: Path) -> list[_Visit]:
    data = read_json(path)
    items = data.get("data", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise DatasetError(f"{path} is not ACI-Bench JSON; expected {{'data': [...]}}")
    visits = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        name = str(item.get("file") or f"{path.stem}-{index}")
        vid, source, division = _file_parts(name)
        vid = f"{path.stem}-{vid}" if vid.isdigit() else vid
        visit = _Visit(vid, str(item.get("src", "")), f"{path.name} item {index} ({name})")
        if division:
            visit.divisions[division] = str(item.get("tgt", ""))
        else:
            visit.note = str(item.get("tgt", ""))
        visit.tags = [source] if source else []
        visits.append(visit)
    return visits


def _file_parts(name: str) -> tuple[str, str, str]:
    """``D2N001-virtassist-subjective`` -> (``D2N001``, ``virtassist``, ``subjective``)."""
    division = next((d for d in DIVISIONS if name.endswith(f"-{d}")), "")
    stem = name.removesuffix(f"-{division}") if division else name
    vid, _, source = stem.partition("-")
    return vid, source, division


def _metadata(path: Path) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    rows = read_csv_rows(path)
    id_column = "encounter_id" if rows and "encounter_id" in rows[0] else "id"
    return {row.get(id_column, ""): row for row in rows}


def _tags(source: str, meta: dict[str, str]) -> list[str]:
    # Names of the (synthetic) patients and doctors are left out on purpose.
    tags = [source.strip()] if source.strip() else []
    for column, prefix in (("cc", "cc"), ("patient_gender", "gender")):
        value = " ".join(meta.get(column, "").split())
        if value:
            tags.append(f"{prefix}:{value}")
    return tags
