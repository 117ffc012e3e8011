from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import pv_traffic as tr
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import MigrationError

ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"


def instance(iid, primary_ip, secondary=(), extra_enis=(), state="running"):
    enis = [
        {
            "NetworkInterfaceId": "eni-%s-0" % iid,
            "Attachment": {"DeviceIndex": 0},
            "PrivateIpAddress": primary_ip,
            "PrivateIpAddresses": [{"PrivateIpAddress": ip} for ip in (primary_ip,) + tuple(secondary)],
        }
    ]
    for eni_id, index, ips in extra_enis:
        enis.append(
            {
                "NetworkInterfaceId": eni_id,
                "Attachment": {"DeviceIndex": index},
                "PrivateIpAddress": ips[0],
                "PrivateIpAddresses": [{"PrivateIpAddress": ip} for ip in ips],
            }
        )
    return {"InstanceId": iid, "State": {"Name": state}, "PrivateIpAddress": primary_ip, "NetworkInterfaces": list(reversed(enis))}


SOURCE = instance("i-src", "10.0.0.4", secondary=("10.0.0.5",), extra_enis=(("eni-b", 1, ["10.0.1.9", "10.0.1.10"]),))
REPLACEMENT = instance("i-new", "10.0.0.77")


def test_layout_separates_the_primary_interface_from_the_secondary_ones():
    out = tr.layout(SOURCE)
    assert (out["primary_eni"], out["primary_ip"], out["secondary_ips"]) == ("eni-i-src-0", "10.0.0.4", ["10.0.0.5"])
    assert out["interfaces"] == [{"network_interface_id": "eni-b", "device_index": 1, "private_ips": ["10.0.1.9", "10.0.1.10"]}]
    assert tr.layout(None)["primary_eni"] is None  # a terminated replacement has nothing


def test_the_record_survives_the_tags_and_long_records_are_chunked():
    record = {
        "secondary_ips": ["10.0.0.5"],
        "interfaces": [{"network_interface_id": "eni-b", "device_index": 1}],
        "load_balancers": ["classic-web"],
        "target_groups": [{"arn": ARN, "port": 80, "target_type": "instance"}, {"arn": ARN, "port": None, "target_type": "ip"}],
    }
    assert tr.decode_network(tr.encode_network(record)) == record
    assert tr.decode_network({}) is None  # nothing recorded: nothing moved yet
    assert tr.decode_network(tr.encode_network(tr.empty_record())) == tr.empty_record()
    many = dict(tr.empty_record(), target_groups=[{"arn": ARN + str(i), "port": 8000 + i, "target_type": "instance"} for i in range(8)])
    tags = tr.encode_network(many)
    assert len(tags) > 1 and all(len(v) <= 256 for v in tags.values())
    assert tr.decode_network(tags) == many
    with pytest.raises(MigrationError):
        tr.decode_network({tr.TAG_NETWORK: "what:ever"})


def test_elastic_ips_go_to_the_same_position_both_ways():
    record = {"secondary_ips": ["10.0.0.5"], "interfaces": [{"network_interface_id": "eni-b", "device_index": 1}], "load_balancers": [], "target_groups": []}
    source = tr.layout(SOURCE)
    eips = [
        {"allocation_id": "eipalloc-primary", "private_ip_address": "10.0.0.4"},
        {"allocation_id": "eipalloc-secondary", "private_ip_address": "10.0.0.5"},
        {"allocation_id": "eipalloc-eni", "private_ip_address": "10.0.1.10"},
    ]
    forward = tr.eip_targets(eips, record, source, source, tr.layout(REPLACEMENT))
    assert [(t["network_interface_id"], t["private_ip_address"]) for t in forward] == [
        ("eni-i-new-0", "10.0.0.77"),  # the primary IP maps to the replacement's primary IP
        ("eni-i-new-0", "10.0.0.5"),  # a secondary IP keeps its address on the replacement's primary interface
        ("eni-b", "10.0.1.10"),  # an address of a secondary interface stays on that interface
    ]
    back = tr.eip_targets(eips, record, source, tr.layout(REPLACEMENT), source)
    assert [(t["network_interface_id"], t["private_ip_address"]) for t in back] == [
        ("eni-i-src-0", "10.0.0.4"),
        ("eni-i-src-0", "10.0.0.5"),
        ("eni-b", "10.0.1.10"),
    ]
    with pytest.raises(MigrationError, match="10.9.9.9"):
        tr.eip_targets([{"allocation_id": "eipalloc-x", "private_ip_address": "10.9.9.9"}], record, source, source, tr.layout(REPLACEMENT))


def test_memberships_by_instance_id_or_primary_ip():
    lbs = [{"LoadBalancerName": "b", "Instances": [{"InstanceId": "i-src"}]}, {"LoadBalancerName": "a", "Instances": [{"InstanceId": "i-other"}]}]
    assert tr.classic_memberships(lbs, "i-src") == ["b"]
    health = [
        {"Target": {"Id": "i-src", "Port": 80}, "TargetHealth": {"State": "unused"}},
        {"Target": {"Id": "i-src", "Port": 8080}, "TargetHealth": {"State": "draining"}},
        {"Target": {"Id": "i-other", "Port": 80}, "TargetHealth": {"State": "healthy"}},
    ]
    group = {"TargetGroupArn": ARN, "TargetType": "instance"}
    assert tr.target_memberships(group, health, "i-src", "10.0.0.4") == [{"arn": ARN, "port": 80, "target_type": "instance"}]
    ip_health = [{"Target": {"Id": "10.0.0.4", "Port": 443}, "TargetHealth": {"State": "healthy"}}]
    assert tr.target_memberships(dict(group, TargetType="ip"), ip_health, "i-src", "10.0.0.4") == [{"arn": ARN, "port": 443, "target_type": "ip"}]
    assert tr.target_memberships(dict(group, TargetType="lambda"), ip_health, "i-src", "10.0.0.4") == []


def test_routes_through_the_primary_interface_or_the_instance():
    tables = [
        {
            "RouteTableId": "rtb-1",
            "Routes": [
                {"DestinationCidrBlock": "0.0.0.0/0", "InstanceId": "i-src", "NetworkInterfaceId": "eni-i-src-0"},
                {"DestinationCidrBlock": "10.1.0.0/16", "InstanceId": "i-src", "NetworkInterfaceId": "eni-b"},  # follows eni-b
                {"DestinationIpv6CidrBlock": "::/0", "InstanceId": "i-src"},
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
            ],
        }
    ]
    found = tr.routes_to(tables, "i-src", "eni-i-src-0")
    assert [tr.route_destination(r) for _t, r in found] == [{"DestinationCidrBlock": "0.0.0.0/0"}, {"DestinationIpv6CidrBlock": "::/0"}]


def test_the_replacement_type_must_take_the_interfaces_and_addresses():
    source = tr.layout(SOURCE)
    small = {"NetworkInfo": {"MaximumNetworkInterfaces": 1, "Ipv4AddressesPerInterface": 1}}
    problems = tr.capacity_problems("i-src", source, "t3.nano", small)
    assert len(problems) == 2 and "2 network interfaces" in problems[0] and "2 private IPs" in problems[1]
    assert tr.capacity_problems("i-src", source, "m5.large", {"NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 10}}) == []
    assert tr.capacity_problems("i-src", source, "m5.large", None) == []
