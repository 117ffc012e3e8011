"""A stack's launch configuration keeps the template's MetadataOptions, BlockDeviceMappings and InstanceMonitoring.

AWS: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-launchconfiguration.html
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "cloudformation_launch_configuration_properties"
TEMPLATE = """
Resources:
  Config:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-760aaa0f
      InstanceType: t3.micro
      MetadataOptions: {HttpTokens: required, HttpEndpoint: enabled, HttpPutResponseHopLimit: 2}
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs: {VolumeSize: 20, VolumeType: gp3, DeleteOnTermination: true}
"""


def config():
    boto3.client("cloudformation").create_stack(StackName="web", TemplateBody=TEMPLATE)
    (only,) = boto3.client("autoscaling").describe_launch_configurations()["LaunchConfigurations"]
    return only


def check(lc):
    assert lc["MetadataOptions"] == {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2}
    (mapping,) = lc["BlockDeviceMappings"]
    assert mapping["DeviceName"] == "/dev/xvda" and mapping["Ebs"]["VolumeSize"] == 20 and mapping["Ebs"]["VolumeType"] == "gp3"
    assert lc["InstanceMonitoring"] == {"Enabled": True}  # the template default


def test_template_properties_are_kept(moto_aws, patched):
    patched("autoscaling_launch_configuration_fields")  # as on the server
    patched(PATCH)
    check(config())


def test_plain_moto_drops_metadata_options_and_mappings(moto_aws):
    """The gap: moto 5.2.5 creates the launch configuration without them (an IMDSv2 stack looks like a failure)."""
    lc = config()
    assert "MetadataOptions" not in lc and not lc.get("BlockDeviceMappings")
    with pytest.raises((AssertionError, KeyError)):
        check(lc)
