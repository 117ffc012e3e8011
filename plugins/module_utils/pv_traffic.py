# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What carries an EC2.24 source instance's traffic, and where each piece goes at the cutover (pure functions; the AWS
calls are in ``ec2_traffic_move``).

Traffic reaches an instance through its network identity: the secondary private IPs of its primary interface, its
secondary interfaces (each with its own IPs, groups and Elastic IPs), the Elastic IPs on any of those addresses, route
table routes that target it (a NAT instance), and Classic ELB / ELBv2 target group memberships. The cutover moves each
to the same *position* on the replacement (the primary IP maps to the replacement's primary IP, everything else keeps
its address) and the rollback moves it back. What was on the source is recorded once, before anything moves, in the tag
``hubfix:original-network`` on the source, so that an interrupted cutover or a rollback knows it after the source lost it.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.paravirtual import network_interfaces
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import MigrationError, tag_chunks, tag_unchunk

TAG_NETWORK = "hubfix:original-network"
DIRECTIONS = ("to_replacement", "to_source")


def layout(instance):
    """The network layout of a DescribeInstances instance: ``{instance_id, state, primary_eni, primary_ip, secondary_ips,
    interfaces: [{network_interface_id, device_index, private_ips}]}`` (``interfaces``: device index 1 or more)."""
    instance = instance or {}
    out = {
        "instance_id": instance.get("InstanceId"),
        "state": (instance.get("State") or {}).get("Name"),
        "primary_eni": None,
        "primary_ip": instance.get("PrivateIpAddress"),
        "secondary_ips": [],
        "interfaces": [],
    }
    for eni in network_interfaces(instance):  # the detection's reading of the interfaces, by device index
        ips = [ip for ip in eni["private_ip_addresses"] if ip]
        primary = eni["private_ip_address"]
        if eni["device_index"] in (0, None):
            out["primary_eni"] = eni["network_interface_id"]
            out["primary_ip"] = primary or out["primary_ip"]
            out["secondary_ips"] = [ip for ip in ips if ip != primary]
        else:
            out["interfaces"].append(
                {"network_interface_id": eni["network_interface_id"], "device_index": eni["device_index"], "private_ips": ips or [primary]}
            )
    return out


def empty_record():
    return {"secondary_ips": [], "interfaces": [], "load_balancers": [], "target_groups": []}


def encode_network(record):
    """The record → tag dict (``hubfix:original-network``, ``-2``, … as needed)."""
    items = ["ip:%s" % ip for ip in record["secondary_ips"]]
    items += ["eni:%s@%d" % (e["network_interface_id"], e["device_index"]) for e in record["interfaces"]]
    items += ["elb:%s" % name for name in record["load_balancers"]]
    items += ["tg%s:%s@%s" % ("ip" if t["target_type"] == "ip" else "", t["arn"], "" if t.get("port") is None else t["port"]) for t in record["target_groups"]]
    return tag_chunks(items or ["none"], TAG_NETWORK)


def decode_network(tags):
    """The record in the source's tags, or None when none was written."""
    if TAG_NETWORK not in (tags or {}):
        return None
    record = empty_record()
    for item in tag_unchunk(tags, TAG_NETWORK):
        kind, _unused, value = item.partition(":")
        if item == "none":
            continue
        if kind == "ip":
            record["secondary_ips"].append(value)
        elif kind == "eni":
            eni, _unused, index = value.rpartition("@")
            record["interfaces"].append({"network_interface_id": eni, "device_index": int(index)})
        elif kind == "elb":
            record["load_balancers"].append(value)
        elif kind in ("tg", "tgip"):
            arn, _unused, port = value.rpartition("@")
            record["target_groups"].append({"arn": arn, "port": int(port) if port else None, "target_type": "ip" if kind == "tgip" else "instance"})
        else:
            raise MigrationError("unreadable %s tag item %r" % (TAG_NETWORK, item))
    return record


def classic_memberships(load_balancers, instance_id):
    """Names of the Classic load balancers (DescribeLoadBalancers shape) that have ``instance_id``."""
    return sorted(lb["LoadBalancerName"] for lb in load_balancers if any(i.get("InstanceId") == instance_id for i in lb.get("Instances") or []))


def target_memberships(target_group, health, instance_id, primary_ip):
    """``[{arn, port, target_type}]`` of ``instance_id`` in one target group (DescribeTargetGroups shape) from its
    DescribeTargetHealth answer: by instance id, or by the primary private IP in an ``ip`` target group (a secondary IP
    keeps its address on the replacement, so its membership needs no change)."""
    kind = target_group.get("TargetType") or "instance"
    wanted = instance_id if kind == "instance" else primary_ip if kind == "ip" else None
    if not wanted:
        return []
    ports = sorted({d["Target"].get("Port") for d in health if d["Target"].get("Id") == wanted and (d.get("TargetHealth") or {}).get("State") != "draining"})
    return [{"arn": target_group["TargetGroupArn"], "port": p, "target_type": kind} for p in ports]


def eip_targets(eips, record, source, frm, to):
    """Where each Elastic IP goes: ``[{allocation_id, network_interface_id, private_ip_address}]``.

    ``eips``: the source's recorded ``[{allocation_id, private_ip_address}]``; ``source``, ``frm``, ``to``: layouts (the
    source as it was recorded, the instance the traffic leaves, the one it goes to). The source's primary IP maps to
    ``to``'s primary IP; a secondary IP of the primary interface keeps its address on ``to``'s primary interface; an
    address of a secondary interface stays on that interface (it moved with it)."""
    on_interface = {ip: e["network_interface_id"] for e in source["interfaces"] for ip in e.get("private_ips") or []}
    out = []
    for eip in eips:
        ip = eip.get("private_ip_address")
        if not ip or ip == source["primary_ip"]:
            target = (to["primary_eni"], to["primary_ip"])
        elif ip in record["secondary_ips"]:
            target = (to["primary_eni"], ip)
        elif ip in on_interface:
            target = (on_interface[ip], ip)
        else:
            raise MigrationError(
                "%s: Elastic IP %s was on private IP %s, which is neither its primary IP, a secondary IP of its primary interface nor an "
                "address of a secondary interface; associate it by hand" % (source["instance_id"], eip["allocation_id"], ip)
            )
        out.append({"allocation_id": eip["allocation_id"], "network_interface_id": target[0], "private_ip_address": target[1]})
    return out


def route_destination(route):
    """The ReplaceRoute destination parameter of a DescribeRouteTables route."""
    for key in ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"):
        if route.get(key):
            return {key: route[key]}
    return {}


def routes_to(route_tables, instance_id, eni_id):
    """``[(route table id, route)]`` of the routes that target ``instance_id`` through its primary interface ``eni_id``
    (a route to a secondary interface follows that interface)."""
    out = []
    for table in route_tables:
        for route in table.get("Routes") or []:
            eni = route.get("NetworkInterfaceId")
            if (eni and eni == eni_id) or (not eni and instance_id and route.get("InstanceId") == instance_id):
                out.append((table["RouteTableId"], route))
    return out


def capacity_problems(instance_id, source, instance_type, type_info):
    """Why the replacement's type cannot take the source's interfaces and addresses (DescribeInstanceTypes shape)."""
    network = (type_info or {}).get("NetworkInfo") or {}
    problems = []
    enis = 1 + len(source["interfaces"])
    if network.get("MaximumNetworkInterfaces") and enis > network["MaximumNetworkInterfaces"]:
        problems.append(
            "%s: %d network interfaces, but %s takes %d; choose a bigger type (pv_to_hvm_instance_type_map)"
            % (instance_id, enis, instance_type, network["MaximumNetworkInterfaces"])
        )
    per_eni = network.get("Ipv4AddressesPerInterface")
    most = max([1 + len(source["secondary_ips"])] + [len(e.get("private_ips") or []) for e in source["interfaces"]])
    if per_eni and most > per_eni:
        problems.append(
            "%s: %d private IPs on one interface, but %s takes %d per interface; choose a bigger type (pv_to_hvm_instance_type_map)"
            % (instance_id, most, instance_type, per_eni)
        )
    return problems
