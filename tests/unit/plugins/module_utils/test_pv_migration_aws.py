"""The EC2 helpers of the paravirtual -> HVM step modules (plugins/module_utils/pv_migration_aws.py), on moto in-process."""

from __future__ import annotations

import boto3
import botocore.exceptions
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils import ec2_api, waiting
from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration as pm
from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration_aws as aws
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY

PV_AMI = "ami-8104a4f8"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    """The client the modules get: amazon.aws's retrying wrapper with hubfix's retry policy."""
    return RetryingBotoClientWrapper(boto3.client("ec2", region_name="us-east-1"), RETRY)


def launch(ec2, ami=PV_AMI, itype="m1.small", tags=None):
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}] if tags else []
    return ec2.run_instances(ImageId=ami, InstanceType=itype, MinCount=1, MaxCount=1, TagSpecifications=spec)["Instances"][0]


def test_missing_resources_are_none_not_errors(ec2):
    assert ec2_api.describe_instance(ec2, "i-0123456789abcdef0") is None
    assert ec2_api.describe_volume(ec2, "vol-0123456789abcdef0") is None
    assert ec2_api.describe_image(ec2, "ami-0123456789abcdef0") is None
    assert ec2_api.describe_address(ec2, "eipalloc-0123456789abcdef0") is None


def test_instance_summary_of_a_pv_instance(ec2):
    i = launch(ec2, tags={"Name": "pv"})
    s = aws.instance_summary(ec2_api.describe_instance(ec2, i["InstanceId"]))
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
    assert ec2_api.dry_run(ec2.stop_instances, InstanceIds=[i]) == (True, None, None)
    assert ec2_api.describe_instance(ec2, i)["State"]["Name"] == "running"


def test_dry_run_probe_reports_denied_and_other_answers():
    def denied(**_unused):
        raise botocore.exceptions.ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "StopInstances")

    def other(**_unused):
        raise botocore.exceptions.ClientError({"Error": {"Code": "IncorrectState", "Message": "busy"}}, "DetachVolume")

    assert ec2_api.dry_run(denied) == (False, "UnauthorizedOperation", "no")
    assert ec2_api.dry_run(other) == (None, "IncorrectState", "busy")


def test_poll_times_out_with_what_it_waited_for():
    with pytest.raises(waiting.WaitTimeout, match="vol-1 to detach"):
        waiting.poll(lambda: None, 0, "vol-1 to detach", delay=0)
    assert waiting.poll(lambda: 5, 1, "x") == 5


def test_waiters_end_with_wait_timeout_naming_what(ec2):
    i = launch(ec2)["InstanceId"]
    waiting.wait_for_waiter(ec2, "instance_running", 5, "i to run", delay=1, InstanceIds=[i])
    with pytest.raises(waiting.WaitTimeout, match="timed out after 0s waiting for i to stop"):
        waiting.wait_for_waiter(ec2, "instance_stopped", 0, "i to stop", delay=1, InstanceIds=[i])
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    waiting.wait_for_waiter(ec2, "volume_available", 5, "the volume", delay=1, VolumeIds=[vol])


def test_migration_view_and_live_state(ec2):
    source = launch(ec2, tags={"Name": "pv"})
    replacement = launch(ec2, HVM_AMI, "t3.small", {pm.TAG_REPLACES: source["InstanceId"], pm.TAG_RUN: "r1"})["InstanceId"]
    view = aws.migration_view(ec2, ec2_api.describe_instance(ec2, source["InstanceId"]))
    assert view["replacement"]["instance_id"] == replacement
    assert view["migration"]["phase"] is None and view["elastic_ips"] == [] and view["snapshots"] == []
    live = aws.live_state(ec2, source)
    assert live["was_running"] is True and live["eips"] == []
    assert live["devices"][0]["device_name"] == "/dev/sda1"


class _Flaky:
    """A waiter whose first polls end the way botocore ends them when its retries are used up."""

    def __init__(self, errors):
        self.errors, self.calls = list(errors), 0

    def wait(self, **_unused):
        self.calls += 1
        if self.errors:
            code, status = self.errors.pop(0)
            response = {"Error": {"Code": code, "Message": code + "!"}, "ResponseMetadata": {"HTTPStatusCode": status}}
            raise botocore.exceptions.WaiterError(name="w", reason="An error occurred (%s)" % code, last_response=response)


def test_waiter_restarts_after_throttling_and_server_errors(monkeypatch):
    flaky = _Flaky([("RequestLimitExceeded", 503), ("InternalError", 500), ("Throttling", 400)])
    monkeypatch.setattr(waiting, "_waiter", lambda client, name: flaky)
    waiting.wait_for_waiter(None, "instance_running", 60, "i to run", delay=0)
    assert flaky.calls == 4


def test_waiter_fails_on_an_answer_about_the_resource_or_when_time_is_up(monkeypatch):
    monkeypatch.setattr(waiting, "_waiter", lambda client, name: _Flaky([("InvalidInstanceID.NotFound", 400)]))
    with pytest.raises(waiting.WaitTimeout, match="i to run failed: InvalidInstanceID.NotFound!"):
        waiting.wait_for_waiter(None, "instance_running", 60, "i to run", delay=0)
    monkeypatch.setattr(waiting, "_waiter", lambda client, name: _Flaky([("RequestLimitExceeded", 400)] * 3))
    with pytest.raises(waiting.WaitTimeout, match="i to run failed: RequestLimitExceeded!"):
        waiting.wait_for_waiter(None, "instance_running", 0, "i to run", delay=1)
