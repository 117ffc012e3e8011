"""Auto Scaling fidelity patches through the real simulator server (boto3 over HTTP, every patch applied).

AWS references: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeInstanceRefreshes.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteLaunchConfiguration.html.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

AMI = "ami-760aaa0f"
TERMINAL = ("Successful", "Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed")


@pytest.fixture
def web(simulator):
    """Group "web": 2 instances from IMDSv1 launch configuration lc-v1; launch template web-imdsv2 (IMDSv2, hop limit 2)."""
    asg, ec2 = simulator.client("autoscaling"), simulator.client("ec2")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId=AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchConfigurationName="lc-v1", MinSize=0, MaxSize=4, DesiredCapacity=2, AvailabilityZones=["us-east-1a"]
    )
    template = ec2.create_launch_template(
        LaunchTemplateName="web-imdsv2",
        LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}},
    )["LaunchTemplate"]
    return asg, ec2, template["LaunchTemplateId"]


def group_instances(asg):
    return sorted(i["InstanceId"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"])


def imds(ec2, ids):
    return sorted(
        (i["MetadataOptions"]["HttpTokens"], i["MetadataOptions"]["HttpPutResponseHopLimit"])
        for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]
        for i in r["Instances"]
    )


def test_launch_configuration_in_use_is_refused(web):
    asg, _unused, template = web
    with pytest.raises(ClientError) as err:
        asg.delete_launch_configuration(LaunchConfigurationName="lc-v1")
    assert err.value.response["Error"]["Code"] == "ResourceInUse"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "attached to AutoScalingGroup web" in err.value.response["Error"]["Message"]
    assert len(asg.describe_launch_configurations(LaunchConfigurationNames=["lc-v1"])["LaunchConfigurations"]) == 1

    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateId": template, "Version": "1"})
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert "LaunchConfigurationName" not in group
    asg.delete_launch_configuration(LaunchConfigurationName="lc-v1")
    assert asg.describe_launch_configurations()["LaunchConfigurations"] == []


def test_instance_refresh_lifecycle(simulator, web):
    asg, ec2, template = web
    old = group_instances(asg)
    assert imds(ec2, old) == [("optional", 1), ("optional", 1)]
    simulator.reset_recording()
    refresh_id = asg.start_instance_refresh(
        AutoScalingGroupName="web",
        DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateId": template, "Version": "1"}},
        Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 0, "SkipMatching": True},
    )["InstanceRefreshId"]
    with pytest.raises(ClientError) as err:
        asg.start_instance_refresh(AutoScalingGroupName="web")
    assert err.value.response["Error"]["Code"] == "InstanceRefreshInProgress"

    seen = []
    for _unused in range(10):
        (refresh,) = asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"]
        seen.append((refresh["Status"], refresh["PercentageComplete"]))
        if refresh["Status"] in TERMINAL:
            break
    assert seen == [("Pending", 0), ("InProgress", 0), ("InProgress", 50), ("Successful", 100)]
    assert refresh["InstanceRefreshId"] == refresh_id and refresh["Preferences"]["SkipMatching"] is True

    new = group_instances(asg)
    assert len(new) == 2 and not set(new) & set(old)
    assert imds(ec2, new) == [("required", 2), ("required", 2)]
    states = {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances(InstanceIds=old)["Reservations"] for i in r["Instances"]}
    assert set(states.values()) <= {"shutting-down", "terminated"}
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert "LaunchConfigurationName" not in group and group["LaunchTemplate"]["LaunchTemplateId"] == template

    with pytest.raises(ClientError) as err:
        asg.cancel_instance_refresh(AutoScalingGroupName="web")
    assert err.value.response["Error"]["Code"] == "ActiveInstanceRefreshNotFound"
    ops = [c.operation for c in simulator.mutating_calls()]
    assert ops.count("StartInstanceRefresh") == 2 and "CancelInstanceRefresh" in ops


def test_failed_refresh_rolls_back(web):
    asg, ec2, template = web
    ec2.create_launch_template_version(LaunchTemplateId=template, LaunchTemplateData={"ImageId": "ami-00000000", "InstanceType": "t3.micro"})
    old = group_instances(asg)
    asg.start_instance_refresh(
        AutoScalingGroupName="web",
        DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateId": template, "Version": "2"}},
        Preferences={"AutoRollback": True},
    )
    statuses = []
    for _unused in range(10):
        (refresh,) = asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"]
        statuses.append(refresh["Status"])
        if refresh["Status"] in TERMINAL:
            break
    assert statuses == ["Pending", "RollbackInProgress", "RollbackSuccessful"]
    assert "ami-00000000" in refresh["RollbackDetails"]["RollbackReason"]
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert group["LaunchConfigurationName"] == "lc-v1" and group_instances(asg) == old


def test_disable_metrics_and_ephemeral_mappings_over_http(simulator, web):
    asg, ec2, _unused = web
    asg.enable_metrics_collection(AutoScalingGroupName="web", Granularity="1Minute", Metrics=["GroupMinSize"])
    asg.disable_metrics_collection(AutoScalingGroupName="web")
    assert asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0].get("EnabledMetrics", []) == []
    asg.create_launch_configuration(
        LaunchConfigurationName="lc-eph",
        ImageId=AMI,
        InstanceType="m1.small",
        BlockDeviceMappings=[{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}, {"DeviceName": "/dev/sdc", "NoDevice": True}],
    )
    asg.create_auto_scaling_group(AutoScalingGroupName="eph", LaunchConfigurationName="lc-eph", MinSize=1, MaxSize=1, AvailabilityZones=["us-east-1a"])
    assert len(asg.describe_auto_scaling_groups(AutoScalingGroupNames=["eph"])["AutoScalingGroups"][0]["Instances"]) == 1
    assert simulator.state()  # the moto-api state dump still works with the patched models
