"""AWS: RegisterImage keeps BlockDeviceMappings, VirtualizationType, Architecture, RootDeviceName and KernelId; DescribeImages
returns them; RunInstances from the image creates the root volume from its snapshot and no volume for instance store.

https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_register_image_mappings"
KERNEL = "aki-919dcaf8"
EPHEMERAL = {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}


def _ec2():
    return boto3.client("ec2", region_name="us-east-1")


def _snapshot(ec2, size=8, encrypted=False):
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=size, Encrypted=encrypted)["VolumeId"]
    return ec2.create_snapshot(VolumeId=vol, Description="root")["SnapshotId"]


def _register(ec2, snapshot, **extra):
    params = {
        "Name": "demo-pv-with-instance-store",
        "VirtualizationType": "paravirtual",
        "Architecture": "x86_64",
        "RootDeviceName": "/dev/sda1",
        "KernelId": KERNEL,
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sda1", "Ebs": {"SnapshotId": snapshot, "VolumeSize": 10, "VolumeType": "gp2", "DeleteOnTermination": True}},
            EPHEMERAL,
        ],
    }
    params.update(extra)
    return ec2.register_image(**params)["ImageId"]


def _image(ec2, image_id):
    return ec2.describe_images(ImageIds=[image_id])["Images"][0]


def _by_device(image_or_instance):
    return {m["DeviceName"]: m for m in image_or_instance["BlockDeviceMappings"]}


def _all_snapshot_ids(ec2):
    return {s["SnapshotId"] for page in ec2.get_paginator("describe_snapshots").paginate() for s in page["Snapshots"]}


def test_plain_moto_drops_mappings_and_virtualization_type(moto_aws):
    ec2 = _ec2()
    image = _image(ec2, _register(ec2, _snapshot(ec2)))
    assert "/dev/sdb" not in _by_device(image)
    assert _by_device(image)["/dev/sda1"]["Ebs"]["VolumeSize"] == 15  # moto's invented root, not the request's 10 GiB
    assert "VirtualizationType" not in image and "Architecture" not in image and "KernelId" not in image


def test_describe_images_returns_what_was_registered(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    snap = _snapshot(ec2)
    image = _image(ec2, _register(ec2, snap))
    assert image["VirtualizationType"] == "paravirtual"
    assert image["Architecture"] == "x86_64"
    assert image["RootDeviceName"] == "/dev/sda1"
    assert image["RootDeviceType"] == "ebs"
    assert image["KernelId"] == KERNEL
    assert image["Hypervisor"] == "xen"
    assert image["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/sda1", "Ebs": {"DeleteOnTermination": True, "SnapshotId": snap, "VolumeSize": 10, "VolumeType": "gp2", "Encrypted": False}},
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
    ]
    found = ec2.describe_images(
        Filters=[{"Name": "virtualization-type", "Values": ["paravirtual"]}, {"Name": "name", "Values": ["demo-pv-with-instance-store"]}]
    )
    assert [i["ImageId"] for i in found["Images"]] == [image["ImageId"]]


def test_defaults_no_device_encryption_and_tags(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    snap = _snapshot(ec2, size=12, encrypted=True)
    image_id = ec2.register_image(
        Name="defaults",
        RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snap}},
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5, "VolumeType": "gp3", "Iops": 3000, "DeleteOnTermination": False}},
            {"DeviceName": "/dev/sdc", "NoDevice": ""},
        ],
        TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "Name", "Value": "defaults"}]}],
    )["ImageId"]
    image = _image(ec2, image_id)
    assert image["VirtualizationType"] == "paravirtual"  # RegisterImage's documented default
    assert image["Architecture"] == "i386"  # the documented default for EBS-backed images
    devices = _by_device(image)
    assert devices["/dev/xvda"]["Ebs"] == {"DeleteOnTermination": True, "SnapshotId": snap, "VolumeSize": 12, "VolumeType": "gp2", "Encrypted": True}
    assert devices["/dev/sdf"]["Ebs"] == {"DeleteOnTermination": False, "VolumeSize": 5, "VolumeType": "gp3", "Encrypted": False, "Iops": 3000}
    assert devices["/dev/sdc"] == {"DeviceName": "/dev/sdc", "NoDevice": ""}
    assert image["Tags"] == [{"Key": "Name", "Value": "defaults"}]


def test_unknown_snapshot_refused_and_no_image_created(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    before = len(ec2.describe_images(Owners=["self"])["Images"])
    with pytest.raises(ClientError) as err:
        _register(ec2, "snap-0123456789abcdef0")
    assert err.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"
    assert len(ec2.describe_images(Owners=["self"])["Images"]) == before


def test_snapshot_in_use_while_registered_and_no_extra_snapshot(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    snap = _snapshot(ec2)
    before = _all_snapshot_ids(ec2)
    image_id = _register(ec2, snap)
    assert _all_snapshot_ids(ec2) == before  # AWS makes no snapshot of its own for an image registered from one
    with pytest.raises(ClientError) as err:
        ec2.delete_snapshot(SnapshotId=snap)
    assert err.value.response["Error"]["Code"] == "InvalidSnapshot.InUse"
    ec2.deregister_image(ImageId=image_id)
    ec2.delete_snapshot(SnapshotId=snap)


def test_dry_run_registers_nothing(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    snap = _snapshot(ec2)
    with pytest.raises(ClientError) as err:
        _register(ec2, snap, DryRun=True)
    assert err.value.response["Error"]["Code"] == "DryRunOperation"
    assert ec2.describe_images(Owners=["self"])["Images"] == []


def test_run_instances_root_from_snapshot_and_no_instance_store_volume(moto_aws, patched):
    patched(PATCH)
    patched("ec2_run_instances_instance_store")
    ec2 = _ec2()
    snap = _snapshot(ec2)
    image_id = _register(ec2, snap)
    inst = ec2.run_instances(ImageId=image_id, InstanceType="m1.small", MinCount=1, MaxCount=1)["Instances"][0]
    described = ec2.describe_instances(InstanceIds=[inst["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert described["VirtualizationType"] == "paravirtual"
    assert described["RootDeviceName"] == "/dev/sda1"
    assert described["KernelId"] == KERNEL
    assert sorted(_by_device(described)) == ["/dev/sda1"]  # the instance-store volume is not an EBS volume
    (root,) = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["Volumes"]
    assert (root["SnapshotId"], root["Size"], root["VolumeType"]) == (snap, 10, "gp2")


def test_run_instances_launch_mappings_override_the_image(moto_aws, patched):
    patched(PATCH)
    patched("ec2_run_instances_instance_store")
    ec2 = _ec2()
    snap = _snapshot(ec2)
    image_id = _register(ec2, snap)
    inst = ec2.run_instances(
        ImageId=image_id,
        InstanceType="m1.small",
        MinCount=1,
        MaxCount=1,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 20}},
            {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5, "VolumeType": "gp3"}},
            {"DeviceName": "/dev/sdb", "NoDevice": ""},
        ],
    )["Instances"][0]
    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["Volumes"]
    by_device = {v["Attachments"][0]["Device"]: v for v in volumes}
    assert sorted(by_device) == ["/dev/sda1", "/dev/sdf"]
    assert (by_device["/dev/sda1"]["SnapshotId"], by_device["/dev/sda1"]["Size"]) == (snap, 20)
    assert (by_device["/dev/sdf"]["Size"], by_device["/dev/sdf"]["VolumeType"]) == (5, "gp3")


def test_images_not_registered_through_the_patch_are_unchanged(moto_aws, patched):
    patched(PATCH)
    ec2 = _ec2()
    image = _image(ec2, "ami-8104a4f8")
    assert image["VirtualizationType"] == "paravirtual"
    assert [m["DeviceName"] for m in image["BlockDeviceMappings"]] == ["/dev/sda1"]
    inst = ec2.run_instances(ImageId="ami-8104a4f8", InstanceType="m1.small", MinCount=1, MaxCount=1)["Instances"][0]
    described = ec2.describe_instances(InstanceIds=[inst["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert sorted(_by_device(described)) == ["/dev/sda1"]


def test_undo_restores_moto(moto_aws):
    from tests.simulator import patches

    undo = patches.apply(PATCH)
    undo()
    ec2 = _ec2()
    image = _image(ec2, _register(ec2, _snapshot(ec2)))
    assert "VirtualizationType" not in image and "/dev/sdb" not in _by_device(image)
