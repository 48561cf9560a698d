from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.cli import main
from scribe_eval.client import AmbientClient
from scribe_eval.errors import ConfigError
from scribe_eval.experiment import load_experiment
from scribe_eval.runner import RunOptions, RunOutcome, run_experiment
from scribe_eval.store import RemoteRecord, RunStore, utc_now

WriteExperiment = Callable[..., Path]
StartEmulator = Callable[..., AbstractContextManager[str]]
pytestmark = pytest.mark.slow


def _run(path: Path, runs: Path, resume: str | None = None) -> RunOutcome:
    options = RunOptions(runs_dir=runs, progress=False, resume=resume)
    return run_experiment(load_experiment(path), options)


def _identifiers(base_url: str) -> list[str]:
    async def collect() -> list[str]:
        async with AmbientClient(base_url) as client:
            return [
                i.encounter.identifier
                async for i in client.iter_interactions()
                if i.encounter is not None
            ]

    return asyncio.run(collect())


def test_matrix_shares_transcripts_and_an_unchanged_rerun_makes_no_call(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    first = _run(write_experiment(), runs)
    assert first.run.status == "completed"
    with RunStore(runs) as store:
        cells = store.cells(first.run.id)
    transcripts = [c for c in cells if c.kind == "transcript"]
    documents = [c for c in cells if c.kind == "document"]
    # Two encounters with audio (asr) and one transcript-only encounter (reference).
    assert sorted((c.encounter_id, c.source) for c in transcripts) == [
        ("en-01-cough", "asr"),
        ("en-02-rash", "asr"),
        ("en-03-headache-text-only", "reference"),
    ]
    assert len(documents) == 3 * 2
    assert all(c.status == "ok" for c in cells), [c.error_message for c in cells]
    # One transcript call per encounter with audio, shared by both templates' documents.
    calls = first.calls
    assert calls["POST /interactions/{id}/transcripts/"] == 2
    assert calls["POST /interactions/{id}/documents/"] == 6
    assert documents[0].scores["rougeL_f"] > 0

    second = _run(write_experiment(), runs)
    assert second.api_calls == 0
    assert second.from_cache == 6
    with RunStore(runs) as store:
        again = {c.cell_id: c.scores for c in store.cells(second.run.id)}
    assert again == {c.cell_id: c.scores for c in cells}


def test_changing_one_template_reruns_only_its_documents(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    template = tmp_path / "focused.yaml"
    template.write_text(
        "label: focused\nsections:\n  - key: corti-hpi\n  - key: corti-plan\n"
        "    formatRuleOverride: bullet list\n",
        encoding="utf-8",
    )
    entries = [{"key": "corti-soap", "label": "soap"}, {"file": str(template), "label": "focused"}]
    _run(write_experiment(templates=entries), runs)
    template.write_text(
        template.read_text(encoding="utf-8").replace("bullet list", "prose paragraphs"),
        encoding="utf-8",
    )
    changed = _run(write_experiment(templates=entries), runs)
    calls = changed.calls
    assert calls.get("POST /interactions/{id}/transcripts/", 0) == 0
    assert calls["POST /interactions/{id}/documents/"] == 3  # only the edited template's cells
    assert changed.from_cache == 3


def test_remote_interactions_are_cleaned_up(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    outcome = _run(write_experiment(), runs)
    assert outcome.deleted_interactions == 3
    with start_emulator(runs / "emulator") as base:
        assert _identifiers(base) == []


def test_faults_are_survived_or_recorded_as_data(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    target = {
        "kind": "embedded", "asr_engine": "instant", "fault_seed": 3,
        "faults": {"429": 0.3, "transcript-failed": 1.0},
    }  # fmt: skip
    outcome = _run(write_experiment(target=target, execution={"retries": 6}), runs)
    assert outcome.run.status == "completed"
    assert outcome.calls["POST /interactions/"] > 3 or outcome.api_calls > 16  # 429s retried
    with RunStore(runs) as store:
        cells = {c.cell_id: c for c in store.cells(outcome.run.id)}
    assert len(cells) == 3 + 6  # every cell is stored, failed or not
    for eid in ("en-01-cough", "en-02-rash"):
        transcript = cells[f"{eid}|transcript|en|asr"]
        assert (transcript.status, transcript.stage) == ("error", "transcript")
        assert transcript.error_type == "TranscriptFailedError"
        assert transcript.error_message
        for label in ("soap", "brief"):
            document = cells[f"{eid}|{label}|en|asr"]
            assert (document.status, document.stage) == ("error", "transcript")
    # The failure of one encounter never stops another: the text-only one is written and scored.
    for label in ("soap", "brief"):
        ok = cells[f"en-03-headache-text-only|{label}|en|reference"]
        assert ok.status == "ok"
        assert ok.scores["rougeL_f"] > 0


def test_resume_after_sigkill_finishes_without_duplicates(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    slow = {"kind": "embedded", "asr_engine": "instant", "latency_ms": 400}
    path = write_experiment(
        target=slow,
        cleanup={"delete_interactions": False},
        execution={"concurrency": 1, "transcript_concurrency": 1, "document_concurrency": 1},
    )
    command = [sys.executable, "-m", "scribe_eval.cli", "run", str(path), "--runs-dir", str(runs),
               "--no-progress"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    run_id = None
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if not (runs / "scribe-eval.sqlite").exists():
            continue
        with RunStore(runs) as store:
            listed = store.list_runs()
            if listed and len(store.cells(listed[0].id)) >= 2:
                run_id = listed[0].id
                break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert run_id is not None, "the run never got going"
    time.sleep(1.0)  # the emulator child gets SIGTERM from the kernel when its parent dies
    resumed = _run(path, runs, resume=run_id)
    assert resumed.run.status == "completed"
    with RunStore(runs) as store:
        cells = store.cells(run_id)
        reference = _run(path, tmp_path / "fresh")
        fresh = RunStore(tmp_path / "fresh")
        expected = {c.cell_id: c.scores for c in fresh.cells(reference.run.id)}
        fresh.close()
    assert len(cells) == 9
    assert all(c.status == "ok" for c in cells)
    assert {c.cell_id: c.scores for c in cells} == expected
    with start_emulator(runs / "emulator") as base:
        identifiers = [i for i in _identifiers(base) if f":{run_id}:" in i]
    counts = collections.Counter(identifiers)
    assert counts
    assert max(counts.values()) == 1, counts


def test_a_url_target_with_client_credentials_keeps_secrets_out_of_the_store(
    write_experiment: WriteExperiment,
    tmp_path: Path,
    start_emulator: StartEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = tmp_path / "runs"
    secret = "s3cret-never-stored"
    monkeypatch.setenv("HOSPITAL_ID", "scribe-eval-ci")
    monkeypatch.setenv("HOSPITAL_SECRET", secret)
    with start_emulator(
        tmp_path / "remote", "--auth", "client-credentials", "--client",
        f"acme:scribe-eval-ci:{secret}",
    ) as base:  # fmt: skip
        root = base.removesuffix("/v2")
        target = {
            "kind": "url", "base_url": base, "tenant": "acme", "auth": "client-credentials",
            "token_url": root + "/auth/realms/{tenant}/protocol/openid-connect/token",
            "client_id_env": "HOSPITAL_ID", "client_secret_env": "HOSPITAL_SECRET",
        }  # fmt: skip
        outcome = _run(write_experiment(target=target), runs)
        monkeypatch.setenv("HOSPITAL_SECRET", "wrong")
        refused = _run(
            write_experiment(name="again", target=target, templates=["corti-h-and-p"]), runs
        )
    assert outcome.run.status == "completed"
    assert outcome.errors == 0
    assert outcome.run.target == {"kind": "url", "base_url": base, "tenant": "acme"}
    with RunStore(runs) as store:
        failed = [c for c in store.cells(refused.run.id) if c.status == "error"]
    assert failed
    assert {c.error_type for c in failed} == {"AuthenticationError"}
    for path in runs.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_runs_cleanup_deletes_what_an_unfinished_run_left_behind(
    write_experiment: WriteExperiment, tmp_path: Path, start_emulator: StartEmulator
) -> None:
    runs = tmp_path / "runs"
    outcome = _run(write_experiment(cleanup={"delete_interactions": False}), runs)
    run_id = outcome.run.id
    with start_emulator(runs / "emulator") as base:
        assert len([i for i in _identifiers(base) if f":{run_id}:" in i]) == 3
        # A create that landed on the target just before a crash: only a pending row knows it.
        ghost = f"scribe-eval:{run_id}:ghost:en"

        async def create_ghost() -> None:
            async with AmbientClient(base) as client:
                body = {
                    "encounter": {"identifier": ghost, "status": "planned", "type": "consultation"}
                }
                await client.create_interaction(CreateInteractionRequest.model_validate(body))

        asyncio.run(create_ghost())
    with RunStore(runs) as store:
        store.put_remote(
            RemoteRecord(
                run_id=run_id,
                key="interaction:ghost:en",
                kind="interaction",
                target="embedded",
                identifier=ghost,
                state="pending",
                updated=utc_now(),
            )
        )
    result = CliRunner().invoke(main, ["runs", "cleanup", run_id, "--runs-dir", str(runs)])
    assert result.exit_code == 0, result.output
    assert f"{run_id}: 4 remote interaction(s) deleted" in result.output
    with start_emulator(runs / "emulator") as base:
        assert [i for i in _identifiers(base) if f":{run_id}:" in i] == []


@pytest.mark.parametrize(
    ("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_ctrl_c_or_sigterm_stops_cleanly_and_the_run_resumes(
    write_experiment: WriteExperiment, tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    """Ctrl-C, SIGTERM (what `kill`, `timeout`, systemd, Docker and CI cancels send) and SIGHUP
    (a closed terminal or SSH session) mark the run interrupted, release it and say how to
    resume; killed outright, it stayed `running`."""
    runs = tmp_path / "runs"
    slow = {"kind": "embedded", "asr_engine": "instant", "latency_ms": 400}
    path = write_experiment(target=slow, execution={"concurrency": 1, "document_concurrency": 1})
    command = [sys.executable, "-m", "scribe_eval.cli", "run", str(path), "--runs-dir", str(runs),
               "--no-progress"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if (runs / "scribe-eval.sqlite").exists():
            with RunStore(runs) as store:
                listed = store.list_runs()
                if listed and store.cells(listed[0].id):
                    break
    child.send_signal(stop)
    _, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    with RunStore(runs) as store:
        run = store.list_runs()[0]
        assert run.status == "interrupted"
        assert len(store.cells(run.id)) < 9
    assert f"scribe-eval run --resume {run.id}" in err
    assert "Traceback" not in err
    resumed = _run(path, runs, resume=run.id)
    assert resumed.run.status == "completed"
    assert resumed.cells == 6


def test_typos_in_templates_and_references_stop_the_run_before_any_call(
    write_experiment: WriteExperiment, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    template = tmp_path / "t.yaml"
    template.write_text("label: t\nsections:\n  - key: corti-subjectve\n", encoding="utf-8")
    entries = [
        {"key": "corti-soapy", "label": "a"},
        {"key": "corti-soap", "label": "b", "reference": "soapp"},
        {"file": str(template), "label": "c"},
    ]
    with pytest.raises(ConfigError) as caught:
        _run(write_experiment(templates=entries), runs)
    message = caught.value.message
    # Each with the line of the experiment file that says it.
    assert (
        "exp.yaml:7: templates.0.key: no stored template 'corti-soapy' on the embedded target; "
        "did you mean corti-soap?" in message
    )
    assert (
        "exp.yaml:11: templates.1.reference: template 'b': reference 'soapp' is no note type of "
        "dataset 'mini'; did you mean 'soap'?" in message
    )
    assert "t.yaml:3" in message
    assert "corti-subjective" in message
    assert not (runs / "scribe-eval.sqlite").exists()
