"""Simulator patch ``elbv2_target_health_lifecycle``.

AWS behaviour (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html,
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html): a registered target
is ``initial`` (Elb.RegistrationInProgress) until it passes its health checks, then ``healthy``; a stopped instance is
``unused`` (Target.InvalidState); targets of a group no load balancer uses are ``unused`` (Target.NotInUse); a
deregistered target is ``draining`` before it disappears. moto 5.2.5 answers ``healthy`` at once and drops deregistered
targets at once. In the simulator describe calls drive the lifecycle: 2 describes ``initial``, 1 describe ``draining``.
"""

from __future__ import annotations

import boto3
import pytest

PATCH = "elbv2_target_health_lifecycle"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    """An application load balancer whose listener forwards to target group 'web', three instances, and a target group
    'spare' no load balancer uses."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"] for n, z in ((1, "a"), (2, "b"))
    ]
    instances = [i["InstanceId"] for i in ec2.run_instances(ImageId=HVM_AMI, MinCount=3, MaxCount=3, SubnetId=subnets[0])["Instances"]]
    lb = elbv2.create_load_balancer(Name="app", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]

    def group(name):
        return elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]

    web, spare = group("web"), group("spare")
    elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": web}])
    return ec2, elbv2, {"web": web, "spare": spare, "a": instances[0], "b": instances[1], "c": instances[2]}


def health(elbv2, group, *ids) -> dict[str, tuple]:
    kwargs = {"Targets": [{"Id": i} for i in ids]} if ids else {}
    answer = elbv2.describe_target_health(TargetGroupArn=group, **kwargs)["TargetHealthDescriptions"]
    return {d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in answer}


def test_plain_moto_new_target_is_healthy_at_once(estate):
    _unused, elbv2, r = estate
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}  # AWS: initial / Elb.RegistrationInProgress


def test_plain_moto_drops_deregistered_target_at_once(estate):
    _unused, elbv2, r = estate
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}, {"Id": r["b"]}])
    elbv2.deregister_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    assert health(elbv2, r["web"]) == {r["b"]: ("healthy", None)}  # AWS: a is draining


def test_registered_target_is_initial_for_two_describes(estate, patched):
    _unused, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    initial = (r["a"], ("initial", "Elb.RegistrationInProgress"))
    assert list(health(elbv2, r["web"]).items()) == [initial]
    assert list(health(elbv2, r["web"], r["a"]).items()) == [initial]
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}
    # registering it again changes nothing; a new target starts its own count
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}, {"Id": r["b"]}])
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None), r["b"]: ("initial", "Elb.RegistrationInProgress")}


def test_describe_reason_text(estate, patched):
    _unused, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"], "Port": 8080}])
    described = elbv2.describe_target_health(TargetGroupArn=r["web"])["TargetHealthDescriptions"][0]
    assert described["Target"] == {"Id": r["a"], "Port": 8080}
    assert described["TargetHealth"] == {"State": "initial", "Reason": "Elb.RegistrationInProgress", "Description": "Target registration is in progress"}


def test_waiter_reaches_in_service_without_sleeping(estate, patched):
    _unused, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    elbv2.get_waiter("target_in_service").wait(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}], WaiterConfig={"Delay": 0, "MaxAttempts": 4})
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}


def test_stopped_instance_is_never_healthy_and_starts_over(estate, patched):
    ec2, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    ec2.stop_instances(InstanceIds=[r["a"]])
    for _unused in range(3):
        assert health(elbv2, r["web"]) == {r["a"]: ("unused", "Target.InvalidState")}
    ec2.start_instances(InstanceIds=[r["a"]])
    assert health(elbv2, r["web"]) == {r["a"]: ("initial", "Elb.RegistrationInProgress")}
    assert health(elbv2, r["web"]) == {r["a"]: ("initial", "Elb.RegistrationInProgress")}
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}


def test_deregistered_target_drains_for_one_describe(estate, patched):
    _unused, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}, {"Id": r["b"]}])
    health(elbv2, r["web"])
    health(elbv2, r["web"])
    elbv2.deregister_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    assert health(elbv2, r["web"]) == {r["b"]: ("healthy", None), r["a"]: ("draining", "Target.DeregistrationInProgress")}
    assert health(elbv2, r["web"]) == {r["b"]: ("healthy", None)}
    assert health(elbv2, r["web"], r["a"]) == {r["a"]: ("unused", "Target.NotRegistered")}
    elbv2.get_waiter("target_deregistered").wait(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}], WaiterConfig={"Delay": 0, "MaxAttempts": 2})


def test_terminated_instance_drains_too(estate, patched):
    ec2, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["c"]}])
    ec2.terminate_instances(InstanceIds=[r["c"]])
    assert health(elbv2, r["web"]) == {r["c"]: ("draining", "Target.DeregistrationInProgress")}
    assert health(elbv2, r["web"]) == {}


def test_target_group_without_load_balancer_is_not_in_use(estate, patched):
    _unused, elbv2, r = estate
    patched(PATCH)
    elbv2.register_targets(TargetGroupArn=r["spare"], Targets=[{"Id": r["a"]}])
    for _unused in range(3):
        assert health(elbv2, r["spare"]) == {r["a"]: ("unused", "Target.NotInUse")}


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    _unused, elbv2, r = estate
    patches.apply(PATCH)()
    elbv2.register_targets(TargetGroupArn=r["web"], Targets=[{"Id": r["a"]}])
    assert health(elbv2, r["web"]) == {r["a"]: ("healthy", None)}
