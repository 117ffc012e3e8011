"""Simulator patch ``ec2_network_interface_attachments``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachNetworkInterface.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DetachNetworkInterface.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html): a secondary network interface attaches to a running
or stopped instance in its Availability Zone at a free device index, only when it is not attached elsewhere; the
primary interface cannot be detached; an attached interface cannot be deleted; on termination the interfaces RunInstances
created (DeleteOnTermination true) are deleted and the others detached, keeping their private IPs, groups and Elastic
IPs. moto 5.2.5 moves attached interfaces, overwrites device indexes, crosses zones, detaches the primary (then fails
DescribeInstances) and leaves every interface attached to a terminated instance.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_network_interface_attachments"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def estate(moto_aws):
    """Two instances in zone a (old, new), one in zone b, and a secondary interface in zone a with its own group, a
    secondary private IP and an Elastic IP."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="service", Description="service", VpcId=vpc)["GroupId"]

    def launch(subnet):
        return ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]

    eni = ec2.create_network_interface(SubnetId=subnet_a, Groups=[group], PrivateIpAddresses=[{"PrivateIpAddress": "10.0.1.50", "Primary": True}])
    eni_id = eni["NetworkInterface"]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.51"])
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni_id)
    return ec2, {"old": launch(subnet_a), "new": launch(subnet_a), "other_zone": launch(subnet_b), "eni": eni_id, "eip": eip, "group": group}


def described(ec2, instance_id) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def interface(ec2, eni_id) -> dict:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def nics_by_index(ec2, instance_id) -> dict[int, str]:
    return {n["Attachment"]["DeviceIndex"]: n["NetworkInterfaceId"] for n in described(ec2, instance_id)["NetworkInterfaces"]}


def attach(ec2, r, instance, index=1) -> str:
    return ec2.attach_network_interface(NetworkInterfaceId=r["eni"], InstanceId=r[instance], DeviceIndex=index)["AttachmentId"]


def error_of(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]


def test_plain_moto_moves_attached_interface_and_takes_used_index(estate):
    ec2, r = estate
    attach(ec2, r, "old")
    attach(ec2, r, "new", index=0)  # AWS: InvalidNetworkInterface.InUse; and index 0 is the new instance's primary
    assert nics_by_index(ec2, r["new"]) == {0: r["eni"]}  # the primary interface was replaced
    assert interface(ec2, r["eni"])["Attachment"]["InstanceId"] == r["new"]


def test_plain_moto_attaches_across_zones(estate):
    ec2, r = estate
    attach(ec2, r, "other_zone")  # AWS: refused
    assert nics_by_index(ec2, r["other_zone"])[1] == r["eni"]


def test_plain_moto_leaves_interfaces_attached_to_terminated_instance(estate):
    ec2, r = estate
    attach(ec2, r, "old")
    primary = nics_by_index(ec2, r["old"])[0]
    ec2.terminate_instances(InstanceIds=[r["old"]])
    assert interface(ec2, r["eni"])["Status"] == "in-use"  # AWS: available
    assert interface(ec2, primary)["Status"] == "in-use"  # AWS: deleted (DeleteOnTermination true)
    assert interface(ec2, primary)["Attachment"]["DeleteOnTermination"] is False


def test_plain_moto_detaches_the_primary_interface(estate):
    ec2, r = estate
    attach(ec2, r, "old")
    primary = described(ec2, r["old"])["NetworkInterfaces"]
    primary_attachment = next(n["Attachment"]["AttachmentId"] for n in primary if n["Attachment"]["DeviceIndex"] == 0)
    ec2.detach_network_interface(AttachmentId=primary_attachment)  # AWS: OperationNotPermitted
    with pytest.raises(KeyError):  # in-process moto; the server answers HTTP 500
        described(ec2, r["old"])


def test_interface_moves_with_its_addresses_groups_and_elastic_ip(estate, patched):
    ec2, r = estate
    patched(PATCH)
    ec2.stop_instances(InstanceIds=[r["old"]])
    attachment = attach(ec2, r, "old")
    nic = next(n for n in described(ec2, r["old"])["NetworkInterfaces"] if n["NetworkInterfaceId"] == r["eni"])
    assert nic["Attachment"]["DeviceIndex"] == 1 and nic["Attachment"]["DeleteOnTermination"] is False
    assert ec2.describe_addresses(AllocationIds=[r["eip"]["AllocationId"]])["Addresses"][0]["InstanceId"] == r["old"]
    ec2.detach_network_interface(AttachmentId=attachment)
    assert interface(ec2, r["eni"])["Status"] == "available" and "Attachment" not in interface(ec2, r["eni"])
    attach(ec2, r, "new")  # running instance, same zone
    nic = next(n for n in described(ec2, r["new"])["NetworkInterfaces"] if n["NetworkInterfaceId"] == r["eni"])
    assert nic["Attachment"]["DeviceIndex"] == 1
    assert sorted(p["PrivateIpAddress"] for p in nic["PrivateIpAddresses"]) == ["10.0.1.50", "10.0.1.51"]
    assert [g["GroupId"] for g in nic["Groups"]] == [r["group"]]
    assert nic["Association"]["PublicIp"] == r["eip"]["PublicIp"]
    address = ec2.describe_addresses(AllocationIds=[r["eip"]["AllocationId"]])["Addresses"][0]
    assert (address["InstanceId"], address["NetworkInterfaceId"]) == (r["new"], r["eni"])
    assert nics_by_index(ec2, r["old"]) == {0: nics_by_index(ec2, r["old"])[0]}
    found = ec2.describe_instances(Filters=[{"Name": "network-interface.network-interface-id", "Values": [r["eni"]]}])["Reservations"]
    assert [i["InstanceId"] for res in found for i in res["Instances"]] == [r["new"]]


def test_attach_refusals(estate, patched):
    ec2, r = estate
    patched(PATCH)
    attach(ec2, r, "old")
    assert error_of(ec2.attach_network_interface, NetworkInterfaceId=r["eni"], InstanceId=r["new"], DeviceIndex=1) == {
        "Code": "InvalidNetworkInterface.InUse",
        "Message": f"Interface: [{r['eni']}] in use.",
    }
    subnet = described(ec2, r["new"])["SubnetId"]
    spare = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assert error_of(ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=r["old"], DeviceIndex=1) == {
        "Code": "InvalidParameterValue",
        "Message": f"Instance '{r['old']}' already has an interface attached at device index '1'.",
    }
    assert error_of(ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=r["new"], DeviceIndex=0)["Code"] == "InvalidParameterValue"
    assert error_of(ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=r["other_zone"], DeviceIndex=1)["Code"] == "InvalidParameterValue"
    ec2.terminate_instances(InstanceIds=[r["new"]])
    assert error_of(ec2.attach_network_interface, NetworkInterfaceId=spare, InstanceId=r["new"], DeviceIndex=1)["Code"] == "IncorrectInstanceState"
    assert interface(ec2, spare)["Status"] == "available"


def test_primary_cannot_be_detached_and_attached_cannot_be_deleted(estate, patched):
    ec2, r = estate
    patched(PATCH)
    attach(ec2, r, "old")
    nics = described(ec2, r["old"])["NetworkInterfaces"]
    primary = next(n["Attachment"]["AttachmentId"] for n in nics if n["Attachment"]["DeviceIndex"] == 0)
    assert error_of(ec2.detach_network_interface, AttachmentId=primary)["Code"] == "OperationNotPermitted"
    assert error_of(ec2.delete_network_interface, NetworkInterfaceId=r["eni"])["Code"] == "InvalidParameterValue"
    assert len(described(ec2, r["old"])["NetworkInterfaces"]) == 2


def test_termination_deletes_launch_interfaces_and_detaches_the_others(estate, patched):
    ec2, r = estate
    patched(PATCH)
    # launched with the patch: the primary interface RunInstances creates is deleted on termination
    r["old"] = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, SubnetId=described(ec2, r["new"])["SubnetId"])["Instances"][0]["InstanceId"]
    primary = nics_by_index(ec2, r["old"])[0]
    assert interface(ec2, primary)["Attachment"]["DeleteOnTermination"] is True
    primary_eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=primary_eip["AllocationId"], NetworkInterfaceId=primary)
    attach(ec2, r, "old")
    ec2.terminate_instances(InstanceIds=[r["old"]])
    assert error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=[primary])["Code"] == "InvalidNetworkInterfaceID.NotFound"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[primary_eip["AllocationId"]])["Addresses"][0]
    survivor = interface(ec2, r["eni"])
    assert survivor["Status"] == "available" and "Attachment" not in survivor
    assert survivor["Association"]["PublicIp"] == r["eip"]["PublicIp"]  # the Elastic IP stays with the interface
    assert not ec2.describe_addresses(AllocationIds=[r["eip"]["AllocationId"]])["Addresses"][0].get("InstanceId")
    assert described(ec2, r["old"])["NetworkInterfaces"] == []
    ec2.terminate_instances(InstanceIds=[r["old"]])  # again: nothing happens
    attach(ec2, r, "new")
    assert nics_by_index(ec2, r["new"])[1] == r["eni"]


def test_delete_on_termination_can_be_changed(estate, patched):
    ec2, r = estate
    patched(PATCH)
    attachment = attach(ec2, r, "old")
    ec2.modify_network_interface_attribute(NetworkInterfaceId=r["eni"], Attachment={"AttachmentId": attachment, "DeleteOnTermination": True})
    assert interface(ec2, r["eni"])["Attachment"]["DeleteOnTermination"] is True
    primary = nics_by_index(ec2, r["old"])[0]
    primary_attachment = interface(ec2, primary)["Attachment"]["AttachmentId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=primary, Attachment={"AttachmentId": primary_attachment, "DeleteOnTermination": False})
    err = error_of(ec2.modify_network_interface_attribute, NetworkInterfaceId=primary, Attachment={"AttachmentId": attachment, "DeleteOnTermination": True})
    assert err["Code"] == "InvalidAttachmentID.NotFound"
    ec2.terminate_instances(InstanceIds=[r["old"]])
    assert error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=[r["eni"]])["Code"] == "InvalidNetworkInterfaceID.NotFound"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[r["eip"]["AllocationId"]])["Addresses"][0]
    assert interface(ec2, primary)["Status"] == "available"


def test_existing_interface_given_at_launch_survives_termination(estate, patched):
    ec2, r = estate
    patched(PATCH)
    instance = ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[{"NetworkInterfaceId": r["eni"], "DeviceIndex": 0}])
    instance_id = instance["Instances"][0]["InstanceId"]
    assert interface(ec2, r["eni"])["Attachment"]["DeleteOnTermination"] is False
    ec2.terminate_instances(InstanceIds=[instance_id])
    assert interface(ec2, r["eni"])["Status"] == "available"


def test_undo_restores_moto(estate):
    from tests.simulator import patches

    ec2, r = estate
    patches.apply(PATCH)()
    attach(ec2, r, "other_zone")
    assert nics_by_index(ec2, r["other_zone"])[1] == r["eni"]
