"""Elastic IP addresses are associated with one private IP address of one network interface, as on EC2.

moto 5.2.5 keeps a single public IP per network interface and ignores ``PrivateIpAddress`` on AssociateAddress: the
address always lands on the primary private IP (DescribeAddresses reports the primary as ``PrivateIpAddress``), so two
Elastic IPs "associated" with two private IPs of one interface overwrite each other (both still claim the interface in
DescribeAddresses, the instance shows only the last). It ignores ``NetworkInterfaceId`` when ``InstanceId`` is also
given, associates by ``InstanceId`` with an instance that has several interfaces (EC2 refuses), accepts a private IP that
is not on the interface, reports ``InstanceId: ""`` for an address associated through an interface that is attached to
an instance, and leaves an Elastic IP on a secondary private IP that UnassignPrivateIpAddresses removed (it also accepts
unassigning the primary IP and returns every address of the interface from AssignPrivateIpAddresses, not the new ones).
Stopping an instance with an auto-assigned public IP also drops an Elastic IP on its primary IP from DescribeInstances.

Reproduced here (state kept on moto's objects: the private IP on each Elastic IP; an interface's public IP is the
Elastic IP on its primary private IP, else its auto-assigned one):

- AssociateAddress targets ``NetworkInterfaceId`` (wins over ``InstanceId``) or the instance's only interface
  (several interfaces: ``InvalidInstanceID`` "There are multiple interfaces attached to instance ..."), and
  ``PrivateIpAddress`` or the interface's primary private IP (an address not on the interface: ``InvalidParameterValue``).
  An address associated elsewhere needs ``AllowReassociation`` (moto's ``Resource.AlreadyAssociated``); an Elastic IP
  already on the target private IP is disassociated (it stays allocated).
- DescribeAddresses reports the right ``PrivateIpAddress``, ``NetworkInterfaceId`` and the ``InstanceId`` of the instance
  the interface is attached to now (omitted when none); filters ``instance-id`` / ``private-ip-address`` follow.
- DescribeInstances / DescribeNetworkInterfaces show the ``Association`` on the matching ``PrivateIpAddresses`` entry;
  the interface-level ``Association`` and the instance's ``PublicIpAddress`` are those of the primary private IP of the
  interface at device index 0. Auto-assigned public IPs are owned by ``amazon`` (``IpOwnerId``), Elastic IPs by the account.
- UnassignPrivateIpAddresses disassociates the Elastic IP of an address it removes, refuses the primary private IP and
  addresses not on the interface (``InvalidParameterValue``); AssignPrivateIpAddresses returns only the new addresses.

Error messages marked "modelled" in the code were not captured from AWS; the codes are AWS's.
"""

from __future__ import annotations

NAME = "ec2-elastic-ip-private-ip-association"
AWS_BEHAVIOUR = (
    "AssociateAddress associates the Elastic IP with PrivateIpAddress (default: the primary private IP) of "
    "NetworkInterfaceId, or of the instance's network interface (InstanceId: the instance must have exactly one attached "
    "network interface, else InvalidInstanceID \"There are multiple interfaces attached to instance '<i>'. Please specify "
    'an interface ID for the operation instead."); an Elastic IP already on that private IP is disassociated; an address '
    "associated elsewhere needs AllowReassociation. DescribeAddresses reports InstanceId, NetworkInterfaceId and "
    "PrivateIpAddress of the association; DescribeNetworkInterfaces / DescribeInstances list the Association under that "
    "private IP. An instance's PublicIpAddress is the one on the primary private IP of its primary network interface. "
    "UnassignPrivateIpAddresses cannot remove the primary private IP (InvalidParameterValue) and disassociates the Elastic IP "
    "of a secondary private IP it removes; AssignPrivateIpAddresses returns the newly assigned addresses. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAddresses.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterfacePrivateIpAddress.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UnassignPrivateIpAddresses.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssignPrivateIpAddresses.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/MultipleIP.html"
)

MULTIPLE_INTERFACES = "There are multiple interfaces attached to instance '{}'. Please specify an interface ID for the operation instead."
_PRIVATE_IP = "_hubfix_private_ip"
_MISSING = object()


def interface_addresses(eni) -> list[str]:
    addresses = [a.get("PrivateIpAddress") for a in eni.private_ip_addresses if isinstance(a, dict)]
    if eni.private_ip_address and eni.private_ip_address not in addresses:
        addresses.insert(0, eni.private_ip_address)
    return addresses


def eip_private_ip(eip) -> str | None:
    """The private IP an Elastic IP is associated with (the interface's primary when it was associated by moto itself)."""
    if eip.eni is None:
        return None
    return eip.__dict__.get(_PRIVATE_IP) or eip.eni.private_ip_address


def eip_on(eni, private_ip):
    """The Elastic IP associated with this private IP of this interface, or None."""
    for eip in getattr(eni.ec2_backend, "addresses", []):
        if eip.eni is eni and eip_private_ip(eip) == private_ip:
            return eip
    return None


def ip_association(eni, private_ip) -> dict | None:
    """The Association of one private IP (Elastic IP, or the auto-assigned public IP of the primary private IP)."""
    from moto.ec2.utils import generate_dns_from_ip

    eip = eip_on(eni, private_ip)
    if eip is not None:
        return {
            "AllocationId": eip.allocation_id,
            "AssociationId": eip.association_id,
            "IpOwnerId": eni.ec2_backend.account_id,
            "PublicDnsName": generate_dns_from_ip(eip.public_ip),
            "PublicIp": eip.public_ip,
        }
    auto = eni.__dict__.get("public_ip")
    if auto and private_ip == eni.private_ip_address:
        return {"IpOwnerId": "amazon", "PublicDnsName": generate_dns_from_ip(auto), "PublicIp": auto}
    return None


def private_ip_list(eni) -> list[dict]:
    out = []
    for address in eni.private_ip_addresses:
        if not isinstance(address, dict):
            continue
        ip = address.get("PrivateIpAddress")
        item = dict(address)
        item["Primary"] = ip == eni.private_ip_address
        association = ip_association(eni, ip)
        if association:
            item["Association"] = association
        else:
            item.pop("Association", None)
        out.append(item)
    return out


def _public_ip_get(eni):
    eip = eip_on(eni, eni.private_ip_address)
    return eip.public_ip if eip is not None else eni.__dict__.get("public_ip")


def _public_ip_set(eni, value):
    eni.__dict__["public_ip"] = value


def associate(backend, eip, eni, private_ip: str, reassociate: bool):
    """AssociateAddress on EC2's terms; returns the Elastic IP."""
    from moto.ec2.exceptions import ResourceAlreadyAssociatedError
    from moto.ec2.utils import random_eip_association_id

    same_target = eip.eni is eni and eip_private_ip(eip) == private_ip
    if eip.eni is not None and not same_target:
        if not reassociate:
            raise ResourceAlreadyAssociatedError(eip.public_ip)
        backend.disassociate_address(address=eip.public_ip)
    previous = eip_on(eni, private_ip)
    if previous is not None and previous is not eip:
        backend.disassociate_address(address=previous.public_ip)
    eip.eni = eni
    eip.instance = eni.instance
    eip.__dict__[_PRIVATE_IP] = private_ip
    if private_ip == eni.private_ip_address:
        eni.__dict__["public_ip"] = None  # the auto-assigned public IP is released for the Elastic IP
    if eip.domain == "vpc":
        eip.association_id = random_eip_association_id()
    return eip


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress, ElasticAddressBackend
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface, NetworkInterfaceBackend
    from moto.ec2.responses.elastic_ip_addresses import ElasticIPAddresses
    from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces

    saved = {
        (cls, attr): cls.__dict__.get(attr, _MISSING)
        for cls, attr in (
            (ElasticIPAddresses, "associate_address"),
            (ElasticNetworkInterfaces, "assign_private_ip_addresses"),
            (ElasticAddressBackend, "disassociate_address"),
            (NetworkInterfaceBackend, "unassign_private_ip_addresses"),
            (ElasticAddress, "private_ip_address"),
            (ElasticAddress, "instance_id"),
            (ElasticAddress, "network_interface_id"),
            (ElasticAddress, "get_filter_value"),
            (NetworkInterface, "public_ip"),
            (NetworkInterface, "association"),
            (NetworkInterface, "instance_private_ip_address_list"),
            (NetworkInterface, "network_interface_private_ip_address_list"),
        )
    }
    original_associate = ElasticIPAddresses.associate_address
    original_assign = ElasticNetworkInterfaces.assign_private_ip_addresses
    original_disassociate = ElasticAddressBackend.disassociate_address
    original_unassign = NetworkInterfaceBackend.unassign_private_ip_addresses
    original_eip_filter = ElasticAddress.get_filter_value

    def associate_address(self):
        instance_id = self._get_param("InstanceId")
        eni_id = self._get_param("NetworkInterfaceId")
        allocation_id = self._get_param("AllocationId")
        public_ip = self._get_param("PublicIp")
        if not (instance_id or eni_id) or not (allocation_id or public_ip):
            return original_associate(self)  # moto's MissingParameter errors
        backend = self.ec2_backend
        if eni_id:
            eni = backend.get_network_interface(eni_id)
        else:
            instance = backend.get_instance(instance_id)
            if len(instance.nics) > 1:
                raise EC2ClientError("InvalidInstanceID", MULTIPLE_INTERFACES.format(instance.id))
            eni = instance.nics[0]
        self.error_on_dryrun()
        eip = backend.address_by_allocation([allocation_id])[0] if allocation_id else backend.address_by_ip([public_ip])[0]
        private_ip = self._get_param("PrivateIpAddress") or eni.private_ip_address
        if private_ip not in interface_addresses(eni):
            # message modelled
            raise EC2ClientError("InvalidParameterValue", f"The private IP address {private_ip} is not assigned to the network interface {eni.id}.")
        eip = associate(backend, eip, eni, private_ip, bool(self._get_param("AllowReassociation", False)))
        return ActionResult({"AssociationId": eip.association_id})

    def disassociate_address(self, address=None, association_id=None):
        eips = self.address_by_ip([address]) if address else self.address_by_association([association_id]) if association_id else []
        eip = eips[0] if eips else None
        if eip is not None and eip.eni is not None and eip_private_ip(eip) != eip.eni.private_ip_address:
            # on a secondary private IP: the interface's own public IP is not this one
            eip.eni = None
            eip.instance = None
            eip.association_id = None
            eip.__dict__.pop(_PRIVATE_IP, None)
            return None
        if eip is not None:
            eip.__dict__.pop(_PRIVATE_IP, None)
        return original_disassociate(self, address=address, association_id=association_id)

    def unassign_private_ip_addresses(self, eni_id, private_ip_address=None):
        eni = self.get_network_interface(eni_id)
        wanted = list(private_ip_address or [])
        if eni.private_ip_address in wanted:
            # message modelled
            raise EC2ClientError(
                "InvalidParameterValue", f"The primary private IP address {eni.private_ip_address} of network interface {eni.id} cannot be unassigned."
            )
        missing = [ip for ip in wanted if ip not in interface_addresses(eni)]
        if missing:
            # message as remembered from AWS answers, not captured
            raise EC2ClientError("InvalidParameterValue", f"Some of the specified addresses are not assigned to interface {eni.id}")
        for ip in wanted:
            eip = eip_on(eni, ip)
            if eip is not None:
                self.disassociate_address(address=eip.public_ip)
        return original_unassign(self, eni_id, private_ip_address)

    def assign_private_ip_addresses(self):
        eni_id = self._get_param("NetworkInterfaceId")
        before = set(interface_addresses(self.ec2_backend.get_network_interface(eni_id)))
        original_assign(self)
        eni = self.ec2_backend.get_network_interface(eni_id)
        new = [{"PrivateIpAddress": ip} for ip in interface_addresses(eni) if ip not in before]
        return ActionResult({"NetworkInterfaceId": eni.id, "AssignedPrivateIpAddresses": new})

    def eip_get_filter_value(self, filter_name, method_name=None):
        if filter_name == "instance-id":
            return self.instance_id
        if filter_name == "private-ip-address":
            return eip_private_ip(self)
        return original_eip_filter(self, filter_name, method_name)

    def eip_instance_id(eip):
        if eip.eni is not None:
            return eip.eni.instance.id if eip.eni.instance is not None else None
        return eip.instance.id if eip.instance is not None else None

    ElasticIPAddresses.associate_address = associate_address
    ElasticNetworkInterfaces.assign_private_ip_addresses = assign_private_ip_addresses
    ElasticAddressBackend.disassociate_address = disassociate_address
    NetworkInterfaceBackend.unassign_private_ip_addresses = unassign_private_ip_addresses
    ElasticAddress.private_ip_address = property(eip_private_ip)
    ElasticAddress.instance_id = property(eip_instance_id)
    ElasticAddress.network_interface_id = property(lambda eip: eip.eni.id if eip.eni is not None else None)
    ElasticAddress.get_filter_value = eip_get_filter_value
    NetworkInterface.public_ip = property(_public_ip_get, _public_ip_set)
    NetworkInterface.association = property(lambda eni: ip_association(eni, eni.private_ip_address))
    NetworkInterface.instance_private_ip_address_list = property(private_ip_list)
    NetworkInterface.network_interface_private_ip_address_list = property(private_ip_list)

    def undo():
        for (cls, attr), value in saved.items():
            if value is _MISSING:
                if attr in cls.__dict__:
                    delattr(cls, attr)
            else:
                setattr(cls, attr, value)

    return undo
