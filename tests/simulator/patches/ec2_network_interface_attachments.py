"""Network interface attachments follow EC2's rules: attach, detach, delete, terminate.

moto 5.2.5, measured:

- AttachNetworkInterface attaches an interface that is attached elsewhere (it silently moves), at a device index that is
  taken (index 0 replaces the instance's primary interface) and across Availability Zones;
- DetachNetworkInterface detaches the primary interface (device index 0) when the instance has a second one, after which
  DescribeInstances fails with HTTP 500 (KeyError 0);
- DeleteNetworkInterface deletes an interface that is attached;
- the primary interface RunInstances creates reports ``DeleteOnTermination: false`` (EC2: true), ModifyNetworkInterface
  Attribute ``Attachment.DeleteOnTermination`` is ignored;
- TerminateInstances leaves every interface ``in-use`` and attached to the terminated instance (so it cannot be attached
  elsewhere by the rules above) and leaves Elastic IPs associated with the terminated instance;
- DescribeAddresses keeps the ``InstanceId`` an interface's Elastic IP had when the interface moves to another instance;
- DescribeInstances filter ``network-interface.network-interface-id``: HTTP 500.

Reproduced here: attach refuses an interface in use (``InvalidNetworkInterface.InUse`` "Interface: [<eni>] in use."), a
taken device index (``InvalidParameterValue`` "Instance '<i>' already has an interface attached at device index '<n>'."),
another Availability Zone and an instance that is not running or stopped; a (re)attached interface has
DeleteOnTermination false; the primary interface cannot be detached (moto's ``OperationNotPermitted``); an attached
interface cannot be deleted (``InvalidParameterValue``, as measured on AWS by the OpenStack ec2-api functional tests);
interfaces created by RunInstances default to DeleteOnTermination true and ModifyNetworkInterfaceAttribute changes it;
termination deletes those (disassociating their Elastic IPs) and detaches the others, which keep their private IPs,
groups and Elastic IPs (``available``), and a terminated instance lists no interfaces; the Elastic IP of an interface
reports the instance the interface is attached to. The attachment is immediate (EC2 goes through ``attaching`` /
``detaching``). Messages marked "modelled" were not captured from AWS.
"""

from __future__ import annotations

import copy

NAME = "ec2-network-interface-attachments"
AWS_BEHAVIOUR = (
    "AttachNetworkInterface attaches an available interface to a running or stopped instance in the same Availability Zone "
    "at a free device index; an interface in use fails with InvalidNetworkInterface.InUse, a device index in use with "
    "InvalidParameterValue \"Instance '<i>' already has an interface attached at device index '<n>'.\" "
    "DetachNetworkInterface cannot detach the primary interface (device index 0): OperationNotPermitted. "
    "DeleteNetworkInterface refuses an attached interface. Interfaces created by RunInstances have DeleteOnTermination true "
    "(ModifyNetworkInterfaceAttribute Attachment.DeleteOnTermination changes it; an interface attached later has false); "
    "TerminateInstances deletes those and detaches the others, which become available with their private IPs, security "
    "groups and Elastic IPs. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachNetworkInterface.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DetachNetworkInterface.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteNetworkInterface.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceNetworkInterfaceSpecification.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyNetworkInterfaceAttribute.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
)

ATTACHABLE_STATES = ("running", "stopped")


def attach_error(eni, instance, device_index: int) -> tuple[str, str] | None:
    """(code, message) of the error EC2 gives for this attachment, or None when it is allowed."""
    if eni.instance is not None:
        return "InvalidNetworkInterface.InUse", f"Interface: [{eni.id}] in use."
    if instance.state not in ATTACHABLE_STATES:
        # message modelled
        return "IncorrectInstanceState", f"The instance '{instance.id}' is not in the 'running' or 'stopped' state."
    if device_index in instance.nics:
        return "InvalidParameterValue", f"Instance '{instance.id}' already has an interface attached at device index '{device_index}'."
    if eni.subnet.availability_zone != instance.placement.zone:
        # message modelled
        return "InvalidParameterValue", "You may not attach a network interface to an instance if they are not in the same availability zone"
    return None


def launch_delete_on_termination(nic_spec: list[dict]) -> dict[int, bool]:
    """{device index: DeleteOnTermination} for the interfaces RunInstances creates (true unless the spec says false)."""
    out = {}
    for nic in nic_spec:
        if nic.get("NetworkInterfaceId"):
            continue  # an existing interface keeps false
        value = nic.get("DeleteOnTermination", True)
        out[int(nic.get("DeviceIndex", 0))] = value is True or str(value).lower() == "true"
    return out


def eips_of(backend, eni) -> list:
    return [eip for eip in getattr(backend, "addresses", []) if eip.eni is eni]


def detach_in_place(eni) -> None:
    eni.instance = None
    eni.attachment_id = None
    eni.attach_time = None
    eni.status = "available"
    eni.device_index = None
    eni.delete_on_termination = False


def apply():
    from moto.ec2 import utils as ec2_utils
    from moto.ec2.exceptions import EC2ClientError, InvalidNetworkAttachmentIdError, LastEniDetachError
    from moto.ec2.models.elastic_network_interfaces import NetworkInterfaceBackend
    from moto.ec2.models.instances import Instance
    from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces

    original_attach = NetworkInterfaceBackend.attach_network_interface
    original_detach = NetworkInterfaceBackend.detach_network_interface
    original_delete_response = ElasticNetworkInterfaces.delete_network_interface
    original_modify_response = ElasticNetworkInterfaces.modify_network_interface_attribute
    original_prep_nics = Instance.prep_nics
    original_terminate = Instance.terminate
    original_network_interfaces = Instance.network_interfaces

    def attach_network_interface(self, eni_id, instance_id, device_index):
        eni = self.get_network_interface(eni_id)
        instance = self.get_instance(instance_id)
        error = attach_error(eni, instance, int(device_index))
        if error:
            raise EC2ClientError(*error)
        attachment = original_attach(self, eni_id, instance_id, device_index)
        eni.delete_on_termination = False
        for eip in eips_of(self, eni):
            eip.instance = instance
        return attachment

    def detach_network_interface(self, attachment_id):
        eni = next((e for e in self.enis.values() if e.attachment_id == attachment_id), None)
        if eni is None:
            raise InvalidNetworkAttachmentIdError(attachment_id)
        if eni.device_index == 0:
            raise LastEniDetachError()
        original_detach(self, attachment_id)
        eni.delete_on_termination = False
        for eip in eips_of(self, eni):
            eip.instance = None

    def delete_network_interface(self):
        eni = self.ec2_backend.get_network_interface(self._get_param("NetworkInterfaceId"))
        if eni.instance is not None and not self._get_param("DryRun", False):
            # code as measured on AWS (OpenStack ec2-api functional tests); message modelled
            raise EC2ClientError("InvalidParameterValue", f"Network interface '{eni.id}' is currently in use.")
        return original_delete_response(self)

    def modify_network_interface_attribute(self):
        attachment = self._get_param("Attachment", {}) or {}
        value = attachment.get("DeleteOnTermination")
        if value is not None:
            eni = self.ec2_backend.get_network_interface(self._get_param("NetworkInterfaceId"))
            self.error_on_dryrun()
            if not eni.attachment_id or attachment.get("AttachmentId") != eni.attachment_id:
                raise InvalidNetworkAttachmentIdError(attachment.get("AttachmentId"))
            eni.delete_on_termination = value is True or str(value).lower() == "true"
        return original_modify_response(self)

    def prep_nics(self, nic_spec, *args, **kwargs):
        wanted = launch_delete_on_termination(copy.deepcopy(nic_spec or []))
        original_prep_nics(self, nic_spec, *args, **kwargs)
        for index, nic in self.nics.items():
            if index in wanted or (not nic_spec and index == 0):
                nic.delete_on_termination = wanted.get(index, True)

    def terminate(self):
        if self.state == "terminated":
            return copy.copy(self._state)  # terminating again changes nothing (moto would delete the interfaces twice)
        nics = list(self.nics.items())
        doomed = {id(nic) for _unused, nic in nics if nic.delete_on_termination}
        previous = original_terminate(self)
        backend = self.ec2_backend
        for index, nic in nics:
            eips = eips_of(backend, nic)
            if id(nic) in doomed:
                for eip in eips:
                    backend.disassociate_address(address=eip.public_ip)
                continue
            if index == 0:
                detach_in_place(nic)  # stays in the terminated instance's list: moto reads its private IP there
            else:
                self.detach_eni(nic)
                nic.delete_on_termination = False
            for eip in eips:
                eip.instance = None
        return previous

    NetworkInterfaceBackend.attach_network_interface = attach_network_interface
    NetworkInterfaceBackend.detach_network_interface = detach_network_interface
    ElasticNetworkInterfaces.delete_network_interface = delete_network_interface
    ElasticNetworkInterfaces.modify_network_interface_attribute = modify_network_interface_attribute
    Instance.prep_nics = prep_nics
    Instance.terminate = terminate
    Instance.network_interfaces = property(lambda i: [] if i.state == "terminated" else list(i.nics.values()))
    ec2_utils.filter_dict_attribute_mapping["network-interface.network-interface-id"] = "network_interfaces.id"

    def undo():
        NetworkInterfaceBackend.attach_network_interface = original_attach
        NetworkInterfaceBackend.detach_network_interface = original_detach
        ElasticNetworkInterfaces.delete_network_interface = original_delete_response
        ElasticNetworkInterfaces.modify_network_interface_attribute = original_modify_response
        Instance.prep_nics = original_prep_nics
        Instance.terminate = original_terminate
        Instance.network_interfaces = original_network_interfaces
        ec2_utils.filter_dict_attribute_mapping.pop("network-interface.network-interface-id", None)

    return undo
