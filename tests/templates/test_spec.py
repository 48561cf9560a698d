"""Template files -> request forms and stable spec hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_eval import api
from scribe_eval.errors import TemplateError
from scribe_eval.templates import TemplateSpec, load_template_file

SOAP_WITH_OVERRIDES = """\
label: SOAP telegraphic
languages: [en, de]
documentationMode: global_sequential
instructions: Never invent findings.
sections:
  - key: corti-subjective
    nameOverride: Anamnesis
    formatRuleOverride: bullet list
  - corti-plan
"""

# The same file with every mapping's keys in another order (and a block scalar).
SOAP_REORDERED = """\
sections:
  - formatRuleOverride: bullet list
    nameOverride: Anamnesis
    key: corti-subjective
  - key: corti-plan
instructions: |
  Never invent findings.
documentationMode: global_sequential
languages: [en, de]
label: SOAP telegraphic
"""


def _spec(tmp_path: Path, text: str, name: str = "t.yaml") -> TemplateSpec:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_template_file(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "templateKey: corti-soap\n",
            {"templateKey": "corti-soap"},
            id="template-key",
        ),
        pytest.param(
            "sections: [corti-hpi, {key: corti-plan, nameOverride: null}]\n"
            "instructions: Be brief.\n",
            {"template": {"sectionKeys": ["corti-hpi", "corti-plan"],
                          "additionalInstructions": "Be brief."}},
            id="section-keys-when-no-overrides",
        ),
        pytest.param(
            "documentationMode: routed_parallel\nsections:\n  - key: corti-plan\n"
            "    contentOverride: \"Include: doses.\"\n  - corti-hpi\n",
            {
                "template": {"sections": [
                    {"key": "corti-plan", "contentOverride": "Include: doses."},
                    {"key": "corti-hpi"},
                ]},
                "documentationMode": "routed_parallel",
            },
            id="sections-when-any-override",
        ),
    ],
)  # fmt: skip
def test_each_file_maps_to_exactly_one_request_form(
    tmp_path: Path, text: str, expected: dict[str, object]
) -> None:
    spec = _spec(tmp_path, text)
    assert spec.request_fields() == expected
    # The fields are a valid request body once context and language are added.
    body = {"context": [{"type": "string", "data": "x"}], "outputLanguage": "en", **expected}
    api.CreateDocumentRequest.model_validate(body)


def test_reordering_yaml_keys_keeps_the_hash(tmp_path: Path) -> None:
    one = _spec(tmp_path, SOAP_WITH_OVERRIDES, "a.yaml")
    two = _spec(tmp_path, SOAP_REORDERED, "b.yaml")
    assert one.spec_hash == two.spec_hash
    assert len(one.spec_hash) == 64


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("Never invent findings.", "Never invent findings!", id="template-instruction"),
        pytest.param("bullet list", "numbered list", id="section-override"),
        pytest.param("global_sequential", "routed_parallel", id="documentation-mode"),
        pytest.param("- corti-plan", "- corti-hpi", id="section-key"),
    ],
)
def test_changing_what_the_api_is_asked_changes_the_hash(
    tmp_path: Path, old: str, new: str
) -> None:
    before = _spec(tmp_path, SOAP_WITH_OVERRIDES, "a.yaml")
    after = _spec(tmp_path, SOAP_WITH_OVERRIDES.replace(old, new), "b.yaml")
    assert before.spec_hash != after.spec_hash


def test_label_and_languages_do_not_change_the_hash(tmp_path: Path) -> None:
    before = _spec(tmp_path, SOAP_WITH_OVERRIDES, "a.yaml")
    edited = SOAP_WITH_OVERRIDES.replace("SOAP telegraphic", "Other").replace("en, de", "en")
    after = _spec(tmp_path, edited, "b.yaml")
    assert (after.label, after.languages) == ("Other", ("en",))
    assert before.spec_hash == after.spec_hash


def test_section_order_changes_the_hash(tmp_path: Path) -> None:
    one = _spec(tmp_path, "sections: [corti-hpi, corti-plan]\n", "a.yaml")
    two = _spec(tmp_path, "sections: [corti-plan, corti-hpi]\n", "b.yaml")
    assert one.spec_hash != two.spec_hash


def test_from_key_matches_a_file_naming_the_same_key(tmp_path: Path) -> None:
    from_file = _spec(tmp_path, "label: x\ntemplateKey: corti-soap\n")
    from_key = TemplateSpec.from_key("corti-soap")
    assert from_key.spec_hash == from_file.spec_hash
    assert (from_key.label, from_key.template, from_key.source) == ("corti-soap", None, None)
    assert TemplateSpec.from_key("corti-soap", label="SOAP").label == "SOAP"


def test_spec_fields_from_a_file(tmp_path: Path) -> None:
    spec = _spec(tmp_path, SOAP_WITH_OVERRIDES, "soap.yaml")
    assert spec.label == "SOAP telegraphic"
    assert spec.languages == ("en", "de")
    assert spec.documentation_mode == "global_sequential"
    assert spec.source == tmp_path / "soap.yaml"
    assert spec.section_keys() == ("corti-subjective", "corti-plan")
    assert isinstance(spec.template, api.TemplateBySections)
    assert spec.template.additional_instructions_override == "Never invent findings."


def test_label_defaults_to_the_file_stem(tmp_path: Path) -> None:
    assert _spec(tmp_path, "templateKey: corti-soap\n", "my-soap.yaml").label == "my-soap"


def test_load_raises_the_first_problem_with_its_line_and_a_count(tmp_path: Path) -> None:
    text = "label: x\nsections:\n  - key: corti-plan\n    contentOveride: y\n  - corti-plan\n"
    with pytest.raises(TemplateError) as info:
        _spec(tmp_path, text)
    message = info.value.message
    assert message.startswith(f"{tmp_path / 't.yaml'}:4: unknown field 'contentOveride'")
    assert "did you mean contentOverride?" in message
    assert "(and 1 more: run `scribe-eval templates validate" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "label: x\nsections:\n  - key: a: b\n",
            # libyaml says "in this context", the pure-Python parser "here".
            r"t\.yaml:3: YAML syntax error: mapping values are not allowed",
            id="colon-in-value",
        ),
        pytest.param(
            "label: x\nsections:\n  - key: [unclosed\n",
            r"t\.yaml:4: YAML syntax error: .*flow sequence started at line 3",
            id="unclosed-list",
        ),
    ],
)
def test_yaml_syntax_error_names_the_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(TemplateError, match=expected):
        _spec(tmp_path, text)


def test_language_codes_get_the_contract_spelling(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "templateKey: corti-soap\nlanguages: [EN, de-ch]\n")
    assert spec.languages == ("en", "de-CH")


def test_importable_without_the_emulator_extra() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None; "
        "import scribe_eval.templates as t; print(t.TemplateSpec.from_key('corti-soap').spec_hash)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == TemplateSpec.from_key("corti-soap").spec_hash
