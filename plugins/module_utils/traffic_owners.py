# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which of the pieces an EC2.24 cutover would move someone else manages, and the change to make in that owner.

A Classic ELB or target group, a route table, an Elastic IP or a network interface that a CloudFormation stack, an Elastic
Beanstalk environment, Terraform or a tool named in ``owner_tags`` manages is not changed out of band by default: the owner
would drift, and its next update would put the source back (or fail). The cutover refuses before anything stops and
names, for each piece, the owner and the exact change to make there (pure functions; ``ec2_traffic_move`` reads the tags).
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.owners import describe, owner_from_tags

KIND_TEXT = {
    "classic_elb": "Classic ELB",
    "target_group": "target group",
    "route_table": "route table",
    "elastic_ip": "Elastic IP",
    "network_interface": "network interface",
}

# (owner type, kind) -> the resource and property that hold the piece in the owner's own language
OWNER_PROPERTY = {
    ("cloudformation", "classic_elb"): "AWS::ElasticLoadBalancing::LoadBalancer Instances",
    ("cloudformation", "target_group"): "AWS::ElasticLoadBalancingV2::TargetGroup Targets",
    ("cloudformation", "route_table"): "AWS::EC2::Route InstanceId / NetworkInterfaceId",
    ("cloudformation", "elastic_ip"): "AWS::EC2::EIPAssociation (or AWS::EC2::EIP InstanceId)",
    ("cloudformation", "network_interface"): "AWS::EC2::NetworkInterfaceAttachment InstanceId",
    ("terraform", "classic_elb"): "aws_elb instances / aws_elb_attachment instance",
    ("terraform", "target_group"): "aws_lb_target_group_attachment target_id",
    ("terraform", "route_table"): "aws_route instance_id / network_interface_id",
    ("terraform", "elastic_ip"): "aws_eip_association instance_id / network_interface_id",
    ("terraform", "network_interface"): "aws_network_interface_attachment instance_id",
}

OWNED_TRAFFIC_CHOICES = ("refuse", "move")


def piece(kind, identifier, change, tags=None, name=None):
    """One piece of the source's traffic: ``change`` says what the cutover does to it (``register i-new, deregister i-old``)."""
    return {"kind": kind, "id": identifier, "name": name or identifier, "tags": tags or {}, "change": change}


def owned_pieces(pieces, owner_tags=None, terraform=None):
    """``[{kind, id, name, change, owner, owner_text, owner_change}]`` for the pieces someone manages, in the order given.

    ``terraform``: an ``OwnerIndex`` (or None); the owner comes from the tags first (Beanstalk, CloudFormation), then the
    Terraform state, then ``owner_tags``."""
    out, seen = [], set()
    for p in pieces:
        key = (p["kind"], p["id"])
        if key in seen:
            continue
        seen.add(key)
        owner = owner_from_tags(p.get("tags"), owner_tags, terraform=terraform.owner(p["kind"], p["id"]) if terraform else None)
        if owner is None:
            continue
        where = OWNER_PROPERTY.get((owner["type"], p["kind"]))
        owner_change = "%s in %s%s" % (p["change"], describe(owner), " (%s)" % where if where else "")
        out.append(dict({k: p[k] for k in ("kind", "id", "name", "change")}, owner=owner, owner_text=describe(owner), owner_change=owner_change))
    return out


def refusal(source_id, owned):
    """The message of a cutover refused because it would change what someone else manages, or None."""
    if not owned:
        return None
    lines = ["%s %s (managed by %s)" % (KIND_TEXT.get(o["kind"], o["kind"]), o["name"], o["owner_text"]) for o in owned]
    changes = [o["owner_change"] for o in owned]
    return (
        "%s: the cutover would change what someone else manages: %s. Nothing was changed. Either make the change through the owner at "
        "the cutover - %s - or run the cutover with pv_to_hvm_owned_traffic: move (owned: move) and then make the same change in the "
        "owner, so that its next update keeps the traffic on the replacement" % (source_id, "; ".join(lines), "; ".join(changes))
    )
