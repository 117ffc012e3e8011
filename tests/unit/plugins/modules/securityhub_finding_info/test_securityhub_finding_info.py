"""hubfix.aws.securityhub_finding_info: the Security Hub control findings to work on, each mapped to its resource."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.modules import securityhub_finding_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

INSTANCE_ARN = "arn:aws:ec2:us-east-1:%s:instance/i-0123456789abcdef0" % r.ACCOUNT
DEFAULT_FILTERS = {
    "ComplianceSecurityControlId": [{"Value": c, "Comparison": "EQUALS"} for c in ("EC2.24", "AutoScaling.3", "AutoScaling.9")],
    "ComplianceStatus": [{"Value": "FAILED", "Comparison": "EQUALS"}],
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}],
}


def expect_findings(stub, *found, filters=None, next_token=None):
    answer = r.findings(*found)
    if next_token:
        answer["NextToken"] = next_token
    stub.add("get_findings", answer, {"Filters": DEFAULT_FILTERS if filters is None else filters, "MaxResults": 100})


def test_maps_each_finding_to_its_instance_launch_configuration_or_group(aws, run):
    (sh,) = aws.expect_region_scan("securityhub", with_account=False)
    instance = r.finding("EC2.24", INSTANCE_ARN, Resources=[{"Type": "AwsEc2Instance", "Id": INSTANCE_ARN, "Region": "us-east-1", "Tags": {"Name": "web"}}])
    lc = r.finding("AutoScaling.3", r.lc_arn("lc-web"), "AwsAutoScalingLaunchConfiguration", workflow="NOTIFIED", note="working on it")
    group = r.finding("AutoScaling.9", r.group_arn("asg-web"), "AwsAutoScalingAutoScalingGroup")
    bucket = r.finding("EC2.24", "arn:aws:s3:::bucket", "AwsS3Bucket", finding_id="odd-one")
    expect_findings(sh, lc, bucket, group, instance)

    result = run(module, {})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert [(t["control"], t["kind"], t["id"], t["name"]) for t in result["targets"]] == [
        ("EC2.24", "instance", "i-0123456789abcdef0", "web"),
        ("AutoScaling.3", "launch_configuration", "lc-web", "lc-web"),
        ("AutoScaling.9", "autoscaling_group", "asg-web", "asg-web"),
    ]
    target = result["targets"][1]
    assert (target["finding_id"], target["product_arn"], target["workflow_status"], target["note"], target["finding_region"]) == (
        lc["Id"],
        lc["ProductArn"],
        "NOTIFIED",
        "working on it",
        "us-east-1",
    )
    assert result["unmapped"] == [
        {
            "id": "odd-one",
            "product_arn": bucket["ProductArn"],
            "control_id": "EC2.24",
            "resources": [{"type": "AwsS3Bucket", "id": "arn:aws:s3:::bucket", "region": "us-east-1", "partition": "aws"}],
        }
    ]
    assert len(result["findings"]) == 4
    assert result["truncated"] is False
    assert result["regions"] == [{"region": "us-east-1", "scanned": True, "failed": 4, "evaluated": 4, "error": None}]


def test_every_call_is_retried_when_throttled(aws, run):
    aws.throttle_first = True
    (sh,) = aws.expect_region_scan("securityhub", regions=["us-east-1"], with_account=False)
    expect_findings(sh, r.finding())

    assert len(run(module, {"regions": ["us-east-1"]})["targets"]) == 1


def test_max_results_cuts_the_list_and_says_so(aws, run):
    (sh,) = aws.expect_region_scan("securityhub", with_account=False)
    expect_findings(sh, r.finding(), r.finding("AutoScaling.9", r.group_arn("asg-web"), "AwsAutoScalingAutoScalingGroup"), next_token="more")

    result = run(module, {"max_results": 1})

    assert (len(result["findings"]), result["truncated"]) == (1, True)


def test_security_hubs_own_finding_wins_over_one_hubfix_imported(aws, run):
    (sh,) = aws.expect_region_scan("securityhub", with_account=False)
    ours = r.finding(
        finding_id="hubfix.aws/EC2.24/%s/us-east-1/i-0123456789abcdef0" % r.ACCOUNT,
        generator="hubfix.aws/EC2.24",
        product_arn="arn:aws:securityhub:us-east-1:%s:product/%s/default" % (r.ACCOUNT, r.ACCOUNT),
    )
    expect_findings(sh, ours, r.finding())

    (target,) = run(module, {})["targets"]

    assert target["generator_id"] == "security-control/EC2.24"


def test_empty_lists_leave_an_attribute_unfiltered_and_account_ids_filter(aws, run):
    (sh,) = aws.expect_region_scan("securityhub", with_account=False)
    filters = {
        "ComplianceSecurityControlId": [{"Value": "EC2.24", "Comparison": "EQUALS"}],
        "AwsAccountId": [{"Value": r.ACCOUNT, "Comparison": "EQUALS"}],
    }
    expect_findings(sh, filters=filters)

    result = run(
        module, {"controls": ["EC2.24"], "compliance_status": [], "record_state": [], "workflow_status": [], "account_ids": [r.ACCOUNT]}, check_mode=True
    )

    assert result["targets"] == []


def test_each_region_is_read_with_its_own_client_and_a_failing_one_is_reported(aws, run):
    east, west = aws.expect_region_scan("securityhub", regions=["us-east-1", "eu-west-1"], with_account=False)
    expect_findings(east, r.finding())
    west.error("get_findings", "InvalidAccessException", "Account is not subscribed to AWS Security Hub")

    result = run(module, {"regions": ["us-east-1", "eu-west-1"]})

    assert len(result["targets"]) == 1
    assert result["regions"][1]["error"] == "region eu-west-1: InvalidAccessException: Account is not subscribed to AWS Security Hub"


def test_fails_when_every_region_fails(aws, run):
    (sh,) = aws.expect_region_scan("securityhub", with_account=False)
    sh.error("get_findings", "AccessDeniedException", "not allowed")

    result = run(module, {}, fails=True)

    assert result["msg"] == "every region failed: access denied in region us-east-1 (check the IAM policy): AccessDeniedException: not allowed"
    assert (result["targets"], result["findings"], result["unmapped"], result["truncated"]) == ([], [], [], False)


def test_more_than_20_values_of_a_filter_is_refused(aws, run):
    result = run(module, {"resource_ids": ["arn:aws:ec2:us-east-1:%s:instance/i-%017x" % (r.ACCOUNT, n) for n in range(21)]}, fails=True)

    assert result["msg"] == "ResourceId: at most 20 values can be filtered on at once (got 21)"


def test_no_controls_is_refused(aws, run):
    assert run(module, {"controls": []}, fails=True)["msg"] == "controls must name at least one security control id"


def test_max_results_below_1_is_refused(aws, run):
    assert run(module, {"max_results": 0}, fails=True)["msg"] == "max_results must be at least 1"
