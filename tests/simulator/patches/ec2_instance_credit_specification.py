"""CPU credits of burstable instances: RunInstances CreditSpecification is kept, and the default depends on the family.

moto 5.2.5 ignores ``CreditSpecification`` on RunInstances and DescribeInstanceCreditSpecifications answers "standard" for
every instance, so a T3 replacement launched without it looks "standard" where AWS makes it "unlimited" (surplus credits
billed). The EC2.24 replacement of a paravirtual instance asks for "standard" explicitly; without this patch a test
cannot tell whether it did.
"""

from __future__ import annotations

NAME = "ec2-instance-credit-specification"
AWS_BEHAVIOUR = (
    "RunInstances CreditSpecification.CpuCredits (standard | unlimited) sets the CPU credit option of a burstable "
    "performance instance; without it T2 instances launch standard and T3, T3a and T4g instances unlimited. "
    "DescribeInstanceCreditSpecifications (InstanceIds) returns InstanceId and CpuCredits of each. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceCreditSpecifications.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances.html"
)

DEFAULT_CREDITS = {"t2": "standard", "t3": "unlimited", "t3a": "unlimited", "t4g": "unlimited"}


def default_credits(instance_type: str) -> str | None:
    """The CPU credit option a burstable type launches with when none is asked for; None for other types."""
    return DEFAULT_CREDITS.get(str(instance_type).split(".", 1)[0])


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2.responses.instances import InstanceResponse

    originals = {name: getattr(InstanceResponse, name) for name in ("run_instances", "describe_instance_credit_specifications")}

    def run_instances(self):
        result = originals["run_instances"](self)
        asked = (self._get_param("CreditSpecification", {}) or {}).get("CpuCredits")
        for instance in getattr(result.result, "instances", []):
            default = default_credits(instance.instance_type)
            if default is not None:
                instance.hubfix_cpu_credits = asked or default
        return result

    def describe_instance_credit_specifications(self):
        instances = self.ec2_backend.describe_instance_credit_specifications(self._get_param("InstanceIds", []))
        specs = [
            {"InstanceId": i.id, "CpuCredits": getattr(i, "hubfix_cpu_credits", None) or default_credits(i.instance_type) or "standard"} for i in instances
        ]
        return ActionResult({"InstanceCreditSpecifications": specs})

    InstanceResponse.run_instances = run_instances
    InstanceResponse.describe_instance_credit_specifications = describe_instance_credit_specifications

    def undo():
        for name, method in originals.items():
            setattr(InstanceResponse, name, method)

    return undo
