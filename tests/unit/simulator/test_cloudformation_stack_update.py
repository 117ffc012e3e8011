"""A stack update moves its Auto Scaling group from a launch configuration to a launch template in place.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/userguide/migrate-launch-configurations-with-cloudformation.html and
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html - the group
is updated with no interruption (same name, same instances), the removed launch configuration is deleted in cleanup.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "cloudformation_stack_update"
AUTOSCALING = ("autoscaling_launch_template_switch", "autoscaling_instance_metadata_options", "autoscaling_delete_launch_configuration")
GROUP = """
  WebGroup:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '3'
      DesiredCapacity: '2'
      AvailabilityZones: [us-east-1a]
      Tags: [{Key: team, Value: web, PropagateAtLaunch: true}]
"""
ON_LAUNCH_CONFIGURATION = (
    """
Resources:
  WebConfig:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: ami-760aaa0f, InstanceType: INSTANCE_TYPE}
"""
    + GROUP
    + "      LaunchConfigurationName: !Ref WebConfig\n"
)
ON_LAUNCH_TEMPLATE = (
    """
Resources:
  WebTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-760aaa0f
        InstanceType: t3.micro
        MetadataOptions: {HttpTokens: required, HttpEndpoint: enabled}
"""
    + GROUP
    + """      LaunchTemplate:
        LaunchTemplateId: !Ref WebTemplate
        Version: !GetAtt WebTemplate.LatestVersionNumber
"""
)


def v1(instance_type="t3.micro"):
    return ON_LAUNCH_CONFIGURATION.replace("INSTANCE_TYPE", instance_type)


@pytest.fixture
def clients(moto_aws):
    return boto3.client("cloudformation"), boto3.client("autoscaling"), boto3.client("ec2")


def group(asg):
    (only,) = asg.describe_auto_scaling_groups()["AutoScalingGroups"]
    return only


def tokens(ec2, ids):
    return sorted(i["MetadataOptions"]["HttpTokens"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"])


def migrate(clients, how):
    """Create the stack on a launch configuration, move it to a launch template; returns (group before, group after)."""
    cf, asg, _unused = clients
    cf.create_stack(StackName="web", TemplateBody=v1())
    before = group(asg)
    if how == "change set":
        cf.create_change_set(StackName="web", ChangeSetName="imdsv2", TemplateBody=ON_LAUNCH_TEMPLATE, ChangeSetType="UPDATE")
        cf.execute_change_set(StackName="web", ChangeSetName="imdsv2")
    else:
        cf.update_stack(StackName="web", TemplateBody=ON_LAUNCH_TEMPLATE)
    return before, group(asg)


def check_in_place(clients, before, after):
    cf, asg, _unused = clients
    assert after["AutoScalingGroupName"] == before["AutoScalingGroupName"]
    assert "LaunchConfigurationName" not in after and after["LaunchTemplate"]["Version"] == "1"
    assert {i["InstanceId"] for i in after["Instances"]} == {i["InstanceId"] for i in before["Instances"]}  # no interruption
    assert asg.describe_launch_configurations()["LaunchConfigurations"] == []  # the removed one is deleted
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.describe_stack_resources(StackName="web")["StackResources"]}
    assert resources == {"WebTemplate": after["LaunchTemplate"]["LaunchTemplateId"], "WebGroup": before["AutoScalingGroupName"]}
    assert cf.describe_stacks(StackName="web")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"


@pytest.mark.parametrize("how", ["change set", "update stack"])
def test_group_moves_to_the_launch_template_in_place(clients, patched, how):
    for name in AUTOSCALING + (PATCH,):
        patched(name)
    before, after = migrate(clients, how)
    check_in_place(clients, before, after)
    asg, ec2 = clients[1], clients[2]
    assert tokens(ec2, [i["InstanceId"] for i in after["Instances"]]) == ["optional", "optional"]  # not replaced by the update
    asg.set_desired_capacity(AutoScalingGroupName=after["AutoScalingGroupName"], DesiredCapacity=3)
    new = {i["InstanceId"] for i in group(asg)["Instances"]} - {i["InstanceId"] for i in after["Instances"]}
    assert tokens(ec2, list(new)) == ["required"]  # new instances come from the template


def test_plain_moto_replaces_the_group(clients):
    """The gap: moto 5.2.5 deletes the group and creates another one (new name, new instances)."""
    before, after = migrate(clients, "change set")
    assert after["AutoScalingGroupName"] != before["AutoScalingGroupName"]
    with pytest.raises(AssertionError):
        check_in_place(clients, before, after)


def test_plain_moto_deletes_the_launch_configuration_first(clients, patched):
    """The gap with AWS's DeleteLaunchConfiguration (ResourceInUse): moto removes resources before it updates the group."""
    for name in AUTOSCALING:
        patched(name)
    with pytest.raises(ClientError, match="ResourceInUse"):
        migrate(clients, "change set")


def test_changed_launch_configuration_is_replaced_and_the_old_one_deleted_after(clients, patched):
    for name in AUTOSCALING + (PATCH,):
        patched(name)
    cf, asg, _unused = clients
    cf.create_stack(StackName="web", TemplateBody=v1())
    before = group(asg)
    cf.update_stack(StackName="web", TemplateBody=v1("t3.small"))
    after = group(asg)
    assert after["AutoScalingGroupName"] == before["AutoScalingGroupName"]
    assert after["LaunchConfigurationName"] != before["LaunchConfigurationName"]
    (config,) = asg.describe_launch_configurations()["LaunchConfigurations"]
    assert config["LaunchConfigurationName"] == after["LaunchConfigurationName"] and config["InstanceType"] == "t3.small"


def test_tags_and_sizes_update_in_place(clients, patched):
    patched(PATCH)
    cf, asg, _unused = clients
    cf.create_stack(StackName="web", TemplateBody=v1())
    name = group(asg)["AutoScalingGroupName"]
    changed = v1().replace("MaxSize: '3'", "MaxSize: '4'").replace("Value: web", "Value: shop")
    cf.update_stack(StackName="web", TemplateBody=changed)
    after = group(asg)
    assert after["AutoScalingGroupName"] == name and after["MaxSize"] == 4
    assert {t["Key"]: t["Value"] for t in after["Tags"]}["team"] == "shop"


def test_new_stack_with_a_launch_template(clients, patched):
    """Checked, no patch needed: Fn::GetAtt LatestVersionNumber and LaunchTemplateData (MetadataOptions) work on moto."""
    for name in AUTOSCALING:
        patched(name)
    cf, asg, ec2 = clients
    cf.create_stack(StackName="fresh", TemplateBody=ON_LAUNCH_TEMPLATE)
    g = group(asg)
    assert "LaunchConfigurationName" not in g and g["LaunchTemplate"]["Version"] == "1"
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateId=g["LaunchTemplate"]["LaunchTemplateId"])["LaunchTemplateVersions"]
    assert version["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
    assert tokens(ec2, [i["InstanceId"] for i in g["Instances"]]) == ["required", "required"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_get_template_returns_the_body_as_given(clients, fmt):
    """Checked, no patch needed. (boto3 itself turns a JSON TemplateBody into a dict, so compare the wire.)"""
    cf = clients[0]
    body = v1() if fmt == "yaml" else json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}}, indent=3)
    cf.create_stack(StackName="web", TemplateBody=body)
    wire = []
    cf.meta.events.register("after-call.cloudformation.GetTemplate", lambda http_response, **_unused: wire.append(http_response.content))
    cf.get_template(StackName="web")
    (element,) = [e for e in ET.fromstring(wire[0]).iter() if e.tag.endswith("TemplateBody")]
    assert element.text == body


def test_new_template_version_moves_the_group_that_uses_latest_version_number(clients, patched):
    for name in AUTOSCALING + (PATCH,):
        patched(name)
    cf, asg, ec2 = clients
    cf.create_stack(StackName="web", TemplateBody=ON_LAUNCH_TEMPLATE)
    cf.update_stack(StackName="web", TemplateBody=ON_LAUNCH_TEMPLATE.replace("InstanceType: t3.micro", "InstanceType: t3.small"))
    g = group(asg)
    assert g["LaunchTemplate"]["Version"] == "2"  # Version: !GetAtt WebTemplate.LatestVersionNumber followed the new version
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=g["LaunchTemplate"]["LaunchTemplateId"])["LaunchTemplateVersions"]
    assert sorted(v["VersionNumber"] for v in versions) == [1, 2]
