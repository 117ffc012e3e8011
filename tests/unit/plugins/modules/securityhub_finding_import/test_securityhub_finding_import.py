"""hubfix.aws.securityhub_finding_import: hubfix's audit written into Security Hub as findings (BatchImportFindings)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import securityhub_finding_import as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

IID = "i-0123456789abcdef0"
INSTANCE_ARN = "arn:aws:ec2:us-east-1:%s:instance/%s" % (r.ACCOUNT, IID)
PRODUCT = "arn:aws:securityhub:us-east-1:%s:product/%s/default" % (r.ACCOUNT, r.ACCOUNT)
OUR_ID = "hubfix.aws/EC2.24/%s/us-east-1/%s" % (r.ACCOUNT, IID)
AUDIT = r.AUDIT


def expect_existing(sh, *found):
    """GetFindings of hubfix's own findings already in Security Hub (any record state)."""
    r.expect_our_findings(sh, *found)


def expect_import(sh, failed=()):
    findings = r.Capture()
    sh.add("batch_import_findings", {"FailedCount": len(failed), "SuccessCount": 1, "FailedFindings": list(failed)}, {"Findings": findings})
    return findings


def ours(resource_id=IID, **changes):
    """One of our findings as Security Hub keeps it."""
    finding = r.finding(
        "EC2.24",
        "arn:aws:ec2:us-east-1:%s:instance/%s" % (r.ACCOUNT, resource_id),
        finding_id="hubfix.aws/EC2.24/%s/us-east-1/%s" % (r.ACCOUNT, resource_id),
        generator="hubfix.aws/EC2.24",
        product_arn=PRODUCT,
        ProductFields={"hubfix/ControlId": "EC2.24", "aws/securityhub/ProductName": "Default"},
    )
    finding.update(changes)
    return finding


@pytest.fixture
def sh(aws):
    return aws.stub("securityhub")


def test_imports_one_finding_per_failing_resource(sh, run):
    expect_existing(sh)
    imported = expect_import(sh)

    result = run(module, {"audit": AUDIT})

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["updated"] == [OUR_ID]
    assert result["findings"] == [
        {"id": OUR_ID, "product_arn": PRODUCT, "region": "us-east-1", "control": "EC2.24", "resource_id": INSTANCE_ARN, "action": "created", "reason": None}
    ]
    (finding,) = imported.value
    assert (finding["Id"], finding["ProductArn"], finding["GeneratorId"], finding["AwsAccountId"]) == (OUR_ID, PRODUCT, "hubfix.aws/EC2.24", r.ACCOUNT)
    assert finding["Compliance"] == {"Status": "FAILED", "SecurityControlId": "EC2.24"}
    assert finding["Resources"] == [
        {
            "Type": "AwsEc2Instance",
            "Id": INSTANCE_ARN,
            "Partition": "aws",
            "Region": "us-east-1",
            "Details": {"AwsEc2Instance": {"Type": "m1.small", "ImageId": "ami-0a0a0a0a0a0a0a0a0"}},
        }
    ]
    assert finding["Remediation"] == {"Recommendation": {"Text": "run remediate_ec2_24 (pv_to_hvm)"}}
    assert result["diff"]["before"] == {OUR_ID: None}
    assert result["diff"]["after"][OUR_ID]["compliance_status"] == "FAILED"


def test_every_call_is_retried_when_throttled(aws, sh, run):
    aws.throttle_first = True
    expect_existing(sh)
    expect_import(sh)

    assert run(module, {"audit": AUDIT})["updated"] == [OUR_ID]


def test_reimporting_the_same_audit_changes_nothing(sh, run):
    expect_existing(sh)
    imported = expect_import(sh)
    run(module, {"audit": AUDIT})

    expect_existing(sh, dict(imported.value[0], ProductFields=dict(imported.value[0]["ProductFields"], **{"aws/securityhub/ProductName": "Default"})))
    result = run(module, {"audit": AUDIT})

    assert (result["changed"], result["unchanged"], result["updated"]) == (False, [OUR_ID], [])
    assert result["findings"][0]["action"] == "unchanged"


def test_a_changed_finding_is_updated_keeping_its_creation_time(sh, run):
    expect_existing(sh, ours(Description="an older description", CreatedAt="2023-05-06T07:08:09.000Z"))
    imported = expect_import(sh)

    result = run(module, {"audit": AUDIT})

    assert result["findings"][0]["action"] == "updated"
    assert imported.value[0]["CreatedAt"] == "2023-05-06T07:08:09.000Z"
    assert result["diff"]["before"][OUR_ID]["description"] == "an older description"


def test_our_finding_for_a_resource_no_longer_reported_is_archived(sh, run):
    expect_existing(sh, ours("i-0aaaaaaaaaaaaaaaa"))
    imported = expect_import(sh)

    result = run(module, {"audit": AUDIT})

    archived = next(f for f in imported.value if f["Id"].endswith("i-0aaaaaaaaaaaaaaaa"))
    assert (archived["RecordState"], archived["Compliance"]["Status"], archived["ProductFields"]) == (
        "ARCHIVED",
        "PASSED",
        {"hubfix/ControlId": "EC2.24", "hubfix/Status": "not_reported"},
    )
    assert sorted(e["action"] for e in result["findings"]) == ["archived", "created"]


def test_archive_missing_false_leaves_our_other_findings_alone(sh, run):
    expect_existing(sh, ours("i-0aaaaaaaaaaaaaaaa"))
    imported = expect_import(sh)

    run(module, {"audit": AUDIT, "archive_missing": False})

    assert [f["Id"] for f in imported.value] == [OUR_ID]


def test_check_mode_imports_nothing(sh, run):
    expect_existing(sh)

    result = run(module, {"audit": AUDIT}, check_mode=True)

    assert (result["changed"], result["updated"]) == (True, [OUR_ID])


def test_a_finding_security_hub_refuses_fails_after_the_others(sh, run):
    expect_existing(sh)
    expect_import(sh, failed=[{"Id": OUR_ID, "ErrorCode": "InvalidInput", "ErrorMessage": "Finding does not adhere to ASFF"}])

    result = run(module, {"audit": AUDIT}, fails=True)

    assert result["msg"] == "1 finding(s) not processed: %s (us-east-1): InvalidInput Finding does not adhere to ASFF" % OUR_ID
    assert result["findings"][0]["action"] == "failed"
    assert result["changed"] is False


def test_refused_findings_only_warn_when_asked(sh, run):
    expect_existing(sh)
    expect_import(sh, failed=[{"Id": OUR_ID, "ErrorCode": "InvalidInput", "ErrorMessage": "bad"}])

    result = run(module, {"audit": AUDIT, "fail_on_unprocessed": False})

    assert result["unprocessed"] == [{"id": OUR_ID, "product_arn": PRODUCT, "region": "us-east-1", "error_code": "InvalidInput", "error_message": "bad"}]
    assert len(result["warnings"]) == 1


def test_a_region_whose_findings_cannot_be_read_is_not_imported(sh, run):
    sh.error("get_findings", "InvalidAccessException", "Account is not subscribed to AWS Security Hub")

    result = run(module, {"audit": AUDIT}, fails=True)

    assert result["unprocessed"] == [
        {
            "id": None,
            "product_arn": PRODUCT,
            "region": "us-east-1",
            "error_code": "InvalidAccessException",
            "error_message": "GetFindings: Account is not subscribed to AWS Security Hub",
            "resource_id": IID,
            "control": "EC2.24",
        }
    ]


def test_the_detection_modules_results_are_accepted(sh, run):
    instance = {
        "instance_id": IID,
        "region": "us-east-1",
        "account_id": None,
        "virtualization_type": "paravirtual",
        "instance_type": "m1.small",
        "tags": {"Name": "web"},
        "blockers": [],
        "warnings": [],
    }
    expect_existing(sh)
    imported = expect_import(sh)

    result = run(module, {"audit": {"account_id": r.ACCOUNT, "instances": [instance], "regions": [{"region": "us-east-1", "scanned": True}]}})

    assert result["updated"] == [OUR_ID]
    assert imported.value[0]["Resources"][0]["Id"] == INSTANCE_ARN


def test_an_audit_of_neither_shape_is_refused(sh, run):
    result = run(module, {"audit": {"hello": "world"}}, fails=True)

    assert result["msg"] == "audit has neither findings (hubfix.aws.audit report) nor instances / launch_configurations (detection module results)"


def test_more_than_20_accounts_are_refused(sh, run):
    result = run(module, {"audit": dict(AUDIT, accounts=["%012d" % n for n in range(21)])}, fails=True)

    assert result["msg"] == "audit covers 22 accounts; import at most 20 at a time"
