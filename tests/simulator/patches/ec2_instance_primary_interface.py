"""Instance SourceDestCheck and security groups live on the primary network interface, as on EC2.

moto 5.2.5 keeps ``SourceDestCheck`` twice, on the instance and on each network interface, never in step:
ModifyInstanceAttribute ``SourceDestCheck=false`` changes DescribeInstances' instance-level flag but not the primary
interface (DescribeNetworkInterfaces and the instance's ``NetworkInterfaces[0].SourceDestCheck`` stay true), and
ModifyNetworkInterfaceAttribute on the primary interface does not reach the instance. Security groups likewise: every
interface attached to an instance reports the instance's groups on top of its own (a secondary interface with group B on
an instance in group A shows A and B), and ModifyInstanceAttribute ``Groups`` changes all interfaces of a multi-interface
instance. Two more faults of the same handler: a ModifyInstanceAttribute moto does not know
(``InstanceInitiatedShutdownBehavior``) is answered with success, ignored, and clears the instance's SecurityGroups; the
instance-level calls on an instance with several interfaces succeed where EC2 refuses them.

Reproduced here: the instance's SourceDestCheck *is* its primary interface's (device index 0), in both directions;
ModifyInstanceAttribute ``Groups`` sets the primary interface's groups; an interface's groups are its own; on an instance
with more than one interface, ModifyInstanceAttribute ``SourceDestCheck``/``Groups`` fail with ``InvalidInstanceID``
(AWS's message: "There are multiple interfaces attached to instance '<i>'. Please specify an interface ID for the
operation instead."); ``InstanceInitiatedShutdownBehavior`` is stored and reported by DescribeInstanceAttribute; an
attribute moto still does not handle fails loudly (NotImplementedError, HTTP 500) instead of wiping the groups.
"""

from __future__ import annotations

NAME = "ec2-instance-attributes-on-primary-interface"
AWS_BEHAVIOUR = (
    "An instance's SourceDestCheck and security groups are those of its primary network interface (device index 0): "
    "ModifyInstanceAttribute SourceDestCheck / Groups change that interface (DescribeNetworkInterfaces shows it), "
    "ModifyNetworkInterfaceAttribute on it changes what DescribeInstances reports, other interfaces keep their own groups; "
    "on an instance with several interfaces ModifyInstanceAttribute SourceDestCheck / Groups fail with InvalidInstanceID "
    "\"There are multiple interfaces attached to instance '<i>'. Please specify an interface ID for the operation instead.\" "
    "ModifyInstanceAttribute InstanceInitiatedShutdownBehavior (stop | terminate) is stored. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceAttribute.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyNetworkInterfaceAttribute.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceNetworkInterface.html "
    "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html#EIP_Disable_SrcDestCheck"
)

MULTIPLE_INTERFACES = "There are multiple interfaces attached to instance '{}'. Please specify an interface ID for the operation instead."
_MISSING = object()


def as_bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def primary_interface(instance):
    nics = instance.__dict__.get("nics") or {}
    return nics.get(0)


def _source_dest_check_get(instance) -> bool:
    nic = primary_interface(instance)
    if nic is not None:
        return nic.source_dest_check
    return instance.__dict__.get("source_dest_check", True)


def _source_dest_check_set(instance, value) -> None:
    value = as_bool(value)
    # Kept in the instance dict too (read before the interfaces exist, and after an undo).
    instance.__dict__["source_dest_check"] = value
    nic = primary_interface(instance)
    if nic is not None:
        nic.source_dest_check = value


def _own_groups(eni):
    return list(eni._group_set)


def touches_primary_interface(params: dict) -> bool:
    attribute = (params.get("Attribute") or "").lower()
    return params.get("SourceDestCheck.Value") is not None or bool(params.get("Groups")) or attribute in ("sourcedestcheck", "groupset")


def apply():
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
    from moto.ec2.models.instances import Instance, InstanceBackend
    from moto.ec2.responses.instances import InstanceResponse

    saved_property = Instance.__dict__.get("source_dest_check", _MISSING)
    original_group_set = NetworkInterface.group_set
    original_modify = InstanceResponse.modify_instance_attribute
    original_sg_handler = InstanceResponse._security_grp_instance_attribute_handler
    original_modify_groups = InstanceBackend.modify_instance_security_groups

    def modify_instance_attribute(self):
        params = {p: self._get_param(p) for p in ("Attribute", "SourceDestCheck.Value", "Groups")}
        if touches_primary_interface(params) and not self._get_param("DryRun", False):
            instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
            if len(instance.nics) > 1:
                raise EC2ClientError("InvalidInstanceID", MULTIPLE_INTERFACES.format(instance.id))
        behaviour = self._get_param("InstanceInitiatedShutdownBehavior.Value")
        if behaviour is not None:
            instance = self.ec2_backend.get_instance(self._get_param("InstanceId"))
            self.error_on_dryrun()
            if behaviour not in ("stop", "terminate"):
                raise EC2ClientError("InvalidParameterValue", f"Value ({behaviour}) for parameter instanceInitiatedShutdownBehavior is invalid.")
            instance.instance_initiated_shutdown_behavior = behaviour
            from moto.core.responses import EmptyResult

            return EmptyResult()
        return original_modify(self)

    def _security_grp_instance_attribute_handler(self):
        if not self._get_param("Groups", []):
            return False  # moto would set the groups to [] for any request it did not recognise
        return original_sg_handler(self)

    def modify_instance_security_groups(self, instance_id, new_group_id_list):
        instance = original_modify_groups(self, instance_id, new_group_id_list)
        nic = primary_interface(instance)
        if nic is not None and instance.security_groups:
            nic._group_set = list(instance.security_groups)
        return instance

    Instance.source_dest_check = property(_source_dest_check_get, _source_dest_check_set)
    NetworkInterface.group_set = property(_own_groups)
    InstanceResponse.modify_instance_attribute = modify_instance_attribute
    InstanceResponse._security_grp_instance_attribute_handler = _security_grp_instance_attribute_handler
    InstanceBackend.modify_instance_security_groups = modify_instance_security_groups

    def undo():
        if saved_property is _MISSING:
            del Instance.source_dest_check
        else:
            Instance.source_dest_check = saved_property
        NetworkInterface.group_set = original_group_set
        InstanceResponse.modify_instance_attribute = original_modify
        InstanceResponse._security_grp_instance_attribute_handler = original_sg_handler
        InstanceBackend.modify_instance_security_groups = original_modify_groups

    return undo
