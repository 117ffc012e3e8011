"""Simulator patch ``ec2_volume_attachments``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VolumeAttachment.html): every entry of a volume's
``Attachments`` carries ``DeleteOnTermination`` (the instance's block device mapping flag: from the RunInstances
mapping, true for the root volume by default, false after AttachVolume, changed with ModifyInstanceAttribute);
``SnapshotId`` is always present ("" when the volume was not created from a snapshot); the filter
``attachment.delete-on-termination`` selects volumes by that flag. moto 5.2.5 omits both fields and answers 500 for the filter.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "ec2_volume_attachments"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    """One instance launched with an explicit mapping (root: delete, /dev/sdb: keep), one with moto's default
    root volume and an empty volume attached with AttachVolume."""
    client = boto3.client("ec2", region_name="us-east-1")
    with_mapping = client.run_instances(
        ImageId=HVM_AMI,
        MinCount=1,
        MaxCount=1,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}},
            {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 5, "DeleteOnTermination": False}},
        ],
    )["Instances"][0]
    plain = client.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    extra = client.create_volume(Size=1, AvailabilityZone=plain["Placement"]["AvailabilityZone"])
    client.attach_volume(VolumeId=extra["VolumeId"], InstanceId=plain["InstanceId"], Device="/dev/sdf")
    return client, with_mapping["InstanceId"], plain["InstanceId"], extra["VolumeId"]


def attachments(client, instance_id) -> dict[str, dict]:
    volumes = client.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])["Volumes"]
    return {v["Attachments"][0]["Device"]: v["Attachments"][0] for v in volumes}


def test_plain_moto_omits_delete_on_termination_and_snapshot_id(estate):
    client, with_mapping, _unused, _unused = estate
    volumes = client.describe_volumes()["Volumes"]
    assert volumes and all("DeleteOnTermination" not in a for v in volumes for a in v["Attachments"])
    assert all("SnapshotId" not in v for v in volumes)


def test_plain_moto_does_not_implement_delete_on_termination_filter(estate):
    client, *_unused = estate
    from moto.ec2.exceptions import FilterNotImplementedError

    with pytest.raises(FilterNotImplementedError):
        client.describe_volumes(Filters=[{"Name": "attachment.delete-on-termination", "Values": ["true"]}])


def test_flag_follows_run_instances_mapping_and_attach_volume(estate, patched):
    client, with_mapping, plain, _unused = estate
    patched(PATCH)
    assert {d: a["DeleteOnTermination"] for d, a in attachments(client, with_mapping).items()} == {"/dev/sda1": True, "/dev/sdb": False}
    assert {d: a["DeleteOnTermination"] for d, a in attachments(client, plain).items()} == {"/dev/sda1": True, "/dev/sdf": False}


def test_flag_tracks_modify_instance_attribute(estate, patched):
    client, with_mapping, _unused, _unused = estate
    patched(PATCH)
    client.modify_instance_attribute(
        InstanceId=with_mapping,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/sda1", "Ebs": {"DeleteOnTermination": False}},
            {"DeviceName": "/dev/sdb", "Ebs": {"DeleteOnTermination": True}},
        ],
    )
    assert {d: a["DeleteOnTermination"] for d, a in attachments(client, with_mapping).items()} == {"/dev/sda1": False, "/dev/sdb": True}
    # and it is the flag termination uses: the root survives, the data volume goes
    before = attachments(client, with_mapping)
    client.terminate_instances(InstanceIds=[with_mapping])
    remaining = {v["VolumeId"] for v in client.describe_volumes()["Volumes"]}
    assert before["/dev/sda1"]["VolumeId"] in remaining
    assert before["/dev/sdb"]["VolumeId"] not in remaining


def test_snapshot_id_empty_or_source_snapshot(estate, patched):
    client, _unused, plain, extra = estate
    patched(PATCH)
    snapshot = client.create_snapshot(VolumeId=extra)["SnapshotId"]
    restored = client.create_volume(SnapshotId=snapshot, AvailabilityZone="us-east-1a")["VolumeId"]
    by_id = {v["VolumeId"]: v for v in client.describe_volumes()["Volumes"]}
    assert by_id[extra]["SnapshotId"] == ""
    assert by_id[restored]["SnapshotId"] == snapshot
    assert [v["VolumeId"] for v in client.describe_volumes(Filters=[{"Name": "snapshot-id", "Values": [snapshot]}])["Volumes"]] == [restored]


def test_delete_on_termination_filter(estate, patched):
    client, with_mapping, plain, extra = estate
    patched(PATCH)
    kept = client.describe_volumes(Filters=[{"Name": "attachment.delete-on-termination", "Values": ["false"]}])["Volumes"]
    assert {v["Attachments"][0]["Device"] for v in kept} == {"/dev/sdb", "/dev/sdf"}
    assert extra in {v["VolumeId"] for v in kept}
    deleted = client.describe_volumes(Filters=[{"Name": "attachment.delete-on-termination", "Values": ["true"]}])["Volumes"]
    assert {v["Attachments"][0]["InstanceId"] for v in deleted} == {with_mapping, plain}
    assert all(v["Attachments"][0]["Device"] == "/dev/sda1" for v in deleted)


def test_detached_volume_has_no_attachment_and_is_not_matched(estate, patched):
    client, _unused, plain, extra = estate
    patched(PATCH)
    client.detach_volume(VolumeId=extra, InstanceId=plain)
    volume = client.describe_volumes(VolumeIds=[extra])["Volumes"][0]
    assert volume["Attachments"] == [] and volume["SnapshotId"] == ""
    matched = client.describe_volumes(Filters=[{"Name": "attachment.delete-on-termination", "Values": ["true", "false"]}])["Volumes"]
    assert extra not in {v["VolumeId"] for v in matched}


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    client, *_unused = estate
    undo = patches.apply(PATCH)
    assert all("SnapshotId" in v for v in client.describe_volumes()["Volumes"])
    undo()
    assert all("SnapshotId" not in v for v in client.describe_volumes()["Volumes"])
