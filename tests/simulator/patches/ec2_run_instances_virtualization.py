"""RunInstances refuses an AMI whose virtualization type the instance type does not support.

moto 5.2.5 launches a paravirtual AMI on any instance type (``t3.micro`` with ``ami-8104a4f8`` runs happily), which is
exactly the mistake the EC2.24 remediation must never make and must be tested against: a PV instance cannot simply be
relaunched on a current-generation type. Real EC2 answers ``InvalidParameterCombination`` (HTTP 400). The supported
types come from moto's own instance type data (``SupportedVirtualizationTypes`` in DescribeInstanceTypes): 19 previous
generation types (t1, m1, m2, m3, c1, c3) support both, every other type is HVM only. No type in that data is
paravirtual only, so the reverse error (an HVM AMI on a PV-only type) is implemented but cannot occur with moto's data.

Checked on the RunInstances API call (ImageId/InstanceType from the request or its launch template), not on a DryRun
request (which still answers DryRunOperation); unknown AMIs or instance types are left to moto (it does not validate them by default).
Auto Scaling launches are not checked: on AWS those fail asynchronously in a scaling activity, not in the API call.
"""

from __future__ import annotations

NAME = "ec2-run-instances-virtualization-type"
AWS_BEHAVIOUR = (
    "RunInstances with a paravirtual AMI on an instance type that supports only HVM fails with InvalidParameterCombination "
    "\"Virtualization type 'hvm' is required for instances of type 't3.micro'. Ensure that you are using an AMI with "
    "virtualization type 'hvm'. ...\"; an HVM AMI on a paravirtual-only type fails with InvalidParameterCombination "
    "\"Non-Windows instances with a virtualization type of 'hvm' are currently not supported for this instance type.\" "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/virtualization_types.html"
)

DOCS = "http://docs.aws.amazon.com/AWSEC2/latest/UserGuide/virtualization_types.html"
DEFAULT_INSTANCE_TYPE = "m1.small"  # what RunInstances uses when no type is given (moto does the same)


def supported_virtualization_types(instance_type: str) -> list[str] | None:
    from moto.ec2.models.instance_types import INSTANCE_TYPES

    info = INSTANCE_TYPES.get(instance_type)
    return list(info.get("SupportedVirtualizationTypes") or []) if info else None


def virtualization_error(virtualization_type: str | None, instance_type: str, supported: list[str] | None) -> str | None:
    """The InvalidParameterCombination message EC2 gives, or None when the combination is allowed or unknown."""
    if not virtualization_type or not supported or virtualization_type in supported:
        return None
    if virtualization_type == "paravirtual":
        return (
            f"Virtualization type 'hvm' is required for instances of type '{instance_type}'. "
            f"Ensure that you are using an AMI with virtualization type 'hvm'. For more information, see {DOCS}"
        )
    return f"Non-Windows instances with a virtualization type of '{virtualization_type}' are currently not supported for this instance type."


def apply():
    from moto.ec2.exceptions import InvalidParameterCombination
    from moto.ec2.responses.instances import InstanceResponse

    original = InstanceResponse.run_instances

    def run_instances(self):
        if self._get_param("DryRun", False):
            return original(self)  # moto answers DryRunOperation (after its own parameter checks)
        backend = self.ec2_backend
        image_id = self._get_param("ImageId")
        instance_type = self._get_param("InstanceType")
        launch_template = self._get_param("LaunchTemplate", {})
        if launch_template and (not image_id or not instance_type):
            data = backend._get_template_from_args(launch_template).data
            image_id = image_id or data.get("ImageId")
            instance_type = instance_type or data.get("InstanceType")
        instance_type = instance_type or DEFAULT_INSTANCE_TYPE
        image = backend.amis.get(image_id) if image_id else None
        if image is not None:
            message = virtualization_error(image.virtualization_type, instance_type, supported_virtualization_types(instance_type))
            if message:
                raise InvalidParameterCombination(message)
        return original(self)

    InstanceResponse.run_instances = run_instances

    def undo():
        InstanceResponse.run_instances = original

    return undo
