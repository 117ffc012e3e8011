"""hubfix.aws.ec2_eip_move: move an Elastic IP to an instance with AllowReassociation, then verify the instance answers on it."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_eip_move as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

ALLOC = "eipalloc-0123456789abcdef0"
EIP = "203.0.113.10"
SOURCE = "i-0123456789abcdef0"
TARGET = "i-0fedcba9876543210"
ARGS = {"allocation_id": ALLOC, "instance_id": TARGET}
ON_SOURCE = r.address(ALLOC, EIP, SOURCE, "10.0.0.12", "eipassoc-0000000000000000a")
ON_TARGET = r.address(ALLOC, EIP, TARGET, "10.0.0.99", "eipassoc-0000000000000000b")


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_address(ec2, address):
    ec2.add("describe_addresses", r.addresses(*([address] if address else [])), {"AllocationIds": [ALLOC]})


def expect_target(ec2, public_ip=None, state="running"):
    ec2.add("describe_instances", r.reservations(r.instance(TARGET, state=state, private_ip="10.0.0.99", public_ip=public_ip)), {"InstanceIds": [TARGET]})


def expect_move(ec2, params=None):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.add(
        "associate_address",
        {"AssociationId": "eipassoc-0000000000000000b"},
        params or {"AllocationId": ALLOC, "InstanceId": TARGET, "AllowReassociation": True},
    )
    expect_address(ec2, ON_TARGET)
    expect_target(ec2, public_ip=EIP)


def test_moves_the_address_from_the_source_and_verifies_it(ec2, run):
    expect_move(ec2)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["verified"] is True
    assert result["previous"]["instance_id"] == SOURCE
    assert result["address"] == {
        "allocation_id": ALLOC,
        "public_ip": EIP,
        "association_id": "eipassoc-0000000000000000b",
        "instance_id": TARGET,
        "network_interface_id": "eni-0123456789abcdef0",
        "private_ip_address": "10.0.0.99",
    }


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_move(ec2)

    assert run(module, ARGS)["verified"] is True


def test_an_address_already_on_the_instance_is_unchanged(ec2, run):
    expect_address(ec2, ON_TARGET)
    expect_target(ec2, public_ip=EIP)

    result = run(module, ARGS)

    assert result["changed"] is False
    assert result["verified"] is True
    assert result["address"] == result["previous"]


def test_second_run_after_the_move_reports_no_change(ec2, run):
    expect_move(ec2)
    assert run(module, ARGS)["changed"] is True

    expect_address(ec2, ON_TARGET)
    expect_target(ec2, public_ip=EIP)
    assert run(module, ARGS)["changed"] is False


def test_associates_at_the_given_private_address(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.add("associate_address", {}, {"AllocationId": ALLOC, "InstanceId": TARGET, "AllowReassociation": True, "PrivateIpAddress": "10.0.0.100"})
    expect_address(ec2, r.address(ALLOC, EIP, TARGET, "10.0.0.100"))
    expect_target(ec2)

    result = run(module, dict(ARGS, private_ip_address="10.0.0.100"))

    assert result["address"]["private_ip_address"] == "10.0.0.100"
    assert result["verified"] is True


def test_an_address_in_place_at_a_secondary_private_address_is_reported_as_verified_again(ec2, run):
    expect_address(ec2, r.address(ALLOC, EIP, TARGET, "10.0.0.100"))
    expect_target(ec2, public_ip="198.51.100.7")

    result = run(module, dict(ARGS, private_ip_address="10.0.0.100"))

    assert result["changed"] is False
    assert result["verified"] is True


def test_check_mode_reports_the_move_without_associating(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)

    result = run(module, ARGS, check_mode=True)

    assert result["changed"] is True
    assert result["verified"] is None
    assert result["address"]["instance_id"] == TARGET
    assert result["address"]["private_ip_address"] == "10.0.0.99"


def test_diff_shows_the_association_before_and_after(ec2, run):
    expect_move(ec2)

    diff = run(module, ARGS, diff=True)["diff"]

    assert diff["before"] == {"instance_id": SOURCE, "private_ip_address": "10.0.0.12"}
    assert diff["after"] == {"instance_id": TARGET, "private_ip_address": "10.0.0.99"}
    assert diff["before_header"] == "%s (%s)" % (ALLOC, EIP)


def test_verify_false_skips_the_check(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.add("associate_address", {}, {"AllocationId": ALLOC, "InstanceId": TARGET, "AllowReassociation": True})
    expect_address(ec2, ON_TARGET)

    assert run(module, dict(ARGS, verify=False))["verified"] is None


def test_instance_not_reporting_the_address_fails(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.add("associate_address", {}, {"AllocationId": ALLOC, "InstanceId": TARGET, "AllowReassociation": True})
    expect_address(ec2, ON_TARGET)
    expect_target(ec2, public_ip=None)

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: Elastic IP %s (%s) was associated but the instance does not report it (public IP None)" % (TARGET, ALLOC, EIP)
    assert result["previous"]["instance_id"] == SOURCE


def test_a_move_that_fails_verification_is_still_reported_as_changed(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.add("associate_address", {}, {"AllocationId": ALLOC, "InstanceId": TARGET, "AllowReassociation": True})
    expect_address(ec2, ON_TARGET)
    expect_target(ec2, public_ip=None)

    result = run(module, ARGS, fails=True)

    assert result.get("changed") is True


def test_unknown_address_fails_naming_it(ec2, run):
    ec2.error("describe_addresses", "InvalidAllocationID.NotFound", "The allocation ID does not exist", {"AllocationIds": [ALLOC]})

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: Elastic IP %s not found in region us-east-1" % (TARGET, ALLOC)


def test_terminated_instance_fails_naming_it(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2, state="terminated")

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: instance not found or terminated; cannot move Elastic IP %s to it" % (TARGET, ALLOC)


def test_unknown_instance_fails_naming_it(ec2, run):
    expect_address(ec2, ON_SOURCE)
    ec2.error("describe_instances", "InvalidInstanceID.NotFound", "does not exist", {"InstanceIds": [TARGET]})

    assert run(module, ARGS, fails=True)["msg"].startswith("%s: instance not found or terminated" % TARGET)


def test_refused_association_fails_naming_instance_and_address(ec2, run):
    expect_address(ec2, ON_SOURCE)
    expect_target(ec2)
    ec2.error("associate_address", "UnauthorizedOperation", "You are not authorized to perform this operation.")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("%s: failed to move Elastic IP %s to it (Failed to associate address): " % (TARGET, ALLOC))
    assert result["msg"].endswith("(UnauthorizedOperation) when calling the AssociateAddress operation: You are not authorized to perform this operation.")
