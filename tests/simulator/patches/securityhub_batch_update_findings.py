"""BatchUpdateFindings (the customer's workflow API) and BatchImportFindings updates that behave like Security Hub.

moto 5.2.5 has no BatchUpdateFindings (HTTP 404), so marking a remediated finding RESOLVED/NOTIFIED with a note cannot be
tested. Its BatchImportFindings matches an existing finding by Id alone, merges the new content into the old one, lets a
provider overwrite the customer's Workflow/Note/VerificationState/UserDefinedFields and never resets or resolves the
workflow status; new findings get no default Workflow/RecordState/Region.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

NAME = "securityhub-batch-update-findings"
AWS_BEHAVIOUR = (
    "BatchUpdateFindings (PATCH /findings/batchupdate) updates Workflow.Status, Note {Text, UpdatedBy} (UpdatedAt set by Security "
    "Hub), VerificationState, UserDefinedFields, Severity, Confidence, Criticality, Types and RelatedFindings of the findings named "
    "by FindingIdentifiers [{Id, ProductArn}] and answers ProcessedFindings / UnprocessedFindings (ErrorCode FindingNotFound, "
    "DuplicatedFindingIdentifier); it does not change UpdatedAt. BatchImportFindings with an existing Id+ProductArn replaces the "
    "finding but cannot change Note, UserDefinedFields, VerificationState or Workflow; the workflow status goes back to NEW when "
    "RecordState changes ARCHIVED->ACTIVE or Compliance.Status PASSED->FAILED/WARNING/NOT_AVAILABLE, and a control finding whose "
    "Compliance.Status becomes PASSED is set RESOLVED. New findings default to Workflow.Status NEW and RecordState ACTIVE. "
    "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html , "
    "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html , "
    "https://docs.aws.amazon.com/securityhub/latest/userguide/asff-top-level-attributes.html#asff-workflow"
)

URL_PATH = "{0}/findings/batchupdate$"
WORKFLOW_STATUSES = {"NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"}
VERIFICATION_STATES = {"UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"}
SEVERITY_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
CUSTOMER_FIELDS = ("Note", "UserDefinedFields", "VerificationState", "Workflow", "WorkflowState")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _region_of(product_arn: str | None, default: str) -> str:
    parts = (product_arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


def is_control_finding(data: dict) -> bool:
    return str(data.get("GeneratorId", "")).startswith("security-control/") or bool(data.get("Compliance", {}).get("SecurityControlId"))


def merge_import(old: dict | None, new: dict, region: str) -> dict:
    """The stored finding after BatchImportFindings of ``new`` over ``old`` (None for a new finding)."""
    data = dict(new)
    if old is None:
        data.setdefault("Workflow", {"Status": "NEW"})
        data.setdefault("WorkflowState", "NEW")
        data.setdefault("RecordState", "ACTIVE")
        data.setdefault("Region", _region_of(data.get("ProductArn"), region))
        if is_control_finding(data) and data.get("Compliance", {}).get("Status") == "PASSED" and "Workflow" not in new:
            data["Workflow"] = {"Status": "RESOLVED"}
        return data
    for field in CUSTOMER_FIELDS:
        if field in old:
            data[field] = old[field]
        else:
            data.pop(field, None)
    data.setdefault("Workflow", {"Status": "NEW"})
    data.setdefault("RecordState", old.get("RecordState", "ACTIVE"))
    data.setdefault("Region", old.get("Region", region))
    status = data["Workflow"].get("Status")
    old_compliance = old.get("Compliance", {}).get("Status")
    new_compliance = data.get("Compliance", {}).get("Status")
    reopened = old.get("RecordState") == "ARCHIVED" and data.get("RecordState") == "ACTIVE"
    regressed = old_compliance == "PASSED" and new_compliance in ("FAILED", "WARNING", "NOT_AVAILABLE")
    if (reopened or regressed) and status in ("NOTIFIED", "RESOLVED"):
        data["Workflow"] = {**data["Workflow"], "Status": "NEW"}
    elif is_control_finding(data) and new_compliance == "PASSED" and old_compliance != "PASSED":
        data["Workflow"] = {**data["Workflow"], "Status": "RESOLVED"}
    return data


def validate_update(params: dict) -> None:
    """Raise ValueError (InvalidInputException) for a request AWS would reject as a whole."""
    identifiers = params.get("FindingIdentifiers")
    if not identifiers:
        raise ValueError("FindingIdentifiers is required and must not be empty")
    if len(identifiers) > 100:
        raise ValueError("FindingIdentifiers must contain at most 100 items")
    for ident in identifiers:
        if not ident.get("Id") or not ident.get("ProductArn"):
            raise ValueError("Each FindingIdentifier requires Id and ProductArn")
    if "Workflow" in params and params["Workflow"].get("Status") not in WORKFLOW_STATUSES:
        raise ValueError(f"Workflow.Status must be one of {', '.join(sorted(WORKFLOW_STATUSES))}")
    if "Note" in params and (not params["Note"].get("Text") or not params["Note"].get("UpdatedBy")):
        raise ValueError("Note requires Text and UpdatedBy")
    if "VerificationState" in params and params["VerificationState"] not in VERIFICATION_STATES:
        raise ValueError(f"VerificationState must be one of {', '.join(sorted(VERIFICATION_STATES))}")
    label = params.get("Severity", {}).get("Label")
    if label is not None and label not in SEVERITY_LABELS:
        raise ValueError(f"Severity.Label must be one of {', '.join(sorted(SEVERITY_LABELS))}")
    updates = {"Note", "Severity", "VerificationState", "Confidence", "Criticality", "Types", "UserDefinedFields", "Workflow", "RelatedFindings"}
    if not updates & set(params):
        raise ValueError("At least one field to update is required")


def apply_update(data: dict, params: dict) -> None:
    if "Workflow" in params:
        data["Workflow"] = {**data.get("Workflow", {}), "Status": params["Workflow"]["Status"]}
    if "Note" in params:
        data["Note"] = {"Text": params["Note"]["Text"], "UpdatedBy": params["Note"]["UpdatedBy"], "UpdatedAt": _now()}
    if "Severity" in params:
        data["Severity"] = {**data.get("Severity", {}), **params["Severity"]}
    for field in ("VerificationState", "Confidence", "Criticality", "Types", "UserDefinedFields", "RelatedFindings"):
        if field in params:
            data[field] = params[field]


def apply():
    from moto.securityhub import urls
    from moto.securityhub.exceptions import InvalidInputException, SecurityHubClientError
    from moto.securityhub.models import Finding, SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    original_import = SecurityHubBackend.batch_import_findings

    def _require_enabled(backend) -> None:
        if not backend.enabled:
            raise SecurityHubClientError("InvalidAccessException", f"Account {backend.account_id} is not subscribed to AWS Security Hub")

    def batch_import_findings(self, findings: list[dict[str, Any]]):
        _require_enabled(self)
        failed = []
        success = 0
        for finding_data in findings:
            if not isinstance(finding_data.get("Resources"), list) or not finding_data["Resources"]:
                failed.append({"Id": finding_data.get("Id", ""), "ErrorCode": "InvalidInput", "ErrorMessage": "Finding must contain at least one resource"})
                continue
            if not finding_data.get("Id") or not finding_data.get("ProductArn"):
                failed.append({"Id": finding_data.get("Id", ""), "ErrorCode": "InvalidInput", "ErrorMessage": "Finding requires Id and ProductArn"})
                continue
            key = (finding_data["Id"], finding_data["ProductArn"])
            existing = next((f for f in self.findings if (f.id, f.data.get("ProductArn")) == key), None)
            if existing is None:
                self.findings.append(Finding(finding_data["Id"], merge_import(None, finding_data, self.region_name)))
            else:
                existing.data = merge_import(existing.data, finding_data, self.region_name)
            success += 1
        return len(failed), success, failed

    def batch_update_findings(self, params: dict) -> dict:
        _require_enabled(self)
        try:
            validate_update(params)
        except ValueError as e:
            raise InvalidInputException(op="BatchUpdateFindings", msg=str(e)) from None
        processed, unprocessed, seen = [], [], set()
        for ident in params["FindingIdentifiers"]:
            ident = {"Id": ident["Id"], "ProductArn": ident["ProductArn"]}
            key = (ident["Id"], ident["ProductArn"])
            if key in seen:
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "DuplicatedFindingIdentifier", "ErrorMessage": "Duplicated Finding Identifier"})
                continue
            seen.add(key)
            finding = next((f for f in self.findings if (f.id, f.data.get("ProductArn")) == key), None)
            if finding is None:
                unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound", "ErrorMessage": "Finding Not Found"})
                continue
            apply_update(finding.data, params)
            processed.append(ident)
        return {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}

    def response_batch_update_findings(self) -> str:
        body = self.body.decode("utf-8") if isinstance(self.body, bytes) else self.body
        return json.dumps(self.securityhub_backend.batch_update_findings(json.loads(body or "{}")))

    SecurityHubBackend.batch_import_findings = batch_import_findings
    SecurityHubBackend.batch_update_findings = batch_update_findings
    SecurityHubResponse.batch_update_findings = response_batch_update_findings
    urls.url_paths[URL_PATH] = SecurityHubResponse.dispatch

    def undo():
        SecurityHubBackend.batch_import_findings = original_import
        del SecurityHubBackend.batch_update_findings
        del SecurityHubResponse.batch_update_findings
        urls.url_paths.pop(URL_PATH, None)

    return undo
