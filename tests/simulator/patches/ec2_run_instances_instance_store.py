"""RunInstances accepts instance-store block device mappings (``{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}``).

moto 5.2.5 rejects any mapping without ``Ebs`` (``MissingParameter: The request must contain the parameter ebs``), so an
instance with an instance-store volume (the demo estate's ``pv-ephemeral``) cannot be launched. AWS launches it; the
instance-store volume is not an EBS volume, so it never appears in DescribeInstances / DescribeVolumes (only the
instance's own metadata lists it). The patch therefore accepts such entries and creates nothing for them; with only
instance-store entries the instance gets moto's default root volume. (Not fixed here: moto gives an instance launched with
any EBS mapping no root volume unless the mapping names it.)
"""

from __future__ import annotations

NAME = "ec2-run-instances-instance-store-mappings"
AWS_BEHAVIOUR = (
    "RunInstances accepts BlockDeviceMapping entries with VirtualName=ephemeralN (instance store) and no Ebs; the instance "
    "launches with the AMI's root volume plus the EBS entries, and instance-store volumes are not listed by DescribeInstances. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html , "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-device-mapping-concepts.html"
)


def is_instance_store(mapping: dict) -> bool:
    virtual_name = mapping.get("VirtualName") or ""
    return virtual_name.startswith("ephemeral") and "Ebs" not in mapping


def apply():
    from moto.ec2.responses.instances import InstanceResponse

    original = InstanceResponse._parse_block_device_mapping

    def _parse_block_device_mapping(self):
        mappings = self._get_param("BlockDeviceMappings", [])
        if not any(is_instance_store(m) for m in mappings):
            return original(self)
        ebs_only = [m for m in mappings if not is_instance_store(m)]
        get_param = self._get_param

        def _get_param(name, *args, **kwargs):
            if name == "BlockDeviceMappings":
                return ebs_only
            return get_param(name, *args, **kwargs)

        self._get_param = _get_param
        try:
            return original(self)
        finally:
            del self._get_param

    InstanceResponse._parse_block_device_mapping = _parse_block_device_mapping

    def undo():
        InstanceResponse._parse_block_device_mapping = original

    return undo
