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

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client, paginate


def source_record(group):
    return {
        "name": group["AutoScalingGroupName"],
        "launch_configuration_name": group.get("LaunchConfigurationName"),
        "launch_template": asg.template_spec(group["LaunchTemplate"]) if group.get("LaunchTemplate") else None,
    }


def find_template(module, ec2, template_id, template_name, version):
    """``(id, name)`` of the template; fails when it or a numeric version does not exist (warns in check mode)."""
    try:
        if template_id:
            found = ec2.describe_launch_templates(aws_retry=True, LaunchTemplateIds=[template_id])["LaunchTemplates"]
        else:
            found = ec2.describe_launch_templates(aws_retry=True, LaunchTemplateNames=[template_name])["LaunchTemplates"]
    except botocore.exceptions.ClientError as e:
        if "NotFound" not in e.response["Error"]["Code"]:
            raise
        found = []
    if not found:
        msg = "launch template %s not found in region %s" % (template_id or template_name, module.region)
        if module.check_mode:
            module.warn(msg + " (check mode: assuming an earlier task creates it)")
            return template_id, template_name, False
        module.fail_json(msg=msg)
    template = found[0]
    if version.isdigit() and int(version) > template["LatestVersionNumber"]:
        msg = "launch template %s has no version %s (latest is %s)" % (template["LaunchTemplateName"], version, template["LatestVersionNumber"])
        if module.check_mode:
            module.warn(msg + " (check mode: assuming an earlier task creates it)")
        else:
            module.fail_json(msg=msg)
    return template["LaunchTemplateId"], template["LaunchTemplateName"], True


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        launch_template_id=dict(type="str"),
        launch_template_name=dict(type="str"),
        launch_template_version=dict(type="str", default="$Default"),
        launch_configuration_name=dict(type="str"),
        current_launch_configuration_name=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["launch_template_id", "launch_template_name", "launch_configuration_name"]],
        required_one_of=[["launch_template_id", "launch_template_name", "launch_configuration_name"]],
    )
    p = module.params
    name = p["name"]
    version = p["launch_template_version"]
    if not (version.isdigit() or version in ("$Default", "$Latest")):
        module.fail_json(msg="launch_template_version must be a version number, $Default or $Latest, got %r" % version)
    autoscaling = client(module, "autoscaling")
    ec2 = client(module, "ec2")
    try:
        groups = paginate(autoscaling, "describe_auto_scaling_groups", AutoScalingGroupNames=[name]).get("AutoScalingGroups", [])
        if not groups:
            module.fail_json(msg="Auto Scaling group %s not found in region %s" % (name, module.region))
        group = groups[0]
        if group.get("MixedInstancesPolicy"):
            module.fail_json(msg=asg.refusal(group))
        before = source_record(group)

        if p["launch_configuration_name"]:
            lc_name = p["launch_configuration_name"]
            target = {"name": name, "launch_configuration_name": lc_name, "launch_template": None}
            changed = not asg.on_launch_configuration(group, lc_name)
            if changed:
                found = paginate(autoscaling, "describe_launch_configurations", LaunchConfigurationNames=[lc_name]).get("LaunchConfigurations", [])
                if not found:
                    module.fail_json(msg="launch configuration %s not found in region %s; cannot switch group %s to it" % (lc_name, module.region, name))
            update = {"LaunchConfigurationName": lc_name}
        else:
            template_id, template_name, exists = find_template(module, ec2, p["launch_template_id"], p["launch_template_name"], version)
            target = {
                "name": name,
                "launch_configuration_name": None,
                "launch_template": {"launch_template_id": template_id, "launch_template_name": template_name, "version": version},
            }
            changed = not (exists and asg.on_template(group, template_id, version))
            update = {"LaunchTemplate": {"LaunchTemplateId": template_id, "Version": version}}
            if not exists:
                update = {"LaunchTemplate": {"LaunchTemplateName": template_name, "Version": version}}

        expected = p["current_launch_configuration_name"]
        if changed and expected and not asg.on_launch_configuration(group, expected):
            module.fail_json(
                msg="Auto Scaling group %s no longer launches from launch configuration %s (it uses %s); not switched"
                % (name, expected, before["launch_template"] or before["launch_configuration_name"]),
                autoscaling_group=before,
            )

        if changed and not module.check_mode:
            autoscaling.update_auto_scaling_group(aws_retry=True, AutoScalingGroupName=name, **update)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="failed to switch the launch source of Auto Scaling group %s" % name)

    result = dict(changed=changed, autoscaling_group=target if changed else before, previous=before)
    if module._diff:
        result["diff"] = {
            "before_header": "Auto Scaling group %s (%s)" % (name, module.region),
            "after_header": "Auto Scaling group %s (%s)" % (name, module.region),
            "before": {k: v for k, v in before.items() if k != "name"},
            "after": {k: v for k, v in (target if changed else before).items() if k != "name"},
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
