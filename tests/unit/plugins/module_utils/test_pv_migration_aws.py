"""The EC2 helpers of the paravirtual -> HVM step modules (plugins/module_utils/pv_migration_aws.py), on moto in-process."""

from __future__ import annotations

import boto3
import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration as pm
from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration_aws as aws

PV_AMI = "ami-8104a4f8"
HVM_AMI = "ami-760aaa0f"


class Retrying:
    """Stands in for the AnsibleAWSModule client wrapper: accepts (and drops) ``aws_retry``."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr) or name in ("get_paginator", "get_waiter"):
            return attr

        def call(*args, aws_retry=False, **kwargs):
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def ec2(moto_aws):
    return Retrying(boto3.client("ec2", region_name="us-east-1"))


def launch(ec2, ami=PV_AMI, itype="m1.small", tags=None):
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}] if tags else []
    return ec2.run_instances(ImageId=ami, InstanceType=itype, MinCount=1, MaxCount=1, TagSpecifications=spec)["Instances"][0]


def test_missing_resources_are_none_not_errors(ec2):
    assert aws.describe_instance(ec2, "i-0123456789abcdef0") is None
    assert aws.describe_volume(ec2, "vol-0123456789abcdef0") is None
    assert aws.describe_image(ec2, "ami-0123456789abcdef0") is None
    assert aws.describe_address(ec2, "eipalloc-0123456789abcdef0") is None


def test_instance_summary_of_a_pv_instance(ec2):
    i = launch(ec2, tags={"Name": "pv"})
    s = aws.instance_summary(aws.describe_instance(ec2, i["InstanceId"]))
    assert s["virtualization_type"] == "paravirtual"
    assert s["root_device_name"] == "/dev/sda1"
    assert s["ebs_volumes"] == [{"device_name": "/dev/sda1", "volume_id": i["BlockDeviceMappings"][0]["Ebs"]["VolumeId"], "delete_on_termination": True}]
    assert s["tags"] == {"Name": "pv"}


def test_find_replacements_by_tag_and_run(ec2):
    source = launch(ec2)["InstanceId"]
    r1 = launch(ec2, HVM_AMI, "t3.small", {pm.TAG_REPLACES: source, pm.TAG_RUN: "r1"})["InstanceId"]
    launch(ec2, HVM_AMI, "t3.small", {pm.TAG_REPLACES: "i-other", pm.TAG_RUN: "r1"})
    assert [i["InstanceId"] for i in aws.find_replacements(ec2, source)] == [r1]
    assert [i["InstanceId"] for i in aws.find_replacements(ec2, source, run_id="r1")] == [r1]
    assert aws.find_replacements(ec2, source, run_id="r2") == []
    ec2.terminate_instances(InstanceIds=[r1])
    assert aws.find_replacements(ec2, source) == []


def test_migration_snapshots_are_found_by_volume_and_run(ec2):
    i = launch(ec2)
    vol = i["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    tags = [{"Key": pm.TAG_SOURCE_VOLUME, "Value": vol}, {"Key": pm.TAG_RUN, "Value": "r1"}, {"Key": pm.TAG_SOURCE_INSTANCE, "Value": i["InstanceId"]}]
    snap = ec2.create_snapshot(VolumeId=vol, TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}])["SnapshotId"]
    ec2.create_snapshot(VolumeId=vol)  # untagged: not a migration snapshot
    assert [s["SnapshotId"] for s in aws.migration_snapshots(ec2, volume_id=vol, run_id="r1")] == [snap]
    assert aws.migration_snapshots(ec2, volume_id=vol, run_id="r2") == []
    assert len(aws.completed_snapshots_of_volume(ec2, vol)) == 2
    assert aws.snapshot_summary(aws.migration_snapshots(ec2, source_instance_id=i["InstanceId"])[0])["volume_id"] == vol


def test_dry_run_probe_says_allowed_without_changing_anything(ec2):
    i = launch(ec2)["InstanceId"]
    assert aws.dry_run(ec2.stop_instances, InstanceIds=[i]) == (True, None, None)
    assert aws.describe_instance(ec2, i)["State"]["Name"] == "running"


def test_dry_run_probe_reports_denied_and_other_answers():
    import botocore.exceptions

    def denied(**_unused):
        raise botocore.exceptions.ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "StopInstances")

    def other(**_unused):
        raise botocore.exceptions.ClientError({"Error": {"Code": "IncorrectState", "Message": "busy"}}, "DetachVolume")

    assert aws.dry_run(denied) == (False, "UnauthorizedOperation", "no")
    assert aws.dry_run(other) == (None, "IncorrectState", "busy")


def test_wait_until_times_out_with_what_it_waited_for():
    with pytest.raises(aws.WaitTimeout, match="vol-1 to detach"):
        aws.wait_until(lambda: None, 0, "vol-1 to detach", delay=0)
    assert aws.wait_until(lambda: 5, 1, "x") == 5
