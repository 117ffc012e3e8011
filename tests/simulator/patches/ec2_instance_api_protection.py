"""Stop and termination protection: RunInstances sets them, StopInstances/TerminateInstances refuse the whole request.

moto 5.2.5 ignores ``DisableApiTermination=True`` on RunInstances (and ``DisableApiTermination``/``DisableApiStop`` in the
launch template's data), so DescribeInstanceAttribute ``disableApiTermination`` answers false and TerminateInstances
terminates an instance AWS would refuse to terminate. It honours ``DisableApiStop`` from the request and refuses
StopInstances, but with the termination message ("may not be terminated"); with several instances it stops/terminates the
unprotected ones listed before the protected one and then fails, where EC2 fails the request and changes nothing. A value
set with the ``Attribute``/``Value`` form of ModifyInstanceAttribute (``Value="true"``) is stored as the string "true" and
ignored by moto's ``is True`` checks.

The EC2.24 cut-over launches the replacement with the source's protection settings and must handle a protected source
(turn protection off, stop, terminate); without this patch the simulator lets a protected instance be terminated.

The checks run on the StopInstances/TerminateInstances API calls (not on moto's internal Auto Scaling terminations), after
DryRun, which still answers DryRunOperation; ``Force`` does not bypass stop protection on AWS either.
"""

from __future__ import annotations

NAME = "ec2-instance-stop-and-termination-protection"
AWS_BEHAVIOUR = (
    "RunInstances DisableApiTermination / DisableApiStop (or the launch template's) set the instance attributes that "
    "DescribeInstanceAttribute disableApiTermination / disableApiStop report. StopInstances on an instance with "
    "disableApiStop fails with OperationNotPermitted \"The instance '<i>' may not be stopped. Modify its 'disableApiStop' "
    'instance attribute and try again."; TerminateInstances on one with disableApiTermination fails with '
    "OperationNotPermitted \"The instance '<i>' may not be terminated. Modify its 'disableApiTermination' instance "
    'attribute and try again."; a request that fails changes none of the listed instances. '
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_StopInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TerminateInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-stop-protection.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/terminating-instances.html#Using_ChangingDisableAPITermination"
)

STOP_MESSAGE = "The instance '{}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again."
TERMINATE_MESSAGE = "The instance '{}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again."


def flag(value) -> bool:
    """True for True and for the string 'true' (what the Attribute/Value form of ModifyInstanceAttribute stores)."""
    return value is True or str(value).lower() == "true"


def launch_flags(request: dict, template_data: dict) -> dict[str, bool]:
    """{attribute: value} of the protections a RunInstances request (or its launch template) sets; request wins."""
    out = {}
    for param, attr in (("DisableApiTermination", "disable_api_termination"), ("DisableApiStop", "disable_api_stop")):
        value = request.get(param)
        if value is None:
            value = template_data.get(param)
        if value is not None:
            out[attr] = flag(value)
    return out


def apply():
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.instances import InstanceResponse

    originals = {name: getattr(InstanceResponse, name) for name in ("run_instances", "stop_instances", "terminate_instances")}

    def run_instances(self):
        result = originals["run_instances"](self)
        request = {p: self._get_param(p) for p in ("DisableApiTermination", "DisableApiStop")}
        template = self._get_param("LaunchTemplate", {})
        data = self.ec2_backend._get_template_from_args(template).data if template else {}
        flags = launch_flags(request, data or {})
        for instance in getattr(result.result, "instances", []):
            for attr, value in flags.items():
                setattr(instance, attr, value)
        return result

    def refuse_protected(self, attr, message):
        if self._get_param("DryRun", False):
            return
        for instance in self.ec2_backend.get_multi_instances_by_id(self._get_param("InstanceIds", [])):
            if flag(getattr(instance, attr, False)):
                raise EC2ClientError("OperationNotPermitted", message.format(instance.id))

    def stop_instances(self):
        refuse_protected(self, "disable_api_stop", STOP_MESSAGE)
        return originals["stop_instances"](self)

    def terminate_instances(self):
        refuse_protected(self, "disable_api_termination", TERMINATE_MESSAGE)
        return originals["terminate_instances"](self)

    InstanceResponse.run_instances = run_instances
    InstanceResponse.stop_instances = stop_instances
    InstanceResponse.terminate_instances = terminate_instances

    def undo():
        for name, method in originals.items():
            setattr(InstanceResponse, name, method)

    return undo
