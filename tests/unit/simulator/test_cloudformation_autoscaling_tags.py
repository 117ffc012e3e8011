"""Groups CloudFormation creates carry aws:cloudformation:stack-name / stack-id / logical-id and the stack's tags.

AWS: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html - the tags are
propagated at launch, so the group's instances have them too.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "cloudformation_autoscaling_tags"
TEMPLATE = """
Resources:
  WebConfig:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: ami-760aaa0f, InstanceType: t3.micro}
  WebGroup:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '0'
      MaxSize: '2'
      DesiredCapacity: '1'
      AvailabilityZones: [us-east-1a]
      LaunchConfigurationName: !Ref WebConfig
      Tags:
        - {Key: team, Value: web, PropagateAtLaunch: true}
        - {Key: cost-centre, Value: from-template, PropagateAtLaunch: false}
"""


def create_stack():
    cf = boto3.client("cloudformation")
    stack_id = cf.create_stack(StackName="web", TemplateBody=TEMPLATE, Tags=[{"Key": "cost-centre", "Value": "from-stack"}, {"Key": "env", "Value": "prod"}])[
        "StackId"
    ]
    (group,) = boto3.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    return stack_id, group


def check_group_tags(stack_id, group):
    tags = {t["Key"]: (t["Value"], t["PropagateAtLaunch"]) for t in group["Tags"]}
    assert tags["aws:cloudformation:stack-name"] == ("web", True)
    assert tags["aws:cloudformation:stack-id"] == (stack_id, True)
    assert tags["aws:cloudformation:logical-id"] == ("WebGroup", True)
    assert tags["env"] == ("prod", True)  # a stack tag
    assert tags["team"] == ("web", True) and tags["cost-centre"] == ("from-template", False)  # the template's tag wins


def test_group_gets_cloudformation_tags(moto_aws, patched):
    patched(PATCH)
    check_group_tags(*create_stack())


def test_instances_get_them_at_launch(moto_aws, patched):
    patched(PATCH)
    stack_id, group = create_stack()
    ec2 = boto3.client("ec2")
    (instance,) = [i for r in ec2.describe_instances(InstanceIds=[group["Instances"][0]["InstanceId"]])["Reservations"] for i in r["Instances"]]
    tags = {t["Key"]: t["Value"] for t in instance["Tags"]}
    assert tags["aws:cloudformation:stack-id"] == stack_id and tags["aws:cloudformation:logical-id"] == "WebGroup"
    assert "cost-centre" not in tags  # PropagateAtLaunch false in the template


def test_plain_moto_has_no_cloudformation_tags_on_the_group(moto_aws):
    """The gap: moto 5.2.5 tags the group with the template's Tags only."""
    stack_id, group = create_stack()
    assert not [t for t in group["Tags"] if t["Key"].startswith("aws:cloudformation:")]
    with pytest.raises(KeyError):
        check_group_tags(stack_id, group)
