"""DescribeStackResources(PhysicalResourceId=...) returns the resources of the stack owning that resource.

AWS: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "cloudformation_describe_stack_resources"
TEMPLATE = """
Resources:
  WebConfig:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {ImageId: ami-760aaa0f, InstanceType: t3.micro}
  WebGroup:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: '0', MaxSize: '1', AvailabilityZones: [us-east-1a], LaunchConfigurationName: !Ref WebConfig}
"""


@pytest.fixture
def stacks(moto_aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="other", TemplateBody=TEMPLATE)
    cf.create_stack(StackName="web", TemplateBody=TEMPLATE)
    return cf, {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.describe_stack_resources(StackName="web")["StackResources"]}


def test_find_the_stack_of_a_launch_configuration(stacks, patched):
    patched(PATCH)
    cf, physical = stacks
    found = cf.describe_stack_resources(PhysicalResourceId=physical["WebConfig"])["StackResources"]
    assert {r["StackName"] for r in found} == {"web"}
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in found} == physical  # every resource of that stack
    only = cf.describe_stack_resources(PhysicalResourceId=physical["WebGroup"], LogicalResourceId="WebGroup")["StackResources"]
    assert [(r["LogicalResourceId"], r["ResourceType"]) for r in only] == [("WebGroup", "AWS::AutoScaling::AutoScalingGroup")]


def test_unowned_resource_is_a_validation_error(stacks, patched):
    patched(PATCH)
    cf, _unused = stacks
    with pytest.raises(ClientError) as err:
        cf.describe_stack_resources(PhysicalResourceId="lc-made-by-hand")
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert err.value.response["Error"]["Message"] == "Stack for lc-made-by-hand does not exist"


def test_plain_moto_cannot_look_up_by_physical_id(stacks):
    """The gap: moto 5.2.5 answers "Stack with id None does not exist"."""
    cf, physical = stacks
    with pytest.raises(ClientError, match="Stack with id None does not exist"):
        cf.describe_stack_resources(PhysicalResourceId=physical["WebConfig"])
