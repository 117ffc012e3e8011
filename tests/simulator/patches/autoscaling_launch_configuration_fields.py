"""DescribeLaunchConfigurations returns the launch configuration as it was created.

moto 5.2.5 loses or invents fields of a launch configuration: NoDevice mappings come back as ``NoDevice: false`` with an
empty ``Ebs``, instance store mappings get a phantom ``Ebs {DeleteOnTermination: false}``, ``PlacementTenancy`` is dropped,
``InstanceMonitoring.Enabled`` is always false (AWS default: true) and ``AssociatePublicIpAddress`` is reported false when it
was never set. The AutoScaling.3 migration copies every field into a launch template, so these must round-trip.
"""

from __future__ import annotations

NAME = "autoscaling-launch-configuration-fields"
AWS_BEHAVIOUR = (
    "DescribeLaunchConfigurations returns the fields given to CreateLaunchConfiguration: BlockDeviceMappings entries with "
    "either Ebs, VirtualName or NoDevice=true as created, PlacementTenancy when set, InstanceMonitoring.Enabled (true when "
    "not given: detailed monitoring is the launch configuration default), AssociatePublicIpAddress only when it was set. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchConfiguration.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_BlockDeviceMapping.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstanceMonitoring.html"
)

EBS_KEYS = ("SnapshotId", "VolumeSize", "VolumeType", "DeleteOnTermination", "Iops", "Encrypted", "Throughput")
_INT = ("VolumeSize", "Iops", "Throughput")
_BOOL = ("DeleteOnTermination", "Encrypted")


def _bool(value):
    return value is True or str(value).lower() == "true"


def aws_mappings(raw) -> list:
    """The BlockDeviceMappings of DescribeLaunchConfigurations for the mappings given at creation."""
    out = []
    for mapping in raw or []:
        item = {"DeviceName": mapping.get("DeviceName")}
        if mapping.get("VirtualName"):
            item["VirtualName"] = mapping["VirtualName"]
        elif _bool(mapping.get("NoDevice")):
            item["NoDevice"] = True
        else:
            ebs = {}
            for key in EBS_KEYS:
                value = (mapping.get("Ebs") or {}).get(key)
                if value is None:
                    continue
                ebs[key] = int(value) if key in _INT else _bool(value) if key in _BOOL else value
            item["Ebs"] = ebs
        out.append(item)
    return out


def apply():
    from moto.autoscaling.models import FakeLaunchConfiguration
    from moto.autoscaling.responses import AutoScalingResponse

    original_property = FakeLaunchConfiguration.block_device_mappings
    original_create = AutoScalingResponse.create_launch_configuration

    def block_device_mappings(self):
        return aws_mappings(self.block_device_mapping_dict)

    def create_launch_configuration(self):
        result = original_create(self)
        params = self._get_params()
        lc = self.autoscaling_backend.launch_configurations.get(params.get("LaunchConfigurationName"))
        if lc is not None:
            lc.placement_tenancy = params.get("PlacementTenancy")
            monitoring = params.get("InstanceMonitoring") or {}
            lc.instance_monitoring_enabled = _bool(monitoring.get("Enabled")) if "Enabled" in monitoring else True
            if params.get("AssociatePublicIpAddress") is None:
                lc.associate_public_ip_address = None
        return result

    FakeLaunchConfiguration.block_device_mappings = property(block_device_mappings)
    AutoScalingResponse.create_launch_configuration = create_launch_configuration

    def undo():
        FakeLaunchConfiguration.block_device_mappings = original_property
        AutoScalingResponse.create_launch_configuration = original_create

    return undo
