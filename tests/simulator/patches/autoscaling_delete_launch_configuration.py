"""DeleteLaunchConfiguration refuses a launch configuration that an Auto Scaling group still uses.

moto 5.2.5 deletes it anyway (and silently "deletes" names that do not exist), which would hide the
most important safety property of the AutoScaling.3 remediation: the old launch configuration can only
go once no group points at it any more.
"""

from __future__ import annotations

NAME = "autoscaling-delete-launch-configuration-in-use"
AWS_BEHAVIOUR = (
    "DeleteLaunchConfiguration fails with ResourceInUse (HTTP 400) 'Cannot delete launch configuration X because it is "
    "attached to AutoScalingGroup Y' while a group uses it, and with ValidationError 'Launch configuration name not found - "
    "Launch configuration X not found' for an unknown name. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DeleteLaunchConfiguration.html"
)


def group_uses_launch_configuration(group, name: str) -> bool:
    """A group uses a launch configuration only while it is not on a launch template or mixed instances policy."""
    if getattr(group, "ec2_launch_template", None) is not None:
        return False
    launch_config = getattr(group, "launch_config", None)
    return launch_config is not None and launch_config.name == name


def apply():
    from moto.autoscaling.exceptions import AutoscalingClientError, ValidationError
    from moto.autoscaling.models import AutoScalingBackend

    original = AutoScalingBackend.delete_launch_configuration

    class ResourceInUseError(AutoscalingClientError):
        code = "ResourceInUse"

    def delete_launch_configuration(self, launch_configuration_name: str) -> None:
        if launch_configuration_name not in self.launch_configurations:
            raise ValidationError(f"Launch configuration name not found - Launch configuration {launch_configuration_name} not found")
        for group in self.autoscaling_groups.values():
            if group_uses_launch_configuration(group, launch_configuration_name):
                raise ResourceInUseError(
                    f"Cannot delete launch configuration {launch_configuration_name} because it is attached to AutoScalingGroup {group.name}"
                )
        return original(self, launch_configuration_name)

    AutoScalingBackend.delete_launch_configuration = delete_launch_configuration

    def undo():
        AutoScalingBackend.delete_launch_configuration = original

    return undo
