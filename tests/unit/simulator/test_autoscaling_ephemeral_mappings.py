"""Groups launch from launch configurations with instance store (VirtualName) or NoDevice block device mappings.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_BlockDeviceMapping.html - a mapping is an EBS volume
(Ebs), an instance store volume (VirtualName ephemeral0-23) or a suppressed device (NoDevice); CreateAutoScalingGroup and
scaling launch such instances normally.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "autoscaling_ephemeral_mappings"
AMI = "ami-760aaa0f"
MAPPINGS = [
    {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
    {"DeviceName": "/dev/sdc", "NoDevice": True},
    {"DeviceName": "/dev/sdd", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "DeleteOnTermination": True}},
]


def check_group_launches(asg, ec2):
    asg.create_launch_configuration(LaunchConfigurationName="lc-eph", ImageId=AMI, InstanceType="m1.small", BlockDeviceMappings=MAPPINGS)
    asg.create_auto_scaling_group(
        AutoScalingGroupName="g", LaunchConfigurationName="lc-eph", MinSize=0, MaxSize=3, DesiredCapacity=1, AvailabilityZones=["us-east-1a"]
    )
    asg.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=2)
    ids = [i["InstanceId"] for i in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]
    assert len(ids) == 2
    for reservation in ec2.describe_instances(InstanceIds=ids)["Reservations"]:
        for instance in reservation["Instances"]:
            devices = {m["DeviceName"] for m in instance["BlockDeviceMappings"]}
            assert "/dev/sdd" in devices  # the EBS mapping became a volume
            assert not devices & {"/dev/sdb", "/dev/sdc"}  # instance store and NoDevice are not EBS volumes


def test_group_launches_with_ephemeral_and_no_device_mappings(moto_aws, patched):
    patched(PATCH)
    check_group_launches(boto3.client("autoscaling"), boto3.client("ec2"))


def test_plain_moto_fails_with_http_500(moto_aws):
    """The gap: KeyError 'Ebs' inside moto (HTTP 500 on the server; in-process the exception itself)."""
    with pytest.raises(KeyError, match="Ebs"):
        check_group_launches(boto3.client("autoscaling"), boto3.client("ec2"))


def test_works_with_the_metadata_options_launch_helper(moto_aws, patched):
    """The server applies every patch: the group launch helper of the metadata patch goes through the same fix."""
    patched("autoscaling_instance_metadata_options")
    patched(PATCH)
    check_group_launches(boto3.client("autoscaling"), boto3.client("ec2"))
