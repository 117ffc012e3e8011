"""UpdateStack / ExecuteChangeSet update an Auto Scaling group in place and remove old resources last.

Real CloudFormation updates a stack in this order: it creates the added resources, updates the modified ones (a property
that needs replacement creates the new resource first), and only in the cleanup phase deletes the removed and replaced
ones. A group's launch source (LaunchConfigurationName, LaunchTemplate, MixedInstancesPolicy), sizes, zones, subnets and
tags are updated with no interruption: same group, same name, same instances. A launch configuration cannot change, so
any change to one replaces it (new name) and the old one is deleted in cleanup, after the group moved off it. A resource
whose reference changed is updated too: a group on ``!Ref Config`` follows a replaced launch configuration, a group on
``Version: !GetAtt Template.LatestVersionNumber`` follows a new template version.

moto 5.2.5 deletes removed resources first (a launch configuration still in use: with the
autoscaling_delete_launch_configuration patch the whole update fails with ResourceInUse), and updates a group by deleting
it and creating another one with a new name and new instances. So the migration of a stack from a launch configuration to a launch template
(``LaunchTemplate: {LaunchTemplateId: !Ref LT, Version: !GetAtt LT.LatestVersionNumber}``) could not be tested.
Not modelled: UpdatePolicy (AutoScalingRollingUpdate / AutoScalingReplacingUpdate), rollback of a failed update.
"""

from __future__ import annotations

import warnings

from tests.simulator.patches.autoscaling_launch_template_switch import set_launch_source

NAME = "cloudformation-stack-update"
AWS_BEHAVIOUR = (
    "A stack update adds resources, then updates modified ones in dependency order, then deletes removed and replaced "
    "resources (cleanup). AWS::AutoScaling::AutoScalingGroup properties other than AutoScalingGroupName update with no "
    "interruption (the group keeps its name and instances); any AWS::AutoScaling::LaunchConfiguration change requires "
    "replacement. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-autoscalinggroup.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-autoscaling-launchconfiguration.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/userguide/migrate-launch-configurations-with-cloudformation.html"
)

REPLACED_ON_ANY_CHANGE = ("AWS::AutoScaling::LaunchConfiguration",)
# Updated when a resource they refer to was updated (e.g. Version: !GetAtt Template.LatestVersionNumber after a new
# template version); every resource is updated when one it refers to was replaced (new physical id).
FOLLOWS_UPDATES = ("AWS::AutoScaling::AutoScalingGroup",)
MAX_PASSES = 5


def references(value) -> set[str]:
    """Logical ids a template fragment refers to (Ref, Fn::GetAtt, DependsOn, ${X} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) else str(item).split(".", 1)[0]
                found.add(target)
            elif key == "DependsOn":
                found.update([item] if isinstance(item, str) else item)
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) else item
                found.update(part.split("}", 1)[0].split(".", 1)[0] for part in str(text).split("${")[1:])
                found |= references(item[1] if isinstance(item, list) and len(item) > 1 else None)
            else:
                found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def dependency_order(names, resources: dict) -> list[str]:
    """``names`` sorted so that a resource comes after the resources (among ``names``) it refers to."""
    names = list(names)
    ordered: list[str] = []

    def visit(name, seen=()):
        if name in ordered or name in seen:
            return
        for dep in sorted(references(resources.get(name, {})) & set(names)):
            visit(dep, seen + (name,))
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def _int(value):
    return None if value in (None, "") else int(value)


def update_group_in_place(backend, group, props: dict):
    """UpdateAutoScalingGroup with the template's properties, then the template's tags (what CloudFormation does)."""
    lc = props.get("LaunchConfigurationName") or None
    lt = props.get("LaunchTemplate") or None
    mip = props.get("MixedInstancesPolicy") or None
    backend.update_auto_scaling_group(
        name=group.name,
        availability_zones=props.get("AvailabilityZones") or [],
        desired_capacity=_int(props.get("DesiredCapacity")),
        max_size=_int(props.get("MaxSize")),
        min_size=_int(props.get("MinSize")),
        launch_config_name=lc,
        launch_template=lt or {},
        vpc_zone_identifier=",".join(props.get("VPCZoneIdentifier") or []) or None,
        health_check_period=_int(props.get("HealthCheckGracePeriod")),
        health_check_type=props.get("HealthCheckType"),
        new_instances_protected_from_scale_in=props.get("NewInstancesProtectedFromScaleIn"),
        mixed_instances_policy=mip,
    )
    set_launch_source(group, launch_config_name=lc, launch_template=lt, mixed_instances_policy=mip)
    wanted = {t["Key"]: t for t in props.get("Tags") or []}
    gone = [{"ResourceId": group.name, "Key": t["Key"]} for t in group.tags if t["Key"] not in wanted]
    if gone:
        backend.delete_tags(gone)
    if wanted:
        backend.create_or_update_tags(
            [dict(t, ResourceId=group.name, ResourceType="auto-scaling-group", PropagateAtLaunch=bool(t.get("PropagateAtLaunch"))) for t in wanted.values()]
        )
    return group


def _delete_all(resource_map, doomed: list) -> None:
    """Cleanup: delete (resource, template json) pairs, dependents first, retrying what a dependency still blocks."""
    for _unused in range(MAX_PASSES):
        if not doomed:
            return
        for item in list(doomed):
            try:
                resource_map._delete_resource(*item)
            except Exception:  # a dependency not gone yet: next pass
                continue
            doomed.remove(item)
    for resource, _unused in doomed:  # real CloudFormation reports DELETE_FAILED and still completes the update
        warnings.warn(f"cleanup could not delete {getattr(resource, 'physical_resource_id', resource)}", stacklevel=2)


def update_resource_map(self, template, parameters=None):
    """ResourceMap.update in CloudFormation's order: add, modify (replace first), clean up."""
    from moto.cloudformation import parsing

    diff = self.build_resource_diff(template, parameters)
    old_json = dict(self._resource_json_map)
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    for name in dependency_order(diff["Add"], self._resource_json_map):
        _unused = self[name]
    cleanup = [(self._parsed_resources.pop(n), old_json[n]) for n in diff["Remove"] if n in self._parsed_resources]
    updated: set[str] = set()
    replaced: set[str] = set()
    kept = [n for n in self._resource_json_map if n not in diff["Add"]]
    for name in dependency_order(kept, self._resource_json_map):
        resource_json = self._resource_json_map[name]
        deps = references(resource_json)
        if resource_json.get("Type") in REPLACED_ON_ANY_CHANGE:
            if (name in diff["Modify"] or deps & replaced) and name in self._parsed_resources:
                cleanup.insert(0, (self._parsed_resources.pop(name), old_json[name]))
                _unused = self[name]  # creates the replacement under a new physical name
                replaced.add(name)
        elif name in diff["Modify"] or deps & replaced or (deps & updated and resource_json.get("Type") in FOLLOWS_UPDATES):
            changed = parsing.parse_and_update_resource(name, resource_json, self, account_id=self._account_id, region_name=self._region_name)
            if changed is not None:
                self._parsed_resources[name] = changed
            updated.add(name)
    _delete_all(self, cleanup)


def apply():
    from moto.autoscaling.models import FakeAutoScalingGroup, autoscaling_backends
    from moto.cloudformation.parsing import ResourceMap

    original_map_update = ResourceMap.update
    original_group_update = FakeAutoScalingGroup.__dict__["update_from_cloudformation_json"]

    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties") or {}
        backend = autoscaling_backends[account_id][region_name]
        group = backend.autoscaling_groups.get(original_resource.name)
        if group is None or props.get("AutoScalingGroupName") not in (None, original_resource.name):  # a new name: replacement
            return original_group_update.__func__(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        return update_group_in_place(backend, group, props)

    ResourceMap.update = update_resource_map
    FakeAutoScalingGroup.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)

    def undo():
        ResourceMap.update = original_map_update
        FakeAutoScalingGroup.update_from_cloudformation_json = original_group_update

    return undo
