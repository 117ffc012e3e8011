"""AutoScaling.3 / AutoScaling.9 detection: the compliance judgement for every MetadataOptions shape, records, API calls."""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils import controls, imdsv2
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    "metadata_options,expected",
    [
        (None, (False, "metadata_options_absent")),
        ({}, (False, "metadata_options_absent")),
        ({"HttpTokens": "required"}, (True, None)),
        ({"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2}, (True, None)),
        ({"HttpTokens": "required", "HttpEndpoint": "disabled"}, (True, None)),
        ({"HttpTokens": "Required"}, (True, None)),
        ({"HttpTokens": "optional"}, (False, "http_tokens_optional")),
        ({"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}, (False, "http_tokens_optional")),
        ({"HttpPutResponseHopLimit": 3}, (False, "http_tokens_optional")),  # tokens default to optional
        ({"HttpEndpoint": "enabled"}, (False, "http_tokens_optional")),
        ({"HttpTokens": "optional", "HttpEndpoint": "disabled"}, (False, "http_endpoint_disabled_tokens_optional")),
        ({"HttpEndpoint": "disabled"}, (False, "http_endpoint_disabled_tokens_optional")),
    ],
)
def test_judge_metadata_options(metadata_options, expected):
    assert imdsv2.judge_metadata_options(metadata_options) == expected


def test_every_judgement_is_a_reason_with_a_text():
    judged = {imdsv2.judge_metadata_options(m)[1] for m in (None, {"HttpTokens": "optional"}, {"HttpEndpoint": "disabled"})}
    assert judged == set(controls.AUTOSCALING_3_REASONS)
    assert all(controls.reason_text(r) != r for r in judged)


def test_launch_configuration_names_are_checked_before_any_call():
    assert imdsv2.validate_launch_configuration_names(["a", "b", "a"]) == ["a", "b"]
    with pytest.raises(ValueError, match="invalid launch configuration name"):
        imdsv2.validate_launch_configuration_names(["ok", "", "x" * 256])


def group(name, lc=None, desired=1, instances=(), **over):
    g = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/" + name,
        "MinSize": 0,
        "MaxSize": 4,
        "DesiredCapacity": desired,
        "DefaultCooldown": 300,
        "AvailabilityZones": ["us-east-1a"],
        "HealthCheckType": "EC2",
        "CreatedTime": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        "Instances": [
            {"InstanceId": i, "AvailabilityZone": "us-east-1a", "LifecycleState": "InService", "HealthStatus": "Healthy", "ProtectedFromScaleIn": False}
            for i in instances
        ],
    }
    if lc:
        g["LaunchConfigurationName"] = lc
    g.update(over)
    return g


def lc(name, metadata_options=None):
    d = {
        "LaunchConfigurationName": name,
        "LaunchConfigurationARN": "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:1:launchConfigurationName/" + name,
        "ImageId": "ami-760aaa0f",
        "InstanceType": "t3.micro",
        "CreatedTime": datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "SecurityGroups": [],
        "BlockDeviceMappings": [],
    }
    if metadata_options is not None:
        d["MetadataOptions"] = metadata_options
    return d


def test_groups_by_launch_configuration():
    groups = [
        group("b", "lc-1"),
        group("a", "lc-1"),
        group("c", "lc-2"),
        group("t", LaunchTemplate={"LaunchTemplateName": "lt", "Version": "$Default"}),
    ]
    assert imdsv2.groups_by_launch_configuration(groups) == {"lc-1": ["a", "b"], "lc-2": ["c"]}


def test_normalize_launch_configuration():
    r = imdsv2.normalize_launch_configuration(
        lc("lc-web", {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}), REGION, ACCOUNT, ["asg-web"]
    )
    assert r == {
        "name": "lc-web",
        "arn": "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:1:launchConfigurationName/lc-web",
        "region": REGION,
        "account_id": ACCOUNT,
        "compliant": False,
        "reason": "http_tokens_optional",
        "reason_message": controls.reason_text("http_tokens_optional"),
        "metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
        "image_id": "ami-760aaa0f",
        "instance_type": "t3.micro",
        "created_time": "2020-01-02T03:04:05+00:00",
        "autoscaling_groups": ["asg-web"],
        "control_id": "AutoScaling.3",
    }
    absent = imdsv2.normalize_launch_configuration(lc("lc-none"), REGION, ACCOUNT)
    assert (absent["compliant"], absent["reason"], absent["metadata_options"], absent["autoscaling_groups"]) == (False, "metadata_options_absent", None, [])
    ok = imdsv2.normalize_launch_configuration(lc("lc-ok", {"HttpTokens": "required"}), REGION, ACCOUNT)
    assert (ok["compliant"], ok["reason"], ok["reason_message"]) == (True, None, None)


def test_normalize_group():
    assert imdsv2.normalize_group(group("asg-web", "lc-web", 2, ["i-2", "i-1"]), REGION, ACCOUNT) == {
        "name": "asg-web",
        "arn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/asg-web",
        "region": REGION,
        "account_id": ACCOUNT,
        "launch_configuration_name": "lc-web",
        "desired_capacity": 2,
        "min_size": 0,
        "max_size": 4,
        "instances": ["i-1", "i-2"],
        "control_id": "AutoScaling.9",
    }


def stubbed():
    raw = boto3.client("autoscaling", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return RetryingBotoClientWrapper(raw, RETRY), Stubber(raw)


def test_scan_region_two_calls_and_mapping():
    client, stub = stubbed()
    stub.add_response(
        "describe_launch_configurations",
        {"LaunchConfigurations": [lc("lc-web", {"HttpTokens": "optional"}), lc("lc-ok", {"HttpTokens": "required"}), lc("lc-unused")]},
        {"MaxRecords": 100},  # the largest page: one call for up to 100 launch configurations
    )
    stub.add_response(
        "describe_auto_scaling_groups",
        {
            "AutoScalingGroups": [
                group("asg-web", "lc-web", 2, ["i-1", "i-2"]),
                group("asg-ok", "lc-ok"),
                group("asg-lt", LaunchTemplate={"LaunchTemplateName": "lt-imdsv2"}),
            ]
        },
        {"MaxRecords": 100},
    )
    with stub:
        lcs, groups = imdsv2.scan_region(client, REGION, ACCOUNT)
        stub.assert_no_pending_responses()
    assert [(r["name"], r["compliant"], r["reason"], r["autoscaling_groups"]) for r in lcs] == [
        ("lc-ok", True, None, ["asg-ok"]),
        ("lc-unused", False, "metadata_options_absent", []),
        ("lc-web", False, "http_tokens_optional", ["asg-web"]),
    ]
    assert [(g["name"], g["launch_configuration_name"], g["instances"]) for g in groups] == [("asg-ok", "lc-ok", []), ("asg-web", "lc-web", ["i-1", "i-2"])]


def test_names_are_passed_50_a_call_and_groups_narrowed():
    client, stub = stubbed()
    names = ["lc-%02d" % n for n in range(51)]
    stub.add_response("describe_launch_configurations", {"LaunchConfigurations": [lc("lc-00")]}, {"LaunchConfigurationNames": names[:50]})
    stub.add_response(
        "describe_launch_configurations", {"LaunchConfigurations": [lc("lc-50", {"HttpTokens": "required"})]}, {"LaunchConfigurationNames": names[50:]}
    )
    stub.add_response("describe_auto_scaling_groups", {"AutoScalingGroups": [group("g0", "lc-00"), group("gx", "lc-other")]}, {"MaxRecords": 100})
    with stub:
        lcs, groups = imdsv2.scan_region(client, REGION, ACCOUNT, names)
        stub.assert_no_pending_responses()
    assert [r["name"] for r in lcs] == ["lc-00", "lc-50"]
    assert [g["name"] for g in groups] == ["g0"]


def test_scan_region_on_moto(moto_aws):
    raw = boto3.client("autoscaling", region_name=REGION)
    client = RetryingBotoClientWrapper(raw, RETRY)
    raw.create_launch_configuration(
        LaunchConfigurationName="lc-opt", ImageId="ami-760aaa0f", InstanceType="t3.micro", MetadataOptions={"HttpTokens": "optional"}
    )
    raw.create_launch_configuration(LaunchConfigurationName="lc-none", ImageId="ami-760aaa0f", InstanceType="t3.micro")
    raw.create_launch_configuration(
        LaunchConfigurationName="lc-off",
        ImageId="ami-760aaa0f",
        InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "disabled"},
    )
    raw.create_launch_configuration(
        LaunchConfigurationName="lc-req", ImageId="ami-760aaa0f", InstanceType="t3.micro", MetadataOptions={"HttpTokens": "required"}
    )
    raw.create_auto_scaling_group(
        AutoScalingGroupName="asg-opt", LaunchConfigurationName="lc-opt", MinSize=0, MaxSize=2, DesiredCapacity=1, AvailabilityZones=["us-east-1a"]
    )
    lcs, groups = imdsv2.scan_region(client, REGION, ACCOUNT)
    assert [(r["name"], r["reason"], r["autoscaling_groups"]) for r in lcs] == [
        ("lc-none", "metadata_options_absent", []),
        ("lc-off", "http_endpoint_disabled_tokens_optional", []),
        ("lc-opt", "http_tokens_optional", ["asg-opt"]),
        ("lc-req", None, []),
    ]
    assert [(g["name"], g["desired_capacity"], len(g["instances"])) for g in groups] == [("asg-opt", 1, 1)]
