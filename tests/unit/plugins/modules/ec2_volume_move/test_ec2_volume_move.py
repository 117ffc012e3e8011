"""hubfix.aws.ec2_volume_move: move an EBS volume to an instance and device, checked before anything changes."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_volume_move as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

VOL = "vol-0000000000000000a"
SOURCE = "i-0123456789abcdef0"
TARGET = "i-0fedcba9876543210"
ARGS = {"volume_id": VOL, "instance_id": TARGET, "device_name": "/dev/sdo", "run_id": "run-1"}
SNAPSHOT_FILTERS = {"OwnerIds": ["self"], "Filters": [{"Name": "volume-id", "Values": [VOL]}, {"Name": "status", "Values": ["completed"]}]}


def on_source(attachment_state="attached"):
    return r.volume(VOL, state="in-use", attached_to=SOURCE, device="/dev/sda1", attachment_state=attachment_state)


def on_target(state="attached", device="/dev/sdo"):
    return r.volume(VOL, state="in-use", attached_to=TARGET, device=device, attachment_state=state)


def source_instance(delete_on_termination=True):
    return r.instance(SOURCE, state="stopped", volumes=[("/dev/sda1", VOL, delete_on_termination)])


def target_instance(volumes=(("/dev/xvda", "vol-0000000000000000f", True),), az="us-east-1a", state="stopped"):
    return r.instance(TARGET, state=state, virtualization="hvm", root="/dev/xvda", volumes=volumes, Placement={"AvailabilityZone": az, "Tenancy": "default"})


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_volume(ec2, volume, throttle=None):
    ec2.add("describe_volumes", r.volumes(volume), {"VolumeIds": [VOL]}, throttle=throttle)


def expect_instance(ec2, instance):
    ec2.add("describe_instances", r.reservations(instance), {"InstanceIds": [instance["InstanceId"]]})


def expect_snapshots(ec2, *found):
    ec2.add("describe_snapshots", r.snapshots(*found), SNAPSHOT_FILTERS)


def run_snapshot(run_id="run-1"):
    return r.snapshot("snap-0000000000000000a", VOL, tags={"hubfix:migration-run": run_id})


def expect_set_flag(ec2, instance_id, device, value):
    ec2.add(
        "modify_instance_attribute", {}, {"InstanceId": instance_id, "BlockDeviceMappings": [{"DeviceName": device, "Ebs": {"DeleteOnTermination": value}}]}
    )


def expect_full_move(ec2):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance())
    expect_instance(ec2, source_instance())
    expect_snapshots(ec2, run_snapshot())
    expect_set_flag(ec2, SOURCE, "/dev/sda1", False)
    ec2.add("detach_volume", {"VolumeId": VOL, "State": "detaching"}, {"VolumeId": VOL, "InstanceId": SOURCE, "Device": "/dev/sda1"})
    expect_volume(ec2, r.volume(VOL), throttle=False)  # the volume_available waiter
    ec2.add("attach_volume", {"VolumeId": VOL, "State": "attaching"}, {"Device": "/dev/sdo", "InstanceId": TARGET, "VolumeId": VOL})
    expect_volume(ec2, on_target("attaching"))
    expect_volume(ec2, on_target())


def test_moves_the_volume_keeping_it_from_being_deleted_with_the_source(ec2, run):
    expect_full_move(ec2)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["actions"] == [
        "set DeleteOnTermination false on %s" % SOURCE,
        "detach from %s" % SOURCE,
        "attach to %s at /dev/sdo" % TARGET,
    ]
    assert result["previous"] == {"instance_id": SOURCE, "device_name": "/dev/sda1", "delete_on_termination": True}
    assert result["attachment"] == {"instance_id": TARGET, "device_name": "/dev/sdo", "delete_on_termination": False}
    assert result["volume_id"] == VOL


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_full_move(ec2)

    assert run(module, ARGS)["changed"] is True


def test_delete_on_termination_is_set_on_the_target_afterwards(ec2, run):
    expect_volume(ec2, r.volume(VOL))
    expect_instance(ec2, target_instance())
    ec2.add("attach_volume", {}, {"Device": "/dev/sdo", "InstanceId": TARGET, "VolumeId": VOL})
    expect_volume(ec2, on_target())
    expect_set_flag(ec2, TARGET, "/dev/sdo", True)

    result = run(module, dict(ARGS, delete_on_termination=True))

    assert result["actions"] == ["attach to %s at /dev/sdo" % TARGET, "set DeleteOnTermination true on %s" % TARGET]
    assert result["previous"] == {"instance_id": None, "device_name": None, "delete_on_termination": None}


def test_a_volume_already_in_place_is_unchanged(ec2, run):
    expect_volume(ec2, on_target())
    expect_instance(ec2, target_instance(volumes=[("/dev/xvda", "vol-0000000000000000f", True), ("/dev/sdo", VOL, False)]))
    expect_instance(ec2, target_instance(volumes=[("/dev/xvda", "vol-0000000000000000f", True), ("/dev/sdo", VOL, False)]))

    result = run(module, ARGS)

    assert (result["changed"], result["actions"]) == (False, [])


def test_only_the_flag_is_set_when_the_volume_is_in_place_with_another_flag(ec2, run):
    mapped = target_instance(volumes=[("/dev/sdo", VOL, False)])
    expect_volume(ec2, on_target(device="/dev/xvdo"))
    expect_instance(ec2, mapped)
    expect_instance(ec2, mapped)
    expect_set_flag(ec2, TARGET, "/dev/xvdo", True)

    result = run(module, dict(ARGS, delete_on_termination=True))

    assert result["actions"] == ["set DeleteOnTermination true on %s" % TARGET]


def test_a_volume_on_the_target_at_another_device_is_refused(ec2, run):
    expect_volume(ec2, on_target(device="/dev/sdf"))
    expect_instance(ec2, target_instance())
    expect_instance(ec2, target_instance())

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s is attached to %s at /dev/sdf, not at /dev/sdo; move it by hand" % (VOL, TARGET)
    assert result["volume_id"] == VOL


def test_check_mode_lists_the_actions_without_taking_them(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance())
    expect_instance(ec2, source_instance())
    expect_snapshots(ec2, run_snapshot())

    result = run(module, ARGS, check_mode=True)

    assert result["changed"] is True
    assert result["actions"] == ["set DeleteOnTermination false on %s" % SOURCE, "detach from %s" % SOURCE, "attach to %s at /dev/sdo" % TARGET]


def test_diff_shows_the_attachment_before_and_after(ec2, run):
    expect_full_move(ec2)

    diff = run(module, ARGS, diff=True)["diff"]

    assert diff["before"] == {"instance_id": SOURCE, "device_name": "/dev/sda1", "delete_on_termination": True}
    assert diff["after"] == {"instance_id": TARGET, "device_name": "/dev/sdo", "delete_on_termination": False}
    assert diff["before_header"] == diff["after_header"] == VOL


def test_an_interrupted_detachment_is_waited_out_first(ec2, run):
    expect_volume(ec2, on_source(attachment_state="detaching"))
    expect_instance(ec2, target_instance())
    expect_volume(ec2, r.volume(VOL))  # volume_available waiter
    expect_volume(ec2, r.volume(VOL))
    ec2.add("attach_volume", {}, {"Device": "/dev/sdo", "InstanceId": TARGET, "VolumeId": VOL})
    expect_volume(ec2, on_target())

    assert run(module, ARGS)["actions"] == ["attach to %s at /dev/sdo" % TARGET]


def test_no_completed_snapshot_of_the_run_refuses_the_detachment(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance())
    expect_instance(ec2, source_instance())
    expect_snapshots(ec2, run_snapshot("run-0"))

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s has no completed snapshot from run run-1; refusing to detach it from %s" % (VOL, SOURCE)


def test_another_availability_zone_is_refused(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance(az="us-east-1b"))
    expect_instance(ec2, source_instance())

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s is in us-east-1a but %s is in us-east-1b" % (VOL, TARGET)


def test_a_device_taken_on_the_target_is_refused(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance(volumes=[("/dev/xvdo", "vol-0000000000000000c", False)]))
    expect_instance(ec2, source_instance())

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: device /dev/sdo on %s is already used by vol-0000000000000000c" % (VOL, TARGET)


def test_unknown_volume_fails_naming_it(ec2, run):
    ec2.error("describe_volumes", "InvalidVolume.NotFound", "does not exist", {"VolumeIds": [VOL]})

    assert run(module, ARGS, fails=True)["msg"] == "volume %s not found in region us-east-1" % VOL


def test_terminated_target_fails_naming_it(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance(state="terminated"))

    assert run(module, ARGS, fails=True)["msg"] == "%s: target instance %s not found or terminated" % (VOL, TARGET)


def test_an_attachment_that_never_completes_times_out(ec2, run):
    expect_volume(ec2, r.volume(VOL))
    expect_instance(ec2, target_instance())
    ec2.add("attach_volume", {}, {"Device": "/dev/sdo", "InstanceId": TARGET, "VolumeId": VOL})
    for _poll in range(4):  # polls at 0, 1, 2.5 and 4.75 s of a 3 s timeout
        expect_volume(ec2, on_target("attaching"))

    result = run(module, dict(ARGS, wait_timeout=3), fails=True)

    assert result["msg"] == "timed out after 3s waiting for %s to attach to %s" % (VOL, TARGET)


def test_a_detached_volume_whose_attachment_times_out_is_reported_as_changed(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance())
    expect_instance(ec2, source_instance(delete_on_termination=False))
    expect_snapshots(ec2, run_snapshot())
    ec2.add("detach_volume", {}, {"VolumeId": VOL, "InstanceId": SOURCE, "Device": "/dev/sda1"})
    expect_volume(ec2, r.volume(VOL))
    ec2.add("attach_volume", {}, {"Device": "/dev/sdo", "InstanceId": TARGET, "VolumeId": VOL})
    for _poll in range(4):
        expect_volume(ec2, on_target("attaching"))

    result = run(module, dict(ARGS, wait_timeout=3), fails=True)

    assert result.get("changed") is True
    assert result.get("actions") == ["detach from %s" % SOURCE, "attach to %s at /dev/sdo" % TARGET]


def test_refused_detachment_fails_naming_volume_and_target(ec2, run):
    expect_volume(ec2, on_source())
    expect_instance(ec2, target_instance())
    expect_instance(ec2, source_instance(delete_on_termination=False))
    expect_snapshots(ec2, run_snapshot())
    ec2.error("detach_volume", "IncorrectState", "Volume is in use by the root device")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("%s: failed to move it to %s at /dev/sdo" % (VOL, TARGET))
    assert result["msg"].endswith("Volume is in use by the root device")
