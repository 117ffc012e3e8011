"""DescribeLaunchConfigurations returns the fields given to CreateLaunchConfiguration.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchConfiguration.html - BlockDeviceMappings come back
as created (Ebs, VirtualName or NoDevice=true), PlacementTenancy when set, InstanceMonitoring.Enabled true when not given
(https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceMonitoring.html), AssociatePublicIpAddress only when set.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "autoscaling_launch_configuration_fields"
MAPPINGS = [
    {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Iops": 3000, "Throughput": 125, "DeleteOnTermination": True}},
    {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
    {"DeviceName": "/dev/sdc", "NoDevice": True},
]


def describe(asg, name):
    return asg.describe_launch_configurations(LaunchConfigurationNames=[name])["LaunchConfigurations"][0]


def check_round_trip(asg):
    asg.create_launch_configuration(
        LaunchConfigurationName="lc-a",
        ImageId="ami-760aaa0f",
        InstanceType="t3.micro",
        BlockDeviceMappings=MAPPINGS,
        PlacementTenancy="dedicated",
        AssociatePublicIpAddress=False,
    )
    lc = describe(asg, "lc-a")
    assert lc["BlockDeviceMappings"] == MAPPINGS
    assert lc["PlacementTenancy"] == "dedicated"
    assert lc["AssociatePublicIpAddress"] is False


def check_defaults(asg):
    asg.create_launch_configuration(LaunchConfigurationName="lc-b", ImageId="ami-760aaa0f", InstanceType="t3.micro")
    asg.create_launch_configuration(LaunchConfigurationName="lc-c", ImageId="ami-760aaa0f", InstanceType="t3.micro", InstanceMonitoring={"Enabled": False})
    lc = describe(asg, "lc-b")
    assert lc["InstanceMonitoring"] == {"Enabled": True}
    assert "AssociatePublicIpAddress" not in lc and "PlacementTenancy" not in lc
    assert describe(asg, "lc-c")["InstanceMonitoring"] == {"Enabled": False}


def test_fields_round_trip(moto_aws, patched):
    patched(PATCH)
    check_round_trip(boto3.client("autoscaling"))


def test_defaults_as_aws(moto_aws, patched):
    patched(PATCH)
    check_defaults(boto3.client("autoscaling"))


def test_gap_on_plain_moto(moto_aws):
    asg = boto3.client("autoscaling")
    with pytest.raises(AssertionError):
        check_round_trip(asg)
    with pytest.raises(AssertionError):
        check_defaults(asg)
