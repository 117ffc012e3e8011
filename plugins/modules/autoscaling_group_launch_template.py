#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_group_launch_template
short_description: Switch an Auto Scaling group's launch source to a launch template version (or back to a launch configuration)
version_added: 0.1.0
description:
  - Sets only the launch source of an existing group with UpdateAutoScalingGroup; sizes, subnets, health checks, tags and every
    other setting are left untouched (unlike a full group module, which re-sends them).
  - The group is pinned to O(launch_template_version) (AWS uses C($Default) when a version is not given, and so does this module;
    it never picks a numeric version on its own).
  - With O(launch_configuration_name) the group is switched back to that launch configuration (the rollback of a migration).
  - Groups with a mixed instances policy are refused, because their launch template lives inside the policy.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Auto Scaling group name.
    type: str
    required: true
  launch_template_id:
    description: Launch template id. Mutually exclusive with O(launch_template_name) and O(launch_configuration_name).
    type: str
  launch_template_name:
    description: Launch template name.
    type: str
  launch_template_version:
    description: Template version to pin, a number, C($Default) or C($Latest).
    type: str
    default: $Default
  launch_configuration_name:
    description: Switch the group back to this launch configuration instead.
    type: str
  current_launch_configuration_name:
    description:
      - Safety check. When set, the group is only switched while it still launches from this launch configuration (or already
        from the target). A group found on anything else is refused with a message naming what it uses.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. In check mode a template that does not exist yet (created by an earlier check-mode task)
    is reported with a warning.
  - "IAM actions: autoscaling:DescribeAutoScalingGroups, autoscaling:UpdateAutoScalingGroup, autoscaling:DescribeLaunchConfigurations,
    ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions, ec2:RunInstances and iam:PassRole as AWS requires for
    groups using launch templates."
"""

EXAMPLES = r"""
- name: Pin asg-web to version 2 of its new template
  hubfix.aws.autoscaling_group_launch_template:
    name: asg-web
    launch_template_name: lc-web
    launch_template_version: "2"
    current_launch_configuration_name: lc-web

- name: Roll asg-web back to its launch configuration
  hubfix.aws.autoscaling_group_launch_template:
    name: asg-web
    launch_configuration_name: lc-web
"""

RETURN = r"""
autoscaling_group:
  description: The group's launch source after the run (in check mode, what it would be).
  returned: always
  type: dict
  contains:
    name:
      description: Group name.
      type: str
    launch_configuration_name:
      description: Launch configuration the group uses, or null.
      type: str
    launch_template:
      description: C(launch_template_id), C(launch_template_name), C(version), or null.
      type: dict
previous:
  description: The group's launch source before the run (same keys as RV(autoscaling_group)).
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_group, describe_launch_configuration
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import find_launch_template


def template_target(module, ec2, version):
    """``(target record, UpdateAutoScalingGroup parameters, exists)`` for the requested template and version; a template
    (or numeric version) that does not exist fails, but only warns in check mode (an earlier check-mode task creates it)."""
    p = module.params
    template = find_launch_template(ec2, p["launch_template_id"], p["launch_template_name"])
    problem = asg.template_problem(template, p["launch_template_id"] or p["launch_template_name"], version, module.region)
    if problem and not module.check_mode:
        module.fail_json(msg=problem)
    if problem:
        module.warn(problem + " (check mode: assuming an earlier task creates it)")
    template_id = template["LaunchTemplateId"] if template else p["launch_template_id"]
    template_name = template["LaunchTemplateName"] if template else p["launch_template_name"]
    spec = {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": template_name}
    target = {
        "launch_configuration_name": None,
        "launch_template": {"launch_template_id": template_id, "launch_template_name": template_name, "version": version},
    }
    return target, {"LaunchTemplate": dict(spec, Version=version)}, template is not None


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        launch_template_id=dict(type="str"),
        launch_template_name=dict(type="str"),
        launch_template_version=dict(type="str", default="$Default"),
        launch_configuration_name=dict(type="str"),
        current_launch_configuration_name=dict(type="str"),
    )
    sources = ["launch_template_id", "launch_template_name", "launch_configuration_name"]
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True, mutually_exclusive=[sources], required_one_of=[sources])
    p = module.params
    name, version, lc_name = p["name"], p["launch_template_version"], p["launch_configuration_name"]
    problem = asg.version_problem(version)
    if problem:
        module.fail_json(msg=problem)
    autoscaling = client(module, "autoscaling")
    with aws_errors_fail(module, "failed to switch the launch source of Auto Scaling group %s" % name):
        group = describe_group(autoscaling, name)
        if group is None:
            module.fail_json(msg="Auto Scaling group %s not found in region %s" % (name, module.region))
        if group.get("MixedInstancesPolicy"):
            module.fail_json(msg=asg.refusal(group))
        before = asg.source_record(group)
        if lc_name:
            target, update = {"launch_configuration_name": lc_name, "launch_template": None}, {"LaunchConfigurationName": lc_name}
            changed = not asg.on_launch_configuration(group, lc_name)
            if changed and describe_launch_configuration(autoscaling, lc_name) is None:
                module.fail_json(msg="launch configuration %s not found in region %s; cannot switch group %s to it" % (lc_name, module.region, name))
        else:
            target, update, exists = template_target(module, client(module, "ec2"), version)
            changed = not (exists and asg.on_template(group, target["launch_template"]["launch_template_id"], version))
        expected = p["current_launch_configuration_name"]
        if changed and expected and not asg.on_launch_configuration(group, expected):
            module.fail_json(msg=asg.moved_on_message(name, expected, before), autoscaling_group=dict(before, name=name))
        if changed and not module.check_mode:
            autoscaling.update_auto_scaling_group(aws_retry=True, AutoScalingGroupName=name, **update)

    after = target if changed else before
    result = dict(changed=changed, autoscaling_group=dict(after, name=name), previous=dict(before, name=name))
    if module._diff:
        header = "Auto Scaling group %s (%s)" % (name, module.region)
        result["diff"] = {"before_header": header, "after_header": header, "before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
