"""The EC2 fidelity patches are active in the real simulator server (moto server + hubfix patches), seen through boto3.

Each check is one that plain moto 5.2.5 fails (HTTP 500 or a wrong answer); the unit tests in
tests/unit/simulator/test_ec2_*.py show the gap in-process.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.simulator import REPO_ROOT

PV_AMI = "ami-8104a4f8"
HVM_AMI = "ami-760aaa0f"


def launch(ec2, image, instance_type, count=1, **kwargs):
    return [i["InstanceId"] for i in ec2.run_instances(ImageId=image, InstanceType=instance_type, MinCount=count, MaxCount=count, **kwargs)["Instances"]]


def instance_ids(response) -> set[str]:
    return {i["InstanceId"] for r in response["Reservations"] for i in r["Instances"]}


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_ec2_patches_are_listed():
    out = subprocess.run([sys.executable, "-m", "tests.simulator", "patches"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    for module in ("ec2_describe_instances_filters", "ec2_volume_attachments", "ec2_attach_validation", "ec2_run_instances_virtualization"):
        assert f"({module})" in out.stdout


def test_describe_instances_filters_and_instance_paging(simulator):
    ec2 = simulator.client("ec2")
    pv = set(launch(ec2, PV_AMI, "m1.small", count=3))
    hvm = set(launch(ec2, HVM_AMI, "t3.micro", count=4))
    stopped = sorted(pv)[0]
    ec2.stop_instances(InstanceIds=[stopped])

    pv_filter = [{"Name": "virtualization-type", "Values": ["paravirtual"]}, {"Name": "root-device-type", "Values": ["ebs"]}]
    assert instance_ids(ec2.describe_instances(Filters=pv_filter)) == pv
    running_pv = pv_filter + [{"Name": "instance-state-name", "Values": ["running", "pending"]}]
    assert instance_ids(ec2.describe_instances(Filters=running_pv)) == pv - {stopped}
    assert instance_ids(ec2.describe_instances(Filters=[{"Name": "virtualization-type", "Values": ["hvm"]}])) == hvm

    pages = list(ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
    assert [sum(len(r["Instances"]) for r in p["Reservations"]) for p in pages] == [5, 2]
    assert set().union(*(instance_ids(p) for p in pages)) == pv | hvm
    assert error_code(ec2.describe_instances, MaxResults=4) == "InvalidParameterValue"


def test_volume_attachments_report_delete_on_termination_and_snapshot_id(simulator):
    ec2 = simulator.client("ec2")
    instance = launch(ec2, HVM_AMI, "t3.micro", Placement={"AvailabilityZone": "us-east-1a"})[0]
    data = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=instance, Device="/dev/sdf")
    ec2.modify_instance_attribute(InstanceId=instance, BlockDeviceMappings=[{"DeviceName": "/dev/sdf", "Ebs": {"DeleteOnTermination": True}}])
    ec2.modify_instance_attribute(InstanceId=instance, BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"DeleteOnTermination": False}}])

    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])["Volumes"]
    assert {v["Attachments"][0]["Device"]: v["Attachments"][0]["DeleteOnTermination"] for v in volumes} == {"/dev/sda1": False, "/dev/sdf": True}
    assert all(v["SnapshotId"] == "" for v in volumes)
    kept = ec2.describe_volumes(Filters=[{"Name": "attachment.delete-on-termination", "Values": ["false"]}])["Volumes"]
    assert [v["Attachments"][0]["Device"] for v in kept] == ["/dev/sda1"]


def test_attach_volume_validation(simulator):
    ec2 = simulator.client("ec2")
    a1 = launch(ec2, HVM_AMI, "t3.micro", Placement={"AvailabilityZone": "us-east-1a"})[0]
    a2 = launch(ec2, HVM_AMI, "t3.micro", Placement={"AvailabilityZone": "us-east-1a"})[0]
    b = launch(ec2, HVM_AMI, "t3.micro", Placement={"AvailabilityZone": "us-east-1b"})[0]
    volume = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
    other = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]

    assert error_code(ec2.attach_volume, VolumeId=volume, InstanceId=b, Device="/dev/sdf") == "InvalidVolume.ZoneMismatch"
    assert error_code(ec2.attach_volume, VolumeId=volume, InstanceId=a1, Device="/dev/sdf", DryRun=True) == "DryRunOperation"
    ec2.attach_volume(VolumeId=volume, InstanceId=a1, Device="/dev/sdf")
    assert error_code(ec2.attach_volume, VolumeId=volume, InstanceId=a2, Device="/dev/sdf") == "VolumeInUse"
    assert error_code(ec2.attach_volume, VolumeId=other, InstanceId=a1, Device="/dev/sdf") == "InvalidParameterValue"
    attachments = ec2.describe_volumes(VolumeIds=[volume, other])["Volumes"]
    assert {v["VolumeId"]: [(a["InstanceId"], a["Device"]) for a in v["Attachments"]] for v in attachments} == {volume: [(a1, "/dev/sdf")], other: []}


def test_run_instances_refuses_pv_ami_on_hvm_only_type(simulator):
    ec2 = simulator.client("ec2")
    assert error_code(ec2.run_instances, ImageId=PV_AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1) == "InvalidParameterCombination"
    assert ec2.describe_instances()["Reservations"] == []
    launch(ec2, PV_AMI, "m1.small")
    mutating = [c.operation for c in simulator.mutating_calls()]
    assert mutating.count("RunInstances") == 2  # the refused call is recorded as made, like any other request
