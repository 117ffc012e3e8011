"""Auto Scaling groups launch from launch configurations whose block device mappings include instance store or NoDevice entries.

moto 5.2.5 reads ``mapping["Ebs"]`` for every mapping of the launch configuration when it launches group instances, so
CreateAutoScalingGroup / SetDesiredCapacity / UpdateAutoScalingGroup that launch an instance fail with HTTP 500 (KeyError 'Ebs')
as soon as a mapping has a VirtualName (ephemeralN) or NoDevice. Instance store volumes are not EBS volumes and a NoDevice
entry suppresses a device, so the patch launches with the EBS mappings only.
"""

from __future__ import annotations

import types

NAME = "autoscaling-ephemeral-mappings"
AWS_BEHAVIOUR = (
    "A launch configuration's BlockDeviceMappings may contain instance store volumes (VirtualName ephemeral0..23) and NoDevice "
    "entries; groups launch instances from it normally: instance store volumes are not EBS volumes (DescribeInstances lists "
    "only EBS mappings) and NoDevice suppresses the device. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_BlockDeviceMapping.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateLaunchConfiguration.html"
)


def ebs_mappings(mappings) -> list:
    """Only the mappings that become EBS volumes: no instance store (VirtualName), no NoDevice, an Ebs structure."""
    kept = []
    for mapping in mappings or []:
        no_device = str(mapping.get("NoDevice", "")).lower() in ("true", "1")
        if mapping.get("VirtualName") or no_device or not isinstance(mapping.get("Ebs"), dict):
            continue
        kept.append(mapping)
    return kept


def apply():
    from moto.ec2.models.instances import InstanceBackend

    original = InstanceBackend.run_instances

    def run_instances(self, image_id, count, user_data, security_group_names, **kwargs):
        launch_config = kwargs.get("launch_config")
        if launch_config is not None and "block_device_mappings" not in kwargs and not kwargs.get("launch_template"):
            mappings = launch_config.block_device_mapping_dict or []
            if ebs_mappings(mappings) != list(mappings):
                # run_instances only reads block_device_mapping_dict (and truthiness) of the launch configuration.
                kwargs["launch_config"] = types.SimpleNamespace(
                    block_device_mapping_dict=ebs_mappings(mappings),
                    associate_public_ip_address=getattr(launch_config, "associate_public_ip_address", None),
                    name=getattr(launch_config, "name", None),
                )
        return original(self, image_id, count, user_data, security_group_names, **kwargs)

    InstanceBackend.run_instances = run_instances

    def undo():
        InstanceBackend.run_instances = original

    return undo
