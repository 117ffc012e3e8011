"""hubfix.aws.securityhub_finding: set findings NOTIFIED or RESOLVED with a note (and the deprecated state values)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import securityhub_finding as module
from ansible_collections.hubfix.aws.plugins.modules import securityhub_finding_import as import_module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

INSTANCE_ARN = "arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0" % r.ACCOUNT
FINDING = r.finding("EC2.24", INSTANCE_ARN)
IDENT = {"Id": FINDING["Id"], "ProductArn": FINDING["ProductArn"]}
BY_ID = [{"finding_id": FINDING["Id"], "product_arn": FINDING["ProductArn"]}]
NOTIFY = {"workflow_status": "NOTIFIED", "findings": BY_ID, "note": "hubfix: migrating to HVM"}


def id_filter(*ids):
    return {"Id": [{"Value": i, "Comparison": "EQUALS"} for i in ids]}


def expect_lookup(sh, *found, ids=(FINDING["Id"],)):
    sh.add("get_findings", r.findings(*found), {"Filters": id_filter(*ids), "MaxResults": 100})


def expect_update(sh, status, note, idents=(IDENT,), unprocessed=()):
    params = {"FindingIdentifiers": list(idents), "Workflow": {"Status": status}}
    if note is not None:
        params["Note"] = {"Text": note, "UpdatedBy": "hubfix.aws"}
    sh.add("batch_update_findings", {"ProcessedFindings": [i for i in idents if i not in unprocessed], "UnprocessedFindings": list(unprocessed)}, params)


@pytest.fixture
def sh(aws):
    return aws.stub("securityhub")


def test_sets_notified_with_the_note(sh, run):
    expect_lookup(sh, FINDING)
    expect_update(sh, "NOTIFIED", "hubfix: migrating to HVM")

    result = run(module, NOTIFY)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["updated"] == [FINDING["Id"]]
    assert (result["unchanged"], result["skipped_findings"], result["unprocessed"]) == ([], [], [])
    assert result["findings"] == [
        {
            "id": FINDING["Id"],
            "product_arn": FINDING["ProductArn"],
            "region": "us-east-1",
            "control": "EC2.24",
            "resource_id": "i-0123456789abcdef0",
            "action": "updated",
            "reason": None,
            "before": {"workflow_status": "NEW", "note": None},
            "after": {"workflow_status": "NOTIFIED", "note": "hubfix: migrating to HVM"},
        }
    ]
    assert result["diff"] == {
        "before": {FINDING["Id"]: {"workflow_status": "NEW", "note": None}},
        "after": {FINDING["Id"]: {"workflow_status": "NOTIFIED", "note": "hubfix: migrating to HVM"}},
    }
    assert result["deprecations"] == []


def test_every_call_is_retried_when_throttled(aws, sh, run):
    aws.throttle_first = True
    expect_lookup(sh, FINDING)
    expect_update(sh, "NOTIFIED", "hubfix: migrating to HVM")

    assert run(module, NOTIFY)["updated"] == [FINDING["Id"]]


def test_a_finding_already_notified_with_the_note_is_unchanged(sh, run):
    expect_lookup(sh, r.finding("EC2.24", INSTANCE_ARN, workflow="NOTIFIED", note="hubfix: migrating to HVM"))

    result = run(module, NOTIFY)

    assert (result["changed"], result["unchanged"], result["updated"]) == (False, [FINDING["Id"]], [])


def test_without_a_note_the_note_is_left_as_it_is(sh, run):
    expect_lookup(sh, r.finding("EC2.24", INSTANCE_ARN, note="old note"))
    expect_update(sh, "NOTIFIED", None)

    result = run(module, {"workflow_status": "NOTIFIED", "findings": BY_ID})

    assert result["findings"][0]["after"] == {"workflow_status": "NOTIFIED", "note": "old note"}


def test_a_long_note_is_cut_to_512_characters(sh, run):
    expect_lookup(sh, FINDING)
    expect_update(sh, "NOTIFIED", "x" * 511 + "\u2026")

    run(module, dict(NOTIFY, note="x" * 600))


def test_resolving_a_finding_still_failing_needs_verified(sh, run):
    expect_lookup(sh, FINDING)

    result = run(module, {"workflow_status": "RESOLVED", "findings": BY_ID, "note": "replaced"})

    assert result["changed"] is False
    (skipped,) = result["skipped_findings"]
    assert skipped["reason"].startswith("still_failing: Security Hub reports compliance FAILED")


def test_resolving_a_verified_finding(sh, run):
    expect_lookup(sh, FINDING)
    expect_update(sh, "RESOLVED", "replaced by i-0fedcba9876543210")

    result = run(module, {"workflow_status": "RESOLVED", "findings": [dict(BY_ID[0], verified=True)], "note": "replaced by i-0fedcba9876543210"})

    assert result["updated"] == [FINDING["Id"]]


def test_a_suppressed_finding_is_never_changed(sh, run):
    expect_lookup(sh, r.finding("EC2.24", INSTANCE_ARN, workflow="SUPPRESSED"))

    result = run(module, NOTIFY)

    assert result["changed"] is False
    assert result["skipped_findings"][0]["reason"].startswith("suppressed:")


def test_a_finding_is_found_by_resource_and_control(sh, run):
    filters = {
        "ComplianceSecurityControlId": [{"Value": "EC2.24", "Comparison": "EQUALS"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        "ResourceId": [{"Value": "instance/i-0123456789abcdef0", "Comparison": "CONTAINS"}],
    }
    sh.add("get_findings", r.findings(FINDING), {"Filters": filters, "MaxResults": 100})
    expect_update(sh, "NOTIFIED", "hubfix: migrating to HVM")

    result = run(module, dict(NOTIFY, findings=[{"resource_id": "i-0123456789abcdef0", "control": "EC2.24"}]))

    assert result["updated"] == [FINDING["Id"]]


def test_a_finding_in_another_region_is_updated_there(aws, run):
    west = aws.stub("securityhub", "eu-west-1")
    finding = r.finding("EC2.24", INSTANCE_ARN.replace("us-east-1", "eu-west-1"), region="eu-west-1")
    expect_lookup(west, finding, ids=(finding["Id"],))
    expect_update(west, "NOTIFIED", "n", idents=({"Id": finding["Id"], "ProductArn": finding["ProductArn"]},))

    result = run(module, {"workflow_status": "NOTIFIED", "note": "n", "findings": [{"id": finding["Id"], "product_arn": finding["ProductArn"]}]})

    assert result["findings"][0]["region"] == "eu-west-1"


def test_check_mode_reports_the_update_without_making_it(sh, run):
    expect_lookup(sh, FINDING)

    result = run(module, NOTIFY, check_mode=True)

    assert (result["changed"], result["updated"]) == (True, [FINDING["Id"]])


def test_a_finding_not_found_fails_naming_it_after_the_others_were_updated(sh, run):
    expect_lookup(sh, FINDING, ids=(FINDING["Id"], "gone"))
    expect_update(sh, "NOTIFIED", "n")

    result = run(module, {"workflow_status": "NOTIFIED", "note": "n", "findings": BY_ID + [{"id": "gone", "product_arn": FINDING["ProductArn"]}]}, fails=True)

    assert result["msg"] == "1 finding(s) not processed: gone (us-east-1): FindingNotFound no such finding in Region us-east-1"
    assert result["updated"] == [FINDING["Id"]]


def test_unprocessed_findings_only_warn_when_asked(sh, run):
    expect_lookup(sh, FINDING)
    error = {"FindingIdentifier": IDENT, "ErrorCode": "ConcurrentUpdateError", "ErrorMessage": "try again"}
    expect_update(sh, "NOTIFIED", "n", unprocessed=[error])

    result = run(module, {"workflow_status": "NOTIFIED", "note": "n", "findings": BY_ID, "fail_on_unprocessed": False})

    assert result["findings"][0]["action"] == "unprocessed"
    assert result["findings"][0]["reason"] == "ConcurrentUpdateError: try again"
    assert result["warnings"] == ["1 finding(s) not processed: %s (us-east-1): ConcurrentUpdateError try again" % FINDING["Id"]]


def test_a_refused_update_is_unprocessed(sh, run):
    expect_lookup(sh, FINDING)
    sh.error("batch_update_findings", "AccessDeniedException", "not allowed")

    result = run(module, {"workflow_status": "NOTIFIED", "note": "n", "findings": BY_ID}, fails=True)

    assert result["unprocessed"][0]["error_code"] == "AccessDeniedException"
    assert result["unprocessed"][0]["error_message"] == "BatchUpdateFindings: not allowed"


def test_an_item_naming_no_finding_is_refused(sh, run):
    result = run(module, {"workflow_status": "NOTIFIED", "findings": [{"control": "EC2.24"}]}, fails=True)

    assert result["msg"] == "findings[0]: give id and product_arn, or resource_id and control (got keys: control)"


def test_workflow_status_is_required(sh, run):
    result = run(module, {"findings": BY_ID}, fails=True)

    assert result["msg"] == "workflow_status and findings are required (workflow_status: NOTIFIED or RESOLVED)"


# -- deprecated state values -----------------------------------------------------------------------------------------


def without_deprecations(result):
    return {k: v for k, v in result.items() if k != "deprecations"}


@pytest.mark.parametrize("state, status", [("notified", "NOTIFIED"), ("resolved", "RESOLVED")])
def test_deprecated_state_works_like_workflow_status(sh, run, state, status):
    finding = r.finding("EC2.24", INSTANCE_ARN, compliance="PASSED")
    expect_lookup(sh, finding)
    expect_update(sh, status, "done")
    current = run(module, {"workflow_status": status, "findings": BY_ID, "note": "done"})
    expect_lookup(sh, finding)
    expect_update(sh, status, "done")

    result = run(module, {"state": state, "findings": BY_ID, "note": "done"})

    assert result["deprecations"] == [
        {"msg": "state=%s is deprecated: use workflow_status=%s" % (state, status), "date": "2027-06-01", "collection_name": "hubfix.aws"}
    ]
    assert without_deprecations(result) == without_deprecations(current)


def test_deprecated_state_imported_works_like_securityhub_finding_import(aws, run):
    sh = aws.stub("securityhub")
    r.expect_our_findings(sh)
    current = run(import_module, {"audit": r.AUDIT}, check_mode=True)
    r.expect_our_findings(sh)

    result = run(module, {"state": "imported", "audit": r.AUDIT}, check_mode=True)

    assert result["deprecations"][0]["msg"] == "state=imported is deprecated: use hubfix.aws.securityhub_finding_import"
    assert without_deprecations(result) == without_deprecations(current)
    assert result["changed"] is True


def test_deprecated_state_imported_needs_audit(sh, run):
    assert run(module, {"state": "imported"}, fails=True)["msg"] == "state is imported but all of the following are missing: audit"


def test_an_empty_note_author_is_refused(sh, run):
    assert run(module, dict(NOTIFY, note_updated_by=""), fails=True)["msg"] == "note_updated_by must not be empty"
