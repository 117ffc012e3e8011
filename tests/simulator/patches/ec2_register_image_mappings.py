"""RegisterImage keeps what the request says the image is; DescribeImages and RunInstances use it.

moto 5.2.5's RegisterImage reads only ``Name`` and ``Description``: the new image has no ``VirtualizationType``, no
``Architecture``, no ``KernelId``, and DescribeImages answers one invented 15 GiB ``standard`` root mapping from an auto-created
snapshot instead of the ``BlockDeviceMappings`` of the request. So no image can be seeded that carries an instance-store
mapping (``/dev/sdb`` -> ``ephemeral0``), which is the only place where the EC2 API shows that an instance has instance store
(``hubfix.aws.paravirtual_instance_info`` reads it there and blocks the migration).

With the patch, RegisterImage stores ``BlockDeviceMappings`` (Ebs: SnapshotId, VolumeSize - default the snapshot's size -,
VolumeType - default gp2 -, DeleteOnTermination - default true -, Encrypted - the snapshot's state -, Iops, Throughput;
VirtualName; NoDevice), ``VirtualizationType`` (default paravirtual), ``Architecture`` (default i386 for an EBS-backed image),
``RootDeviceName`` (default /dev/sda1), ``KernelId``, ``RamdiskId``, ``BootMode`` and the ``image`` TagSpecifications; the
root device type is ``ebs`` when the root mapping is an EBS one, the hypervisor ``xen``. An unknown snapshot is refused
(InvalidSnapshot.NotFound) and the snapshots the image uses cannot be deleted while it is registered (InvalidSnapshot.InUse);
moto's own auto-created snapshot is dropped. DescribeImages returns the stored mappings.

RunInstances from such an image creates the EBS volumes of the image's mappings (the root from its snapshot), overridden device
by device by the launch's own mappings (or its launch template's); a launch ``NoDevice`` removes a device; instance-store
(``ephemeralN``) mappings create no volume. Not fixed here: Auto Scaling launches still ignore the image's mappings, and a launch
mapping that overrides an image device without ``DeleteOnTermination`` gets moto's default (false) instead of the image's value;
CreateImage and CopyImage still answer moto's single invented mapping.
"""

from __future__ import annotations

from copy import deepcopy

NAME = "ec2-register-image-mappings"
AWS_BEHAVIOUR = (
    "RegisterImage records the request's BlockDeviceMappings (EBS from a snapshot or a size, instance store VirtualName "
    "ephemeralN, NoDevice), VirtualizationType (default paravirtual), Architecture (default i386 for EBS-backed AMIs), "
    "RootDeviceName, KernelId and RamdiskId, and DescribeImages returns them on the Image (BlockDeviceMappings with "
    "Ebs.SnapshotId/VolumeSize/VolumeType/DeleteOnTermination/Encrypted, VirtualName, NoDevice). RunInstances launches the "
    "image's mappings merged with the launch's: the root volume is created from the AMI's snapshot, instance-store "
    "mappings give instance-store volumes, not EBS volumes. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html , "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html , "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html , "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html , "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-device-mapping-concepts.html"
)

ATTR = "_hubfix_block_device_mappings"  # where the patch keeps an image's registered mappings
DEFAULT_VIRTUALIZATION_TYPE = "paravirtual"
DEFAULT_ARCHITECTURE = "i386"
DEFAULT_ROOT_DEVICE_NAME = "/dev/sda1"
DEFAULT_VOLUME_TYPE = "gp2"
EBS_OPTIONAL_KEYS = ("Iops", "Throughput")


def is_no_device(mapping: dict) -> bool:
    return "NoDevice" in mapping and mapping["NoDevice"] is not None


def normalise_mappings(mappings, get_snapshot) -> list[dict]:
    """The mappings as DescribeImages returns them; ``get_snapshot(id)`` returns the snapshot or raises (unknown snapshot)."""
    out = []
    for mapping in mappings or []:
        device = mapping.get("DeviceName")
        if is_no_device(mapping):
            out.append({"DeviceName": device, "NoDevice": ""})
        elif mapping.get("VirtualName"):
            out.append({"DeviceName": device, "VirtualName": mapping["VirtualName"]})
        elif isinstance(mapping.get("Ebs"), dict):
            ebs = mapping["Ebs"]
            snapshot = get_snapshot(ebs["SnapshotId"]) if ebs.get("SnapshotId") else None
            size = ebs.get("VolumeSize")
            if size is None and snapshot is not None:
                size = snapshot.volume.size
            stored = {
                "DeleteOnTermination": bool(ebs.get("DeleteOnTermination", True)),
                "VolumeSize": int(size) if size is not None else None,
                "VolumeType": ebs.get("VolumeType") or DEFAULT_VOLUME_TYPE,
                "Encrypted": bool(snapshot.encrypted) if snapshot is not None else bool(ebs.get("Encrypted", False)),
            }
            if snapshot is not None:
                stored["SnapshotId"] = snapshot.id
            stored.update({k: ebs[k] for k in EBS_OPTIONAL_KEYS if ebs.get(k) is not None})
            out.append({"DeviceName": device, "Ebs": {k: v for k, v in stored.items() if v is not None}})
    return out


def merge_launch_mappings(image_mappings, launch_mappings) -> list[dict]:
    """The EBS mappings RunInstances launches: the image's, overridden device by device by the launch's.

    A launch ``NoDevice`` removes the device; instance-store (VirtualName) and NoDevice mappings create no EBS volume and are left out.
    """
    merged = {m["DeviceName"]: deepcopy(m) for m in image_mappings or []}
    for mapping in launch_mappings or []:
        device = mapping.get("DeviceName")
        if is_no_device(mapping):
            merged.pop(device, None)
        elif mapping.get("VirtualName"):
            merged[device] = {"DeviceName": device, "VirtualName": mapping["VirtualName"]}
        elif isinstance(mapping.get("Ebs"), dict):
            base = (merged.get(device) or {}).get("Ebs") or {}
            override = {k: v for k, v in mapping["Ebs"].items() if v is not None}
            merged[device] = {"DeviceName": device, "Ebs": {**base, **override}}
    return [m for m in merged.values() if isinstance(m.get("Ebs"), dict) and not m.get("VirtualName") and not is_no_device(m)]


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2.models.amis import Ami
    from moto.ec2.responses.amis import AmisResponse
    from moto.ec2.responses.instances import InstanceResponse

    original_register = AmisResponse.register_image
    original_property = Ami.__dict__["block_device_mappings"]
    original_parse = InstanceResponse._parse_block_device_mapping

    def register_image(self):
        if self._get_param("DryRun", False):
            return original_register(self)
        backend = self.ec2_backend
        mappings = normalise_mappings(self._get_param("BlockDeviceMappings", []), backend.get_snapshot)
        tags = self._parse_tag_specification("image").get("image", {})
        image = backend.register_image(self._get_param("Name"), self._get_param("Description", ""))
        image.virtualization_type = self._get_param("VirtualizationType") or DEFAULT_VIRTUALIZATION_TYPE
        image.architecture = self._get_param("Architecture") or DEFAULT_ARCHITECTURE
        image.root_device_name = self._get_param("RootDeviceName") or DEFAULT_ROOT_DEVICE_NAME
        image.kernel_id = self._get_param("KernelId")
        image.ramdisk_id = self._get_param("RamdiskId")
        image.boot_mode = self._get_param("BootMode")
        image.hypervisor = "xen"
        root = next((m for m in mappings if m["DeviceName"] == image.root_device_name), None)
        if root is not None and "Ebs" in root:
            image.root_device_type = "ebs"
        used = [backend.get_snapshot(m["Ebs"]["SnapshotId"]) for m in mappings if m.get("Ebs", {}).get("SnapshotId")]
        if used:
            # AWS makes no snapshot of its own for an image registered from snapshots; the ones it uses are in use.
            backend.snapshots.pop(image.ebs_snapshot.id, None)
            image.ebs_snapshot = used[0]
            for snapshot in used:
                if not snapshot.from_ami:
                    snapshot.from_ami = image.id
        setattr(image, ATTR, mappings)
        if tags:
            image.add_tags(tags)
        return ActionResult({"ImageId": image.id})

    def block_device_mappings(self):
        registered = self.__dict__.get(ATTR)
        if registered is not None:
            return deepcopy(registered)
        return original_property.fget(self)

    def _parse_block_device_mapping(self):
        image_id = self._get_param("ImageId")
        image = self.ec2_backend.amis.get(image_id) if image_id else None
        registered = image.__dict__.get(ATTR) if image is not None else None
        if registered is None:
            return original_parse(self)
        launch = self._get_param("BlockDeviceMappings", [])
        if not launch and self._get_param("LaunchTemplate"):
            launch = self.ec2_backend._get_template_from_args(self._get_param("LaunchTemplate")).data.get("BlockDeviceMappings") or []
        merged = merge_launch_mappings(registered, launch)
        get_param = self._get_param
        overridden = self.__dict__.get("_get_param")  # another patch may have overridden it on this response already

        def _get_param(name, *args, **kwargs):
            if name == "BlockDeviceMappings":
                return merged
            return get_param(name, *args, **kwargs)

        self._get_param = _get_param
        try:
            return original_parse(self)
        finally:
            if overridden is None:
                del self._get_param
            else:
                self._get_param = overridden

    AmisResponse.register_image = register_image
    Ami.block_device_mappings = property(block_device_mappings)
    InstanceResponse._parse_block_device_mapping = _parse_block_device_mapping

    def undo():
        AmisResponse.register_image = original_register
        Ami.block_device_mappings = original_property
        InstanceResponse._parse_block_device_mapping = original_parse

    return undo
