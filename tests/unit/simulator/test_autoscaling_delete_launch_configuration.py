"""DeleteLaunchConfiguration refuses a launch configuration still attached to a group.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteLaunchConfiguration.html
("The launch configuration must not be attached to an Auto Scaling group." -> ResourceInUse, HTTP 400).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "autoscaling_delete_launch_configuration"
AMI = "ami-760aaa0f"


def make_group(asg, lc="lc-old", group="web", desired=0):
    asg.create_launch_configuration(LaunchConfigurationName=lc, ImageId=AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(
        AutoScalingGroupName=group, LaunchConfigurationName=lc, MinSize=0, MaxSize=2, DesiredCapacity=desired, AvailabilityZones=["us-east-1a"]
    )


def check_in_use_refused(asg):
    make_group(asg)
    with pytest.raises(ClientError) as err:
        asg.delete_launch_configuration(LaunchConfigurationName="lc-old")
    error = err.value.response["Error"]
    assert error["Code"] == "ResourceInUse"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == "Cannot delete launch configuration lc-old because it is attached to AutoScalingGroup web"
    assert [lc["LaunchConfigurationName"] for lc in asg.describe_launch_configurations()["LaunchConfigurations"]] == ["lc-old"]


def test_in_use_launch_configuration_is_refused(moto_aws, patched):
    """AWS answers ResourceInUse and keeps the launch configuration while a group uses it."""
    patched(PATCH)
    check_in_use_refused(boto3.client("autoscaling"))


def test_plain_moto_deletes_an_attached_launch_configuration(moto_aws):
    """The gap: moto 5.2.5 deletes it (if this starts failing, moto fixed it and the patch can go)."""
    with pytest.raises(pytest.fail.Exception):
        check_in_use_refused(boto3.client("autoscaling"))


def test_deletable_once_no_group_uses_it(moto_aws, patched):
    """After the group switched to a launch template (or was deleted) the launch configuration can be deleted."""
    patched(PATCH)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    make_group(asg, desired=1)
    ec2.create_launch_template(LaunchTemplateName="web-v2", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"})
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web-v2", "Version": "$Default"})
    asg.delete_launch_configuration(LaunchConfigurationName="lc-old")
    assert asg.describe_launch_configurations()["LaunchConfigurations"] == []

    asg.create_launch_configuration(LaunchConfigurationName="lc-other", ImageId=AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName="other", LaunchConfigurationName="lc-other", MinSize=0, MaxSize=1, AvailabilityZones=["us-east-1a"])
    asg.delete_auto_scaling_group(AutoScalingGroupName="other")
    asg.delete_launch_configuration(LaunchConfigurationName="lc-other")


def test_unknown_name_is_a_validation_error(moto_aws, patched):
    """AWS: ValidationError 'Launch configuration name not found - Launch configuration X not found'."""
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        boto3.client("autoscaling").delete_launch_configuration(LaunchConfigurationName="nope")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert err.value.response["Error"]["Message"] == "Launch configuration name not found - Launch configuration nope not found"
