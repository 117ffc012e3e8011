"""pv_preflight.probes: the DryRun probe of every mutating call a migration (and its rollback) makes."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.hubfix.aws.plugins.module_utils import pv_preflight

OPS = (
    "create_tags",
    "stop_instances",
    "start_instances",
    "run_instances",
    "terminate_instances",
    "create_snapshot",
    "create_volume",
    "modify_instance_attribute",
    "detach_volume",
    "attach_volume",
    "associate_address",
    "detach_network_interface",
    "attach_network_interface",
)
EC2 = SimpleNamespace(**{op: op for op in OPS})  # the probe's "call" is the operation's name here


def eni(eni_id, index, attachment):
    return {"NetworkInterfaceId": eni_id, "PrivateIpAddress": "10.0.0.%d" % (index + 5), "Attachment": {"DeviceIndex": index, "AttachmentId": attachment}}


def instance(*interfaces):
    return {"InstanceId": "i-1", "SubnetId": "subnet-1", "Placement": {"AvailabilityZone": "us-east-1a"}, "NetworkInterfaces": list(interfaces)}


def test_a_secondary_interface_adds_the_detach_and_attach_probes():
    calls = pv_preflight.probes(EC2, instance(eni("eni-0", 0, "eni-attach-0"), eni("eni-2", 1, "eni-attach-2")), "ami-hvm", "t3.small", [], [], "/dev/sdo")
    by_action = {action: (call, params) for action, call, params in calls}
    assert by_action["ec2:DetachNetworkInterface"] == ("detach_network_interface", {"AttachmentId": "eni-attach-2"})
    assert by_action["ec2:AttachNetworkInterface"] == ("attach_network_interface", {"NetworkInterfaceId": "eni-2", "InstanceId": "i-1", "DeviceIndex": 1})


def test_no_secondary_interface_no_interface_probe():
    calls = pv_preflight.probes(EC2, instance(eni("eni-0", 0, "eni-attach-0")), "ami-hvm", "t3.small", [], [], "/dev/sdo")
    assert not [a for a, _call, _params in calls if "NetworkInterface" in a]
