"""Content rules read from a real template request, and the prompts built from them."""

from __future__ import annotations

import json
from pathlib import Path

from scribe_eval.api import CreateDocumentRequest
from scribe_eval.judge import PROMPT_VERSION, content_rules, note_text, task_messages
from scribe_eval.metrics import GeneratedSection, expectations_from_request
from scribe_eval.templates import builtin_catalogue, load_template_file


def test_content_rules_of_the_telegraphic_template(project_root: Path) -> None:
    spec = load_template_file(project_root / "templates/soap-telegraphic.yaml")
    body = CreateDocumentRequest.model_validate(
        {"context": [{"type": "string", "data": "-"}], "outputLanguage": "de",
         **spec.request_fields()}
    )  # fmt: skip
    rules = content_rules(expectations_from_request(body, builtin_catalogue()))
    listed = [(r.rule_id, r.kind, r.text) for r in rules]
    assert listed[:3] == [
        ("corti-subjective.1", "include", "Include: symptoms, negatives."),
        ("corti-subjective.2", "exclude", "Exclude: medications."),
        ("corti-subjective.3", "style", "Writing style: telegraphic"),
    ]
    assert ("corti-plan.1", "include", "Include: plan, medications, follow-up.") in listed
    assert listed[-1] == (
        "note.1", "instruction", "Never invent findings; leave out what was not discussed.",
    )  # fmt: skip
    assert len({r.rule_id for r in rules}) == len(rules) == 8


def test_messages_carry_schema_and_fenced_material() -> None:
    note = note_text([GeneratedSection("corti-plan", "Plan", "- Rest\n")])
    assert note == "## Plan\n- Rest"
    system, user = task_messages("claims", transcript="T says", note=note, reference=None)
    schema = json.loads(system["content"].split("JSON schema:\n", 1)[1])
    assert set(schema["required"]) == {"note_claims", "reference_claims"}
    assert "NOTE:\n<<<\n## Plan\n- Rest\n>>>" in user["content"]
    assert "REFERENCE:\n<<<\n(no reference)\n>>>" in user["content"]
    rubric = task_messages("rubric", transcript="T", note=note)[1]["content"]
    assert "REFERENCE" not in rubric
    assert "free_of_bias" in rubric
    assert PROMPT_VERSION
