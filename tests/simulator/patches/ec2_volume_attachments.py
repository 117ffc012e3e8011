"""DescribeVolumes: ``Attachments[].DeleteOnTermination``, ``SnapshotId`` and the ``attachment.delete-on-termination`` filter.

moto 5.2.5 leaves ``DeleteOnTermination`` out of every attachment (it keeps the flag only on the instance's block device
mapping), leaves ``SnapshotId`` out of volumes not created from a snapshot (amazon.aws.ec2_vol_info then fails on
``snapshot_id``) and answers HTTP 500 for the filter ``attachment.delete-on-termination``.

The EC.24 remediation moves volumes between instances and must know whether terminating an instance would delete a
volume, so the simulator has to report the real flag: the one RunInstances set from its block device mapping (root
volume: true), changed by ModifyInstanceAttribute ``BlockDeviceMappings[].Ebs.DeleteOnTermination``, false for a volume
attached with AttachVolume.
"""

from __future__ import annotations

NAME = "ec2-volume-attachments-delete-on-termination"
AWS_BEHAVIOUR = (
    "DescribeVolumes returns Attachments[].DeleteOnTermination (the instance's block device mapping flag, changed by "
    "ModifyInstanceAttribute; false after AttachVolume) and SnapshotId (empty string when the volume was not created from "
    "a snapshot), and supports the filter attachment.delete-on-termination (true | false). "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VolumeAttachment.html"
)

_MISSING = object()


def attachment_delete_on_termination(attachment) -> bool:
    """The flag as the instance's block device mapping holds it for this volume (False if the mapping lost track)."""
    mapping = attachment.instance.block_device_mapping.get(attachment.device)
    if mapping is None or mapping.volume_id != attachment.volume.id:
        mapping = next((m for m in attachment.instance.block_device_mapping.values() if m.volume_id == attachment.volume.id), None)
    return bool(mapping.delete_on_termination) if mapping is not None else False


def _snapshot_id_get(volume) -> str:
    value = volume.__dict__.get("snapshot_id")
    return "" if value is None else value


def _snapshot_id_set(volume, value) -> None:
    # Stored under the same name in the instance dict, so undoing the patch leaves volumes as moto made them.
    volume.__dict__["snapshot_id"] = value


def apply():
    from moto.ec2.models.elastic_block_store import Volume, VolumeAttachment

    original_get_filter_value = Volume.get_filter_value
    saved = {(cls, attr): cls.__dict__.get(attr, _MISSING) for cls, attr in ((VolumeAttachment, "delete_on_termination"), (Volume, "snapshot_id"))}

    def get_filter_value(self, filter_name, method_name=None):
        if filter_name == "attachment.delete-on-termination":
            return attachment_delete_on_termination(self.attachment) if self.attachment else None
        return original_get_filter_value(self, filter_name, method_name)

    VolumeAttachment.delete_on_termination = property(attachment_delete_on_termination)
    Volume.snapshot_id = property(_snapshot_id_get, _snapshot_id_set)
    Volume.get_filter_value = get_filter_value

    def undo():
        for (cls, attr), value in saved.items():
            if value is _MISSING:
                delattr(cls, attr)
            else:
                setattr(cls, attr, value)
        Volume.get_filter_value = original_get_filter_value

    return undo
