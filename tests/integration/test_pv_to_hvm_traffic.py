"""EC2.24 on a real estate: what carries the traffic moves with the cutover, and back with a rollback.

pv-web (m1.small, an instance-store type, in a spread placement group) sits behind a Classic ELB and an ALB target group,
with a secondary private IP, a secondary network interface and three Elastic IPs (on its primary IP, on its secondary IP
and on the second interface); pv-nat is a NAT instance a route table sends 0.0.0.0/0 to. One scenario: prepare moves
nothing; the cutover dry run makes no mutating call; a cutover of pv-web with a stack-owned target group does not start
(pv_to_hvm_owned_traffic refuse) and later ones move it; a failing health check after pv-web's traffic moved sends all of
it back (pv-nat completes); a second attempt, killed while it moves the traffic and run again, moves everything (the
replacement in the placement group); a third run changes nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.harness import REPO_ROOT, VENV_BIN, ansible_env, report_file, run_playbook
from tests.simulator.seed import HVM_AMI, PV_AMI

PLAYBOOK = "hubfix.aws.remediate_ec2_24"
REGION = "us-east-1"


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def instance(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def replacement_of(ec2, source_id):
    found = ec2.describe_instances(Filters=[{"Name": "tag:hubfix:replaces", "Values": [source_id]}])["Reservations"]
    live = [i for r in found for i in r["Instances"] if i["State"]["Name"] not in ("shutting-down", "terminated")]
    assert len(live) <= 1, live
    return live[0] if live else None


def primary(inst):
    return next(e for e in inst["NetworkInterfaces"] if e["Attachment"]["DeviceIndex"] == 0)


def report(tmp_path):
    return {r["name"]: r for r in json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())["instances"]}


def build(sim):
    """pv-web and pv-nat with everything that carries their traffic; returns the ids."""
    ec2, elb, elbv2 = sim.client("ec2", REGION), sim.client("elb", REGION), sim.client("elbv2", REGION)
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    vpc, zone = subnet["VpcId"], subnet["AvailabilityZone"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]

    def launch(name, **extra):
        tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}]
        return ec2.run_instances(
            ImageId=PV_AMI,
            InstanceType="m1.small",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet["SubnetId"],
            SecurityGroupIds=[group],
            TagSpecifications=tags,
            **extra,
        )["Instances"][0]["InstanceId"]

    ec2.create_placement_group(GroupName="web-spread", Strategy="spread")
    web = launch("pv-web", Placement={"GroupName": "web-spread"})  # its replacement must join the group
    nat = launch("pv-nat")
    ec2.modify_instance_attribute(InstanceId=nat, SourceDestCheck={"Value": False})
    web_eni = primary(instance(ec2, web))["NetworkInterfaceId"]
    secondary_ip = ec2.assign_private_ip_addresses(NetworkInterfaceId=web_eni, SecondaryPrivateIpAddressCount=1)["AssignedPrivateIpAddresses"][0][
        "PrivateIpAddress"
    ]
    second = ec2.create_network_interface(SubnetId=subnet["SubnetId"], Groups=[group], Description="pv-web admin")["NetworkInterface"]
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=web, DeviceIndex=1)
    eips = {}
    for key, params in (
        ("primary", {"NetworkInterfaceId": web_eni, "PrivateIpAddress": primary(instance(ec2, web))["PrivateIpAddress"]}),
        ("secondary", {"NetworkInterfaceId": web_eni, "PrivateIpAddress": secondary_ip}),
        ("interface", {"NetworkInterfaceId": second["NetworkInterfaceId"], "PrivateIpAddress": second["PrivateIpAddress"]}),
    ):
        alloc = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(AllocationId=alloc["AllocationId"], **params)
        eips[key] = {"allocation_id": alloc["AllocationId"], "public_ip": alloc["PublicIp"], **params}

    elb.create_load_balancer(
        LoadBalancerName="web-classic", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}], AvailabilityZones=[zone]
    )
    elb.register_instances_with_load_balancer(LoadBalancerName="web-classic", Instances=[{"InstanceId": web}])
    alb = elbv2.create_load_balancer(
        Name="web-alb", Subnets=[s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    )
    tg = elbv2.create_target_group(Name="web-tg", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}]
    )
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": web, "Port": 8080}])

    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", InstanceId=nat)
    return {
        "web": web,
        "nat": nat,
        "web_ip": primary(instance(ec2, web))["PrivateIpAddress"],
        "secondary_ip": secondary_ip,
        "second_eni": second["NetworkInterfaceId"],
        "eips": eips,
        "tg": tg,
        "route_table": table,
    }


def where_traffic_goes(sim, ids):
    """Who holds each piece of pv-web's and pv-nat's traffic now."""
    ec2, elb, elbv2 = sim.client("ec2", REGION), sim.client("elb", REGION), sim.client("elbv2", REGION)
    addresses = {a["AllocationId"]: a for a in ec2.describe_addresses()["Addresses"]}
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[ids["second_eni"]])["NetworkInterfaces"][0]
    holders = {}
    for iid in (ids["web"], ids["nat"]):
        for e in instance(ec2, iid)["NetworkInterfaces"]:
            holders[e["NetworkInterfaceId"]] = iid
    route = next(
        r for r in ec2.describe_route_tables(RouteTableIds=[ids["route_table"]])["RouteTables"][0]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    )
    web_eni_ips = {p["PrivateIpAddress"] for p in primary(instance(ec2, ids["web"]))["PrivateIpAddresses"]}
    return {
        "eips": {k: (addresses[v["allocation_id"]].get("InstanceId"), addresses[v["allocation_id"]].get("PrivateIpAddress")) for k, v in ids["eips"].items()},
        "second_eni": ((eni.get("Attachment") or {}).get("InstanceId"), (eni.get("Attachment") or {}).get("DeviceIndex")),
        "secondary_ip_on_source": ids["secondary_ip"] in web_eni_ips,
        "classic": sorted(i["InstanceId"] for i in elb.describe_load_balancers(LoadBalancerNames=["web-classic"])["LoadBalancerDescriptions"][0]["Instances"]),
        "target_group": sorted(
            d["Target"]["Id"]
            for d in elbv2.describe_target_health(TargetGroupArn=ids["tg"])["TargetHealthDescriptions"]
            if d["TargetHealth"]["State"] != "draining"
        ),
        "nat_route": route.get("NetworkInterfaceId"),
    }


def on_source(sim, ids):
    ec2 = sim.client("ec2", REGION)
    return {
        "eips": {
            "primary": (ids["web"], ids["web_ip"]),
            "secondary": (ids["web"], ids["secondary_ip"]),
            "interface": (ids["web"], ids["eips"]["interface"]["PrivateIpAddress"]),
        },
        "second_eni": (ids["web"], 1),
        "secondary_ip_on_source": True,
        "classic": [ids["web"]],
        "target_group": [ids["web"]],
        "nat_route": primary(instance(ec2, ids["nat"]))["NetworkInterfaceId"],
    }


def cutover_killed_while_moving_traffic(sim, extra, source_id, timeout=600):
    """Run the cutover and SIGKILL it as soon as the source records its network (just before the first traffic move)."""
    cmd = [str(VENV_BIN / "ansible-playbook"), PLAYBOOK, "-e", json.dumps(extra)]
    proc = subprocess.Popen(cmd, env=ansible_env(sim.env()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=str(REPO_ROOT))
    ec2 = sim.client("ec2", REGION)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if "hubfix:original-network" in tags_of(instance(ec2, source_id)):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return
            if proc.poll() is not None:
                pytest.fail(f"the cutover ended (rc {proc.returncode}) before it recorded the network")
            time.sleep(0.02)
        pytest.fail("the cutover never recorded the network")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow(200)
def test_prepare_leaves_the_traffic_cutover_moves_all_of_it_and_a_rollback_brings_it_back(simulator, tmp_path):
    ids = build(simulator)
    ec2 = simulator.client("ec2", REGION)
    serving = on_source(simulator, ids)
    assert where_traffic_goes(simulator, ids) == serving
    ev = {
        "pv_to_hvm_regions": [REGION],
        "pv_to_hvm_instance_ids": [ids["web"], ids["nat"]],
        "pv_to_hvm_image_id": HVM_AMI,
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_health_checks": [{"command": "true", "retries": 1, "delay": 0}],
    }

    # prepare: replacements ready, nothing that carries traffic moved; nothing blocks these instances any more
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    assert {n: r["status"] for n, r in report(tmp_path).items()} == {"pv-web": "prepared", "pv-nat": "prepared"}
    assert where_traffic_goes(simulator, ids) == serving
    assert instance(ec2, ids["web"])["State"]["Name"] == "running"
    web_repl = replacement_of(ec2, ids["web"])
    nat_repl = replacement_of(ec2, ids["nat"])
    plan = report(tmp_path)["pv-web"]["cutover_plan"]  # what the cutover will move, read at prepare time
    assert any(f"register {web_repl['InstanceId']} with Classic ELB web-classic" in step for step in plan), plan
    assert any(f"deregister {ids['web']} from target group web-tg port 8080" in step for step in plan), plan

    # the cutover's dry run: no mutating call, the traffic moves it would make are listed
    cutover = dict(ev, pv_to_hvm_stage="cutover")
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), cutover, check=True, diff=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    planned = report(tmp_path)["pv-web"]["traffic"]
    assert any(f"register {web_repl['InstanceId']} with Classic ELB web-classic" in a for a in planned), planned
    assert any(f"attach {ids['second_eni']} to {web_repl['InstanceId']} at device index 1" in a for a in planned), planned
    assert where_traffic_goes(simulator, ids) == serving

    # a CloudFormation stack owns the target group: the cutover does not start (nothing changes, pv-web keeps serving) and
    # names the stack's change; from here on the cutovers move it anyway (pv_to_hvm_owned_traffic move) and say so
    elbv2 = simulator.client("elbv2", REGION)
    tg_arn = elbv2.describe_target_groups(Names=["web-tg"])["TargetGroups"][0]["TargetGroupArn"]
    stack_tags = [{"Key": "aws:cloudformation:stack-name", "Value": "web"}, {"Key": "aws:cloudformation:logical-id", "Value": "WebTG"}]
    elbv2.add_tags(ResourceArns=[tg_arn], Tags=stack_tags)
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), dict(cutover, pv_to_hvm_instance_ids=[ids["web"]]))
    assert simulator.mutating_calls() == []
    web = report(tmp_path)["pv-web"]
    assert web["status"] == "blocked" and [b["code"] for b in web["blockers"]] == ["owned_traffic"], web
    assert "target group web-tg (managed by CloudFormation stack web (logical id WebTG))" in web["blockers"][0]["message"]
    assert "AWS::ElasticLoadBalancingV2::TargetGroup Targets" in web["next_actions"][0]
    assert where_traffic_goes(simulator, ids) == serving
    cutover["pv_to_hvm_owned_traffic"] = "move"

    # the cutover, pv-web's health check failing once its traffic moved: all of it goes back; pv-nat completes
    failing = dict(cutover, pv_to_hvm_health_checks=[{"command": f'test "$HUBFIX_REPLACEMENT_ID" != {web_repl["InstanceId"]}', "retries": 1, "delay": 0}])
    result = run_playbook(PLAYBOOK, simulator.env(), failing)
    assert result.rc != 0, result
    by_name = report(tmp_path)
    assert {n: r["status"] for n, r in by_name.items()} == {"pv-web": "rolled_back", "pv-nat": "migrated"}, by_name
    now = where_traffic_goes(simulator, ids)
    assert {k: v for k, v in now.items() if k != "nat_route"} == {k: v for k, v in serving.items() if k != "nat_route"}
    assert instance(ec2, ids["web"])["State"]["Name"] == "running"
    assert replacement_of(ec2, ids["web"]) is None  # terminated after the traffic went back
    # pv-nat: the route goes to its replacement, which forwards (SourceDestCheck off); the source is stopped
    nat_now = instance(ec2, nat_repl["InstanceId"])
    assert now["nat_route"] == primary(nat_now)["NetworkInterfaceId"]
    assert nat_now["SourceDestCheck"] is False
    assert instance(ec2, ids["nat"])["State"]["Name"] == "stopped"

    # pv-web again: prepare (a new attempt); a cutover killed while it moves the traffic, then run again - everything
    # ends on the replacement
    assert run_playbook(PLAYBOOK, simulator.env(), ev).rc == 0
    web_repl = replacement_of(ec2, ids["web"])
    cutover_killed_while_moving_traffic(simulator, dict(cutover, pv_to_hvm_instance_ids=[ids["web"]]), ids["web"])
    assert tags_of(instance(ec2, ids["web"]))["hubfix:migration-phase"] != "completed"
    result = run_playbook(PLAYBOOK, simulator.env(), cutover)
    assert result.rc == 0, result
    assert {n: r["status"] for n, r in report(tmp_path).items()} == {"pv-web": "migrated", "pv-nat": "migrated"}
    repl = instance(ec2, web_repl["InstanceId"])
    moved = where_traffic_goes(simulator, ids)
    assert moved["eips"] == {
        "primary": (repl["InstanceId"], repl["PrivateIpAddress"]),  # the primary position
        "secondary": (repl["InstanceId"], ids["secondary_ip"]),  # the secondary IP moved with its Elastic IP
        "interface": (repl["InstanceId"], ids["eips"]["interface"]["PrivateIpAddress"]),  # with its interface
    }
    assert moved["second_eni"] == (repl["InstanceId"], 1)
    assert ids["secondary_ip"] in {p["PrivateIpAddress"] for p in primary(repl)["PrivateIpAddresses"]}
    assert not moved["secondary_ip_on_source"]
    assert moved["classic"] == [repl["InstanceId"]] and moved["target_group"] == [repl["InstanceId"]]
    assert repl["PublicIpAddress"] == ids["eips"]["primary"]["public_ip"]
    assert repl["Placement"].get("GroupName") == "web-spread"
    assert instance(ec2, ids["web"])["State"]["Name"] == "stopped"
    todo = " | ".join(report(tmp_path)["pv-web"]["follow_ups"])
    assert f"register {repl['InstanceId']} and deregister {ids['web']} in CloudFormation stack web (logical id WebTG)" in todo, todo

    # once more: nothing to do
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), cutover)
    assert result.rc == 0 and result.changed == 0, result
    assert simulator.mutating_calls() == []
