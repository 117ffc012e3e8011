"""Simulator patch ``elb_instance_health_lifecycle``.

AWS behaviour (https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html,
https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html): a newly registered instance is
``OutOfService`` (ReasonCode ``ELB``, "Instance registration is still in progress.") until it passes its health checks,
then ``InService``; an instance that is not running is ``OutOfService`` (ReasonCode ``Instance``); register/deregister
return the load balancer's instances. moto 5.2.5 answers ``InService`` at once, ``N/A`` reasons and an empty
``Instances`` list. In the simulator describe calls drive the lifecycle: 2 describes ``OutOfService``.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "elb_instance_health_lifecycle"
HVM_AMI = "ami-760aaa0f"
REGISTERING = ("OutOfService", "ELB", "Instance registration is still in progress.")
IN_SERVICE = ("InService", "N/A", "N/A")


@pytest.fixture
def estate(moto_aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    elb = boto3.client("elb", region_name="us-east-1")
    instances = [i["InstanceId"] for i in ec2.run_instances(ImageId=HVM_AMI, MinCount=2, MaxCount=2)["Instances"]]
    elb.create_load_balancer(
        LoadBalancerName="classic", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}], AvailabilityZones=["us-east-1a"]
    )
    return ec2, elb, {"a": instances[0], "b": instances[1]}


def health(elb, *ids) -> dict[str, tuple]:
    kwargs = {"Instances": [{"InstanceId": i} for i in ids]} if ids else {}
    states = elb.describe_instance_health(LoadBalancerName="classic", **kwargs)["InstanceStates"]
    return {s["InstanceId"]: (s["State"], s["ReasonCode"], s["Description"]) for s in states}


def register(elb, *ids) -> list[str]:
    answer = elb.register_instances_with_load_balancer(LoadBalancerName="classic", Instances=[{"InstanceId": i} for i in ids])
    return [i["InstanceId"] for i in answer["Instances"]]


def test_plain_moto_new_instance_is_in_service_at_once(estate):
    _unused, elb, r = estate
    assert register(elb, r["a"]) == []  # AWS: the load balancer's instances
    assert health(elb) == {r["a"]: IN_SERVICE}  # AWS: OutOfService, registration in progress


def test_plain_moto_gives_no_reason_for_a_stopped_instance(estate):
    ec2, elb, r = estate
    register(elb, r["a"])
    ec2.stop_instances(InstanceIds=[r["a"]])
    assert health(elb) == {r["a"]: ("OutOfService", "N/A", "N/A")}


def test_registered_instance_is_out_of_service_for_two_describes(estate, patched):
    _unused, elb, r = estate
    patched(PATCH)
    assert register(elb, r["a"]) == [r["a"]]
    assert health(elb) == {r["a"]: REGISTERING}
    assert health(elb, r["a"]) == {r["a"]: REGISTERING}
    assert health(elb) == {r["a"]: IN_SERVICE}
    # registering it again: no second entry, no new wait; the new one waits
    assert register(elb, r["a"], r["b"]) == [r["a"], r["b"]]
    assert health(elb) == {r["a"]: IN_SERVICE, r["b"]: REGISTERING}


def test_waiter_reaches_in_service_without_sleeping(estate, patched):
    _unused, elb, r = estate
    patched(PATCH)
    register(elb, r["a"])
    elb.get_waiter("instance_in_service").wait(LoadBalancerName="classic", Instances=[{"InstanceId": r["a"]}], WaiterConfig={"Delay": 0, "MaxAttempts": 4})
    assert health(elb) == {r["a"]: IN_SERVICE}


def test_stopped_instance_is_never_in_service_and_starts_over(estate, patched):
    ec2, elb, r = estate
    patched(PATCH)
    register(elb, r["a"])
    ec2.stop_instances(InstanceIds=[r["a"]])
    for _unused in range(3):
        assert health(elb) == {r["a"]: ("OutOfService", "Instance", "Instance is in stopped state.")}
    ec2.start_instances(InstanceIds=[r["a"]])
    assert health(elb) == {r["a"]: REGISTERING}
    assert health(elb) == {r["a"]: REGISTERING}
    assert health(elb) == {r["a"]: IN_SERVICE}


def test_deregister_returns_remaining_instances(estate, patched):
    _unused, elb, r = estate
    patched(PATCH)
    register(elb, r["a"], r["b"])
    answer = elb.deregister_instances_from_load_balancer(LoadBalancerName="classic", Instances=[{"InstanceId": r["a"]}])
    assert [i["InstanceId"] for i in answer["Instances"]] == [r["b"]]
    assert list(health(elb)) == [r["b"]]
    # registered again later: a new registration, a new wait
    register(elb, r["a"])
    assert health(elb, r["a"]) == {r["a"]: REGISTERING}


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    _unused, elb, r = estate
    patches.apply(PATCH)()
    register(elb, r["a"])
    assert health(elb) == {r["a"]: IN_SERVICE}
