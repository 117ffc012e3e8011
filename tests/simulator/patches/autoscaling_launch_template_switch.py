"""An Auto Scaling group uses exactly one launch source: a launch configuration, a launch template or a mixed instances policy.

moto 5.2.5 keeps the old ``LaunchConfigurationName`` after UpdateAutoScalingGroup switches a group to a launch
template or a mixed instances policy (and keeps the template after a switch back), drops the mixed instances policy
on any later UpdateAutoScalingGroup that does not repeat it, and reports both a launch configuration and a launch
template for every instance in DescribeAutoScalingInstances. The AutoScaling.3 migration checks exactly these fields.
"""

from __future__ import annotations

NAME = "autoscaling-launch-template-switch"
AWS_BEHAVIOUR = (
    "A group has one launch source. After UpdateAutoScalingGroup with LaunchTemplate or MixedInstancesPolicy, "
    "DescribeAutoScalingGroups no longer returns LaunchConfigurationName (and after a switch back to a LaunchConfigurationName "
    "no LaunchTemplate/MixedInstancesPolicy); an update that names no launch source keeps the current one; a group on a "
    "mixed instances policy has no top-level LaunchTemplate; DescribeAutoScalingInstances reports for each instance the one "
    "launch configuration or launch template it was launched from. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_UpdateAutoScalingGroup.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingInstanceDetails.html"
)

# Attribute set on a moto ec2 Instance by the launch helpers of the other autoscaling patches:
# {"LaunchConfigurationName": name} or {"LaunchTemplate": {"LaunchTemplateId", "LaunchTemplateName", "Version"}}.
LAUNCH_SOURCE_ATTR = "hubfix_launch_source"


def clear_other_sources(group, launch_config_name, launch_template, mixed_instances_policy) -> None:
    """After moto set the new launch source of ``group``, forget the ones it replaced."""
    if launch_template or mixed_instances_policy:
        group.launch_config = None
        group.launch_configuration_name = None
        if launch_template:
            group.mixed_instances_policy = None
    elif launch_config_name:
        group.ec2_launch_template = None
        group.mixed_instances_policy = None
        group.provided_launch_template_version = None
        group.launch_template_version = None


def set_launch_source(group, launch_config_name=None, launch_template=None, mixed_instances_policy=None) -> None:
    """Switch ``group`` to one launch source the way UpdateAutoScalingGroup does on AWS (used by the instance refresh too)."""
    if mixed_instances_policy is not None:
        group.mixed_instances_policy = mixed_instances_policy
    group._set_launch_configuration(launch_config_name, launch_template or {}, mixed_instances_policy)
    clear_other_sources(group, launch_config_name, launch_template, mixed_instances_policy)


def group_launch_source(group) -> dict:
    """The group's current launch source in the shape DescribeAutoScalingInstances uses."""
    template = getattr(group, "ec2_launch_template", None)
    if template is not None:
        version = getattr(group, "launch_template_version", None) or "$Default"
        return {"LaunchTemplate": {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "Version": str(version)}}
    if getattr(group, "launch_config", None) is not None:
        return {"LaunchConfigurationName": group.launch_config.name}
    return {}


def instance_launch_source(state) -> dict:
    recorded = getattr(state.instance, LAUNCH_SOURCE_ATTR, None)
    if recorded is not None:
        return recorded
    group = state.auto_scaling_group
    return group_launch_source(group) if group is not None else {}


def apply():
    from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState

    original_set = FakeAutoScalingGroup._set_launch_configuration
    original_update = FakeAutoScalingGroup.update
    original_lt_property = FakeAutoScalingGroup.launch_template
    original_state_lt = InstanceState.launch_template
    original_state_lc = InstanceState.launch_configuration_name
    original_replace = FakeAutoScalingGroup.replace_autoscaling_group_instances

    def _set_launch_configuration(self, launch_config_name, launch_template, mixed_instances_policy):
        original_set(self, launch_config_name, launch_template, mixed_instances_policy)
        clear_other_sources(self, launch_config_name, launch_template, mixed_instances_policy)

    def replace_autoscaling_group_instances(self, count_needed, propagated_tags):
        launched_from = group_launch_source(self)
        before = {id(s) for s in self.instance_states}
        original_replace(self, count_needed, propagated_tags)
        for state in self.instance_states:
            if id(state) not in before and getattr(state.instance, LAUNCH_SOURCE_ATTR, None) is None:
                setattr(state.instance, LAUNCH_SOURCE_ATTR, launched_from)

    def update(self, *args, **kwargs):
        # moto's backend passes every argument by keyword
        keep_policy = not (kwargs.get("launch_config_name") or kwargs.get("launch_template") or kwargs.get("mixed_instances_policy"))
        policy = self.mixed_instances_policy
        original_update(self, *args, **kwargs)
        if keep_policy:
            self.mixed_instances_policy = policy

    def launch_template(self):
        if self.ec2_launch_template is None or self.mixed_instances_policy:
            return None
        return {
            "LaunchTemplateId": self.ec2_launch_template.id,
            "LaunchTemplateName": self.ec2_launch_template.name,
            "Version": getattr(self, "provided_launch_template_version", None),
        }

    def state_launch_template(self):
        return instance_launch_source(self).get("LaunchTemplate")

    def state_launch_configuration_name(self):
        return instance_launch_source(self).get("LaunchConfigurationName")

    FakeAutoScalingGroup._set_launch_configuration = _set_launch_configuration
    FakeAutoScalingGroup.update = update
    FakeAutoScalingGroup.replace_autoscaling_group_instances = replace_autoscaling_group_instances
    FakeAutoScalingGroup.launch_template = property(launch_template)
    InstanceState.launch_template = property(state_launch_template)
    InstanceState.launch_configuration_name = property(state_launch_configuration_name)

    def undo():
        FakeAutoScalingGroup._set_launch_configuration = original_set
        FakeAutoScalingGroup.update = original_update
        FakeAutoScalingGroup.replace_autoscaling_group_instances = original_replace
        FakeAutoScalingGroup.launch_template = original_lt_property
        InstanceState.launch_template = original_state_lt
        InstanceState.launch_configuration_name = original_state_lc

    return undo
