"""Instances an Auto Scaling group launches get the instance metadata options of its launch configuration or template.

moto 5.2.5 launches every group instance with IMDS defaults (tokens optional) whatever the launch configuration or
launch template says, and always takes the template's default version even when the group pins another one, so a
migration to IMDSv2 (AutoScaling.3) could not be verified on the instances themselves.

``launch_group_instances`` is also what the instance refresh patch uses to build replacement instances.
"""

from __future__ import annotations

from tests.simulator.patches.autoscaling_launch_template_switch import LAUNCH_SOURCE_ATTR

NAME = "autoscaling-instance-metadata-options"
AWS_BEHAVIOUR = (
    "An instance launched by an Auto Scaling group takes MetadataOptions (HttpTokens, HttpEndpoint, HttpPutResponseHopLimit) "
    "from the group's launch configuration - defaults when absent: HttpTokens optional, HttpEndpoint enabled, hop limit 1 - "
    "or from the launch template version the group specifies (a number, $Default or $Latest), and DescribeInstances shows them. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceMetadataOptions.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateSpecification.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateInstanceMetadataOptions.html"
)

LAUNCH_CONFIGURATION_IMDS_KEYS = ("HttpTokens", "HttpEndpoint", "HttpPutResponseHopLimit")
LAUNCH_TEMPLATE_IMDS_KEYS = ("HttpTokens", "HttpEndpoint", "HttpPutResponseHopLimit", "HttpProtocolIpv6", "InstanceMetadataTags")


class LaunchSpec:
    """Everything needed to launch one kind of group instance, resolved from a launch configuration or a template version."""

    def __init__(self, image_id, instance_type, user_data, security_groups, metadata_options, source, launch_config=None, launch_template=None, tags=None):
        self.image_id = image_id
        self.instance_type = instance_type
        self.user_data = user_data
        self.security_groups = security_groups or []
        self.metadata_options = metadata_options
        self.source = source  # {"LaunchConfigurationName": ...} or {"LaunchTemplate": {...}} (DescribeAutoScalingInstances shape)
        self.launch_config = launch_config
        self.launch_template = launch_template  # run_instances argument, with the resolved version number
        self.tags = tags or {}


def imds_options(raw, keys) -> dict:
    return {key: raw[key] for key in keys if isinstance(raw, dict) and raw.get(key) not in (None, "")}


def spec_from_launch_configuration(launch_config) -> LaunchSpec:
    return LaunchSpec(
        image_id=launch_config.image_id,
        instance_type=launch_config.instance_type,
        user_data=launch_config.user_data,
        security_groups=launch_config.security_groups,
        metadata_options=imds_options(launch_config.metadata_options, LAUNCH_CONFIGURATION_IMDS_KEYS),
        source={"LaunchConfigurationName": launch_config.name},
        launch_config=launch_config,
    )


def spec_from_launch_template(ec2_backend, template_spec: dict, instance_type: str | None = None) -> LaunchSpec:
    """``template_spec`` is a LaunchTemplateSpecification: LaunchTemplateId or LaunchTemplateName, optional Version."""
    if template_spec.get("LaunchTemplateId"):
        template = ec2_backend.get_launch_template(template_spec["LaunchTemplateId"])
    else:
        template = ec2_backend.get_launch_template_by_name(template_spec["LaunchTemplateName"])
    version = template.get_version(template_spec.get("Version") or "$Default")
    return LaunchSpec(
        image_id=version.image_id,
        instance_type=instance_type or version.instance_type,
        user_data=version.user_data,
        security_groups=version.security_groups,
        metadata_options=imds_options(version.data.get("MetadataOptions"), LAUNCH_TEMPLATE_IMDS_KEYS),
        source={"LaunchTemplate": {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "Version": str(version.number)}},
        launch_template={"LaunchTemplateId": template.id, "Version": version.number},
        tags=version.instance_tags,
    )


def spec_from_configuration(ec2_backend, launch_config=None, launch_template=None, mixed_instances_policy=None) -> LaunchSpec:
    """A launch spec from a group-like configuration (what a group has, or an instance refresh DesiredConfiguration)."""
    if mixed_instances_policy:
        lt = mixed_instances_policy.get("LaunchTemplate", {})
        overrides = lt.get("Overrides") or []
        instance_type = next((o.get("InstanceType") for o in overrides if o.get("InstanceType")), None)
        return spec_from_launch_template(ec2_backend, lt.get("LaunchTemplateSpecification", {}), instance_type)
    if launch_template:
        return spec_from_launch_template(ec2_backend, launch_template)
    return spec_from_launch_configuration(launch_config)


def group_launch_spec(group) -> LaunchSpec:
    template = group.ec2_launch_template
    if template is not None:
        spec = {"LaunchTemplateId": template.id, "Version": getattr(group, "launch_template_version", None) or "$Default"}
        policy = group.mixed_instances_policy or {}
        overrides = policy.get("LaunchTemplate", {}).get("Overrides") or []
        instance_type = next((o.get("InstanceType") for o in overrides if o.get("InstanceType")), None)
        return spec_from_launch_template(group.ec2_backend, spec, instance_type)
    return spec_from_launch_configuration(group.launch_config)


def launch_group_instances(group, count: int, propagated_tags: dict | None = None, spec: LaunchSpec | None = None) -> list:
    """Launch ``count`` instances into ``group`` from ``spec`` (default: the group's own launch source); returns moto Instances."""
    from moto.autoscaling.models import ASG_NAME_TAG, InstanceState
    from moto.moto_api._internal import mock_random as random

    if count <= 0:
        return []
    spec = spec or group_launch_spec(group)
    tags = dict(group.get_propagated_tags() if propagated_tags is None else propagated_tags)
    tags[ASG_NAME_TAG] = group.name
    tags.update(spec.tags)
    subnet_id = group.vpc_zone_identifier.split(",")[0] if group.vpc_zone_identifier else None
    kwargs = {
        "instance_type": spec.instance_type,
        "tags": {"instance": tags},
        "placement": random.choice(group.availability_zones),
        "launch_config": spec.launch_config,
        "launch_template": spec.launch_template,
        "is_instance_type_default": False,
        "associate_public_ip": spec.launch_config.associate_public_ip_address if spec.launch_config else None,
        "subnet_id": subnet_id,
        "metadata_options": spec.metadata_options,
    }
    reservation = group.autoscaling_backend.ec2_backend.run_instances(spec.image_id, count, spec.user_data, spec.security_groups, **kwargs)
    for instance in reservation.instances:
        instance.autoscaling_group = group
        setattr(instance, LAUNCH_SOURCE_ATTR, spec.source)
        group.instance_states.append(InstanceState(instance, protected_from_scale_in=group.new_instances_protected_from_scale_in))
    return list(reservation.instances)


def apply():
    from moto.autoscaling.models import FakeAutoScalingGroup

    original = FakeAutoScalingGroup.replace_autoscaling_group_instances

    def replace_autoscaling_group_instances(self, count_needed, propagated_tags):
        launch_group_instances(self, count_needed, propagated_tags)

    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances

    def undo():
        FakeAutoScalingGroup.replace_autoscaling_group_instances = original

    return undo
