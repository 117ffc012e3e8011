"""Simulator patch ``ec2_instance_primary_interface``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyNetworkInterfaceAttribute.html): an instance's
SourceDestCheck and security groups are its primary network interface's, whichever call changes them; a secondary
interface keeps its own groups; on an instance with several interfaces ModifyInstanceAttribute SourceDestCheck/Groups
fail with ``InvalidInstanceID`` ("There are multiple interfaces attached ..."). moto 5.2.5 keeps the instance flag and
the interface flag apart, adds the instance's groups to every interface and, for an attribute it does not handle
(InstanceInitiatedShutdownBehavior), answers success and empties the instance's SecurityGroups.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_instance_primary_interface"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    groups = {n: ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"] for n in ("web", "nat", "db")}
    instance = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[groups["web"]])["Instances"][0]
    return ec2, {
        "subnet": subnet,
        "instance": instance["InstanceId"],
        "primary": instance["NetworkInterfaces"][0]["NetworkInterfaceId"],
        **groups,
    }


def described(ec2, instance_id) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def interface(ec2, eni_id) -> dict:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def source_dest_checks(ec2, r) -> dict:
    instance = described(ec2, r["instance"])
    return {
        "instance": instance["SourceDestCheck"],
        "instance.nic0": instance["NetworkInterfaces"][0]["SourceDestCheck"],
        "attribute": ec2.describe_instance_attribute(InstanceId=r["instance"], Attribute="sourceDestCheck")["SourceDestCheck"]["Value"],
        "eni": interface(ec2, r["primary"])["SourceDestCheck"],
    }


def group_names(groups) -> list[str]:
    return sorted(g["GroupName"] for g in groups)


def add_secondary(ec2, r, group="db") -> str:
    eni = ec2.create_network_interface(SubnetId=r["subnet"], Groups=[r[group]])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=r["instance"], DeviceIndex=1)
    return eni


def test_plain_moto_keeps_instance_and_interface_flags_apart(estate):
    ec2, r = estate
    ec2.modify_instance_attribute(InstanceId=r["instance"], SourceDestCheck={"Value": False})
    assert source_dest_checks(ec2, r) == {"instance": False, "instance.nic0": True, "attribute": False, "eni": True}


def test_plain_moto_gives_every_interface_the_instance_groups(estate):
    ec2, r = estate
    secondary = add_secondary(ec2, r)
    assert group_names(interface(ec2, secondary)["Groups"]) == ["db", "web"]  # AWS: ["db"]
    ec2.modify_instance_attribute(InstanceId=r["instance"], Groups=[r["nat"]])  # AWS: InvalidInstanceID (two interfaces)


def test_plain_moto_unknown_attribute_wipes_security_groups(estate):
    ec2, r = estate
    ec2.modify_instance_attribute(InstanceId=r["instance"], InstanceInitiatedShutdownBehavior={"Value": "terminate"})
    assert described(ec2, r["instance"])["SecurityGroups"] == []
    value = ec2.describe_instance_attribute(InstanceId=r["instance"], Attribute="instanceInitiatedShutdownBehavior")
    assert value["InstanceInitiatedShutdownBehavior"]["Value"] == "stop"


def test_modify_instance_attribute_reaches_primary_interface(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.modify_instance_attribute(InstanceId=r["instance"], SourceDestCheck={"Value": False})
    assert source_dest_checks(ec2, r) == {"instance": False, "instance.nic0": False, "attribute": False, "eni": False}
    # the Attribute/Value form stores a string; it is still a boolean
    ec2.modify_instance_attribute(InstanceId=r["instance"], Attribute="sourceDestCheck", Value="true")
    assert set(source_dest_checks(ec2, r).values()) == {True}


def test_modify_network_interface_attribute_reaches_instance(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.modify_network_interface_attribute(NetworkInterfaceId=r["primary"], SourceDestCheck={"Value": False})
    assert source_dest_checks(ec2, r) == {"instance": False, "instance.nic0": False, "attribute": False, "eni": False}
    found = ec2.describe_instances(Filters=[{"Name": "source-dest-check", "Values": ["false"]}])["Reservations"]
    assert [i["InstanceId"] for res in found for i in res["Instances"]] == [r["instance"]]


def test_secondary_interface_keeps_its_own_groups_and_flag(estate, patched):
    ec2, r = estate
    patched(PATCH)
    secondary = add_secondary(ec2, r)
    ec2.modify_network_interface_attribute(NetworkInterfaceId=secondary, SourceDestCheck={"Value": False})
    instance = described(ec2, r["instance"])
    by_index = {n["Attachment"]["DeviceIndex"]: n for n in instance["NetworkInterfaces"]}
    assert group_names(by_index[0]["Groups"]) == ["web"] and group_names(by_index[1]["Groups"]) == ["db"]
    assert group_names(interface(ec2, secondary)["Groups"]) == ["db"]
    assert instance["SourceDestCheck"] is True and by_index[1]["SourceDestCheck"] is False


def test_multiple_interfaces_refuse_instance_level_change(estate, patched):
    ec2, r = estate
    patched(PATCH)
    add_secondary(ec2, r)
    message = f"There are multiple interfaces attached to instance '{r['instance']}'. Please specify an interface ID for the operation instead."
    for kwargs in ({"SourceDestCheck": {"Value": False}}, {"Groups": [r["nat"]]}):
        with pytest.raises(ClientError) as err:
            ec2.modify_instance_attribute(InstanceId=r["instance"], **kwargs)
        assert err.value.response["Error"] == {"Code": "InvalidInstanceID", "Message": message}
    # the interface-level call is the way
    ec2.modify_network_interface_attribute(NetworkInterfaceId=r["primary"], SourceDestCheck={"Value": False})
    assert described(ec2, r["instance"])["SourceDestCheck"] is False


def test_groups_change_the_primary_interface(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.modify_instance_attribute(InstanceId=r["instance"], Groups=[r["nat"], r["db"]])
    instance = described(ec2, r["instance"])
    assert group_names(instance["SecurityGroups"]) == ["db", "nat"]
    assert group_names(interface(ec2, r["primary"])["Groups"]) == ["db", "nat"]
    groups = ec2.describe_instance_attribute(InstanceId=r["instance"], Attribute="groupSet")["Groups"]
    assert sorted(g["GroupId"] for g in groups) == sorted([r["nat"], r["db"]])


def test_shutdown_behaviour_is_stored_and_groups_kept(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.modify_instance_attribute(InstanceId=r["instance"], InstanceInitiatedShutdownBehavior={"Value": "terminate"})
    value = ec2.describe_instance_attribute(InstanceId=r["instance"], Attribute="instanceInitiatedShutdownBehavior")
    assert value["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"
    assert group_names(described(ec2, r["instance"])["SecurityGroups"]) == ["web"]


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    ec2, r = estate
    patches.apply(PATCH)()
    ec2.modify_instance_attribute(InstanceId=r["instance"], SourceDestCheck={"Value": False})
    assert interface(ec2, r["primary"])["SourceDestCheck"] is True
