"""hubfix.aws.launch_config_imdsv2_info: launch configurations judged for AutoScaling.3, groups on them for AutoScaling.9."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.modules import launch_config_imdsv2_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

PAGE = {"MaxRecords": 100}
OPTIONAL = {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
REQUIRED = {"HttpTokens": "required", "HttpEndpoint": "enabled"}


def expect_region(stub, lcs=(), groups=(), names=None):
    stub.add("describe_launch_configurations", r.launch_configurations(*lcs), {"LaunchConfigurationNames": names} if names else PAGE)
    stub.add("describe_auto_scaling_groups", r.groups(*groups), PAGE)
    r.expect_owner_lookups(stub, [lc for lc in lcs if r.failing(lc)])


def test_returns_failing_launch_configurations_and_the_groups_on_launch_configurations(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    lcs = [r.launch_configuration("lc-web", OPTIONAL), r.launch_configuration("lc-ok", REQUIRED), r.launch_configuration("lc-bare")]
    expect_region(
        autoscaling,
        lcs,
        [
            r.group("asg-web", lc="lc-web", instances=[r.group_instance("i-0000000000000000a")]),
            r.group("asg-lt", lc=None, template=("lt-0123456789abcdef0", "lt-web", 1)),
        ],
    )

    result = run(module, {})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["account_id"] == r.ACCOUNT
    assert [lc["name"] for lc in result["launch_configurations"]] == ["lc-bare", "lc-web"]
    web = result["launch_configurations"][1]
    assert web == {
        "name": "lc-web",
        "arn": r.lc_arn("lc-web"),
        "region": "us-east-1",
        "account_id": r.ACCOUNT,
        "compliant": False,
        "reason": "http_tokens_optional",
        "reason_message": "HttpTokens is optional: instances accept IMDSv1",
        "metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
        "image_id": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "created_time": "2024-01-02T03:04:05+00:00",
        "autoscaling_groups": ["asg-web"],
        "owner": None,
        "control_id": "AutoScaling.3",
    }
    assert result["launch_configurations"][0]["reason"] == "metadata_options_absent"
    (group,) = result["autoscaling_groups_on_launch_configurations"]
    assert (group["name"], group["launch_configuration_name"], group["instances"], group["control_id"]) == (
        "asg-web",
        "lc-web",
        ["i-0000000000000000a"],
        "AutoScaling.9",
    )
    assert result["regions"] == [{"region": "us-east-1", "scanned": True, "failed": 2, "evaluated": 3, "error": None}]


def test_every_call_is_retried_when_throttled(aws, run):
    aws.throttle_first = True
    (autoscaling,) = aws.expect_region_scan("autoscaling", regions=["us-east-1"])
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL)])

    assert len(run(module, {"regions": ["us-east-1"]})["launch_configurations"]) == 1


def test_only_failed_false_returns_compliant_ones_too(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-ok", REQUIRED)])

    (lc,) = run(module, {"only_failed": False}, check_mode=True)["launch_configurations"]

    assert (lc["compliant"], lc["reason"], lc["reason_message"]) == (True, None, None)


def test_a_disabled_endpoint_with_optional_tokens_still_fails(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-off", {"HttpTokens": "optional", "HttpEndpoint": "disabled"})])

    (lc,) = run(module, {})["launch_configurations"]

    assert lc["reason"] == "http_endpoint_disabled_tokens_optional"


def test_named_launch_configurations_are_read_by_name_with_only_their_groups(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(
        autoscaling, [r.launch_configuration("lc-web", OPTIONAL)], [r.group("asg-web", lc="lc-web"), r.group("asg-other", lc="lc-other")], names=["lc-web"]
    )

    result = run(module, {"names": ["lc-web", "lc-web"]})

    assert [g["name"] for g in result["autoscaling_groups_on_launch_configurations"]] == ["asg-web"]


def test_a_name_found_in_no_region_fails_naming_it_and_the_unscanned_regions(aws, run):
    east, west = aws.expect_region_scan("autoscaling", regions=["us-east-1", "eu-west-1"])
    expect_region(east, [r.launch_configuration("lc-web", OPTIONAL)], names=["lc-web", "lc-x"])
    west.error("describe_launch_configurations", "AccessDenied", "no", {"LaunchConfigurationNames": ["lc-web", "lc-x"]})

    result = run(module, {"regions": ["us-east-1", "eu-west-1"], "names": ["lc-web", "lc-x"]}, fails=True)

    assert result["msg"] == "launch configuration(s) not found in region(s) us-east-1: lc-x (not scanned because of errors: eu-west-1)"
    assert [row["scanned"] for row in result["regions"]] == [True, False]


def test_all_scans_every_enabled_region(aws, run):
    described = r.regions("us-east-1", "eu-west-1")
    described["Regions"].append({"RegionName": "ap-east-1", "Endpoint": "ec2.ap-east-1.amazonaws.com", "OptInStatus": "not-opted-in"})
    aws.stub("ec2").add("describe_regions", described, {"AllRegions": True})
    aws.stub("sts").add("get_caller_identity", r.caller_identity(), {})
    expect_region(aws.stub("autoscaling", "eu-west-1"), [r.launch_configuration("lc-eu", region="eu-west-1")])
    expect_region(aws.stub("autoscaling", "us-east-1"))

    result = run(module, {"regions": "all"})

    assert [row["region"] for row in result["regions"]] == ["eu-west-1", "us-east-1"]
    assert [lc["region"] for lc in result["launch_configurations"]] == ["eu-west-1"]


def test_fails_when_every_region_fails(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    autoscaling.error("describe_launch_configurations", "AccessDenied", "no", PAGE)

    result = run(module, {}, fails=True)

    assert result["msg"] == "every region failed: access denied in region us-east-1 (check the IAM policy): AccessDenied: no"
    assert (result["launch_configurations"], result["autoscaling_groups_on_launch_configurations"]) == ([], [])


def test_rejected_credentials_fail_naming_the_region(aws, run):
    aws.stub("sts").error("get_caller_identity", "InvalidClientTokenId", "The security token included in the request is invalid.")

    result = run(module, {}, fails=True)

    assert result["msg"] == (
        "cannot identify the account (sts:GetCallerIdentity): AWS rejected the credentials in region us-east-1: "
        "InvalidClientTokenId: The security token included in the request is invalid."
    )


def test_an_invalid_name_fails_before_any_call(aws, run):
    result = run(module, {"names": ["x" * 256]}, fails=True)

    assert result["msg"].startswith("names: invalid launch configuration name(s) 'xxx")
