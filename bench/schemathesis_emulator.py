"""Schemathesis against the emulator: does every answer match the OpenAPI document it serves?

Starts ``scribe-eval emulator serve`` for real (127.0.0.1, a free port) and runs the
``schemathesis`` command (coverage and fuzzing phases) with two checks: status-code conformance
(every status sent is documented for the operation) and response-schema conformance (every body
matches its documented schema, the problem-details schema for errors). Three passes:

- ``open``: no auth, no faults, every operation; ids are whatever schemathesis makes up, so the
  lookups' 404 and the validation 400 answers are exercised;
- ``pinned``: the same server, path ids pinned to a real interaction, recording, transcript and
  document, so the routes' own answers are reached (DELETE left out so the ids stay valid);
- ``auth+faults``: tokens checked (a bearer token of tenant ``base``) and 429/500/503 injected
  at 5% each, ids pinned as above.

Prints, per pass and in total, the requests sent, the test cases, each check's failures and the
status codes seen; exits 1 when any check failed. Run: ``.venv/bin/python
bench/schemathesis_emulator.py [--max-examples 40] [--seed 1]``. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CHECKS = ("status_code_conformance", "response_schema_conformance")
CLIENT = ("base", "bench-id", "bench-secret")
ENCOUNTER = {"identifier": "bench", "status": "planned", "type": "consultation"}
CLIP = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "audio" / "mono_en.flac"


@dataclass
class Tally:
    """What one schemathesis run did, read from its NDJSON event stream."""

    requests: int = 0
    cases: int = 0
    seconds: float = 0.0
    checks: Counter[tuple[str, str]] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Fold ``other`` into this tally."""
        self.requests += other.requests
        self.cases += other.cases
        self.seconds += other.seconds
        self.checks.update(other.checks)
        self.statuses.update(other.statuses)
        self.failures.extend(other.failures)


@contextmanager
def served(data_dir: Path, *flags: str) -> Iterator[str]:
    """``scribe-eval emulator serve`` on a free port; yields its base URL."""
    command = [sys.executable, "-m", "scribe_eval.cli", "emulator", "serve", "--port", "0",
               "--data-dir", str(data_dir), "--asr-engine", "instant", "--no-preload",
               "--token-ttl-s", "3600", *flags]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        url = process.stdout.readline().strip() if ready else ""
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit("the emulator did not start (no ready line within 60 s)")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _call(http: httpx.Client, method: str, path: str, **kw: Any) -> Any:
    # Injected faults answer 429/500/503 at random: retry until the call gets through.
    for _ in range(50):
        answer = http.request(method, path, **kw)
        if answer.status_code not in (429, 500, 503):
            answer.raise_for_status()
            return answer.json()
    raise SystemExit(f"{method} {path} kept failing with injected faults")


def real_ids(url: str, token: str | None) -> dict[str, str]:
    """An interaction with a recording, a finished transcript and a document."""
    headers = {"Tenant-Name": CLIENT[0]}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        iid = _call(http, "POST", "interactions/", json={"encounter": ENCOUNTER})
        base = f"interactions/{iid['interactionId']}"
        rid = _call(http, "POST", f"{base}/recordings/", content=CLIP.read_bytes())
        body = {"recordingId": rid["recordingId"], "primaryLanguage": "en"}
        tid = _call(http, "POST", f"{base}/transcripts/", json=body)
        asked = {"context": [{"type": "string", "data": "Cough for three days."}],
                 "outputLanguage": "en", "templateKey": "corti-soap"}  # fmt: skip
        did = _call(http, "POST", f"{base}/documents/", json=asked)
    return {
        "interaction_id": iid["interactionId"],
        "recording_id": rid["recordingId"],
        "transcript_id": tid["id"],
        "document_id": did["id"],
        "key": "corti-soap",
        "tenant": CLIENT[0],
    }


def token(origin: str) -> str:
    """A bearer token of the bench's client from the emulator's token endpoint."""
    tenant, client_id, secret = CLIENT
    answer = httpx.post(
        f"{origin}/auth/realms/{tenant}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def schemathesis(url: str, work: Path, args: argparse.Namespace, *extra: str,
                 ids: dict[str, str] | None = None) -> Tally:  # fmt: skip
    """Run the schemathesis command against ``url`` and tally its NDJSON report."""
    config = work / "schemathesis.toml"
    lines = ["[parameters]", *(f'"path.{k}" = "{v}"' for k, v in (ids or {}).items())]
    config.write_text("\n".join(lines) + "\n")
    report = work / f"events-{len(list(work.glob('events-*.ndjson')))}.ndjson"
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config),
               "run", f"{url}/openapi.json", "--checks", ",".join(CHECKS),
               "--phases", "coverage,fuzzing", "--max-examples", str(args.max_examples),
               "--seed", str(args.seed), "--workers", "1", "--continue-on-failure",
               "--report", "ndjson", "--report-ndjson-path", str(report), *extra]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tally = read_report(report)
    tally.seconds = time.perf_counter() - started
    return tally


def read_report(path: Path) -> Tally:
    """Requests, cases, check outcomes and statuses from schemathesis's NDJSON events."""
    tally = Tally()
    if not path.exists():
        raise SystemExit(f"schemathesis wrote no report at {path}")
    for line in path.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished or finished.get("status") == "skip":
            continue
        recorder = finished["recorder"]
        tally.cases += len(recorder.get("cases", {}))
        for interaction in recorder.get("interactions", {}).values():
            if interaction.get("response"):
                tally.requests += 1
                tally.statuses[int(interaction["response"]["status_code"])] += 1
        interactions = recorder.get("interactions", {})
        for case_id, results in recorder.get("checks", {}).items():
            for check in results:
                tally.checks[(check["name"], check["status"])] += 1
                if check["status"] == "failure":
                    tally.failures.append(_failure(check, interactions.get(case_id)))
    return tally


def _failure(check: dict[str, Any], interaction: dict[str, Any] | None) -> str:
    where = "?"
    if interaction:
        request, response = interaction["request"], interaction.get("response") or {}
        where = f"{request['method']} {request['uri']} -> {response.get('status_code')}"
    return f"{check['name']}: {where}"


def show(name: str, tally: Tally) -> None:
    """One pass's figures."""
    failed = {c: tally.checks[(c, "failure")] for c in CHECKS}
    passed = {c: tally.checks[(c, "success")] for c in CHECKS}
    rate = tally.requests / tally.seconds if tally.seconds else 0.0
    print(f"{name:12} requests {tally.requests:6,}  cases {tally.cases:6,}  "
          f"{tally.seconds:6.1f} s ({rate:5.0f} req/s)")  # fmt: skip
    for check in CHECKS:
        print(f"{'':12} {check:28} passed {passed[check]:6,}  failed {failed[check]:4,}")
    codes = ", ".join(f"{code}: {n:,}" for code, n in sorted(tally.statuses.items()))
    print(f"{'':12} statuses {codes}")


def main() -> int:
    """Run the three passes and print their figures; 1 when any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Keep the NDJSON reports in this folder.")
    args = parser.parse_args()
    if shutil.which("schemathesis", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("schemathesis is not installed: pip install -e '.[dev]'")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"max-examples {args.max_examples}, seed {args.seed}")  # fmt: skip
    total = Tally()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if args.keep:
            work = args.keep
            work.mkdir(parents=True, exist_ok=True)
        with served(work / "open") as url:
            open_pass = schemathesis(url, work, args)
            show("open", open_pass)
            pinned = schemathesis(url, work, args, "--exclude-method", "DELETE",
                                  ids=real_ids(url, None))  # fmt: skip
            show("pinned", pinned)
        faults = [(f"--fault-{status}", "0.05") for status in (429, 500, 503)]
        flags = ["--auth", "client-credentials", "--client", ":".join(CLIENT),
                 *(item for pair in faults for item in pair), "--fault-seed", "7"]  # fmt: skip
        with served(work / "faults", *flags) as url:
            bearer = token(url.removesuffix("/v2"))
            faulted = schemathesis(url, work, args, "--exclude-method", "DELETE",
                                  "-H", f"Authorization: Bearer {bearer}",
                                  "-H", f"Tenant-Name: {CLIENT[0]}",
                                  ids=real_ids(url, bearer))  # fmt: skip
            show("auth+faults", faulted)
    for tally in (open_pass, pinned, faulted):
        total.add(tally)
    show("total", total)
    for failure in sorted(set(total.failures))[:20]:
        print(f"  FAILED {failure}")
    return 1 if total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
