"""Unit tests of the paravirtual -> HVM migration logic (plugins/module_utils/pv_migration.py)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration as pm


def dev(device, vol, dot):
    return {"device_name": device, "volume_id": vol, "delete_on_termination": dot}


# --- tag encoding ----------------------------------------------------------------------------------


def test_devices_round_trip_through_tags():
    devices = [dev("/dev/sda1", "vol-0123456789abcdef0", True), dev("/dev/sdf", "vol-0fedcba9876543210", False)]
    tags = pm.encode_devices(devices)
    assert tags == {pm.TAG_DEVICES: "/dev/sda1=vol-0123456789abcdef0:1 /dev/sdf=vol-0fedcba9876543210:0"}
    assert pm.decode_devices(tags) == devices


def test_many_devices_spill_over_into_numbered_tags_within_the_value_limit():
    devices = [dev("/dev/sd%s" % chr(ord("f") + i), "vol-%017x" % i, i % 2 == 0) for i in range(20)]
    tags = pm.encode_devices(devices)
    assert set(tags) == {pm.TAG_DEVICES, pm.TAG_DEVICES + "-2", pm.TAG_DEVICES + "-3"}
    assert all(len(v) <= pm.TAG_VALUE_MAX for v in tags.values())
    assert pm.decode_devices(tags) == devices


def test_tag_values_use_only_characters_every_tagging_api_accepts():
    tags = {}
    tags.update(pm.encode_devices([dev("/dev/sda1", "vol-1", True)]))
    tags.update(pm.encode_eips([{"allocation_id": "eipalloc-1", "private_ip_address": "10.0.0.5"}]))
    for value in tags.values():
        assert all(c.isalnum() or c in " +-=._:/@" for c in value), value


def test_unreadable_device_tag_is_an_error():
    with pytest.raises(pm.MigrationError, match="unreadable"):
        pm.decode_devices({pm.TAG_DEVICES: "/dev/sda1=vol-1:yes"})


def test_eips_round_trip_and_empty_record():
    eips = [{"allocation_id": "eipalloc-1", "private_ip_address": "10.0.0.5"}, {"allocation_id": "eipalloc-2", "private_ip_address": None}]
    assert pm.decode_eips(pm.encode_eips(eips)) == eips
    assert pm.encode_eips([]) == {pm.TAG_EIPS: ""}
    assert pm.decode_eips({pm.TAG_EIPS: ""}) == []


def test_migration_from_tags_without_any_record():
    assert pm.migration_from_tags({"Name": "x"}) == {
        "phase": None,
        "run_id": None,
        "was_running": None,
        "original_devices": None,
        "original_eips": None,
        "replacement_id": None,
        "replaced_by": None,
        "error": None,
        "claim": None,
        "attempt": 1,
    }


def test_user_tags_drop_reserved_and_bookkeeping_tags():
    tags = {"Name": "web", "aws:cloudformation:stack-name": "s", pm.TAG_PHASE: "started", pm.TAG_DEVICES + "-2": "x", "Team": "a"}
    assert pm.user_tags(tags) == {"Name": "web", "Team": "a"}


# --- phases ----------------------------------------------------------------------------------------

LIVE = {"was_running": True, "devices": [dev("/dev/sda1", "vol-1", True)], "eips": [{"allocation_id": "eipalloc-1", "private_ip_address": "10.0.0.5"}]}


def test_start_captures_the_live_state_once():
    to_set, to_remove = pm.plan_state_tags("i-1", {"Name": "x"}, "started", run_id="r1", live=LIVE)
    assert to_set == {
        pm.TAG_PHASE: "started",
        pm.TAG_RUN: "r1",
        pm.TAG_WAS_RUNNING: "true",
        pm.TAG_DEVICES: "/dev/sda1=vol-1:1",
        pm.TAG_EIPS: "eipalloc-1@10.0.0.5",
        pm.TAG_ATTEMPT: "1",
    }
    assert to_remove == []
    tags = dict(to_set)
    # resuming the same run: the record (taken while the instance still ran) is not overwritten by the stopped state
    stopped = dict(LIVE, was_running=False, devices=[])
    assert pm.plan_state_tags("i-1", dict(tags, **{pm.TAG_PHASE: "launched"}), "started", run_id="r1", live=stopped) == ({}, [])


def test_start_under_another_run_while_in_progress_is_refused():
    tags = {pm.TAG_PHASE: "snapshotted", pm.TAG_RUN: "r1", **pm.encode_devices(LIVE["devices"])}
    with pytest.raises(pm.MigrationError, match="in progress under run r1"):
        pm.plan_state_tags("i-1", tags, "started", run_id="r2", live=LIVE)


def test_restart_after_rollback_recaptures_and_clears_stale_records():
    tags = {
        pm.TAG_PHASE: pm.ROLLED_BACK,
        pm.TAG_RUN: "r1",
        pm.TAG_ERROR: "boom",
        pm.TAG_DEVICES: "/dev/sda1=vol-1:1",
        pm.TAG_DEVICES + "-2": "/dev/sdz=vol-9:0",
        pm.TAG_EIPS: "",
    }
    to_set, to_remove = pm.plan_state_tags("i-1", tags, "started", run_id="r2", live=dict(LIVE, eips=[]))
    # the devices and Elastic IP records equal the live state already: only the changed keys are written; a new attempt
    assert to_set == {pm.TAG_PHASE: "started", pm.TAG_RUN: "r2", pm.TAG_WAS_RUNNING: "true", pm.TAG_ATTEMPT: "2"}
    assert sorted(to_remove) == sorted([pm.TAG_DEVICES + "-2", pm.TAG_ERROR])


def test_phases_only_move_forward():
    tags = {pm.TAG_PHASE: "launched", pm.TAG_RUN: "r1", pm.TAG_REPLACEMENT: "i-2"}
    assert pm.plan_state_tags("i-1", tags, "snapshotted") == ({}, [])
    assert pm.plan_state_tags("i-1", tags, "launched", replacement_id="i-2") == ({}, [])
    assert pm.plan_state_tags("i-1", tags, "volumes-moved") == ({pm.TAG_PHASE: "volumes-moved"}, [])


def test_a_phase_without_a_started_migration_is_refused():
    with pytest.raises(pm.MigrationError, match="no migration in progress"):
        pm.plan_state_tags("i-1", {}, "stopped")


def test_completion_records_replaced_by():
    tags = {pm.TAG_PHASE: "ips-moved", pm.TAG_RUN: "r1", pm.TAG_REPLACEMENT: "i-2"}
    assert pm.plan_state_tags("i-1", tags, "completed") == ({pm.TAG_PHASE: "completed", pm.TAG_REPLACED_BY: "i-2"}, [])
    with pytest.raises(pm.MigrationError, match="needs the replacement id"):
        pm.plan_state_tags("i-1", {pm.TAG_PHASE: "ips-moved", pm.TAG_RUN: "r1"}, "completed")


def test_rollback_records_the_error_and_forgets_the_replacement():
    tags = {pm.TAG_PHASE: "launched", pm.TAG_RUN: "r1", pm.TAG_REPLACEMENT: "i-2"}
    to_set, to_remove = pm.plan_state_tags("i-1", tags, pm.ROLLED_BACK, error='attach failed: <IncorrectState> "x"')
    assert to_set == {pm.TAG_PHASE: pm.ROLLED_BACK, pm.TAG_ERROR: "attach failed: IncorrectState x"}
    assert to_remove == [pm.TAG_REPLACEMENT]


def test_phase_helpers():
    # prepare (the source keeps running) comes first, then the cutover stops it
    assert pm.phase_reached("launched", "snapshotted") and pm.phase_reached("stopped", "prepared")
    assert pm.PREPARE_PHASES[-1] == "prepared" and pm.in_progress("prepared")
    assert not pm.phase_reached(None, "started")
    assert not pm.phase_reached(pm.ROLLED_BACK, "started")
    assert pm.in_progress("volumes-moved") and not pm.in_progress("completed") and not pm.in_progress(None)


# --- identifiers -------------------------------------------------------------------------------------


def test_client_token_is_per_source_and_attempt_whatever_the_run_and_fits():
    a = pm.client_token("i-0123456789abcdef0", 1)
    assert a == pm.client_token("i-0123456789abcdef0", 1)
    assert a != pm.client_token("i-0123456789abcdef0", 2)
    assert a != pm.client_token("i-0123456789abcdef1", 1)
    assert len(a) <= 64 and a.isascii()
    assert pm.attempt_of({}) == 1 and pm.attempt_of({pm.TAG_ATTEMPT: "3"}) == 3 and pm.attempt_of({pm.TAG_ATTEMPT: "x"}) == 1


def test_the_claim_is_refreshed_while_the_migration_runs_and_removed_when_it_ends():
    tags = {pm.TAG_PHASE: "started", pm.TAG_RUN: "r1", pm.TAG_CLAIM: "old"}
    to_set, to_remove = pm.plan_state_tags("i-1", tags, "stopped", claim="new")
    assert to_set == {pm.TAG_PHASE: "stopped", pm.TAG_CLAIM: "new"} and to_remove == []
    # resuming under the recorded run takes the claim over
    assert pm.plan_state_tags("i-1", tags, "started", run_id="r1", live=LIVE, claim="mine") == ({pm.TAG_CLAIM: "mine"}, [])
    done = pm.plan_state_tags("i-1", dict(tags, **{pm.TAG_REPLACEMENT: "i-2"}), "completed", claim="new")
    assert pm.TAG_CLAIM in done[1] and pm.TAG_CLAIM not in done[0]
    assert pm.TAG_CLAIM in pm.plan_state_tags("i-1", tags, pm.ROLLED_BACK, error="x")[1]


@pytest.mark.parametrize("run_id", ["", "a b", "x" * 65, "run/1"])
def test_bad_run_ids_are_refused(run_id):
    with pytest.raises(pm.MigrationError):
        pm.validate_run_id(run_id)


# --- inputs ---------------------------------------------------------------------------------------------


def test_image_precedence_and_missing_mapping():
    assert pm.resolve_image("i-1", "ami-pv", image_id="ami-hvm") == "ami-hvm"
    assert pm.resolve_image("i-1", "ami-pv", image_id="ami-hvm", image_map={"ami-pv": "ami-mapped"}) == "ami-mapped"
    assert pm.resolve_image("i-1", "ami-pv", image_map={"ami-pv": "ami-mapped", "i-1": "ami-mine"}) == "ami-mine"
    with pytest.raises(pm.MigrationError, match="i-1: no HVM image for source AMI ami-pv"):
        pm.resolve_image("i-1", "ami-pv", image_map={"ami-other": "ami-x"})


HVM_IMAGE = {"ImageId": "ami-hvm", "VirtualizationType": "hvm", "Architecture": "x86_64", "State": "available", "RootDeviceType": "ebs"}
T3 = {"InstanceType": "t3.small", "SupportedVirtualizationTypes": ["hvm"], "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]}}


def test_good_image_and_type_have_no_problems():
    assert pm.image_problems("i-1", "ami-hvm", HVM_IMAGE, "x86_64", "t3.small", T3) == []


@pytest.mark.parametrize(
    "image, arch, type_info, message",
    [
        (None, "x86_64", T3, "i-1: target image ami-hvm does not exist"),
        (dict(HVM_IMAGE, VirtualizationType="paravirtual"), "x86_64", T3, "is paravirtual, not hvm"),
        (dict(HVM_IMAGE, Architecture="arm64"), "x86_64", T3, "architecture mismatch: the instance is x86_64 but image ami-hvm is arm64"),
        (dict(HVM_IMAGE, State="deregistered"), "x86_64", T3, "is deregistered, not available"),
        (dict(HVM_IMAGE, RootDeviceType="instance-store"), "x86_64", T3, "only EBS-backed images"),
        (HVM_IMAGE, "x86_64", None, "target instance type t3.small does not exist"),
        (HVM_IMAGE, "x86_64", dict(T3, SupportedVirtualizationTypes=["paravirtual"]), "does not support hvm"),
        (HVM_IMAGE, "x86_64", dict(T3, ProcessorInfo={"SupportedArchitectures": ["arm64"]}), "does not support the x86_64 architecture"),
        (dict(HVM_IMAGE, EnaSupport=False), "x86_64", dict(T3, NetworkInfo={"EnaSupport": "required"}), "requires ENA but image ami-hvm does not"),
    ],
)
def test_image_problems_name_the_instance_and_the_reason(image, arch, type_info, message):
    problems = pm.image_problems("i-1", "ami-hvm", image, arch, "t3.small", type_info)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("i-1: ") for p in problems)


# --- volumes ---------------------------------------------------------------------------------------------


def test_root_goes_to_the_old_root_device_and_data_keeps_its_device():
    moves = pm.plan_volume_moves([dev("/dev/sda1", "vol-r", True), dev("/dev/sdf", "vol-d", False)], "/dev/sda1", "/dev/sdo")
    assert moves == [
        {"volume_id": "vol-r", "source_device": "/dev/sda1", "target_device": "/dev/sdo", "delete_on_termination": True, "is_root": True},
        {"volume_id": "vol-d", "source_device": "/dev/sdf", "target_device": "/dev/sdf", "delete_on_termination": False, "is_root": False},
    ]


def test_device_conflicts_with_the_image_and_between_volumes():
    moves = pm.plan_volume_moves([dev("/dev/sda1", "vol-r", True), dev("/dev/sdb", "vol-d", False), dev("xvdo", "vol-e", False)], "/dev/sda1", "/dev/sdo")
    problems = pm.device_conflicts(moves, ["/dev/xvda", "/dev/xvdb"], "/dev/xvda")
    assert any("device /dev/sdb for vol-d is already used by the HVM image (/dev/xvdb)" == p for p in problems)
    assert any("wanted by both vol-r and vol-e" in p for p in problems)
    assert pm.device_conflicts(moves[:1], ["/dev/xvda"], "/dev/xvda") == []


def test_same_device():
    assert pm.same_device("/dev/sdf", "xvdf") and pm.same_device("sdf", "/dev/sdf") and not pm.same_device("/dev/sdf", "/dev/sdg")


def test_attached_devices_and_volume_attachment():
    instance = {
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeId": "vol-r", "DeleteOnTermination": True}},
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        ]
    }
    assert pm.attached_devices(instance) == [dev("/dev/sda1", "vol-r", True)]
    assert pm.volume_attachment({"Attachments": [{"InstanceId": "i-1", "Device": "/dev/sdf", "State": "attached"}]}) == ("i-1", "/dev/sdf", "attached")
    assert pm.volume_attachment({"Attachments": [{"InstanceId": "i-1", "Device": "/dev/sdf", "State": "detached"}]}) == (None, None, None)


# --- stages and volume copies ----------------------------------------------------------------------


def test_prepared_rests_without_a_claim_and_a_released_claim_is_removed():
    tags = {pm.TAG_PHASE: "volumes-copied", pm.TAG_RUN: "r1", pm.TAG_CLAIM: "r1 h 1 2 t"}
    assert pm.plan_state_tags("i-1", tags, "prepared", claim="r1 h 1 2 t") == ({pm.TAG_PHASE: "prepared"}, [pm.TAG_CLAIM])
    # a run that stops before its stage ends (failed health check) hands the migration on at once
    assert pm.plan_state_tags("i-1", tags, "volumes-copied", claim="r1 h 1 2 t", release_claim=True) == ({}, [pm.TAG_CLAIM])
    # the cutover claims it again
    to_set, _unused = pm.plan_state_tags("i-1", {pm.TAG_PHASE: "prepared", pm.TAG_RUN: "r1"}, "stopped", claim="r2 h 3 4 t")
    assert to_set == {pm.TAG_PHASE: "stopped", pm.TAG_CLAIM: "r2 h 3 4 t"}


@pytest.mark.parametrize(
    "stage,strategy,final_sync,stop_for_snapshots,expected",
    [
        ("prepare", "copy", "snapshot", False, dict(prepare=True, cutover=False, stops_source=False, copies=True, final_snapshot=False)),
        ("prepare", "copy", "snapshot", True, dict(prepare=True, cutover=False, stops_source=True, copies=True, final_snapshot=False)),
        ("cutover", "copy", "none", False, dict(prepare=False, cutover=True, stops_source=True, copies=True, final_snapshot=False)),
        ("all", "move", "none", False, dict(prepare=True, cutover=True, stops_source=True, copies=False, final_snapshot=True)),
    ],
)
def test_stage_steps(stage, strategy, final_sync, stop_for_snapshots, expected):
    assert pm.stage_steps(stage, strategy, final_sync, stop_for_snapshots) == expected


@pytest.mark.parametrize(
    "args,word",
    [(("later", "copy", "none", False), "pv_to_hvm_stage"), (("all", "clone", "none", False), "strategy"), (("all", "copy", "rsync", False), "final_sync")],
)
def test_stage_steps_refuse_unknown_values(args, word):
    with pytest.raises(pm.MigrationError, match=word):
        pm.stage_steps(*args)


def test_copy_volume_params_keep_the_volume_settings_and_find_it_again():
    source = {
        "VolumeId": "vol-1",
        "VolumeType": "gp3",
        "Iops": 4000,
        "Throughput": 250,
        "Tags": [{"Key": "app", "Value": "db"}, {"Key": "aws:x", "Value": "y"}],
    }
    params = pm.copy_volume_params(source, "snap-1", "us-east-1b", "i-1", "/dev/sdf", "r1")
    assert {k: params[k] for k in ("SnapshotId", "AvailabilityZone", "VolumeType", "Iops", "Throughput")} == {
        "SnapshotId": "snap-1",
        "AvailabilityZone": "us-east-1b",
        "VolumeType": "gp3",
        "Iops": 4000,
        "Throughput": 250,
    }
    tags = {t["Key"]: t["Value"] for t in params["TagSpecifications"][0]["Tags"]}
    assert tags["app"] == "db" and "aws:x" not in tags
    assert pm.is_copy_of(tags, "vol-1") and not pm.is_copy_of(tags, "vol-2") and not pm.is_copy_of({pm.TAG_SOURCE_VOLUME: "vol-1"}, "vol-1")
    # magnetic and gp2 volumes take no IOPS
    assert "Iops" not in pm.copy_volume_params({"VolumeId": "vol-1", "VolumeType": "standard", "Iops": 100}, "snap-1", "z", "i-1", "/dev/sdf", "r1")


def test_snapshot_purpose():
    assert pm.snapshot_purpose({}) == "backup"
    tags = pm.snapshot_tags({}, "i-1", "vol-1", "/dev/sdf", "r1", "final")
    assert pm.snapshot_purpose(tags) == "final" and "(final)" in tags["Name"]
    assert pm.TAG_SNAPSHOT_PURPOSE not in pm.snapshot_tags({}, "i-1", "vol-1", "/dev/sdf", "r1")


def test_the_snapshot_wait_grows_with_the_gib_being_copied():
    assert pm.snapshot_wait_timeout(900, 20, [8, 100]) == 900 + 20 * 108
    assert pm.snapshot_wait_timeout(900, 0, [500]) == 900
    assert pm.snapshot_wait_timeout("900", "20", [None, 8]) == 1060  # a size not reported counts 0; survey strings
