"""traffic_owners: which pieces of a cutover's traffic someone else manages, and the change to make in that owner."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import traffic_owners as to
from ansible_collections.hubfix.aws.plugins.module_utils.terraform_state import OwnerIndex

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
STACK = {"aws:cloudformation:stack-name": "web", "aws:cloudformation:logical-id": "WebTG"}


def terraform(*resources):
    index = OwnerIndex()
    index.add_state({"version": 4, "resources": list(resources)}, "net.tfstate")
    return index


def resource(type_, name, **attributes):
    return {"mode": "managed", "type": type_, "name": name, "instances": [{"attributes": attributes}]}


def test_a_stack_tag_makes_the_piece_the_stacks_with_its_property():
    pieces = [to.piece("target_group", TG, "register i-new and deregister i-old", STACK, "web"), to.piece("route_table", "rtb-1", "point route x")]

    (owned,) = to.owned_pieces(pieces)

    assert owned["owner"]["type"] == "cloudformation"
    assert owned["owner_change"] == (
        "register i-new and deregister i-old in CloudFormation stack web (logical id WebTG) (AWS::ElasticLoadBalancingV2::TargetGroup Targets)"
    )


def test_terraform_declares_memberships_and_associations_not_bare_resources():
    index = terraform(
        resource("aws_route", "nat", route_table_id="rtb-1"),
        resource("aws_eip_association", "web", allocation_id="eipalloc-1"),
        resource("aws_network_interface_attachment", "second", network_interface_id="eni-2"),
        resource("aws_elb_attachment", "web", elb="web-clb"),
    )
    pieces = [
        to.piece("route_table", "rtb-1", "point route 0.0.0.0/0 at eni-new"),
        to.piece("elastic_ip", "eipalloc-1", "associate 203.0.113.1 with i-new"),
        to.piece("network_interface", "eni-2", "attach it to i-new at device index 1"),
        to.piece("classic_elb", "web-clb", "register i-new and deregister i-old"),
        to.piece("target_group", TG, "register i-new and deregister i-old"),  # no attachment: Terraform does not hold the targets
    ]

    owned = to.owned_pieces(pieces, terraform=index)

    assert [(o["kind"], o["owner"]["name"]) for o in owned] == [
        ("route_table", "aws_route.nat"),
        ("elastic_ip", "aws_eip_association.web"),
        ("network_interface", "aws_network_interface_attachment.second"),
        ("classic_elb", "aws_elb_attachment.web"),
    ]
    assert owned[0]["owner_change"].endswith("(aws_route instance_id / network_interface_id)")


def test_owner_tags_and_duplicates():
    pieces = [to.piece("elastic_ip", "eipalloc-1", "associate", {"ManagedBy": "pulumi"}, "203.0.113.1")] * 2

    owned = to.owned_pieces(pieces, owner_tags={"ManagedBy": "pulumi"})

    assert len(owned) == 1 and owned[0]["owner_text"] == "pulumi (tag ManagedBy)"
    assert owned[0]["owner_change"] == "associate in pulumi (tag ManagedBy)"


def test_the_refusal_names_every_piece_owner_and_way_out():
    assert to.refusal("i-old", []) is None
    owned = to.owned_pieces([to.piece("target_group", TG, "register i-new and deregister i-old", STACK, "web")])

    message = to.refusal("i-old", owned)

    assert message.startswith("i-old: the cutover would change what someone else manages: target group web (managed by CloudFormation stack web")
    assert "Nothing was changed" in message and "pv_to_hvm_owned_traffic: move" in message
