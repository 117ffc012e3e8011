"""AWS: BatchUpdateFindings updates Workflow/Note/VerificationState/UserDefinedFields of the identified findings and reports
unknown ones as UnprocessedFindings (FindingNotFound); BatchImportFindings of an existing Id+ProductArn replaces the finding but
keeps the customer's Workflow and Note, resetting or resolving the workflow status as documented.

https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
PRODUCT = f"arn:aws:securityhub:{REGION}::product/aws/securityhub"


def finding(n: int, control: str = "EC2.24", status: str = "FAILED", **extra) -> dict:
    data = {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/{control}/finding/{n:04d}",
        "ProductArn": PRODUCT,
        "GeneratorId": f"security-control/{control}",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2026-11-01T00:00:00.000Z",
        "UpdatedAt": "2026-11-01T00:00:00.000Z",
        "Severity": {"Label": "MEDIUM"},
        "Title": "t",
        "Description": "d",
        "Resources": [{"Type": "AwsEc2Instance", "Id": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-{n:017x}"}],
        "Compliance": {"Status": status, "SecurityControlId": control},
    }
    data.update(extra)
    return data


def ident(n: int) -> dict:
    return {"Id": finding(n)["Id"], "ProductArn": PRODUCT}


def by_id(sh) -> dict:
    return {f["Id"]: f for f in sh.get_findings()["Findings"]}


def _hub():
    sh = boto3.client("securityhub", region_name=REGION)
    sh.enable_security_hub()
    sh.batch_import_findings(Findings=[finding(1), finding(2), finding(3)])
    return sh


@pytest.fixture
def hub(moto_aws):
    return _hub()


def test_plain_moto_has_no_batch_update_findings(hub):
    with pytest.raises(ClientError) as e:
        hub.batch_update_findings(FindingIdentifiers=[ident(1)], Workflow={"Status": "RESOLVED"})
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_plain_moto_import_overwrites_customer_workflow(hub):
    hub.batch_import_findings(Findings=[finding(1, Workflow={"Status": "SUPPRESSED"})])
    assert by_id(hub)[ident(1)["Id"]]["Workflow"]["Status"] == "SUPPRESSED"


@pytest.fixture
def patched_hub(moto_aws, patched):
    patched("securityhub_batch_update_findings")
    return _hub()


def test_update_workflow_and_note(patched_hub):
    sh = patched_hub
    before = by_id(sh)[ident(1)["Id"]]
    resp = sh.batch_update_findings(
        FindingIdentifiers=[ident(1), ident(2)],
        Workflow={"Status": "RESOLVED"},
        Note={"Text": "migrated to HVM i-0abc", "UpdatedBy": "hubfix.aws"},
        VerificationState="TRUE_POSITIVE",
        UserDefinedFields={"hubfix": "remediated"},
    )
    assert resp["ProcessedFindings"] == [ident(1), ident(2)] and resp["UnprocessedFindings"] == []
    after = by_id(sh)
    for n in (1, 2):
        f = after[ident(n)["Id"]]
        assert f["Workflow"]["Status"] == "RESOLVED"
        assert f["Note"]["Text"] == "migrated to HVM i-0abc" and f["Note"]["UpdatedBy"] == "hubfix.aws" and f["Note"]["UpdatedAt"]
        assert f["VerificationState"] == "TRUE_POSITIVE" and f["UserDefinedFields"] == {"hubfix": "remediated"}
    assert after[ident(1)["Id"]]["UpdatedAt"] == before["UpdatedAt"]
    assert after[ident(3)["Id"]]["Workflow"]["Status"] == "NEW" and "Note" not in after[ident(3)["Id"]]


def test_unknown_and_duplicate_identifiers_are_unprocessed(patched_hub):
    unknown = {"Id": "arn:aws:securityhub:us-east-1:123456789012:security-control/EC2.24/finding/nope", "ProductArn": PRODUCT}
    wrong_product = {"Id": ident(3)["Id"], "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"}
    resp = patched_hub.batch_update_findings(FindingIdentifiers=[ident(1), unknown, ident(1), wrong_product], Workflow={"Status": "NOTIFIED"})
    assert resp["ProcessedFindings"] == [ident(1)]
    assert [(u["FindingIdentifier"], u["ErrorCode"]) for u in resp["UnprocessedFindings"]] == [
        (unknown, "FindingNotFound"),
        (ident(1), "DuplicatedFindingIdentifier"),
        (wrong_product, "FindingNotFound"),
    ]
    assert by_id(patched_hub)[ident(3)["Id"]]["Workflow"]["Status"] == "NEW"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"Workflow": {"Status": "DONE"}},
        {"Note": {"Text": "x", "UpdatedBy": ""}},
        {"VerificationState": "MAYBE"},
        {},
    ],
)
def test_invalid_requests_are_rejected(patched_hub, kwargs):
    with pytest.raises(ClientError) as e:
        patched_hub.batch_update_findings(FindingIdentifiers=[ident(1)], **kwargs)
    assert e.value.response["Error"]["Code"] == "InvalidInputException"


def test_import_keeps_customer_fields_and_replaces_the_rest(patched_hub):
    sh = patched_hub
    sh.batch_update_findings(FindingIdentifiers=[ident(1)], Workflow={"Status": "NOTIFIED"}, Note={"Text": "ticket 42", "UpdatedBy": "me"})
    resp = sh.batch_import_findings(Findings=[finding(1, Title="new title", Workflow={"Status": "SUPPRESSED"})])
    assert resp["SuccessCount"] == 1
    f = by_id(sh)[ident(1)["Id"]]
    assert f["Title"] == "new title"
    assert f["Workflow"]["Status"] == "NOTIFIED" and f["Note"]["Text"] == "ticket 42"
    assert len(sh.get_findings()["Findings"]) == 3


def test_same_id_other_product_is_a_new_finding(patched_hub):
    other = finding(1, ProductArn="arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default")
    patched_hub.batch_import_findings(Findings=[other])
    assert len(patched_hub.get_findings()["Findings"]) == 4


def test_import_resolves_passed_control_and_reopens_regressions(patched_hub):
    sh = patched_hub
    sh.batch_import_findings(Findings=[finding(2, status="PASSED")])
    assert by_id(sh)[ident(2)["Id"]]["Workflow"]["Status"] == "RESOLVED"
    sh.batch_import_findings(Findings=[finding(2, status="FAILED")])
    assert by_id(sh)[ident(2)["Id"]]["Workflow"]["Status"] == "NEW"
    sh.batch_update_findings(FindingIdentifiers=[ident(3)], Workflow={"Status": "RESOLVED"})
    sh.batch_import_findings(Findings=[finding(3, RecordState="ARCHIVED")])
    assert by_id(sh)[ident(3)["Id"]]["Workflow"]["Status"] == "RESOLVED"
    sh.batch_import_findings(Findings=[finding(3, RecordState="ACTIVE")])
    assert by_id(sh)[ident(3)["Id"]]["Workflow"]["Status"] == "NEW"


def test_new_findings_get_defaults(patched_hub):
    patched_hub.batch_import_findings(Findings=[finding(9)])
    f = by_id(patched_hub)[finding(9)["Id"]]
    assert (f["Workflow"], f["RecordState"], f["Region"]) == ({"Status": "NEW"}, "ACTIVE", REGION)


def test_not_subscribed_region_is_refused(moto_aws, patched):
    patched("securityhub_batch_update_findings")
    sh = boto3.client("securityhub", region_name="eu-west-1")
    with pytest.raises(ClientError) as e:
        sh.batch_update_findings(FindingIdentifiers=[ident(1)], Workflow={"Status": "RESOLVED"})
    assert e.value.response["Error"]["Code"] == "InvalidAccessException"
