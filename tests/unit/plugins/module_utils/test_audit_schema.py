"""docs/audit-report.md holds the JSON Schema of audit.json: it parses, and the report the filter builds conforms to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import audit_report as audit
from tests.unit.plugins.module_utils import test_audit_report
from tests.unit.plugins.module_utils.test_audit_report import ACCOUNT

# the result fixtures are shared with the filter tests
pv_result = test_audit_report.pv_result
lc_result = test_audit_report.lc_result

DOC = Path(__file__).resolve().parents[4] / "docs" / "audit-report.md"


def documented_schema() -> dict:
    """The JSON Schema block of docs/audit-report.md."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1, "docs/audit-report.md must hold exactly one ```json block (the schema)"
    return json.loads(blocks[0])


def validate(report: dict) -> None:
    schema = documented_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)


def test_schema_is_valid_and_versioned():
    schema = documented_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": audit.SCHEMA_VERSION}


def test_report_conforms(pv_result, lc_result):
    pv_result["instances"][0]["tags"]["hubfix:replaced-by"] = "i-0fffffffffffffff0"
    pv_result["regions"].append({"region": "ap-east-1", "scanned": False, "failed": 0, "error": "OptInRequired: not subscribed"})
    validate(audit.audit_report(pv_result, lc_result, accounts=[ACCOUNT]))


def test_empty_report_conforms():
    validate(audit.audit_report({"instances": [], "regions": []}, {"skipped": True}, controls=["EC2.24"], accounts=[ACCOUNT]))


def test_schema_catches_an_undocumented_key(pv_result, lc_result):  # noqa: F811
    report = audit.audit_report(pv_result, lc_result, accounts=[ACCOUNT])
    report["findings"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        validate(report)


def test_every_documented_top_level_key_is_in_the_tables():
    text = DOC.read_text()
    for key in documented_schema()["required"]:
        assert "| `%s` |" % key in text, key
