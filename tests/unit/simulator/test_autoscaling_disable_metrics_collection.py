"""DisableMetricsCollection succeeds and disables the named metrics (all when none are named).

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DisableMetricsCollection.html and
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnableMetricsCollection.html (no Metrics = all metrics).
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "autoscaling_disable_metrics_collection"


@pytest.fixture
def asg(moto_aws):
    client = boto3.client("autoscaling")
    client.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-760aaa0f", InstanceType="t3.micro")
    client.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=0, MaxSize=1, AvailabilityZones=["us-east-1a"])
    return client


def enabled(asg):
    return sorted(m["Metric"] for m in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0].get("EnabledMetrics", []))


def check_disable(asg):
    asg.enable_metrics_collection(AutoScalingGroupName="g", Granularity="1Minute", Metrics=["GroupMinSize", "GroupMaxSize", "GroupTotalInstances"])
    asg.disable_metrics_collection(AutoScalingGroupName="g", Metrics=["GroupMaxSize"])
    assert enabled(asg) == ["GroupMinSize", "GroupTotalInstances"]
    asg.disable_metrics_collection(AutoScalingGroupName="g")
    assert enabled(asg) == []


def test_disable_metrics_collection(asg, patched):
    patched(PATCH)
    check_disable(asg)


def test_plain_moto_answers_500(asg):
    with pytest.raises(NotImplementedError, match="disable_metrics_collection"):
        check_disable(asg)


def test_enable_without_metrics_enables_all_and_disable_when_none_enabled_succeeds(asg, patched):
    patched(PATCH)
    asg.disable_metrics_collection(AutoScalingGroupName="g")
    asg.enable_metrics_collection(AutoScalingGroupName="g", Granularity="1Minute")
    assert "GroupInServiceInstances" in enabled(asg) and "GroupDesiredCapacity" in enabled(asg)
