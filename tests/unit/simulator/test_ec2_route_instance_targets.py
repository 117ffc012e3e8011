"""Simulator patch ``ec2_route_instance_targets``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html): a route to a NAT instance is a route to its
network interface; DescribeRouteTables reports InstanceId, InstanceOwnerId and NetworkInterfaceId, and State
``blackhole`` when the target is not available (instance not running, interface detached or deleted); an instance with
several interfaces cannot be a target (``InvalidInstanceID``). moto 5.2.5 reports only the target given, always
``active``, and implements none of the route.* target filters.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_route_instance_targets"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    """A route table with a default route to NAT instance 'old'; a second NAT instance 'new'."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    old, new = ec2.run_instances(ImageId=HVM_AMI, MinCount=2, MaxCount=2, SubnetId=subnet)["Instances"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", InstanceId=old["InstanceId"])
    return ec2, {
        "subnet": subnet,
        "table": table,
        "old": old["InstanceId"],
        "old_eni": old["NetworkInterfaces"][0]["NetworkInterfaceId"],
        "new": new["InstanceId"],
        "new_eni": new["NetworkInterfaces"][0]["NetworkInterfaceId"],
    }


def default_route(ec2, r) -> dict:
    routes = ec2.describe_route_tables(RouteTableIds=[r["table"]])["RouteTables"][0]["Routes"]
    route = next(x for x in routes if x.get("DestinationCidrBlock") == "0.0.0.0/0")
    return {k: route.get(k) for k in ("InstanceId", "InstanceOwnerId", "NetworkInterfaceId", "State")}


def tables(ec2, name, value) -> list[str]:
    return [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[{"Name": name, "Values": [value]}])["RouteTables"]]


def test_plain_moto_reports_only_the_given_target_and_never_blackhole(estate):
    ec2, r = estate
    assert default_route(ec2, r) == {"InstanceId": r["old"], "InstanceOwnerId": None, "NetworkInterfaceId": None, "State": "active"}
    ec2.terminate_instances(InstanceIds=[r["old"]])
    assert default_route(ec2, r)["State"] == "active"  # AWS: blackhole


def test_plain_moto_has_no_route_target_filters(estate):
    ec2, r = estate
    from moto.ec2.exceptions import FilterNotImplementedError

    with pytest.raises(FilterNotImplementedError):
        tables(ec2, "route.instance-id", r["old"])


def test_instance_target_reports_its_interface(estate, patched):
    ec2, r = estate
    patched(PATCH)
    assert default_route(ec2, r) == {"InstanceId": r["old"], "InstanceOwnerId": "123456789012", "NetworkInterfaceId": r["old_eni"], "State": "active"}


def test_replace_target_and_read_it_back(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.replace_route(RouteTableId=r["table"], DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=r["new_eni"])
    assert default_route(ec2, r) == {"InstanceId": r["new"], "InstanceOwnerId": "123456789012", "NetworkInterfaceId": r["new_eni"], "State": "active"}
    assert tables(ec2, "route.instance-id", r["new"]) == [r["table"]]
    assert tables(ec2, "route.network-interface-id", r["new_eni"]) == [r["table"]]
    assert tables(ec2, "route.instance-id", r["old"]) == []
    ec2.replace_route(RouteTableId=r["table"], DestinationCidrBlock="0.0.0.0/0", InstanceId=r["old"])
    assert default_route(ec2, r)["NetworkInterfaceId"] == r["old_eni"]


def test_stopped_or_terminated_target_is_a_blackhole(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.stop_instances(InstanceIds=[r["old"]])
    assert default_route(ec2, r)["State"] == "blackhole"
    assert tables(ec2, "route.state", "blackhole") == [r["table"]]
    ec2.start_instances(InstanceIds=[r["old"]])
    assert default_route(ec2, r)["State"] == "active"
    ec2.terminate_instances(InstanceIds=[r["old"]])
    assert default_route(ec2, r)["State"] == "blackhole"
    ec2.replace_route(RouteTableId=r["table"], DestinationCidrBlock="0.0.0.0/0", InstanceId=r["new"])
    assert default_route(ec2, r)["State"] == "active"


def test_detached_interface_target_is_a_blackhole(estate, patched):
    ec2, r = estate
    patched(PATCH)
    eni = ec2.create_network_interface(SubnetId=r["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.replace_route(RouteTableId=r["table"], DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    assert default_route(ec2, r) == {"InstanceId": None, "InstanceOwnerId": None, "NetworkInterfaceId": eni, "State": "blackhole"}
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=r["new"], DeviceIndex=1)
    assert default_route(ec2, r) == {"InstanceId": r["new"], "InstanceOwnerId": "123456789012", "NetworkInterfaceId": eni, "State": "active"}


def test_instance_with_two_interfaces_is_not_a_target(estate, patched):
    ec2, r = estate
    patched(PATCH)
    eni = ec2.create_network_interface(SubnetId=r["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=r["new"], DeviceIndex=1)
    with pytest.raises(ClientError) as err:
        ec2.replace_route(RouteTableId=r["table"], DestinationCidrBlock="0.0.0.0/0", InstanceId=r["new"])
    assert err.value.response["Error"]["Code"] == "InvalidInstanceID"
    assert "There are multiple interfaces attached to instance" in err.value.response["Error"]["Message"]
    assert default_route(ec2, r)["InstanceId"] == r["old"]


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    ec2, r = estate
    patches.apply(PATCH)()
    assert default_route(ec2, r)["NetworkInterfaceId"] is None
