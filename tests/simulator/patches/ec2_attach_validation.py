"""AttachVolume refuses what EC2 refuses: a volume in use, a volume in another Availability Zone, a device name taken.

moto 5.2.5 attaches an in-use volume a second time (silently moving it), attaches across Availability Zones and lets two
volumes share one device name. The EC2.24 remediation moves volumes from the paravirtual instance to its replacement;
without these errors a wrong order of steps (attach before detach, replacement in another zone, device clash) would pass
in the simulator and fail on AWS.

The checks run on the AttachVolume API call only (the response handler), after the DryRun check as moto does, so a
DryRun probe still answers DryRunOperation; moto's own internal attachments (RunInstances block device mappings,
Auto Scaling launches) are left alone. Error messages are the ones real EC2 returns.
"""

from __future__ import annotations

NAME = "ec2-attach-volume-validation"
AWS_BEHAVIOUR = (
    "AttachVolume fails with VolumeInUse '<vol> is already attached to an instance' when the volume is attached, "
    "InvalidVolume.ZoneMismatch 'The volume '<vol>' is not in the same availability zone as instance '<i>'' across zones, "
    "and InvalidParameterValue 'Invalid value '<dev>' for unixDevice. Attachment point <dev> is already in use' when the "
    "instance already has that device (all HTTP 400). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
)


def attach_error(volume, instance, device: str) -> tuple[str, str] | None:
    """(code, message) of the error EC2 gives for this attachment, or None when it is allowed."""
    if volume.attachment is not None:
        return "VolumeInUse", f"{volume.id} is already attached to an instance"
    if volume.zone is not None and instance.placement.zone and volume.zone.name != instance.placement.zone:
        return "InvalidVolume.ZoneMismatch", f"The volume '{volume.id}' is not in the same availability zone as instance '{instance.id}'"
    if device in instance.block_device_mapping:
        return "InvalidParameterValue", f"Invalid value '{device}' for unixDevice. Attachment point {device} is already in use"
    return None


def apply():
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore

    original = ElasticBlockStore.attach_volume

    def attach_volume(self):
        self.error_on_dryrun()
        volume = self.ec2_backend.get_volume(self._get_param("VolumeId"))
        instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
        error = attach_error(volume, instance, self._get_param("Device"))
        if error:
            raise EC2ClientError(*error)
        return original(self)

    ElasticBlockStore.attach_volume = attach_volume

    def undo():
        ElasticBlockStore.attach_volume = original

    return undo
