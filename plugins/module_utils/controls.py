# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Security Hub controls hubfix.aws handles: ids, titles, severities, resource types, AWS Config rules, why a
resource fails and which playbook fixes it. Every other file reads these facts from here.

- EC2.24 (``ec2-paravirtual-instance-check``): an instance FAILS when its VirtualizationType is ``paravirtual``,
  in every state but ``shutting-down`` and ``terminated``.
- AutoScaling.3 (``autoscaling-launchconfig-requires-imdsv2``): a launch configuration FAILS when its MetadataOptions
  are absent or HttpTokens is not ``required``; every launch configuration is judged, used or not.
- AutoScaling.9 (``autoscaling-launch-template``): a group FAILS when it launches from a launch configuration.
"""

from __future__ import annotations

EC2_24 = "EC2.24"
AUTOSCALING_3 = "AutoScaling.3"
AUTOSCALING_9 = "AutoScaling.9"
CONTROLS = (EC2_24, AUTOSCALING_3, AUTOSCALING_9)

# Titles as Security Hub shows them.
TITLES = {
    EC2_24: "Amazon EC2 paravirtual instance types should not be used",
    AUTOSCALING_3: "Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)",
    AUTOSCALING_9: "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates",
}
SEVERITY = {EC2_24: "MEDIUM", AUTOSCALING_3: "HIGH", AUTOSCALING_9: "MEDIUM"}
RESOURCE_TYPE = {EC2_24: "AwsEc2Instance", AUTOSCALING_3: "AwsAutoScalingLaunchConfiguration", AUTOSCALING_9: "AwsAutoScalingAutoScalingGroup"}
CONFIG_RULE = {
    EC2_24: "ec2-paravirtual-instance-check",
    AUTOSCALING_3: "autoscaling-launchconfig-requires-imdsv2",
    AUTOSCALING_9: "autoscaling-launch-template",
}
REMEDIATION_PLAYBOOK = {EC2_24: "remediate_ec2_24", AUTOSCALING_3: "remediate_autoscaling_3", AUTOSCALING_9: "remediate_autoscaling_3"}

# Regions where the Config rule behind EC2.24 exists, so Security Hub evaluates the control there.
EC2_24_REGIONS = frozenset(
    ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "sa-east-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "cn-north-1"]
)

# Instance states the EC2.24 rule evaluates.
EC2_24_STATES = ("pending", "running", "stopping", "stopped")

# Why a resource fails its control.
REASON_PARAVIRTUAL = "paravirtual"
REASON_METADATA_ABSENT = "metadata_options_absent"
REASON_TOKENS_OPTIONAL = "http_tokens_optional"
REASON_ENDPOINT_DISABLED = "http_endpoint_disabled_tokens_optional"
REASON_LAUNCH_CONFIGURATION = "launch_configuration"
AUTOSCALING_3_REASONS = (REASON_METADATA_ABSENT, REASON_TOKENS_OPTIONAL, REASON_ENDPOINT_DISABLED)

REASON_TEXTS = {
    REASON_PARAVIRTUAL: "virtualization type is paravirtual",
    REASON_METADATA_ABSENT: "no MetadataOptions: instances accept IMDSv1 (HttpTokens defaults to optional)",
    REASON_TOKENS_OPTIONAL: "HttpTokens is optional: instances accept IMDSv1",
    REASON_ENDPOINT_DISABLED: "metadata endpoint disabled but HttpTokens optional: the control still fails, and enabling the endpoint would allow IMDSv1",
    REASON_LAUNCH_CONFIGURATION: "the group launches from a launch configuration, not a launch template",
}


class UnknownControl(ValueError):
    """A control id hubfix.aws does not handle; the message names it."""


def reason_text(reason):
    return REASON_TEXTS.get(reason, reason)


def security_hub_evaluates_ec2_24(region):
    return region in EC2_24_REGIONS


def validate_controls(controls):
    """The controls asked for, in canonical order; ``None`` means all. A string may list them separated by commas."""
    if controls is None:
        return list(CONTROLS)
    if isinstance(controls, str):
        controls = [c.strip() for c in controls.replace("\n", ",").split(",") if c.strip()]
    unknown = [c for c in controls if c not in CONTROLS]
    if unknown:
        raise UnknownControl("unknown control(s): %s (expected some of %s)" % (", ".join(map(str, unknown)), ", ".join(CONTROLS)))
    return [c for c in CONTROLS if c in controls]
