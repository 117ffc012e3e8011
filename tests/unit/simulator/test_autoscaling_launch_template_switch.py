"""After UpdateAutoScalingGroup switches the launch source, the group reports only the new one.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html and
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html - a group has exactly one of
LaunchConfigurationName, LaunchTemplate, MixedInstancesPolicy; parameters an update does not name keep their value.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "autoscaling_launch_template_switch"
AMI = "ami-760aaa0f"


@pytest.fixture
def clients(moto_aws):
    """A launch configuration, a launch template and a factory for the group "web" (call it after applying patches)."""
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId=AMI, InstanceType="t3.micro")
    ec2.create_launch_template(LaunchTemplateName="web-imdsv2", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"})

    def make_group():
        asg.create_auto_scaling_group(
            AutoScalingGroupName="web", LaunchConfigurationName="lc-v1", MinSize=0, MaxSize=3, DesiredCapacity=1, AvailabilityZones=["us-east-1a"]
        )
        return asg

    return make_group


def source(asg):
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    return {k: group[k] for k in ("LaunchConfigurationName", "LaunchTemplate", "MixedInstancesPolicy") if k in group}


def check_switch_to_template(asg):
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web-imdsv2", "Version": "1"})
    got = source(asg)
    assert "LaunchConfigurationName" not in got
    assert got["LaunchTemplate"]["LaunchTemplateName"] == "web-imdsv2" and got["LaunchTemplate"]["Version"] == "1"


def test_switch_to_launch_template_drops_launch_configuration_name(clients, patched):
    patched(PATCH)
    check_switch_to_template(clients())


def test_plain_moto_keeps_the_old_launch_configuration_name(clients):
    """The gap: moto 5.2.5 still reports LaunchConfigurationName after the switch."""
    with pytest.raises(AssertionError):
        check_switch_to_template(clients())


def test_switch_back_to_launch_configuration(clients, patched):
    patched(PATCH)
    asg = clients()
    check_switch_to_template(asg)
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchConfigurationName="lc-v1")
    assert source(asg) == {"LaunchConfigurationName": "lc-v1"}


def test_mixed_instances_policy_is_the_only_source_and_survives_other_updates(clients, patched):
    patched(PATCH)
    asg = clients()
    policy = {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {"LaunchTemplateName": "web-imdsv2", "Version": "$Latest"},
            "Overrides": [{"InstanceType": "t3.micro"}],
        }
    }
    asg.update_auto_scaling_group(AutoScalingGroupName="web", MixedInstancesPolicy=policy)
    got = source(asg)
    assert set(got) == {"MixedInstancesPolicy"}
    asg.update_auto_scaling_group(AutoScalingGroupName="web", MaxSize=4)
    got = source(asg)
    assert set(got) == {"MixedInstancesPolicy"}
    assert got["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateName"] == "web-imdsv2"


def test_plain_moto_loses_the_mixed_instances_policy_on_an_unrelated_update(clients):
    asg = clients()
    policy = {"LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateName": "web-imdsv2"}, "Overrides": [{"InstanceType": "t3.micro"}]}}
    asg.update_auto_scaling_group(AutoScalingGroupName="web", MixedInstancesPolicy=policy)
    asg.update_auto_scaling_group(AutoScalingGroupName="web", MaxSize=4)
    assert "MixedInstancesPolicy" not in source(asg)


def check_instances_report_their_own_source(asg):
    """An instance launched from the launch configuration keeps reporting it after the group switched to a template."""
    old = asg.describe_auto_scaling_instances()["AutoScalingInstances"][0]["InstanceId"]
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web-imdsv2", "Version": "1"})
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=2)
    by_id = {d["InstanceId"]: d for d in asg.describe_auto_scaling_instances()["AutoScalingInstances"]}
    old_details = by_id.pop(old)
    assert old_details.get("LaunchConfigurationName") == "lc-v1" and "LaunchTemplate" not in old_details
    (new,) = by_id.values()
    assert new["LaunchTemplate"]["LaunchTemplateName"] == "web-imdsv2" and "LaunchConfigurationName" not in new


def test_instance_details_name_one_launch_source(clients, patched):
    patched(PATCH)
    check_instances_report_their_own_source(clients())


def test_instance_details_with_the_metadata_patch_too(clients, patched):
    """The launch helper of the metadata patch records the launch source the same way."""
    patched(PATCH)
    patched("autoscaling_instance_metadata_options")
    check_instances_report_their_own_source(clients())


def test_plain_moto_reports_both_sources_per_instance(clients):
    with pytest.raises(AssertionError):
        check_instances_report_their_own_source(clients())
