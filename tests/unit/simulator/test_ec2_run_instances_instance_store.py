"""AWS: RunInstances accepts instance-store mappings (VirtualName=ephemeral0, no Ebs) and still gives the instance its root volume.

https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PV_AMI = "ami-8104a4f8"
EPHEMERAL = {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}


def _run(ec2, mappings):
    return ec2.run_instances(ImageId=PV_AMI, InstanceType="m1.small", MinCount=1, MaxCount=1, BlockDeviceMappings=mappings)["Instances"][0]


def _devices(ec2, instance_id):
    inst = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return sorted(b["DeviceName"] for b in inst["BlockDeviceMappings"])


def test_plain_moto_rejects_instance_store_mapping(moto_aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    with pytest.raises(ClientError, match="MissingParameter|parameter ebs"):
        _run(ec2, [EPHEMERAL])


def test_instance_store_only_mapping_launches_with_root_volume(moto_aws, patched):
    patched("ec2_run_instances_instance_store")
    ec2 = boto3.client("ec2", region_name="us-east-1")
    inst = _run(ec2, [EPHEMERAL])
    # the root volume exists; the instance-store volume is not an EBS volume and is not listed (as on AWS)
    assert _devices(ec2, inst["InstanceId"]) == ["/dev/sda1"]
    vols = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["Volumes"]
    assert len(vols) == 1


def test_instance_store_mixed_with_ebs_mapping(moto_aws, patched):
    patched("ec2_run_instances_instance_store")
    ec2 = boto3.client("ec2", region_name="us-east-1")
    inst = _run(ec2, [EPHEMERAL, {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 10, "VolumeType": "gp3"}}])
    devices = _devices(ec2, inst["InstanceId"])
    assert "/dev/sdf" in devices and "/dev/sdb" not in devices


def test_ebs_mapping_without_size_still_rejected(moto_aws, patched):
    patched("ec2_run_instances_instance_store")
    ec2 = boto3.client("ec2", region_name="us-east-1")
    with pytest.raises(ClientError):
        _run(ec2, [{"DeviceName": "/dev/sdf", "Ebs": {"VolumeType": "gp3"}}])
