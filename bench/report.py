"""Build the HTML report of a synthetic run: 1,000 encounters x 3 templates (targets: <= 15 s,
overview < 2 MB).

The run is written straight through `RunStore` (a run record, one transcript cell and three
document cells per encounter, and their cached API answers) over a text-only dataset written to
a temporary folder; scores come from the runner's real scoring functions. The peer, measured in
the same process, is the floor every report pays: reading the run's cells and every stored
answer back from the store and parsing them. Run: ``.venv/bin/python bench/report.py``.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.experiment import MetricOptions
from scribe_eval.metrics import METRICS_VERSION
from scribe_eval.report import build_report
from scribe_eval.runner import score_document, score_transcript
from scribe_eval.store import CellRecord, RunRecord, RunStore

ENCOUNTERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
TEMPLATES = ("soap-brief", "soap-detailed", "h-and-p")
TARGET_SECONDS = 15.0
TARGET_OVERVIEW_BYTES = 2 * 1024 * 1024
SEED = 11
SECTIONS = {
    "Subjective": "corti-subjective",
    "Objective": "corti-objective",
    "Assessment": "corti-assessment",
    "Plan": "corti-plan",
}
_VOCABULARY = (
    "patient reports cough fever pain chest breath short three days week night worse better "
    "since started taking tablets twice daily morning evening no history of allergy penicillin "
    "blood pressure normal heart sounds clear lungs abdomen soft tender left right knee ankle "
    "swelling rest review follow up in two weeks amoxicillin 500 mg paracetamol ibuprofen"
)
WORDS = _VOCABULARY.split()
SPECIALTIES = ("general-practice", "cardiology", "respiratory", "orthopaedics", "paediatrics")
TAGS = ("adult", "child", "chronic", "new-patient", "telephone", "interpreter")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_dataset(root: Path, rng: random.Random) -> Dataset:
    (root / "transcripts").mkdir(parents=True)
    entries = []
    for i in range(ENCOUNTERS):
        ident = f"enc-{i:04d}"
        turns = [
            f"{'Doctor' if t % 2 == 0 else 'Patient'}: {sentence(rng, rng.randint(8, 22))}"
            for t in range(rng.randint(8, 14))
        ]
        (root / "transcripts" / f"{ident}.txt").write_text("\n".join(turns) + "\n")
        notes = {h: " ".join(sentence(rng, rng.randint(5, 12)) for _ in range(2)) for h in SECTIONS}
        entries.append(
            {
                "id": ident,
                "transcript": f"transcripts/{ident}.txt",
                "notes": {"soap": {"sections": notes, "section_keys": SECTIONS}},
                "terms": [{"text": "amoxicillin", "kind": "medication"}],
                "metadata": {
                    "specialty": rng.choice(SPECIALTIES),
                    "visit_type": "acute",
                    "tags": rng.sample(TAGS, 2),
                },
            }
        )
    manifest = {"name": "bench", "default_language": "en", "encounters": entries}
    (root / "dataset.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return load_dataset(root)


def garble(text: str, rng: random.Random, rate: float) -> str:
    out = []
    for word in text.split():
        roll = rng.random()
        if roll < rate / 3:
            continue
        out.append(rng.choice(WORDS) if roll < rate else word)
        if roll > 1 - rate / 3:
            out.append(rng.choice(WORDS))
    return " ".join(out)


def write_run(store: RunStore, dataset: Dataset, rng: random.Random) -> RunRecord:
    options = MetricOptions()
    run = RunRecord(
        id="bench-run",
        name="bench",
        status="completed",
        created="2026-11-24T00:00:00.000Z",
        experiment_hash="0" * 64,
        dataset_name=dataset.name,
        dataset_hash=dataset.content_hash,
        target={"kind": "embedded"},
        config={"sources": ["asr"]},
        provenance={
            "dataset": {"root": str(dataset.root)},
            "templates": [
                {"label": t, "spec_hash": f"{i}" * 64, "reference": "soap"}
                for i, t in enumerate(TEMPLATES)
            ],
            "metrics": {
                "version": METRICS_VERSION,
                "tokenizer": "unicode",
                "seed": 1,
                "bootstrap": 2000,
                "normalizers": {"en": "english-clinical"},
            },
        },
    )
    store.create_run(run)
    for encounter in dataset.encounters:
        write_transcript(store, run, encounter, rng, options)
        for quality, template in enumerate(TEMPLATES):
            write_document(store, run, encounter, template, rng, options, 0.1 + 0.1 * quality)
    return run


def write_transcript(
    store: RunStore, run: RunRecord, e: Encounter, rng: random.Random, options: MetricOptions
) -> None:
    segments = [
        {
            "channel": t % 2,
            "text": garble(turn.text, rng, 0.12),
            "start": t * 4000,
            "end": t * 4000 + 3500,
        }
        for t, turn in enumerate(e.reference_turns)
    ]
    wire: dict[str, Any] = {
        "id": e.id,
        "transcripts": segments,
        "metadata": {
            "participantsRoles": [
                {"channel": 0, "role": "doctor"},
                {"channel": 1, "role": "patient"},
            ]
        },
    }
    key = f"t-{e.id}"
    store.cache_put(key, "transcript", wire)
    scores = score_transcript(e, Transcript.model_validate(wire), options, "en")
    store.put_cell(
        CellRecord(
            run_id=run.id,
            cell_id=f"{e.id}|transcript|en|asr",
            kind="transcript",
            encounter_id=e.id,
            language="en",
            recording_language="en",
            source="asr",
            status="ok",
            cache_key=key,
            scores=scores,
        )
    )


def write_document(
    store: RunStore,
    run: RunRecord,
    e: Encounter,
    template: str,
    rng: random.Random,
    options: MetricOptions,
    rate: float,
) -> None:
    reference = e.notes["soap"]
    sections = [
        {
            "key": key,
            "name": heading,
            "text": garble(reference.sections[heading], rng, rate),
            "sort": i,
        }
        for i, (heading, key) in enumerate(SECTIONS.items())
        if rng.random() > rate / 2
    ]
    wire = {"id": f"{e.id}-{template}", "sections": sections}
    key = f"d-{e.id}-{template}"
    store.cache_put(key, "document", wire)
    scores = score_document(
        e, Document.model_validate(wire), note_type="soap", output_language="en", options=options
    )
    store.put_cell(
        CellRecord(
            run_id=run.id,
            cell_id=f"{e.id}|{template}|en|asr",
            kind="document",
            encounter_id=e.id,
            template_label=template,
            language="en",
            recording_language="en",
            source="asr",
            status="ok",
            cache_key=key,
            scores=scores,
        )
    )


def read_everything(store: RunStore, run: RunRecord) -> int:
    """The peer: every cell and stored answer read back and parsed."""
    count = 0
    for cell in store.cells(run.id):
        entry = store.cache_get(cell.cache_key or "")
        if entry is not None:
            model = Transcript if cell.kind == "transcript" else Document
            model.model_validate(entry.value)
            count += 1
    return count


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the page workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        dataset = write_dataset(root / "dataset", rng)
        with RunStore(root / "runs") as store:
            run = write_run(store, dataset, rng)
            setup = time.perf_counter() - started
            started = time.perf_counter()
            answers = read_everything(store, run)
            peer = time.perf_counter() - started
            started = time.perf_counter()
            load_dataset(dataset.root)
            dataset_load = time.perf_counter() - started
            results = {}
            for label, no_text in (("full", False), ("no-text", True)):
                started, cpu = time.perf_counter(), cpu_seconds()
                index = build_report(store, run, root / label, no_text=no_text)
                results[label] = (time.perf_counter() - started, cpu_seconds() - cpu, index)
        print(f"synthetic run: {ENCOUNTERS} encounters x {len(TEMPLATES)} templates")
        print(
            f"  written in {setup:.1f} s; load average {os.getloadavg()[0]:.1f}, "
            f"{os.cpu_count()} CPUs"
        )
        print(f"peer: read + parse the {answers} stored answers: {peer:.2f} s")
        print(f"part of every build: load_dataset of the dataset: {dataset_load:.2f} s")
        for label, (seconds, cpu, index) in results.items():
            overview = index.stat().st_size
            total = folder_bytes(index.parent)
            pages = (
                len(list((index.parent / "encounters").glob("*.html")))
                if (index.parent / "encounters").exists()
                else 0
            )
            print(
                f"{label:8s} build {seconds:6.2f} s wall, {cpu:5.2f} s CPU incl. workers "
                f"({seconds / TARGET_SECONDS:.2f} x the 15 s target, {seconds / peer:.1f} x the "
                f"peer) | overview {overview / 1e6:.2f} MB "
                f"({overview / TARGET_OVERVIEW_BYTES:.2f} x the 2 MB target) | folder "
                f"{total / 1e6:.1f} MB, {pages} encounter pages"
            )


if __name__ == "__main__":
    main()
