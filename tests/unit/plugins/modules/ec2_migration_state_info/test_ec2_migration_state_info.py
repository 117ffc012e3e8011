"""hubfix.aws.ec2_migration_state_info: the recorded migration of a source instance with its live facts (read-only)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_migration_state_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

SOURCE, NEW = r.MIGRATION_SOURCE, r.MIGRATION_REPLACEMENT
ALLOC = "eipalloc-0123456789abcdef0"
TAGS = {
    "Name": "web",
    "hubfix:migration-phase": "launched",
    "hubfix:migration-run": "run-1",
    "hubfix:was-running": "true",
    "hubfix:original-devices": "/dev/sda1=vol-0000000000000000a:1 /dev/sdf=vol-0000000000000000b:0",
    "hubfix:original-eips": "%s@10.0.0.12" % ALLOC,
    "hubfix:replacement-id": NEW,
}


def source(tags=None):
    return r.instance(SOURCE, state="stopped", tags=TAGS if tags is None else tags)


def replacement():
    return r.instance(NEW, virtualization="hvm", instance_type="t3.small", tags={"hubfix:replaces": SOURCE, "hubfix:migration-run": "run-1"})


def snap(snapshot_id, volume_id, hours_ago):
    tags = {"hubfix:source-instance": SOURCE, "hubfix:source-volume": volume_id, "hubfix:source-device": "/dev/sda1", "hubfix:migration-run": "run-1"}
    return r.snapshot(snapshot_id, volume_id, tags=tags, start_time=r.CREATED - datetime.timedelta(hours=hours_ago))


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_source(ec2, instance):
    ec2.add("describe_instances", r.reservations(instance), {"InstanceIds": [SOURCE]})


def test_reads_the_recorded_migration_with_replacement_addresses_and_snapshots(ec2, run):
    expect_source(ec2, source())
    snaps = [snap("snap-0000000000000000b", "vol-0000000000000000b", 1), snap("snap-0000000000000000a", "vol-0000000000000000a", 2)]
    r.expect_migration_view(ec2, source(), replacement(), snapshots_found=snaps, addresses_found=[r.address(ALLOC, "203.0.113.10", NEW, "10.0.0.99")])

    result = run(module, {"instance_id": SOURCE})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["migration"] == {
        "phase": "launched",
        "run_id": "run-1",
        "was_running": True,
        "original_devices": [
            {"device_name": "/dev/sda1", "volume_id": "vol-0000000000000000a", "delete_on_termination": True},
            {"device_name": "/dev/sdf", "volume_id": "vol-0000000000000000b", "delete_on_termination": False},
        ],
        "original_eips": [{"allocation_id": ALLOC, "private_ip_address": "10.0.0.12"}],
        "replacement_id": NEW,
        "replaced_by": None,
        "error": None,
        "claim": None,
        "attempt": 1,
    }
    assert result["instance"]["instance_id"] == SOURCE
    assert result["replacement"]["instance_id"] == NEW
    assert [a["instance_id"] for a in result["elastic_ips"]] == [NEW]
    assert [s["snapshot_id"] for s in result["snapshots"]] == ["snap-0000000000000000a", "snap-0000000000000000b"]


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_source(ec2, source())
    r.expect_migration_view(ec2, source(), replacement())

    assert run(module, {"instance_id": SOURCE})["replacement"]["instance_id"] == NEW


def test_without_a_recorded_replacement_the_one_live_replacement_is_found(ec2, run):
    tags = {k: v for k, v in TAGS.items() if k != "hubfix:replacement-id"}
    expect_source(ec2, source(tags))
    r.expect_migration_view(ec2, source(tags), replacement(), recorded=False)

    assert run(module, {"instance_id": SOURCE})["replacement"]["instance_id"] == NEW


def test_an_instance_never_migrated_has_an_empty_record(ec2, run):
    expect_source(ec2, source({"Name": "web"}))
    r.expect_migration_view(ec2, source({"Name": "web"}), None, recorded=False)

    result = run(module, {"instance_id": SOURCE}, check_mode=True)

    assert result["migration"]["phase"] is None
    assert (result["replacement"], result["snapshots"], result["elastic_ips"]) == (None, [], [])


def test_unknown_instance_fails_naming_it(ec2, run):
    ec2.error("describe_instances", "InvalidInstanceID.NotFound", "does not exist", {"InstanceIds": [SOURCE]})

    assert run(module, {"instance_id": SOURCE}, fails=True)["msg"] == "%s: instance not found in region us-east-1" % SOURCE


def test_refused_read_fails_naming_the_instance(ec2, run):
    ec2.error("describe_instances", "UnauthorizedOperation", "not authorized", {"InstanceIds": [SOURCE]})

    result = run(module, {"instance_id": SOURCE}, fails=True)

    assert result["msg"].startswith("%s: failed to read the migration state" % SOURCE)
