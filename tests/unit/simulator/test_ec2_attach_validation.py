"""Simulator patch ``ec2_attach_validation``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html): AttachVolume fails with HTTP 400
``VolumeInUse`` when the volume is already attached, ``InvalidVolume.ZoneMismatch`` when volume and instance are in
different Availability Zones, and ``InvalidParameterValue`` ("Attachment point /dev/sdf is already in use") when the
instance already uses the device name. A DryRun request answers ``DryRunOperation``. moto 5.2.5 accepts all three.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_attach_validation"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    client = boto3.client("ec2", region_name="us-east-1")

    def launch(zone):
        return client.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, Placement={"AvailabilityZone": zone})["Instances"][0]["InstanceId"]

    a1, a2, b = launch("us-east-1a"), launch("us-east-1a"), launch("us-east-1b")
    volume = client.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
    other = client.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
    return client, {"a1": a1, "a2": a2, "b": b, "volume": volume, "other": other}


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return {
        "code": err.value.response["Error"]["Code"],
        "message": err.value.response["Error"]["Message"],
        "http": err.value.response["ResponseMetadata"]["HTTPStatusCode"],
    }


def attachment_of(client, volume_id):
    return [(a["InstanceId"], a["Device"]) for a in client.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["Attachments"]]


def test_plain_moto_attaches_in_use_volume_again(estate):
    client, r = estate
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a1"], Device="/dev/sdf")
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a2"], Device="/dev/sdf")  # AWS: VolumeInUse
    assert attachment_of(client, r["volume"]) == [(r["a2"], "/dev/sdf")]


def test_plain_moto_attaches_across_zones_and_onto_used_device(estate):
    client, r = estate
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["b"], Device="/dev/sdf")  # AWS: InvalidVolume.ZoneMismatch
    client.attach_volume(VolumeId=r["other"], InstanceId=r["b"], Device="/dev/sdf")  # AWS: attachment point in use
    assert attachment_of(client, r["other"]) == [(r["b"], "/dev/sdf")]


def test_in_use_volume_is_refused(estate, patched):
    client, r = estate
    patched(PATCH)
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a1"], Device="/dev/sdf")
    err = error_of(client.attach_volume, VolumeId=r["volume"], InstanceId=r["a2"], Device="/dev/sdg")
    assert err == {"code": "VolumeInUse", "message": f"{r['volume']} is already attached to an instance", "http": 400}
    assert attachment_of(client, r["volume"]) == [(r["a1"], "/dev/sdf")]


def test_other_availability_zone_is_refused(estate, patched):
    client, r = estate
    patched(PATCH)
    err = error_of(client.attach_volume, VolumeId=r["volume"], InstanceId=r["b"], Device="/dev/sdf")
    assert err["code"] == "InvalidVolume.ZoneMismatch" and err["http"] == 400
    assert err["message"] == f"The volume '{r['volume']}' is not in the same availability zone as instance '{r['b']}'"
    assert attachment_of(client, r["volume"]) == []


def test_used_device_name_is_refused(estate, patched):
    client, r = estate
    patched(PATCH)
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a1"], Device="/dev/sdf")
    err = error_of(client.attach_volume, VolumeId=r["other"], InstanceId=r["a1"], Device="/dev/sdf")
    assert err["code"] == "InvalidParameterValue" and "Attachment point /dev/sdf is already in use" in err["message"]
    # the root device counts as used too
    err = error_of(client.attach_volume, VolumeId=r["other"], InstanceId=r["a1"], Device="/dev/sda1")
    assert "Attachment point /dev/sda1 is already in use" in err["message"]
    client.attach_volume(VolumeId=r["other"], InstanceId=r["a1"], Device="/dev/sdg")
    assert attachment_of(client, r["other"]) == [(r["a1"], "/dev/sdg")]


def test_detach_then_attach_elsewhere_works(estate, patched):
    client, r = estate
    patched(PATCH)
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a1"], Device="/dev/sdf")
    client.detach_volume(VolumeId=r["volume"], InstanceId=r["a1"])
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["a2"], Device="/dev/sdf")
    assert attachment_of(client, r["volume"]) == [(r["a2"], "/dev/sdf")]


def test_dry_run_still_answers_dry_run_operation(estate, patched):
    client, r = estate
    patched(PATCH)
    err = error_of(client.attach_volume, VolumeId=r["volume"], InstanceId=r["a1"], Device="/dev/sdf", DryRun=True)
    assert err["code"] == "DryRunOperation"
    assert attachment_of(client, r["volume"]) == []


def test_run_instances_mappings_are_not_affected(estate, patched):
    client, _unused = estate
    patched(PATCH)
    instance = client.run_instances(ImageId=HVM_AMI, MinCount=2, MaxCount=2, BlockDeviceMappings=[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 2}}])[
        "Instances"
    ]
    assert all(i["BlockDeviceMappings"][0]["DeviceName"] == "/dev/sdb" for i in instance)


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    client, r = estate
    patches.apply(PATCH)()
    client.attach_volume(VolumeId=r["volume"], InstanceId=r["b"], Device="/dev/sdf")
    assert attachment_of(client, r["volume"]) == [(r["b"], "/dev/sdf")]
