"""An AWS::AutoScaling::LaunchConfiguration made by CloudFormation keeps MetadataOptions and BlockDeviceMappings.

moto 5.2.5 creates a stack's launch configuration without its MetadataOptions (so a stack whose launch configuration
already requires IMDSv2 looks like an AutoScaling.3 failure), without its BlockDeviceMappings (it reads a
``BlockDeviceMapping.member`` property that templates do not have), without PlacementTenancy, and takes InstanceMonitoring
(a boolean in templates, default true) as false when it is absent.
"""

from __future__ import annotations

NAME = "cloudformation-launch-configuration-properties"
AWS_BEHAVIOUR = (
    "A launch configuration created from a template has the template's MetadataOptions (HttpTokens, HttpEndpoint, "
    "HttpPutResponseHopLimit), BlockDeviceMappings, PlacementTenancy and InstanceMonitoring (true when not given), as "
    "DescribeLaunchConfigurations shows. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-launchconfiguration.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-autoscaling-launchconfiguration-metadataoptions.html"
)


def _bool(value, default):
    return default if value is None else value is True or str(value).lower() == "true"


def apply():
    from moto.autoscaling.models import FakeLaunchConfiguration

    original = FakeLaunchConfiguration.__dict__["create_from_cloudformation_json"]

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        config = original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        props = cloudformation_json.get("Properties") or {}
        if props.get("BlockDeviceMappings"):
            config.block_device_mapping_dict = props["BlockDeviceMappings"]
        config.metadata_options = props.get("MetadataOptions") or None
        config.placement_tenancy = props.get("PlacementTenancy")
        config.instance_monitoring_enabled = _bool(props.get("InstanceMonitoring"), True)
        if props.get("AssociatePublicIpAddress") is None:
            config.associate_public_ip_address = None
        return config

    FakeLaunchConfiguration.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)

    def undo():
        FakeLaunchConfiguration.create_from_cloudformation_json = original

    return undo
