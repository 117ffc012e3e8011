"""hubfix.aws.ec2_migration_preflight: can a paravirtual instance be migrated, to what, and may the credentials do it."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_migration_preflight as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

IID = "i-0123456789abcdef0"
HVM_AMI = "ami-0b0b0b0b0b0b0b0b0"
ALLOC = "eipalloc-0123456789abcdef0"
ARGS = {"instance_id": IID, "image_id": HVM_AMI}
VOLUMES = [("/dev/sda1", "vol-0000000000000000a", True), ("/dev/sdf", "vol-0000000000000000b", False)]


def hvm_image(**extra):
    image = {
        "ImageId": HVM_AMI,
        "VirtualizationType": "hvm",
        "State": "available",
        "RootDeviceType": "ebs",
        "Architecture": "x86_64",
        "EnaSupport": True,
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0000000000000000a", "VolumeSize": 8}}],
    }
    image.update(extra)
    return image


T3_SMALL = {
    "InstanceType": "t3.small",
    "SupportedVirtualizationTypes": ["hvm"],
    "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]},
    "NetworkInfo": {"EnaSupport": "required"},
}


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_reads(
    ec2, instance=None, image=None, type_info=None, protected=False, addresses=(), instance_type="t3.small", type_found=True, stop_protected=False
):
    """The reads of the check, in order: the instance, the target image and type, termination and stop protection, Elastic IPs."""
    instance = instance or r.instance(IID, volumes=VOLUMES)
    ec2.add("describe_instances", r.reservations(instance), {"InstanceIds": [IID]})
    ec2.add("describe_images", {"Images": [image or hvm_image()]}, {"ImageIds": [HVM_AMI]})
    if not type_found:
        ec2.error("describe_instance_types", "InvalidInstanceType", "The following supplied instance types do not exist", {"InstanceTypes": [instance_type]})
    else:
        ec2.add("describe_instance_types", {"InstanceTypes": [T3_SMALL if type_info is None else type_info]}, {"InstanceTypes": [instance_type]})
    ec2.add(
        "describe_instance_attribute",
        {"InstanceId": IID, "DisableApiTermination": {"Value": protected}},
        {"InstanceId": IID, "Attribute": "disableApiTermination"},
    )
    ec2.add("describe_instance_attribute", {"InstanceId": IID, "DisableApiStop": {"Value": stop_protected}}, {"InstanceId": IID, "Attribute": "disableApiStop"})
    ec2.add("describe_addresses", r.addresses(*addresses), {"Filters": [{"Name": "instance-id", "Values": [IID]}]})


def expect_probes(ec2, denied=(), odd=None, root="vol-0000000000000000a", eip=None):
    """The DryRun probes of every mutating call of the migration; ``denied`` actions answer UnauthorizedOperation."""
    run = {
        "ImageId": HVM_AMI,
        "InstanceType": "t3.small",
        "MinCount": 1,
        "MaxCount": 1,
        "MetadataOptions": {"HttpTokens": "required"},
        "SubnetId": "subnet-0123456789abcdef0",
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
        "KeyName": "ops",
    }
    probes = [
        ("create_tags", {"Resources": [IID], "Tags": [{"Key": "hubfix:migration-phase", "Value": "started"}]}),
        ("stop_instances", {"InstanceIds": [IID]}),
        ("start_instances", {"InstanceIds": [IID]}),
        ("run_instances", run),
        ("terminate_instances", {"InstanceIds": [IID]}),
        ("create_snapshot", {"VolumeId": root}),
        ("create_volume", {"AvailabilityZone": "us-east-1a", "Size": 1}),
        ("modify_instance_attribute", {"InstanceId": IID, "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"DeleteOnTermination": False}}]}),
        ("detach_volume", {"VolumeId": root, "InstanceId": IID}),
        ("attach_volume", {"VolumeId": root, "InstanceId": IID, "Device": "/dev/sdo"}),
    ]
    if eip:
        probes.append(("associate_address", {"AllocationId": eip, "InstanceId": IID, "AllowReassociation": True}))
    for method, params in probes:
        if method == odd:
            ec2.error(method, "InvalidParameterValue", "odd answer", dict(params, DryRun=True))
        else:
            ec2.dry_run(method, params, allowed=method not in denied)


def test_a_plain_paravirtual_instance_is_ready(ec2, run):
    expect_reads(ec2, addresses=[r.address(ALLOC, "203.0.113.10", IID, "10.0.0.12")])
    expect_probes(ec2, eip=ALLOC)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert (result["eligible"], result["status"], result["errors"]) == (True, "ready", [])
    assert (result["target_image_id"], result["target_instance_type"]) == (HVM_AMI, "t3.small")
    assert result["volume_moves"] == [
        {"volume_id": "vol-0000000000000000a", "source_device": "/dev/sda1", "target_device": "/dev/sdo", "delete_on_termination": True, "is_root": True},
        {"volume_id": "vol-0000000000000000b", "source_device": "/dev/sdf", "target_device": "/dev/sdf", "delete_on_termination": False, "is_root": False},
    ]
    assert result["elastic_ips"] == [{"allocation_id": ALLOC, "private_ip_address": "10.0.0.12"}]
    assert (result["blockers"], result["refusing_blockers"], result["missing_permissions"], result["warnings_from_probes"]) == ([], [], [], [])
    assert result["instance"]["instance_id"] == IID
    assert result["migration"]["phase"] is None


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_reads(ec2)
    expect_probes(ec2)

    result = run(module, ARGS)

    assert (result["status"], result["warnings_from_probes"]) == ("ready", [])


def test_check_mode_runs_the_same_read_only_check(ec2, run):
    expect_reads(ec2)
    expect_probes(ec2)

    result = run(module, ARGS, check_mode=True)

    assert (result["changed"], result["status"]) == (False, "ready")


def test_a_denied_probe_is_a_missing_permission(ec2, run):
    expect_reads(ec2)
    expect_probes(ec2, denied=("run_instances", "detach_volume"))

    result = run(module, ARGS)

    assert result["missing_permissions"] == ["ec2:RunInstances", "ec2:DetachVolume"]
    assert result["errors"] == ["%s: the credentials may not call ec2:RunInstances, ec2:DetachVolume" % IID]
    assert (result["eligible"], result["status"]) == (False, "invalid")


def test_a_probe_answering_something_else_is_a_warning(ec2, run):
    expect_reads(ec2)
    expect_probes(ec2, odd="create_snapshot")

    result = run(module, ARGS)

    assert result["warnings_from_probes"] == ["%s: ec2:CreateSnapshot probe answered InvalidParameterValue: odd answer" % IID]
    assert result["eligible"] is True


def test_check_permissions_false_makes_no_probe(ec2, run):
    expect_reads(ec2)

    assert run(module, dict(ARGS, check_permissions=False))["status"] == "ready"


def test_termination_protection_blocks_the_migration(ec2, run):
    expect_reads(ec2, protected=True)
    expect_probes(ec2)

    result = run(module, ARGS)

    assert (result["eligible"], result["status"]) == (False, "blocked")
    assert [b["code"] for b in result["refusing_blockers"]] == ["termination_protection"]


def test_stop_protection_blocks_the_migration_before_anything_stops(ec2, run):
    expect_reads(ec2, stop_protected=True)
    expect_probes(ec2)

    result = run(module, ARGS)

    assert (result["eligible"], result["status"]) == (False, "blocked")
    (blocker,) = result["refusing_blockers"]
    assert blocker["code"] == "stop_protection" and "DisableApiStop" in blocker["message"]


def test_instance_store_data_refuses_unless_the_loss_is_acknowledged(ec2, run):
    expect_reads(ec2)
    expect_probes(ec2)
    blocked = run(module, dict(ARGS, instance_store_devices=["/dev/sdb"]))
    assert [b["code"] for b in blocked["refusing_blockers"]] == ["instance_store_data"]

    expect_reads(ec2)
    expect_probes(ec2)
    result = run(module, dict(ARGS, instance_store_devices=["/dev/sdb"], acknowledge_instance_store_loss=True))
    assert (result["status"], result["refusing_blockers"]) == ("ready", [])
    assert [b["code"] for b in result["blockers"]] == ["instance_store_data"]


def test_a_refused_audit_warning_blocks_and_audit_blockers_are_merged(ec2, run):
    expect_reads(ec2)
    expect_probes(ec2)
    warning = {"code": "instance_store_unverified", "message": "m1.small offers 1 instance-store volume(s)"}
    blocker = {"code": "cloudformation", "message": "managed by CloudFormation stack web"}

    result = run(module, dict(ARGS, audit_warnings=[warning], refuse_warning_codes=["instance_store_unverified"], blockers=[blocker]))

    assert result["audit_warnings"] == [warning]
    assert [b["code"] for b in result["refusing_blockers"]] == ["cloudformation", "instance_store_unverified"]
    assert result["status"] == "blocked"


def test_an_hvm_instance_passes_ec2_24_with_nothing_to_migrate_and_is_not_probed(ec2, run):
    expect_reads(ec2, instance=r.instance(IID, virtualization="hvm", volumes=VOLUMES))

    result = run(module, ARGS)

    assert (result["status"], result["eligible"], result["errors"]) == ("compliant", False, [])
    assert result["compliant_because"].startswith("%s is hvm" % IID)


def test_a_paravirtual_target_image_is_invalid(ec2, run):
    expect_reads(ec2, image=hvm_image(VirtualizationType="paravirtual"))

    result = run(module, ARGS)

    assert result["errors"] == ["%s: target image %s is paravirtual, not hvm; give an HVM AMI" % (IID, HVM_AMI)]
    assert result["missing_permissions"] == []


def test_an_instance_type_the_region_lacks_is_invalid(ec2, run):
    expect_reads(ec2, type_found=False)

    result = run(module, ARGS)

    assert result["errors"] == ["%s: target instance type t3.small does not exist in this region" % IID]


def test_without_an_image_mapping_the_check_reads_no_image(ec2, run):
    ec2.add("describe_instances", r.reservations(r.instance(IID, volumes=VOLUMES)), {"InstanceIds": [IID]})
    ec2.add(
        "describe_instance_attribute", {"InstanceId": IID, "DisableApiTermination": {"Value": False}}, {"InstanceId": IID, "Attribute": "disableApiTermination"}
    )
    ec2.add("describe_instance_attribute", {"InstanceId": IID, "DisableApiStop": {"Value": False}}, {"InstanceId": IID, "Attribute": "disableApiStop"})
    ec2.add("describe_addresses", r.addresses(), {"Filters": [{"Name": "instance-id", "Values": [IID]}]})

    result = run(module, {"instance_id": IID})

    (error,) = result["errors"]
    assert error.startswith("%s: no HVM image for source AMI ami-0a0a0a0a0a0a0a0a0" % IID)
    assert "pv_to_hvm_image_map" in error


def test_the_image_map_is_read_by_instance_then_source_ami_then_region(ec2, run):
    expect_reads(ec2)
    image_map = {"us-east-1": HVM_AMI, "eu-west-1": "ami-0e0e0e0e0e0e0e0e0"}

    result = run(module, {"instance_id": IID, "image_map": image_map, "check_permissions": False})

    assert result["target_image_id"] == HVM_AMI
    expect_reads(ec2)
    result = run(
        module, {"instance_id": IID, "image_map": {"ami-0a0a0a0a0a0a0a0a0": HVM_AMI, "us-east-1": "ami-0e0e0e0e0e0e0e0e0"}, "check_permissions": False}
    )
    assert result["target_image_id"] == HVM_AMI


def test_an_interrupted_migration_resumes_with_its_recorded_volumes_and_addresses(ec2, run):
    tags = {
        "hubfix:migration-phase": "snapshotted",
        "hubfix:migration-run": "run-1",
        "hubfix:original-devices": "/dev/sda1=vol-0000000000000000a:1",
        "hubfix:original-eips": "%s@10.0.0.12" % ALLOC,
    }
    expect_reads(ec2, instance=r.instance(IID, state="stopped", tags=tags))  # volumes already detached
    expect_probes(ec2, eip=ALLOC)

    result = run(module, ARGS)

    assert (result["status"], result["eligible"]) == ("in_progress", True)
    assert [m["volume_id"] for m in result["volume_moves"]] == ["vol-0000000000000000a"]
    assert result["elastic_ips"] == [{"allocation_id": ALLOC, "private_ip_address": "10.0.0.12"}]


def in_progress_tags(claim_host, age):
    beat = (datetime.datetime.now(datetime.timezone.utc) - age).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017
    return {
        "hubfix:migration-phase": "stopped",
        "hubfix:migration-run": "run-0",
        "hubfix:original-devices": "/dev/sda1=vol-0000000000000000a:1",
        "hubfix:migration-claim": "run-0|%s|99|5|%s" % (claim_host, beat),
    }


def test_a_migration_another_live_run_works_on_is_left_to_it(ec2, run):
    expect_reads(ec2, instance=r.instance(IID, state="stopped", tags=in_progress_tags("ctl-2", datetime.timedelta(minutes=1))))

    result = run(module, dict(ARGS, run={"id": "run-1", "host": "ctl-1", "pid": 4242, "pid_start": "777"}))

    assert (result["status"], result["eligible"]) == ("in_progress_other_run", False)
    assert (result["claimed_by"]["id"], result["claimed_by"]["host"]) == ("run-0", "ctl-2")


def test_a_migration_whose_run_is_gone_resumes(ec2, run):
    expect_reads(ec2, instance=r.instance(IID, state="stopped", tags=in_progress_tags("ctl-2", datetime.timedelta(hours=1))))
    expect_probes(ec2)

    result = run(module, dict(ARGS, run={"id": "run-1", "host": "ctl-1", "pid": 4242, "pid_start": "777"}, stale_after=600))

    assert (result["status"], result["eligible"]) == ("in_progress", True)


def test_a_completed_migration_is_reported_without_probes(ec2, run):
    tags = {"hubfix:migration-phase": "completed", "hubfix:migration-run": "run-1", "hubfix:replaced-by": "i-0fedcba9876543210"}
    expect_reads(ec2, instance=r.instance(IID, state="stopped", tags=tags))

    result = run(module, ARGS)

    assert (result["status"], result["eligible"]) == ("completed", True)
    assert result["migration"]["replaced_by"] == "i-0fedcba9876543210"


def test_an_unknown_instance_is_reported_not_failed(ec2, run):
    ec2.error("describe_instances", "InvalidInstanceID.NotFound", "does not exist", {"InstanceIds": [IID]})

    result = run(module, ARGS)

    assert result["errors"] == ["%s: instance not found in region us-east-1" % IID]
    assert (result["eligible"], result["status"], result["instance"]) == (False, "invalid", None)


def test_a_refused_read_fails_naming_the_instance(ec2, run):
    ec2.add("describe_instances", r.reservations(r.instance(IID, volumes=VOLUMES)), {"InstanceIds": [IID]})
    ec2.add("describe_images", {"Images": [hvm_image()]}, {"ImageIds": [HVM_AMI]})
    ec2.add("describe_instance_types", {"InstanceTypes": [T3_SMALL]}, {"InstanceTypes": ["t3.small"]})
    ec2.error("describe_instance_attribute", "UnauthorizedOperation", "not authorized")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("%s: pre-flight check failed" % IID)
    assert "UnauthorizedOperation" in result["msg"]
