"""A small synthetic run for report tests, written straight through `RunStore`.

Transcripts and documents are derived from the dataset's references with planted errors (a
substituted word, a dropped section, a changed dose) and scored with the runner's real scoring
functions, so every number in the report is one the product would compute.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.experiment import MetricOptions
from scribe_eval.metrics import METRICS_VERSION
from scribe_eval.report import build_report
from scribe_eval.runner import normalizer_for, score_document, score_transcript
from scribe_eval.store import CellRecord, RunRecord, RunStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "mini"
SOAP_KEYS = ("corti-subjective", "corti-objective", "corti-assessment", "corti-plan")

HypothesisFn = Callable[[Encounter, str], str]
DocumentFn = Callable[[Encounter, str], dict[str, str]]


def swap_words(text: str) -> str:
    """A recognition error: 'cough' heard as 'cuff', 'rash' as 'rush', 'three' dropped."""
    return text.replace("cough", "cuff").replace("rash", "rush").replace("three ", "")


def plain_hypothesis(encounter: Encounter, label: str) -> str:
    """The reference turn with planted recognition errors."""
    return swap_words(label)


def note_by_template(encounter: Encounter, template: str) -> dict[str, str]:
    """Template 'soap-full' copies the reference; 'soap-short' drops the plan, changes a word."""
    note = encounter.notes["soap"]
    sections = {note.section_keys[h]: body for h, body in note.sections.items()}
    if template == "soap-short":
        sections.pop("corti-plan", None)
        sections["corti-subjective"] = sections["corti-subjective"].replace("3", "4")
        sections["corti-social"] = "Lives alone."
    return sections


@dataclass
class RunSpec:
    """What a synthetic run holds."""

    run_id: str
    templates: tuple[str, ...] = ("soap-full", "soap-short")
    hypothesis: HypothesisFn = plain_hypothesis
    document: DocumentFn = note_by_template
    failed_documents: tuple[tuple[str, str], ...] = ()
    extra_provenance: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(
        default_factory=lambda: {"kind": "embedded", "identity": "emulator test"}
    )


def write_run(store: RunStore, dataset: Dataset, spec: RunSpec) -> RunRecord:
    """Store one run: a transcript cell per encounter and a document cell per template."""
    options = MetricOptions()
    languages = sorted({e.language for e in dataset.encounters})
    run = RunRecord(
        id=spec.run_id,
        name="report-test",
        status="completed",
        created="2026-11-24T01:00:00.000Z",
        finished="2026-11-24T01:05:00.000Z",
        experiment_path="experiments/test.yaml",
        experiment_hash="e" * 64,
        dataset_name=dataset.name,
        dataset_hash=dataset.content_hash,
        target=spec.target,
        config={"name": "report-test", "sources": ["asr"]},
        provenance={
            "scribe_eval": "0.test",
            "python": "3.11",
            "dependencies": {"jiwer": "4"},
            "dataset": {
                "name": dataset.name,
                "hash": dataset.content_hash,
                "root": str(dataset.root),
            },
            "templates": [
                {
                    "label": t,
                    "spec_hash": f"{i:02d}" + "a" * 62,
                    "template_key": "corti-soap",
                    "source": None,
                    "reference": "soap",
                    "request": {},
                }
                for i, t in enumerate(spec.templates)
            ],
            "metrics": {
                "version": METRICS_VERSION,
                "normalizers": {lang: normalizer_for(options, lang) for lang in languages},
                "tokenizer": options.tokenizer,
                "stemmer": options.stemmer,
                "seed": 7,
                "bootstrap": 200,
            },
            "matrix": {"notes": []},
            **spec.extra_provenance,
        },
        api_calls=12,
    )
    store.create_run(run)
    for encounter in dataset.encounters:
        _transcript_cell(store, run, encounter, spec, options)
        for template in spec.templates:
            _document_cell(store, run, encounter, template, spec, options)
    return run


def _transcript_cell(
    store: RunStore, run: RunRecord, encounter: Encounter, spec: RunSpec, options: MetricOptions
) -> None:
    roles = {"doctor": 0, "patient": 1}
    segments = [
        {
            "channel": roles.get(t.speaker.lower(), 0),
            "text": spec.hypothesis(encounter, t.text),
            "start": 1000 * i,
            "end": 1000 * i + 900,
        }
        for i, t in enumerate(encounter.reference_turns)
    ]
    wire = {
        "id": f"tr-{encounter.id}",
        "status": "completed",
        "metadata": {
            "participantsRoles": [
                {"channel": 0, "role": "doctor"},
                {"channel": 1, "role": "patient"},
            ]
        },
        "transcripts": segments,
    }
    key = f"{run.id}-transcript-{encounter.id}"
    store.cache_put(key, "transcript", wire)
    scores = score_transcript(
        encounter, Transcript.model_validate(wire), options, encounter.language
    )
    store.put_cell(
        CellRecord(
            run_id=run.id,
            cell_id=f"{encounter.id}|transcript|{encounter.language}|asr",
            kind="transcript",
            encounter_id=encounter.id,
            language=encounter.language,
            recording_language=encounter.language,
            source="asr",
            status="ok",
            cache_key=key,
            scores=scores,
        )
    )


def _document_cell(
    store: RunStore,
    run: RunRecord,
    encounter: Encounter,
    template: str,
    spec: RunSpec,
    options: MetricOptions,
) -> None:
    cell_id = f"{encounter.id}|{template}|{encounter.language}|asr"
    common: dict[str, Any] = {
        "run_id": run.id,
        "cell_id": cell_id,
        "kind": "document",
        "encounter_id": encounter.id,
        "template_label": template,
        "spec_hash": "a" * 64,
        "language": encounter.language,
        "recording_language": encounter.language,
        "source": "asr",
    }
    if (encounter.id, template) in spec.failed_documents:
        store.put_cell(
            CellRecord(
                **common,
                status="error",
                stage="document",
                error_type="ServerError",
                error_message="the API answered 503 after 4 retries",
                request_id="req-503-abc",
            )
        )
        return
    sections = spec.document(encounter, template)
    wire = {
        "id": f"doc-{encounter.id}-{template}",
        "name": template,
        "outputLanguage": encounter.language,
        "sections": [
            {"key": k, "name": k.removeprefix("corti-").title(), "text": t, "sort": i}
            for i, (k, t) in enumerate(sections.items())
        ],
    }
    key = f"{run.id}-document-{encounter.id}-{template}"
    store.cache_put(key, "document", wire)
    scores = score_document(
        encounter,
        Document.model_validate(wire),
        note_type="soap",
        output_language=encounter.language,
        options=options,
    )
    store.put_cell(CellRecord(**common, status="ok", cache_key=key, scores=scores))


@pytest.fixture
def mini_dataset(tmp_path: Path) -> Dataset:
    """A private copy of the mini fixture dataset (its root is under tmp_path)."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return load_dataset(root)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    """An empty run store under tmp_path."""
    with RunStore(tmp_path / "runs") as opened:
        yield opened


def write_text_dataset(root: Path, encounters: list[dict[str, Any]]) -> Dataset:
    """A text-only dataset (no audio) from plain dicts: id, turns [(speaker, text)], notes."""
    (root / "transcripts").mkdir(parents=True, exist_ok=True)
    entries = []
    for item in encounters:
        path = root / "transcripts" / f"{item['id']}.txt"
        path.write_text("".join(f"{s}: {t}\n" for s, t in item["turns"]), encoding="utf-8")
        entries.append(
            {
                "id": item["id"],
                "transcript": f"transcripts/{item['id']}.txt",
                "notes": {
                    "soap": {
                        "sections": item["notes"],
                        "section_keys": dict(zip(item["notes"], SOAP_KEYS, strict=False)),
                    }
                },
                "terms": item.get("terms", []),
                "metadata": item.get("metadata", {}),
            }
        )
    manifest = {"name": "textset", "default_language": "en", "encounters": entries}
    (root / "dataset.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return load_dataset(root)


@dataclass(frozen=True)
class Kit:
    """The helpers above, handed to tests as a fixture (test modules cannot import conftest)."""

    write_run: Callable[[RunStore, Dataset, RunSpec], RunRecord] = write_run
    write_text_dataset: Callable[[Path, list[dict[str, Any]]], Dataset] = write_text_dataset
    swap_words: Callable[[str], str] = swap_words
    note_by_template: Callable[[Encounter, str], dict[str, str]] = note_by_template


@pytest.fixture
def kit() -> Kit:
    """Helpers to write datasets and runs."""
    return Kit()


@pytest.fixture
def run_spec() -> type[RunSpec]:
    """The `RunSpec` class (what a synthetic run holds)."""
    return RunSpec


def visit(number: int, specialty: str) -> dict[str, Any]:
    """A text-only visit whose reference mentions a dose, a medication and a negation."""
    return {
        "id": f"v{number:02d}",
        "turns": [
            ("Doctor", f"What brings you in today, visit {number}?"),
            ("Patient", f"I have had a cough for {number + 2} days and no fever."),
            ("Doctor", "Take amoxicillin 500 mg three times daily and rest."),
        ],
        "notes": {
            "Subjective": f"Cough for {number + 2} days. No fever.",
            "Objective": "Chest clear on examination.",
            "Assessment": "Likely bacterial bronchitis.",
            "Plan": "Amoxicillin 500 mg three times daily. Review if not better.",
        },
        "terms": [{"text": "amoxicillin", "kind": "medication"}],
        "metadata": {"specialty": specialty, "visit_type": "acute", "tags": ["adult"]},
    }


@pytest.fixture
def twelve_visits(tmp_path: Path) -> Dataset:
    """Twelve text-only visits in two specialties: enough for a significant difference."""
    items = [visit(n, "general-practice" if n % 2 else "respiratory") for n in range(12)]
    return write_text_dataset(tmp_path / "twelve", items)


SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=2">'


def evil_dataset(kit: Kit, root: Path) -> Dataset:
    """A visit whose transcript, note and terms carry script and attribute injections."""
    return kit.write_text_dataset(
        root,
        [
            {
                "id": "evil",
                "turns": [("Doctor", f"Hello {SCRIPT} there"), ("Patient", f"Pain {IMG} here")],
                "notes": {"Subjective": f"Pain {IMG}.", "Plan": f"Rest {SCRIPT}."},
                "terms": [{"text": "<b>bold</b>"}],
                "metadata": {"specialty": f"x{IMG}", "tags": [SCRIPT]},
            },
            {
                "id": "plain",
                "turns": [("Doctor", "Hello there"), ("Patient", "Pain here")],
                "notes": {"Subjective": "Pain.", "Plan": "Rest."},
            },
        ],
    )


def evil_spec(run_spec: type[RunSpec], run_id: str) -> RunSpec:
    def document(encounter: Any, template: str) -> dict[str, str]:
        return {"corti-subjective": f"Pain {SCRIPT}", "corti-plan": f"Rest {IMG}"}

    return run_spec(
        run_id,
        templates=(f"tpl{SCRIPT}", f"tpl{IMG}"),
        hypothesis=lambda e, t: f"{t} {IMG}",
        document=document,
    )


@pytest.fixture
def evil_report(store: RunStore, kit: Kit, run_spec: type[RunSpec], tmp_path: Path) -> Path:
    """A report (with a compare view) whose every text carries script injections."""
    dataset = evil_dataset(kit, tmp_path / "evil")
    base = kit.write_run(store, dataset, evil_spec(run_spec, "evil-base"))
    run = kit.write_run(store, dataset, evil_spec(run_spec, "evil-cand"))
    return build_report(store, run, tmp_path / "out", compare_with=base)
