"""Simulator patch ``ec2_elastic_ip_private_ip``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UnassignPrivateIpAddresses.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/MultipleIP.html): an Elastic IP is associated with one private IP of
one network interface (``PrivateIpAddress``, default the primary); DescribeAddresses, DescribeNetworkInterfaces and
DescribeInstances report it on that private IP; the instance's public IP is the one on the primary private IP of its
primary interface; by ``InstanceId`` the instance must have exactly one interface; unassigning a private IP disassociates
its Elastic IP. moto 5.2.5 puts every Elastic IP on the primary private IP, one per interface.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_elastic_ip_private_ip"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    """An instance in a subnet without public IPs, with two secondary private IPs on its interface, and two Elastic IPs."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, SubnetId=subnet, PrivateIpAddress="10.0.1.10")["Instances"][0]
    eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.0.1.20", "10.0.1.30"])
    first, second = (ec2.allocate_address(Domain="vpc") for _unused in range(2))
    return ec2, {"subnet": subnet, "instance": instance["InstanceId"], "eni": eni, "eip1": first, "eip2": second}


def address(ec2, eip) -> dict:
    return ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]


def where(ec2, eip) -> tuple:
    a = address(ec2, eip)
    return a.get("InstanceId"), a.get("NetworkInterfaceId"), a.get("PrivateIpAddress")


def public_ips_by_private_ip(entries) -> dict:
    return {e["PrivateIpAddress"]: (e.get("Association") or {}).get("PublicIp") for e in entries}


def described(ec2, instance_id) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def interface(ec2, eni_id) -> dict:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]


def test_plain_moto_puts_every_elastic_ip_on_the_primary_ip(estate):
    ec2, r = estate
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    assert address(ec2, r["eip1"])["PrivateIpAddress"] == "10.0.1.10"  # AWS: 10.0.1.20
    assert address(ec2, r["eip1"])["InstanceId"] == ""  # AWS: the instance the interface is attached to
    assert described(ec2, r["instance"])["PublicIpAddress"] == r["eip1"]["PublicIp"]  # AWS: none (primary IP has none)


def test_plain_moto_keeps_elastic_ip_of_unassigned_private_ip(estate):
    ec2, r = estate
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.20"])
    assert address(ec2, r["eip1"]).get("AssociationId")  # AWS: disassociated


def test_plain_moto_unassigns_the_primary_ip(estate):
    ec2, r = estate
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.10", "10.0.1.99"])  # AWS: InvalidParameterValue
    assert [e["PrivateIpAddress"] for e in interface(ec2, r["eni"])["PrivateIpAddresses"]] == ["10.0.1.20", "10.0.1.30"]


def test_plain_moto_stop_drops_elastic_ip_from_the_instance(moto_aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]  # default VPC: auto public IP
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance)
    ec2.stop_instances(InstanceIds=[instance])
    assert "PublicIpAddress" not in described(ec2, instance)  # AWS: the Elastic IP stays
    assert address(ec2, eip)["InstanceId"] == instance


def test_elastic_ip_on_secondary_private_ip(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    assert where(ec2, r["eip1"]) == (r["instance"], r["eni"], "10.0.1.20")
    expected = {"10.0.1.10": None, "10.0.1.20": r["eip1"]["PublicIp"], "10.0.1.30": None}
    assert public_ips_by_private_ip(interface(ec2, r["eni"])["PrivateIpAddresses"]) == expected
    instance = described(ec2, r["instance"])
    assert public_ips_by_private_ip(instance["NetworkInterfaces"][0]["PrivateIpAddresses"]) == expected
    assert "PublicIpAddress" not in instance and "Association" not in interface(ec2, r["eni"])
    entry = next(e for e in interface(ec2, r["eni"])["PrivateIpAddresses"] if e["PrivateIpAddress"] == "10.0.1.20")
    assert entry["Association"]["AllocationId"] == r["eip1"]["AllocationId"] and entry["Primary"] is False


def test_primary_and_secondary_elastic_ips_together(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], InstanceId=r["instance"])
    ec2.associate_address(AllocationId=r["eip2"]["AllocationId"], InstanceId=r["instance"], PrivateIpAddress="10.0.1.30")
    assert where(ec2, r["eip1"]) == (r["instance"], r["eni"], "10.0.1.10")
    assert where(ec2, r["eip2"]) == (r["instance"], r["eni"], "10.0.1.30")
    instance = described(ec2, r["instance"])
    assert instance["PublicIpAddress"] == r["eip1"]["PublicIp"]
    assert instance["NetworkInterfaces"][0]["Association"]["PublicIp"] == r["eip1"]["PublicIp"]
    assert interface(ec2, r["eni"])["Association"]["AllocationId"] == r["eip1"]["AllocationId"]
    assert public_ips_by_private_ip(instance["NetworkInterfaces"][0]["PrivateIpAddresses"]) == {
        "10.0.1.10": r["eip1"]["PublicIp"],
        "10.0.1.20": None,
        "10.0.1.30": r["eip2"]["PublicIp"],
    }
    by_filter = ec2.describe_addresses(Filters=[{"Name": "private-ip-address", "Values": ["10.0.1.30"]}])["Addresses"]
    assert [a["AllocationId"] for a in by_filter] == [r["eip2"]["AllocationId"]]
    by_instance = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [r["instance"]]}])["Addresses"]
    assert len(by_instance) == 2


def test_new_elastic_ip_replaces_the_one_on_that_private_ip(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    ec2.associate_address(AllocationId=r["eip2"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    assert where(ec2, r["eip2"]) == (r["instance"], r["eni"], "10.0.1.20")
    assert where(ec2, r["eip1"]) == (None, None, None) and "AssociationId" not in address(ec2, r["eip1"])


def test_moving_an_associated_address_needs_allow_reassociation(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    err = error_of(ec2.associate_address, AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.30")
    assert err["Code"] == "Resource.AlreadyAssociated"
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.30", AllowReassociation=True)
    assert where(ec2, r["eip1"]) == (r["instance"], r["eni"], "10.0.1.30")
    # the same target again is no move
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.30")


def test_private_ip_must_be_on_the_interface(estate, patched):
    ec2, r = estate
    patched(PATCH)
    err = error_of(ec2.associate_address, AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.99")
    assert err["Code"] == "InvalidParameterValue"
    assert "AssociationId" not in address(ec2, r["eip1"])


def test_instance_with_two_interfaces_needs_the_interface_id(estate, patched):
    ec2, r = estate
    patched(PATCH)
    secondary = ec2.create_network_interface(SubnetId=r["subnet"], PrivateIpAddress="10.0.1.40")["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=secondary, InstanceId=r["instance"], DeviceIndex=1)
    err = error_of(ec2.associate_address, AllocationId=r["eip1"]["AllocationId"], InstanceId=r["instance"])
    assert err == {
        "Code": "InvalidInstanceID",
        "Message": f"There are multiple interfaces attached to instance '{r['instance']}'. Please specify an interface ID for the operation instead.",
    }
    # the interface wins over the instance
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], InstanceId=r["instance"], NetworkInterfaceId=secondary)
    assert where(ec2, r["eip1"]) == (r["instance"], secondary, "10.0.1.40")
    instance = described(ec2, r["instance"])
    assert "PublicIpAddress" not in instance  # the Elastic IP is on the secondary interface, not the primary
    nics = {n["Attachment"]["DeviceIndex"]: n for n in instance["NetworkInterfaces"]}
    assert nics[1]["Association"]["PublicIp"] == r["eip1"]["PublicIp"]


def test_unassign_private_ip_disassociates_its_elastic_ip(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    ec2.associate_address(AllocationId=r["eip2"]["AllocationId"], NetworkInterfaceId=r["eni"])
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.20"])
    assert where(ec2, r["eip1"]) == (None, None, None)
    assert where(ec2, r["eip2"]) == (r["instance"], r["eni"], "10.0.1.10")
    assert [e["PrivateIpAddress"] for e in interface(ec2, r["eni"])["PrivateIpAddresses"]] == ["10.0.1.10", "10.0.1.30"]
    assert described(ec2, r["instance"])["PublicIpAddress"] == r["eip2"]["PublicIp"]
    assert error_of(ec2.unassign_private_ip_addresses, NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.10"])["Code"] == "InvalidParameterValue"
    assert error_of(ec2.unassign_private_ip_addresses, NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.77"])["Code"] == "InvalidParameterValue"


def test_assign_private_ip_addresses_returns_the_new_ones(estate, patched):
    ec2, r = estate
    patched(PATCH)
    answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=r["eni"], PrivateIpAddresses=["10.0.1.50"])
    assert answer["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": "10.0.1.50"}]
    answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=r["eni"], SecondaryPrivateIpAddressCount=2)
    assert len(answer["AssignedPrivateIpAddresses"]) == 2
    assert len(interface(ec2, r["eni"])["PrivateIpAddresses"]) == 6


def test_stop_start_keeps_the_elastic_ip_and_disassociate_returns_to_auto_ip(moto_aws, patched):
    patched(PATCH)
    ec2 = boto3.client("ec2", region_name="us-east-1")
    instance = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc")
    association = ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance)["AssociationId"]
    ec2.stop_instances(InstanceIds=[instance])
    assert described(ec2, instance)["PublicIpAddress"] == eip["PublicIp"]
    ec2.start_instances(InstanceIds=[instance])
    nic = described(ec2, instance)["NetworkInterfaces"][0]
    assert nic["Association"]["PublicIp"] == eip["PublicIp"] and nic["Association"]["IpOwnerId"] == "123456789012"
    ec2.disassociate_address(AssociationId=association)
    nic = described(ec2, instance)["NetworkInterfaces"][0]
    assert nic["Association"]["PublicIp"] != eip["PublicIp"] and nic["Association"]["IpOwnerId"] == "amazon"
    assert "InstanceId" not in address(ec2, eip)


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    ec2, r = estate
    patches.apply(PATCH)()
    ec2.associate_address(AllocationId=r["eip1"]["AllocationId"], NetworkInterfaceId=r["eni"], PrivateIpAddress="10.0.1.20")
    assert address(ec2, r["eip1"])["PrivateIpAddress"] == "10.0.1.10"
