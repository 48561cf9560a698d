"""Schemathesis in-process: a small, derandomised conformance run of every operation.

Each operation gets a few generated requests (valid and invalid), and every answer must have a
documented status and match its documented schema. ``bench/schemathesis_emulator.py`` is the large
run (thousands of requests over a real socket, with auth and faults); this one keeps ``make test``
honest between benchmark runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import response_schema_conformance, status_code_conformance

from scribe_eval.emulator import EmulatorSettings, create_app

# The schema is loaded at import (schemathesis parametrizes at collection); the folder is removed
# when the interpreter exits.
_DATA = tempfile.TemporaryDirectory(prefix="scribe-eval-schemathesis-")
schema = schemathesis.openapi.from_asgi(
    "/v2/openapi.json",
    create_app(EmulatorSettings(data_dir=Path(_DATA.name), asr_engine="instant")),
)


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_answer_conforms_to_the_document(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
