"""hubfix.aws.ec2_migration_snapshot: one tagged snapshot per volume and run, waited for until completed."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_migration_snapshot as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

IID = "i-0123456789abcdef0"
RUN = "run-1"
ROOT, DATA = "vol-0000000000000000a", "vol-0000000000000000b"
ARGS = {"instance_id": IID, "run_id": RUN, "volumes": [{"volume_id": ROOT, "device_name": "/dev/sda1"}, {"volume_id": DATA, "device_name": "/dev/sdf"}]}


def tags(volume_id, device):
    return {
        "Name": "hubfix pv-to-hvm %s %s" % (IID, device),
        "hubfix:source-instance": IID,
        "hubfix:source-volume": volume_id,
        "hubfix:source-device": device,
        "hubfix:migration-run": RUN,
    }


def snap(snapshot_id, volume_id, device, state="completed", **kw):
    return r.snapshot(snapshot_id, volume_id, state=state, tags=tags(volume_id, device), progress="100%" if state == "completed" else "40%", **kw)


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_existing(ec2, volume_id, *found):
    filters = [{"Name": "tag:hubfix:source-volume", "Values": [volume_id]}, {"Name": "tag:hubfix:migration-run", "Values": [RUN]}]
    ec2.add("describe_snapshots", r.snapshots(*found), {"OwnerIds": ["self"], "Filters": filters})


def expect_create(ec2, snapshot_id, volume_id, device, extra_tags=None):
    tag_list = r.tag_list(dict(extra_tags or {}, **tags(volume_id, device)))
    params = {
        "VolumeId": volume_id,
        "Description": "hubfix.aws pv_to_hvm backup of %s (%s on %s), run %s" % (volume_id, device, IID, RUN),
        "TagSpecifications": [{"ResourceType": "snapshot", "Tags": tag_list}],
    }
    ec2.add("create_snapshot", dict(snap(snapshot_id, volume_id, device, state="pending")), params)


def expect_wait(ec2, ids, *states):
    """The waiter's polls (one per answer in ``states``), then the read of the final states."""
    for answer in states:
        ec2.add("describe_snapshots", r.snapshots(*answer), {"SnapshotIds": ids}, throttle=False)
    ec2.add("describe_snapshots", r.snapshots(*states[-1]), {"SnapshotIds": ids})


def test_snapshots_every_volume_and_waits_until_all_are_completed(ec2, run):
    expect_existing(ec2, ROOT)
    expect_create(ec2, "snap-0000000000000000a", ROOT, "/dev/sda1")
    expect_existing(ec2, DATA)
    expect_create(ec2, "snap-0000000000000000b", DATA, "/dev/sdf")
    ids = ["snap-0000000000000000a", "snap-0000000000000000b"]
    pending = [snap(ids[0], ROOT, "/dev/sda1", "pending"), snap(ids[1], DATA, "/dev/sdf", "pending")]
    done = [snap(ids[0], ROOT, "/dev/sda1"), snap(ids[1], DATA, "/dev/sdf")]
    expect_wait(ec2, ids, pending, done)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["all_completed"] is True
    assert [(s["snapshot_id"], s["volume_id"], s["device_name"], s["state"], s["created"]) for s in result["snapshots"]] == [
        (ids[0], ROOT, "/dev/sda1", "completed", True),
        (ids[1], DATA, "/dev/sdf", "completed", True),
    ]


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_existing(ec2, ROOT)
    expect_create(ec2, "snap-0000000000000000a", ROOT, "/dev/sda1", extra_tags={"owner": "ops"})
    expect_wait(ec2, ["snap-0000000000000000a"], [snap("snap-0000000000000000a", ROOT, "/dev/sda1")])

    result = run(module, dict(ARGS, volumes=ARGS["volumes"][:1], tags={"owner": "ops"}))

    assert result["all_completed"] is True


def test_the_runs_snapshots_are_reused(ec2, run):
    older = snap("snap-0000000000000000c", ROOT, "/dev/sda1", start_time=r.CREATED - datetime.timedelta(hours=1))
    expect_existing(ec2, ROOT, snap("snap-0000000000000000a", ROOT, "/dev/sda1"), older)
    expect_existing(ec2, DATA, snap("snap-0000000000000000b", DATA, "/dev/sdf"))

    result = run(module, ARGS, diff=True)

    assert result["changed"] is False
    assert [s["snapshot_id"] for s in result["snapshots"]] == ["snap-0000000000000000c", "snap-0000000000000000b"]
    assert result["diff"]["before"] == result["diff"]["after"] == {"snapshots": [ROOT, DATA]}


def test_a_failed_snapshot_of_the_run_is_taken_again(ec2, run):
    expect_existing(ec2, ROOT, snap("snap-0000000000000000e", ROOT, "/dev/sda1", state="error"))
    expect_create(ec2, "snap-0000000000000000a", ROOT, "/dev/sda1")

    result = run(module, dict(ARGS, volumes=ARGS["volumes"][:1], wait=False))

    assert [(s["snapshot_id"], s["state"], s["created"]) for s in result["snapshots"]] == [("snap-0000000000000000a", "pending", True)]
    assert result["all_completed"] is False


def test_check_mode_reports_the_snapshots_it_would_take(ec2, run):
    expect_existing(ec2, ROOT, snap("snap-0000000000000000a", ROOT, "/dev/sda1"))
    expect_existing(ec2, DATA)

    result = run(module, ARGS, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["snapshots"][1] == {"snapshot_id": None, "volume_id": DATA, "device_name": "/dev/sdf", "state": None, "created": True}
    assert result["all_completed"] is False
    assert result["diff"] == {"before": {"snapshots": [ROOT]}, "after": {"snapshots": [ROOT, DATA]}}


def test_volume_moves_of_the_preflight_are_accepted(ec2, run):
    expect_existing(ec2, ROOT, snap("snap-0000000000000000a", ROOT, "/dev/sda1"))
    moves = [{"volume_id": ROOT, "source_device": "/dev/sda1", "target_device": "/dev/sdo", "is_root": True, "delete_on_termination": True}]

    assert run(module, dict(ARGS, volumes=moves))["snapshots"][0]["device_name"] == "/dev/sda1"


def test_an_entry_without_a_device_fails_naming_the_instance(ec2, run):
    result = run(module, dict(ARGS, volumes=[{"volume_id": ROOT}]), fails=True)

    assert result["msg"] == "%s: every entry of volumes needs volume_id and device_name (got {'volume_id': '%s'})" % (IID, ROOT)


def test_a_snapshot_that_errors_while_waited_for_fails(ec2, run):
    expect_existing(ec2, ROOT)
    expect_create(ec2, "snap-0000000000000000a", ROOT, "/dev/sda1")
    ec2.add("describe_snapshots", r.snapshots(snap("snap-0000000000000000a", ROOT, "/dev/sda1", "error")), {"SnapshotIds": ["snap-0000000000000000a"]})

    result = run(module, dict(ARGS, volumes=ARGS["volumes"][:1]), fails=True)

    assert result["msg"].startswith("snapshots snap-0000000000000000a of %s failed: " % IID)
    assert result["changed"] is True
    assert result["snapshots"][0]["snapshot_id"] == "snap-0000000000000000a"


def test_a_snapshot_still_pending_at_the_timeout_fails(ec2, run):
    expect_existing(ec2, ROOT)
    expect_create(ec2, "snap-0000000000000000a", ROOT, "/dev/sda1")
    for _poll in range(3):
        ec2.add("describe_snapshots", r.snapshots(snap("snap-0000000000000000a", ROOT, "/dev/sda1", "pending")), {"SnapshotIds": ["snap-0000000000000000a"]})

    result = run(module, dict(ARGS, volumes=ARGS["volumes"][:1], wait_timeout=10), fails=True)

    assert result["msg"] == "timed out after 10s waiting for snapshots snap-0000000000000000a of %s" % IID


def test_a_refused_snapshot_fails_naming_the_instance(ec2, run):
    expect_existing(ec2, ROOT)
    ec2.error("create_snapshot", "IncorrectState", "The volume is in a wrong state")

    result = run(module, dict(ARGS, volumes=ARGS["volumes"][:1]), fails=True)

    assert result["msg"].startswith("%s: failed to snapshot its volumes (Failed to create snapshot): " % IID)
    assert result["msg"].endswith("The volume is in a wrong state")


def test_a_malformed_run_id_fails_before_any_call(ec2, run):
    result = run(module, dict(ARGS, run_id="run/1"), fails=True)

    assert result["msg"] == "run id 'run/1' must be 1-64 characters of letters, digits and . _ : - (not starting with a dot)"
