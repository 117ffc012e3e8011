"""AWS: GetFindings honours Filters (AND across fields, OR within a field for positive comparisons, AND for negative ones),
rejects EQUALS mixed with NOT_EQUALS/PREFIX_NOT_EQUALS on one field, pages with MaxResults/NextToken, and refuses an account
without Security Hub.

https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StringFilter.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
PRODUCT = f"arn:aws:securityhub:{REGION}::product/aws/securityhub"


def finding(n: int, control: str, status: str = "FAILED", resource_type: str = "AwsEc2Instance", resource_id: str | None = None, **extra) -> dict:
    resource_id = resource_id or f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-{n:017x}"
    data = {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/{control}/finding/{n:04d}",
        "ProductArn": PRODUCT,
        "GeneratorId": f"security-control/{control}",
        "AwsAccountId": extra.pop("account", ACCOUNT),
        "Region": REGION,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T00:00:00.000Z",
        "UpdatedAt": f"2026-11-01T00:00:{n % 60:02d}.000Z",
        "Severity": {"Label": "MEDIUM"},
        "Title": f"{control} title",
        "Description": f"{control} description",
        "Resources": [{"Type": resource_type, "Id": resource_id, "Region": REGION, "Partition": "aws"}],
        "Compliance": {"Status": status, "SecurityControlId": control},
        "ProductFields": {"ControlId": control},
        "RecordState": extra.pop("record_state", "ACTIVE"),
        "Workflow": {"Status": extra.pop("workflow", "NEW")},
    }
    data.update(extra)
    return data


ESTATE = [
    finding(1, "EC2.24"),
    finding(2, "EC2.24"),
    finding(3, "EC2.24", record_state="ARCHIVED"),
    finding(4, "EC2.24", workflow="RESOLVED"),
    finding(5, "AutoScaling.3", resource_type="AwsAutoScalingLaunchConfiguration", resource_id="arn:aws:autoscaling:lc/lc-a"),
    finding(6, "AutoScaling.3", resource_type="AwsAutoScalingLaunchConfiguration", resource_id="arn:aws:autoscaling:lc/lc-b"),
    finding(7, "AutoScaling.3", status="PASSED", resource_type="AwsAutoScalingLaunchConfiguration", resource_id="arn:aws:autoscaling:lc/lc-c"),
    finding(8, "AutoScaling.9", resource_type="AwsAutoScalingAutoScalingGroup", resource_id="arn:aws:autoscaling:asg/asg-a"),
    finding(9, "EC2.24", account="210987654321"),
]


@pytest.fixture
def hub(moto_aws):
    sh = boto3.client("securityhub", region_name=REGION)
    sh.enable_security_hub()
    assert sh.batch_import_findings(Findings=ESTATE)["SuccessCount"] == len(ESTATE)
    return sh


def ids(sh, **kwargs) -> list[int]:
    return sorted(int(f["Id"].rsplit("/", 1)[1]) for f in sh.get_findings(**kwargs)["Findings"])


def sf(*values, comparison="EQUALS"):
    return [{"Value": v, "Comparison": comparison} for v in values]


def test_plain_moto_ignores_filters(hub):
    assert ids(hub, Filters={"ComplianceSecurityControlId": sf("EC2.24")}) == list(range(1, 10))


@pytest.fixture
def patched_hub(hub, patched):
    patched("securityhub_get_findings_filters")
    return hub


def test_equals_per_field_and_across_fields(patched_hub):
    sh = patched_hub
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("EC2.24")}) == [1, 2, 3, 4, 9]
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("AutoScaling.3"), "ComplianceStatus": sf("FAILED")}) == [5, 6]
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("EC2.24"), "RecordState": sf("ACTIVE"), "WorkflowStatus": sf("NEW")}) == [1, 2, 9]
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("EC2.24"), "AwsAccountId": sf(ACCOUNT)}) == [1, 2, 3, 4]
    assert ids(sh, Filters={"ResourceType": sf("AwsAutoScalingLaunchConfiguration"), "ResourceId": sf("arn:aws:autoscaling:lc/lc-b")}) == [6]
    assert ids(sh, Filters={"Region": sf("eu-west-1")}) == []
    assert ids(sh, Filters={"ProductFields": [{"Key": "ControlId", "Value": "AutoScaling.9", "Comparison": "EQUALS"}]}) == [8]


def test_or_within_a_field(patched_hub):
    assert ids(patched_hub, Filters={"ComplianceSecurityControlId": sf("AutoScaling.3", "AutoScaling.9")}) == [5, 6, 7, 8]
    prefix_or_equals = sf("AutoScaling", comparison="PREFIX") + sf("EC2.24")
    assert ids(patched_hub, Filters={"ComplianceSecurityControlId": prefix_or_equals}) == list(range(1, 10))


def test_prefix_then_negative_filters(patched_hub):
    sh = patched_hub
    assert ids(sh, Filters={"ResourceType": sf("AwsAutoScaling", comparison="PREFIX")}) == [5, 6, 7, 8]
    flt = sf("AwsAutoScaling", comparison="PREFIX") + sf("AwsAutoScalingAutoScalingGroup", comparison="NOT_EQUALS")
    assert ids(sh, Filters={"ResourceType": flt}) == [5, 6, 7]
    # negative filters on one field are joined by AND
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("EC2.24", "AutoScaling.9", comparison="NOT_EQUALS")}) == [5, 6, 7]
    assert ids(sh, Filters={"ComplianceSecurityControlId": sf("Auto", comparison="PREFIX_NOT_EQUALS")}) == [1, 2, 3, 4, 9]
    assert ids(sh, Filters={"ResourceId": sf("lc-", comparison="CONTAINS")}) == [5, 6, 7]


def test_equals_with_not_equals_on_one_field_is_rejected(patched_hub):
    flt = {"WorkflowStatus": sf("NEW") + sf("RESOLVED", comparison="NOT_EQUALS")}
    with pytest.raises(ClientError) as e:
        patched_hub.get_findings(Filters=flt)
    assert e.value.response["Error"]["Code"] == "InvalidInputException"


def test_unsupported_filter_fails_loudly(patched_hub):
    with pytest.raises(NotImplementedError):
        patched_hub.get_findings(Filters={"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS"}}]})


def test_paging_with_filters_and_paginator(patched_hub):
    sh = patched_hub
    flt = {"ComplianceSecurityControlId": sf("EC2.24", "AutoScaling.3")}
    first = sh.get_findings(Filters=flt, MaxResults=3)
    assert len(first["Findings"]) == 3 and first["NextToken"]
    rest = sh.get_findings(Filters=flt, MaxResults=3, NextToken=first["NextToken"])
    pages = [p["Findings"] for p in sh.get_paginator("get_findings").paginate(Filters=flt, PaginationConfig={"PageSize": 2})]
    assert [len(p) for p in pages] == [2, 2, 2, 2]
    got = sorted(f["Id"] for p in pages for f in p)
    assert got == sorted(
        f["Id"] for f in first["Findings"] + rest["Findings"] + sh.get_findings(Filters=flt, MaxResults=3, NextToken=rest["NextToken"])["Findings"]
    )
    assert len(set(got)) == 8
    with pytest.raises(ClientError):
        sh.get_findings(MaxResults=101)


def test_sort_criteria(patched_hub):
    found = patched_hub.get_findings(Filters={"ComplianceSecurityControlId": sf("EC2.24")}, SortCriteria=[{"Field": "UpdatedAt", "SortOrder": "desc"}])
    assert [f["UpdatedAt"] for f in found["Findings"]] == sorted((f["UpdatedAt"] for f in found["Findings"]), reverse=True)


def test_not_subscribed_region_is_refused(moto_aws, patched):
    patched("securityhub_get_findings_filters")
    sh = boto3.client("securityhub", region_name="eu-west-1")
    with pytest.raises(ClientError) as e:
        sh.get_findings()
    assert e.value.response["Error"]["Code"] == "InvalidAccessException"
