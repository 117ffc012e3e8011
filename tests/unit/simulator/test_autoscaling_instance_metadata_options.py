"""Instances launched by a group carry the MetadataOptions of its launch configuration or launch template version.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceMetadataOptions.html (launch configuration;
defaults HttpTokens optional, HttpEndpoint enabled, HttpPutResponseHopLimit 1) and
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateSpecification.html (the group's Version:
a number, $Default or $Latest), seen on the instance in
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsResponse.html.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "autoscaling_instance_metadata_options"
AMI = "ami-760aaa0f"
AZ = ["us-east-1a"]


def imds(ec2, asg, group):
    ids = [i["InstanceId"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"]]
    assert ids, "the group launched no instance"
    options = [i["MetadataOptions"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]]
    return [(o["HttpTokens"], o["HttpEndpoint"], o["HttpPutResponseHopLimit"]) for o in options]


def check_launch_configuration_options(asg, ec2):
    asg.create_launch_configuration(
        LaunchConfigurationName="lc-v2",
        ImageId=AMI,
        InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2},
    )
    asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc-v2", MinSize=0, MaxSize=3, DesiredCapacity=2, AvailabilityZones=AZ)
    assert imds(ec2, asg, "g") == [("required", "enabled", 2)] * 2


def test_launch_configuration_metadata_options(moto_aws, patched):
    patched(PATCH)
    check_launch_configuration_options(boto3.client("autoscaling"), boto3.client("ec2"))


def test_plain_moto_ignores_launch_configuration_metadata_options(moto_aws):
    with pytest.raises(AssertionError):
        check_launch_configuration_options(boto3.client("autoscaling"), boto3.client("ec2"))


def test_launch_configuration_without_options_gets_aws_defaults(moto_aws, patched):
    patched(PATCH)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId=AMI, InstanceType="t3.micro")
    asg.create_launch_configuration(LaunchConfigurationName="lc-off", ImageId=AMI, InstanceType="t3.micro", MetadataOptions={"HttpEndpoint": "disabled"})
    asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc-v1", MinSize=1, MaxSize=1, AvailabilityZones=AZ)
    asg.create_auto_scaling_group(AutoScalingGroupName="off", LaunchConfigurationName="lc-off", MinSize=1, MaxSize=1, AvailabilityZones=AZ)
    assert imds(ec2, asg, "g") == [("optional", "enabled", 1)]
    assert imds(ec2, asg, "off") == [("optional", "disabled", 1)]


@pytest.fixture
def template(moto_aws):
    """Template with v1 IMDSv1 (default version), v2 IMDSv2 hop 2, v3 IMDSv2 hop 3 ($Latest)."""
    ec2 = boto3.client("ec2")
    lt = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"})["LaunchTemplate"]
    for hops in (2, 3):
        ec2.create_launch_template_version(
            LaunchTemplateId=lt["LaunchTemplateId"],
            LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": hops}},
        )
    return lt["LaunchTemplateId"]


@pytest.mark.parametrize(
    "version, expected",
    [("2", ("required", "enabled", 2)), ("$Latest", ("required", "enabled", 3)), ("$Default", ("optional", "enabled", 1)), (None, ("optional", "enabled", 1))],
)
def test_launch_template_version_the_group_names(template, patched, version, expected):
    patched(PATCH)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    spec = {"LaunchTemplateId": template}
    if version:
        spec["Version"] = version
    asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchTemplate=spec, MinSize=1, MaxSize=1, AvailabilityZones=AZ)
    assert imds(ec2, asg, "g") == [expected]


def test_new_default_version_applies_to_later_launches(template, patched):
    patched(PATCH)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="g",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Default"},
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=1,
        AvailabilityZones=AZ,
    )
    ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion="2")
    asg.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=2)
    assert sorted(imds(ec2, asg, "g")) == [("optional", "enabled", 1), ("required", "enabled", 2)]


def test_plain_moto_ignores_the_pinned_template_version(template):
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="g", LaunchTemplate={"LaunchTemplateId": template, "Version": "2"}, MinSize=1, MaxSize=1, AvailabilityZones=AZ
    )
    assert imds(ec2, asg, "g") != [("required", "enabled", 2)]


def test_mixed_instances_policy_uses_its_template_version(template, patched):
    patched(PATCH)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    policy = {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": template, "Version": "3"}, "Overrides": [{"InstanceType": "t3.small"}]}}
    asg.create_auto_scaling_group(AutoScalingGroupName="g", MixedInstancesPolicy=policy, MinSize=1, MaxSize=1, AvailabilityZones=AZ)
    assert imds(ec2, asg, "g") == [("required", "enabled", 3)]
