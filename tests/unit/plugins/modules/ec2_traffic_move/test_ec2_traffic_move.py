"""hubfix.aws.ec2_traffic_move: a target group membership, a route and an Elastic IP move to the replacement; pieces a
CloudFormation stack or Terraform manages are refused before anything changes (or moved, with the owner's change named)."""

from __future__ import annotations

import json

from ansible_collections.hubfix.aws.plugins.modules import ec2_traffic_move as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

SOURCE, REPL = "i-0123456789abcdef0", "i-0fedcba9876543210"
SRC_ENI, REPL_ENI = "eni-0aaaaaaaaaaaaaaa0", "eni-0bbbbbbbbbbbbbbb0"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
TABLE = "rtb-0123456789abcdef0"
ALLOC = "eipalloc-0123456789abcdef0"
ARGS = {"source_instance_id": SOURCE, "replacement_instance_id": REPL}
STACK_TAGS = [
    {"Key": "aws:cloudformation:stack-name", "Value": "web"},
    {"Key": "aws:cloudformation:logical-id", "Value": "WebTargetGroup"},
]
RECORDED = {"hubfix:original-network": "tg:%s@80" % TG}


def nic(eni, ip):
    return {
        "NetworkInterfaceId": eni,
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
        "Attachment": {"DeviceIndex": 0, "AttachmentId": "eni-attach-" + eni[4:], "Status": "attached"},
    }


def expect_instances(ec2, source_tags=None):
    source = r.instance(SOURCE, state="stopped", private_ip="10.0.0.12", tags=source_tags, NetworkInterfaces=[nic(SRC_ENI, "10.0.0.12")])
    repl = r.instance(REPL, private_ip="10.0.0.99", virtualization="hvm", NetworkInterfaces=[nic(REPL_ENI, "10.0.0.99")])
    ec2.add("describe_instances", r.reservations(source, repl), {"InstanceIds": [SOURCE, REPL]})


def expect_capture(aws):
    aws.stub("elb").add("describe_load_balancers", {"LoadBalancerDescriptions": []}, {})
    elbv2 = aws.stub("elbv2")
    elbv2.add("describe_target_groups", {"TargetGroups": [{"TargetGroupArn": TG, "TargetGroupName": "web", "TargetType": "instance"}]}, {})
    elbv2.add("describe_target_health", health(SOURCE), {"TargetGroupArn": TG})


def health(*ids):
    return {"TargetHealthDescriptions": [{"Target": {"Id": i, "Port": 80}, "TargetHealth": {"State": "healthy"}} for i in ids]}


def expect_owner_reads(aws, ec2, tg_tags=(), table_tags=()):
    described = dict({"ResourceArn": TG}, **({"Tags": list(tg_tags)} if tg_tags else {}))  # AWS leaves out an empty Tags
    aws.stub("elbv2").add("describe_tags", {"TagDescriptions": [described]}, {"ResourceArns": [TG]})
    route = {"DestinationCidrBlock": "0.0.0.0/0", "InstanceId": SOURCE, "NetworkInterfaceId": SRC_ENI, "State": "active"}
    tables = {"RouteTables": [{"RouteTableId": TABLE, "Routes": [route], "Tags": list(table_tags)}]}
    ec2.add("describe_route_tables", tables, {"Filters": [{"Name": "route.network-interface-id", "Values": [SRC_ENI]}]})
    ec2.add("describe_route_tables", {"RouteTables": []}, {"Filters": [{"Name": "route.instance-id", "Values": [SOURCE]}]})


def expect_moves(aws, ec2):
    ec2.add("replace_route", {}, {"RouteTableId": TABLE, "NetworkInterfaceId": REPL_ENI, "DestinationCidrBlock": "0.0.0.0/0"})
    elbv2 = aws.stub("elbv2")
    web = {"TargetGroups": [{"TargetGroupArn": TG, "TargetGroupName": "web", "TargetType": "instance"}]}
    elbv2.add("describe_target_groups", web, {"TargetGroupArns": [TG]})
    elbv2.add("describe_target_health", health(SOURCE), {"TargetGroupArn": TG})
    elbv2.add("register_targets", {}, {"TargetGroupArn": TG, "Targets": [{"Id": REPL, "Port": 80}]})
    elbv2.add("deregister_targets", {}, {"TargetGroupArn": TG, "Targets": [{"Id": SOURCE, "Port": 80}]})


def test_a_stack_owned_target_group_refuses_the_cutover_before_anything_changes(aws, run):
    ec2 = aws.stub("ec2")
    expect_instances(ec2)
    expect_capture(aws)
    expect_owner_reads(aws, ec2, tg_tags=STACK_TAGS)

    result = run(module, ARGS, fails=True)

    assert "CloudFormation stack web (logical id WebTargetGroup)" in result["msg"]
    assert "AWS::ElasticLoadBalancingV2::TargetGroup Targets" in result["msg"]
    assert "Nothing was changed" in result["msg"] and "pv_to_hvm_owned_traffic: move" in result["msg"]
    assert [(o["kind"], o["name"]) for o in result["owned"]] == [("target_group", "web")]
    assert result["changed"] is False  # no CreateTags: the stubs would have failed on an unexpected call


def test_check_mode_names_the_refusal_and_makes_no_mutating_call(aws, run):
    ec2 = aws.stub("ec2")
    expect_instances(ec2)
    expect_capture(aws)
    expect_owner_reads(aws, ec2, table_tags=STACK_TAGS[:1])
    aws.stub("elbv2").add("describe_target_groups", {"TargetGroups": [{"TargetGroupArn": TG, "TargetType": "instance"}]}, {"TargetGroupArns": [TG]})
    aws.stub("elbv2").add("describe_target_health", health(SOURCE), {"TargetGroupArn": TG})

    result = run(module, ARGS, check_mode=True)

    assert_documented_result(module, result)
    assert result["refusal"].startswith(SOURCE + ": the cutover would change what someone else manages: route table " + TABLE)
    assert result["owned"][0]["owner_change"] == (
        "point route 0.0.0.0/0 at %s (%s) in CloudFormation stack web (AWS::EC2::Route InstanceId / NetworkInterfaceId)" % (REPL_ENI, REPL)
    )
    assert "point route %s 0.0.0.0/0 at %s (%s)" % (TABLE, REPL_ENI, REPL) in result["actions"]


def test_move_cuts_over_an_owned_piece_and_says_what_to_change_in_the_owner(aws, run, tmp_path):
    state = tmp_path / "net.tfstate"
    attachment = {"type": "aws_lb_target_group_attachment", "name": "web", "mode": "managed", "instances": [{"attributes": {"target_group_arn": TG}}]}
    state.write_text(json.dumps({"version": 4, "resources": [attachment]}))
    ec2 = aws.stub("ec2")
    expect_instances(ec2)
    expect_capture(aws)
    expect_owner_reads(aws, ec2)
    ec2.add("create_tags", {}, {"Resources": [SOURCE], "Tags": [{"Key": "hubfix:original-network", "Value": "tg:%s@80" % TG}]})
    expect_moves(aws, ec2)

    result = run(module, dict(ARGS, owned="move", terraform_state_files=[str(state)]))

    assert result["changed"] is True and result["refusal"] is None
    (owned,) = result["owned"]
    assert owned["owner_text"] == "Terraform resource aws_lb_target_group_attachment.web (state %s)" % state
    assert owned["owner_change"].endswith("(aws_lb_target_group_attachment target_id)")
    assert result["actions"][0].startswith("record the source's network") and result["moves"] == result["actions"][1:]
    assert "register %s with target group web port 80" % REPL in result["actions"]


def test_a_resumed_cutover_finishes_what_its_first_attempt_started(aws, run):
    """The network was recorded (owned pieces were accepted then): owned pieces are listed, not refused."""
    ec2 = aws.stub("ec2")
    expect_instances(ec2, source_tags=RECORDED)
    expect_owner_reads(aws, ec2, tg_tags=STACK_TAGS)
    expect_moves(aws, ec2)

    result = run(module, ARGS)

    assert result["refusal"] is None and [o["kind"] for o in result["owned"]] == ["target_group"]
    assert not any(a.startswith("record ") for a in result["actions"])


def test_every_call_is_retried_when_throttled(aws, run):
    aws.throttle_first = True
    ec2 = aws.stub("ec2")
    expect_instances(ec2)
    expect_capture(aws)
    expect_owner_reads(aws, ec2, tg_tags=STACK_TAGS)

    assert "CloudFormation stack web" in run(module, ARGS, fails=True)["msg"]


def test_an_unowned_elastic_ip_moves_to_the_replacement_primary_ip(aws, run):
    eip_tags = {"hubfix:original-eips": "%s@10.0.0.12" % ALLOC, "hubfix:original-network": "none"}
    ec2 = aws.stub("ec2")
    expect_instances(ec2, source_tags=eip_tags)
    ec2.add("describe_route_tables", {"RouteTables": []}, {"Filters": [{"Name": "route.network-interface-id", "Values": [SRC_ENI]}]})
    ec2.add("describe_route_tables", {"RouteTables": []}, {"Filters": [{"Name": "route.instance-id", "Values": [SOURCE]}]})
    on_source = r.address(ALLOC, "203.0.113.10", SOURCE, "10.0.0.12", "eipassoc-0000000000000000a")
    ec2.add("describe_addresses", r.addresses(on_source), {"AllocationIds": [ALLOC]})
    ec2.add(
        "associate_address",
        {"AssociationId": "eipassoc-0000000000000000b"},
        {"AllocationId": ALLOC, "NetworkInterfaceId": REPL_ENI, "PrivateIpAddress": "10.0.0.99", "AllowReassociation": True},
    )
    on_repl = r.address(ALLOC, "203.0.113.10", REPL, "10.0.0.99", "eipassoc-0000000000000000b")
    ec2.add("describe_addresses", r.addresses(on_repl), {"AllocationIds": [ALLOC]})
    repl = r.instance(REPL, private_ip="10.0.0.99", public_ip="203.0.113.10", virtualization="hvm", NetworkInterfaces=[nic(REPL_ENI, "10.0.0.99")])
    ec2.add("describe_instances", r.reservations(repl), {"InstanceIds": [REPL]})

    result = run(module, dict(ARGS, load_balancers=False))

    assert result["owned"] == [] and result["elastic_ips"] == [{"allocation_id": ALLOC, "network_interface_id": REPL_ENI, "private_ip_address": "10.0.0.99"}]
