#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_traffic_move
short_description: Move what carries a paravirtual instance's traffic to its HVM replacement, or back
version_added: 0.4.0
description:
  - The network half of an EC2.24 cutover. Moves, from the instance the traffic leaves to the one it goes to, in this
    order - the secondary private IPs of the primary network interface (unassigned, then assigned to the other primary
    interface); the secondary network interfaces (detached, then attached at the same device index, with their private
    IPs, security groups and Elastic IPs); every Elastic IP to the same position (the source's primary private IP maps to
    the replacement's primary private IP, a secondary IP keeps its address); the route table routes that target the
    instance or its primary interface (C(ReplaceRoute) to the other primary interface); and the Classic ELB and ELBv2
    target group memberships (register, wait until C(InService) / C(healthy), then deregister).
  - O(direction=to_replacement) is the cutover, O(direction=to_source) the rollback. What was on the source is recorded
    once, before the first change, in the tag C(hubfix:original-network) on the source, so an interrupted cutover
    resumes and a rollback knows where everything belongs. Every step compares first, so running it again changes nothing.
  - Check mode reads the same state and reports every change it would make (C(actions), diff) without making it.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  source_instance_id:
    description: The paravirtual source instance of the migration (it carries the record).
    type: str
    required: true
  replacement_instance_id:
    description: Its HVM replacement.
    type: str
    required: true
  direction:
    description: C(to_replacement) moves the traffic to the replacement, C(to_source) back to the source.
    type: str
    choices: [to_replacement, to_source]
    default: to_replacement
  elastic_ips:
    description: Move the Elastic IPs recorded on the source (tag C(hubfix:original-eips)).
    type: bool
    default: true
  load_balancers:
    description: Move Classic ELB and ELBv2 target group memberships (reads every load balancer and target group of the region once).
    type: bool
    default: true
  routes:
    description: Point the routes that target the instance at the other instance's primary network interface.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for a detached interface and for each load balancer to report the instance the traffic goes to
        as C(InService) / C(healthy). Not waited for when that instance is not running (a stopped source on rollback)
        or the target group is in no load balancer.
      - To the replacement, a timeout fails the module (the role rolls back); back to the source it is a warning and
        the replacement is deregistered anyway.
    type: int
    default: 900
  owned:
    description:
      - What to do, to the replacement, when a piece of the traffic belongs to someone else - a Classic ELB, target group,
        route table, Elastic IP or network interface that a CloudFormation stack or Elastic Beanstalk environment (their
        tags), Terraform (O(terraform_state_files)) or a tool from O(owner_tags) manages. Moving it out of band makes the
        owner drift, and its next update puts the source back.
      - C(refuse) fails before anything changes, naming each owned piece, its owner and the change to make there (RV(refusal)).
        In check mode it warns and returns RV(refusal). The choice is made once, when the network is recorded; a resumed
        cutover finishes what its first attempt started.
      - C(move) moves them anyway and lists them in RV(owned), with the change to make in each owner afterwards.
      - The way back to the source is never refused (it restores what the owner declares).
    type: str
    choices: [refuse, move]
    default: refuse
extends_documentation_fragment:
  - hubfix.aws.owners
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM: ec2:DescribeInstances, ec2:DescribeNetworkInterfaces, ec2:DescribeAddresses, ec2:DescribeRouteTables, ec2:CreateTags,
    ec2:AssignPrivateIpAddresses, ec2:UnassignPrivateIpAddresses, ec2:DetachNetworkInterface, ec2:AttachNetworkInterface,
    ec2:AssociateAddress, ec2:ReplaceRoute; with O(load_balancers) elasticloadbalancing:DescribeLoadBalancers,
    DescribeInstanceHealth, RegisterInstancesWithLoadBalancer, DeregisterInstancesFromLoadBalancer, DescribeTargetGroups,
    DescribeTargetHealth, RegisterTargets, DeregisterTargets, DescribeTags; s3:GetObject for state files on S3."
  - An interface attached to the replacement gets C(DeleteOnTermination) false, so terminating either instance never deletes it.
"""

EXAMPLES = r"""
- name: Cut the traffic over to the replacement
  hubfix.aws.ec2_traffic_move:
    source_instance_id: i-0123456789abcdef0
    replacement_instance_id: i-0fedcba9876543210

- name: Cut over although stack web owns the target group (then update the stack as the result's owned list says)
  hubfix.aws.ec2_traffic_move:
    source_instance_id: i-0123456789abcdef0
    replacement_instance_id: i-0fedcba9876543210
    owned: move

- name: Roll it back
  hubfix.aws.ec2_traffic_move:
    source_instance_id: i-0123456789abcdef0
    replacement_instance_id: i-0fedcba9876543210
    direction: to_source
"""

RETURN = r"""
actions:
  description: What was changed (or would be, in check mode), one line each, in order.
  returned: always
  type: list
  elements: str
moves:
  description: RV(actions) without the bookkeeping (the record written on the source) - the traffic moves only.
  returned: always
  type: list
  elements: str
record:
  description:
    - What carried the source's traffic (C(secondary_ips), C(interfaces) with C(network_interface_id) and C(device_index),
      C(load_balancers) (Classic names), C(target_groups) with C(arn), C(port), C(target_type)), as recorded on the source.
  returned: always
  type: dict
elastic_ips:
  description: Where each Elastic IP is meant to be (C(allocation_id), C(network_interface_id), C(private_ip_address)).
  returned: always
  type: list
  elements: dict
routes:
  description: The routes pointed at the other instance (C(route_table_id), C(destination), C(network_interface_id)).
  returned: always
  type: list
  elements: dict
warnings_text:
  description: Waits that timed out on the way back to the source (the traffic was moved anyway).
  returned: always
  type: list
  elements: str
owned:
  description:
    - The pieces of the traffic someone else manages (to the replacement only), each with C(kind) (C(classic_elb),
      C(target_group), C(route_table), C(elastic_ip), C(network_interface)), C(id), C(name), C(change) (what the cutover
      does to it), C(owner) (C(type), C(name), ...), C(owner_text) and C(owner_change) (the same change, said for the owner).
  returned: always
  type: list
  elements: dict
refusal:
  description: Why the cutover is refused (O(owned=refuse) and owned pieces found before anything moved), or null.
  returned: always
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import pv_traffic as tr
from ansible_collections.hubfix.aws.plugins.module_utils import traffic_owners
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client, paginate
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import instances_of, tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.owners import tags_dict
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import terraform_index
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import TAG_EIPS, MigrationError, decode_eips
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, poll, wait_for_waiter


class Mover:
    """One run of the module: reads, then each step compares and changes (or, in check mode, only reports)."""

    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.ec2 = client(module, "ec2")
        self.actions = []
        self.before = {}
        self.after = {}
        self.soft_failures = []
        self.forward = self.p["direction"] == "to_replacement"
        self.owned = []
        self.refusal = None
        self.bookkeeping = None  # the action line that only records (not a move)
        self._tables = None
        self._addresses = {}

    # --- reading -----------------------------------------------------------------------------------

    def instances(self):
        ids = [self.p["source_instance_id"], self.p["replacement_instance_id"]]
        found = {i["InstanceId"]: i for i in instances_of(paginate(self.ec2, "describe_instances", InstanceIds=ids)["Reservations"])}
        for iid in ids:
            if iid not in found:
                self.module.fail_json(msg="%s: instance not found in region %s" % (iid, self.module.region))
        return found[ids[0]], found[ids[1]]

    def capture(self, source):
        """The record of what carries the source's traffic now (before anything moved)."""
        here = tr.layout(source)
        record = tr.empty_record()
        record["secondary_ips"] = here["secondary_ips"]
        record["interfaces"] = [{"network_interface_id": e["network_interface_id"], "device_index": e["device_index"]} for e in here["interfaces"]]
        if self.p["load_balancers"]:
            elb, elbv2 = client(self.module, "elb"), client(self.module, "elbv2")
            record["load_balancers"] = tr.classic_memberships(paginate(elb, "describe_load_balancers")["LoadBalancerDescriptions"], here["instance_id"])
            for group in paginate(elbv2, "describe_target_groups")["TargetGroups"]:
                health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"], aws_retry=True)["TargetHealthDescriptions"]
                record["target_groups"] += tr.target_memberships(group, health, here["instance_id"], here["primary_ip"])
        return record

    def change(self, key, before, after, line, call=None, **params):
        self.before[key], self.after[key] = before, after
        self.actions.append(line)
        if call is not None and not self.module.check_mode:
            call(aws_retry=True, **params)

    # --- the steps ---------------------------------------------------------------------------------

    def secondary_ips(self, record, frm, to):
        wanted = record["secondary_ips"]
        on_frm = [ip for ip in wanted if ip in frm["secondary_ips"]]
        missing = [ip for ip in wanted if ip not in to["secondary_ips"]]
        if on_frm and frm["primary_eni"]:
            self.change(
                "secondary IPs off %s" % frm["primary_eni"],
                on_frm,
                [],
                "unassign %s from %s (%s)" % (", ".join(on_frm), frm["primary_eni"], frm["instance_id"]),
                self.ec2.unassign_private_ip_addresses,
                NetworkInterfaceId=frm["primary_eni"],
                PrivateIpAddresses=on_frm,
            )
        if missing:
            self.change(
                "secondary IPs on %s" % to["primary_eni"],
                [ip for ip in wanted if ip in to["secondary_ips"]],
                wanted,
                "assign %s to %s (%s)" % (", ".join(missing), to["primary_eni"], to["instance_id"]),
                self.ec2.assign_private_ip_addresses,
                NetworkInterfaceId=to["primary_eni"],
                PrivateIpAddresses=missing,
            )

    def live_interfaces(self, record):
        """DescribeNetworkInterfaces of the recorded secondary interfaces, by id (one call)."""
        ids = [e["network_interface_id"] for e in record["interfaces"]]
        if not ids:
            return {}
        return {e["NetworkInterfaceId"]: e for e in paginate(self.ec2, "describe_network_interfaces", NetworkInterfaceIds=ids)["NetworkInterfaces"]}

    def interfaces(self, record, frm, to, live):
        for want in record["interfaces"]:
            eni_id, index = want["network_interface_id"], want["device_index"]
            eni = live.get(eni_id)
            if eni is None:
                self.module.fail_json(msg="%s: network interface %s (device index %d) no longer exists" % (self.p["source_instance_id"], eni_id, index))
            attachment = eni.get("Attachment") or {}
            holder = attachment.get("InstanceId")
            if holder == to["instance_id"] and attachment.get("DeviceIndex") == index:
                continue
            if holder and holder != frm["instance_id"]:
                self.module.fail_json(
                    msg="%s: network interface %s is attached to %s, neither %s nor %s"
                    % (self.p["source_instance_id"], eni_id, holder, frm["instance_id"], to["instance_id"])
                )
            key = "%s (device index %d)" % (eni_id, index)
            if holder:
                self.change(
                    key + " detached",
                    holder,
                    None,
                    "detach %s from %s" % (eni_id, holder),
                    self.ec2.detach_network_interface,
                    AttachmentId=attachment["AttachmentId"],
                )
                if not self.module.check_mode:
                    wait_for_waiter(self.ec2, "network_interface_available", self.p["wait_timeout"], "%s to be detached" % eni_id, NetworkInterfaceIds=[eni_id])
            self.change(
                key,
                holder,
                to["instance_id"],
                "attach %s to %s at device index %d" % (eni_id, to["instance_id"], index),
                self.ec2.attach_network_interface,
                NetworkInterfaceId=eni_id,
                InstanceId=to["instance_id"],
                DeviceIndex=index,
            )

    def elastic_ips(self, targets):
        if not targets:
            return
        live = self.addresses([t["allocation_id"] for t in targets])
        for t in targets:
            now = live.get(t["allocation_id"]) or {}
            here = (now.get("NetworkInterfaceId"), now.get("PrivateIpAddress"))
            there = (t["network_interface_id"], t["private_ip_address"])
            if here == there:
                continue
            self.change(
                "%s (%s)" % (t["allocation_id"], now.get("PublicIp")),
                "%s %s" % here,
                "%s %s" % there,
                "associate %s (%s) with %s %s" % (t["allocation_id"], now.get("PublicIp"), there[0], there[1]),
                self.ec2.associate_address,
                AllocationId=t["allocation_id"],
                NetworkInterfaceId=there[0],
                PrivateIpAddress=there[1],
                AllowReassociation=True,
            )

    def route_tables(self, frm):
        """The route tables with a route to ``frm`` (its instance id or primary interface), read once per run."""
        if self._tables is None:
            tables = {}
            for name, value in (("route.network-interface-id", frm["primary_eni"]), ("route.instance-id", frm["instance_id"])):
                if value:
                    for table in paginate(self.ec2, "describe_route_tables", Filters=[{"Name": name, "Values": [value]}])["RouteTables"]:
                        tables[table["RouteTableId"]] = table
            self._tables = list(tables.values())
        return self._tables

    def addresses(self, allocation_ids):
        """DescribeAddresses of ``allocation_ids`` by allocation id (each read once per run)."""
        missing = [a for a in allocation_ids if a not in self._addresses]
        if missing:
            for a in self.ec2.describe_addresses(AllocationIds=missing, aws_retry=True)["Addresses"]:
                self._addresses[a["AllocationId"]] = a
        return {a: self._addresses[a] for a in allocation_ids if a in self._addresses}

    def routes(self, frm, to):
        if not frm["primary_eni"] and not frm["instance_id"]:
            return []
        moved = []
        for table_id, route in tr.routes_to(self.route_tables(frm), frm["instance_id"], frm["primary_eni"]):
            destination = tr.route_destination(route)
            label = "%s %s" % (table_id, next(iter(destination.values()), "?"))
            self.change(
                "route " + label,
                route.get("NetworkInterfaceId") or route.get("InstanceId"),
                to["primary_eni"],
                "point route %s at %s (%s)" % (label, to["primary_eni"], to["instance_id"]),
                self.ec2.replace_route,
                RouteTableId=table_id,
                NetworkInterfaceId=to["primary_eni"],
                **destination,
            )
            moved.append({"route_table_id": table_id, "destination": next(iter(destination.values()), None), "network_interface_id": to["primary_eni"]})
        return moved

    def waited(self, what, waiter, client_, description, **params):
        """Wait with ``waiter``; a timeout fails the cutover, and on the way back it is only reported."""
        try:
            wait_for_waiter(client_, waiter, self.p["wait_timeout"], description, **params)
        except WaitTimeout as e:
            if self.forward:
                self.module.fail_json(msg="%s: %s" % (self.p["source_instance_id"], e), changed=bool(self.actions), actions=self.actions)
            self.soft_failures.append("%s: %s" % (what, e))
            self.module.warn("%s: %s" % (what, e))

    def member(self, where, instance_id, join, call, **params):
        """Register (``join``) or deregister ``instance_id`` (or an IP) in ``where``, a load balancer or target group."""
        line = ("register %s with %s" if join else "deregister %s from %s") % (instance_id, where)
        self.change("%s has %s" % (where, instance_id), not join, join, line, call, **params)

    def classic(self, names, frm, to):
        if not names:
            return
        elb = client(self.module, "elb")
        for lb in paginate(elb, "describe_load_balancers", LoadBalancerNames=names)["LoadBalancerDescriptions"]:
            name = lb["LoadBalancerName"]
            members = {i["InstanceId"] for i in lb.get("Instances") or []}
            where = "Classic ELB %s" % name
            if to["instance_id"] not in members:
                self.member(
                    where,
                    to["instance_id"],
                    True,
                    elb.register_instances_with_load_balancer,
                    LoadBalancerName=name,
                    Instances=[{"InstanceId": to["instance_id"]}],
                )
            if not self.module.check_mode and to["state"] == "running":
                # botocore's InstanceInService waiter polls describe_instance_health
                self.waited(
                    "Classic ELB %s" % name,
                    "instance_in_service",
                    elb,
                    "%s to be InService in Classic ELB %s" % (to["instance_id"], name),
                    LoadBalancerName=name,
                    Instances=[{"InstanceId": to["instance_id"]}],
                )
            if frm["instance_id"] in members:
                self.member(
                    where,
                    frm["instance_id"],
                    False,
                    elb.deregister_instances_from_load_balancer,
                    LoadBalancerName=name,
                    Instances=[{"InstanceId": frm["instance_id"]}],
                )

    def target_groups(self, memberships, frm, to):
        if not memberships:
            return
        elbv2 = client(self.module, "elbv2")
        arns = sorted({m["arn"] for m in memberships})
        groups = {g["TargetGroupArn"]: g for g in elbv2.describe_target_groups(TargetGroupArns=arns, aws_retry=True)["TargetGroups"]}
        for m in memberships:
            group = groups.get(m["arn"])
            if group is None:
                continue
            leaving = frm["instance_id"] if m["target_type"] == "instance" else frm["primary_ip"]
            coming = to["instance_id"] if m["target_type"] == "instance" else to["primary_ip"]
            target = {"Id": coming} if m["port"] is None else {"Id": coming, "Port": m["port"]}
            old = {"Id": leaving} if m["port"] is None else {"Id": leaving, "Port": m["port"]}
            health = elbv2.describe_target_health(TargetGroupArn=m["arn"], aws_retry=True)["TargetHealthDescriptions"]
            registered = {(d["Target"]["Id"], d["Target"].get("Port")) for d in health if (d.get("TargetHealth") or {}).get("State") != "draining"}
            label = "%s port %s" % (group.get("TargetGroupName") or m["arn"], m["port"])
            if (coming, m["port"]) not in registered:
                self.member("target group " + label, coming, True, elbv2.register_targets, TargetGroupArn=m["arn"], Targets=[target])
            if not self.module.check_mode and to["state"] == "running" and group.get("LoadBalancerArns"):
                self.waited(
                    "target group %s" % label,
                    "target_in_service",
                    elbv2,
                    "%s to be healthy in target group %s" % (coming, label),
                    TargetGroupArn=m["arn"],
                    Targets=[target],
                )
            if leaving and (leaving, m["port"]) in registered:
                self.member("target group " + label, leaving, False, elbv2.deregister_targets, TargetGroupArn=m["arn"], Targets=[old])

    def verify_public_ip(self, targets, to):
        """The instance the traffic went to reports the Elastic IP on its primary IP as its public IP."""
        primary = [t for t in targets if t["network_interface_id"] == to["primary_eni"] and t["private_ip_address"] == to["primary_ip"]]
        if self.module.check_mode or not primary:
            return
        address = self.ec2.describe_addresses(AllocationIds=[primary[0]["allocation_id"]], aws_retry=True)["Addresses"][0]

        def answers():
            now = paginate(self.ec2, "describe_instances", InstanceIds=[to["instance_id"]])["Reservations"]
            return (instances_of(now) or [{}])[0].get("PublicIpAddress") == address.get("PublicIp")

        try:
            poll(answers, 60, "%s to report Elastic IP %s as its public IP" % (to["instance_id"], address.get("PublicIp")))
        except WaitTimeout as e:
            self.module.fail_json(msg="%s: %s" % (self.p["source_instance_id"], e), changed=bool(self.actions), actions=self.actions)

    def owned_traffic(self, record, frm, to, eips, live):
        """The pieces this cutover would move that someone else manages (tags, Terraform state, owner_tags)."""
        pieces, moving = [], "register %s and deregister %s" % (to["instance_id"], frm["instance_id"])
        names = list(record["load_balancers"]) if self.p["load_balancers"] else []
        if names:
            elb = client(self.module, "elb")
            for start in range(0, len(names), 20):  # DescribeTags takes 20 names
                for d in elb.describe_tags(LoadBalancerNames=names[start : start + 20], aws_retry=True)["TagDescriptions"]:
                    pieces.append(traffic_owners.piece("classic_elb", d["LoadBalancerName"], moving, tags_dict(d.get("Tags"))))
        arns = sorted({t["arn"] for t in record["target_groups"]}) if self.p["load_balancers"] else []
        if arns:
            elbv2 = client(self.module, "elbv2")
            for start in range(0, len(arns), 20):
                for d in elbv2.describe_tags(ResourceArns=arns[start : start + 20], aws_retry=True)["TagDescriptions"]:
                    name = d["ResourceArn"].split(":targetgroup/")[-1].split("/")[0]
                    pieces.append(traffic_owners.piece("target_group", d["ResourceArn"], moving, tags_dict(d.get("Tags")), name))
        if self.p["routes"] and (frm["primary_eni"] or frm["instance_id"]):
            for table_id, route in tr.routes_to(self.route_tables(frm), frm["instance_id"], frm["primary_eni"]):
                table = next(t for t in self.route_tables(frm) if t["RouteTableId"] == table_id)
                destination = next(iter(tr.route_destination(route).values()), "?")
                change = "point route %s at %s (%s)" % (destination, to["primary_eni"], to["instance_id"])
                pieces.append(traffic_owners.piece("route_table", table_id, change, tags_dict(table.get("Tags"))))
        for allocation_id, address in sorted(self.addresses([e["allocation_id"] for e in eips]).items()):
            change = "associate %s with %s" % (address.get("PublicIp") or allocation_id, to["instance_id"])
            pieces.append(traffic_owners.piece("elastic_ip", allocation_id, change, tags_dict(address.get("Tags")), address.get("PublicIp")))
        for want in record["interfaces"]:
            eni = live.get(want["network_interface_id"]) or {}
            change = "attach it to %s at device index %d" % (to["instance_id"], want["device_index"])
            pieces.append(traffic_owners.piece("network_interface", want["network_interface_id"], change, tags_dict(eni.get("TagSet"))))
        return traffic_owners.owned_pieces(pieces, self.p["owner_tags"], terraform_index(self.module))

    # --- the run -----------------------------------------------------------------------------------

    def run(self):
        source, replacement = self.instances()
        src, repl = tr.layout(source), tr.layout(replacement)
        frm, to = (src, repl) if self.forward else (repl, src)
        if not to["primary_eni"] or to["state"] in ("shutting-down", "terminated"):
            self.module.fail_json(msg="%s: %s is %s; the traffic cannot move to it" % (self.p["source_instance_id"], to["instance_id"], to["state"]))
        tags = tags_of(source)
        try:
            record = tr.decode_network(tags)
        except MigrationError as e:
            self.module.fail_json(msg=str(e))
        fresh = record is None
        if fresh and not self.forward:
            # nothing moved yet (the cutover records the source's network before its first move): nothing to move back
            return tr.empty_record(), [], []
        if fresh:
            record = self.capture(source)
        live = self.live_interfaces(record)
        eips = decode_eips(tags) if self.p["elastic_ips"] and TAG_EIPS in tags else []
        if self.forward:
            self.owned = self.owned_traffic(record, frm, to, eips, live)
            if fresh and self.p["owned"] == "refuse":
                # decided once, before anything moved: a resumed cutover finishes what its first attempt started
                self.refusal = traffic_owners.refusal(self.p["source_instance_id"], self.owned)
            if self.refusal and not self.module.check_mode:
                self.module.fail_json(msg=self.refusal, owned=self.owned, changed=False, actions=[])
            if self.refusal:
                self.module.warn(self.refusal)
        if fresh and self.forward:
            to_set = tr.encode_network(record)
            self.bookkeeping = "record the source's network on %s (%s)" % (source["InstanceId"], tr.TAG_NETWORK)
            self.change("record", None, to_set, self.bookkeeping)
            if not self.module.check_mode:
                self.ec2.create_tags(Resources=[source["InstanceId"]], Tags=[{"Key": k, "Value": v} for k, v in to_set.items()], aws_retry=True)
        # the source as recorded (an interface keeps its addresses wherever it is): the Elastic IPs' positions
        interfaces = [
            dict(e, private_ips=[a["PrivateIpAddress"] for a in (live.get(e["network_interface_id"]) or {}).get("PrivateIpAddresses") or []])
            for e in record["interfaces"]
        ]
        recorded_source = dict(src, secondary_ips=record["secondary_ips"], interfaces=interfaces)

        self.secondary_ips(record, frm, to)
        self.interfaces(record, frm, to, live)
        targets = []
        if self.p["elastic_ips"]:
            try:
                targets = tr.eip_targets(eips, record, recorded_source, frm, to)
            except MigrationError as e:
                self.module.fail_json(msg=str(e), changed=bool(self.actions), actions=self.actions)
            self.elastic_ips(targets)
        routes = self.routes(frm, to) if self.p["routes"] else []
        if self.p["load_balancers"]:
            self.classic(record["load_balancers"], frm, to)
            self.target_groups(record["target_groups"], frm, to)
        if self.forward:
            self.verify_public_ip(targets, to)
        return record, targets, routes


def main():
    argument_spec = dict(
        source_instance_id=dict(type="str", required=True),
        replacement_instance_id=dict(type="str", required=True),
        direction=dict(type="str", choices=list(tr.DIRECTIONS), default="to_replacement"),
        elastic_ips=dict(type="bool", default=True),
        load_balancers=dict(type="bool", default=True),
        routes=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        owned=dict(type="str", choices=list(traffic_owners.OWNED_TRAFFIC_CHOICES), default="refuse"),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    mover = Mover(module)
    with aws_errors_fail(module, "%s: failed to move the traffic %s" % (module.params["source_instance_id"], module.params["direction"].replace("_", " "))):
        record, targets, routes = mover.run()
    module.exit_json(
        changed=bool(mover.actions),
        actions=mover.actions,
        moves=[a for a in mover.actions if a != mover.bookkeeping],
        record=record,
        elastic_ips=targets,
        routes=routes,
        warnings_text=mover.soft_failures,
        owned=mover.owned,
        refusal=mover.refusal,
        diff={"before": mover.before, "after": mover.after},
    )


if __name__ == "__main__":
    main()
