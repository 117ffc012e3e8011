#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_imdsv2_plan
short_description: Work out which launch configurations and Auto Scaling groups the AutoScaling.3 remediation handles
version_added: 0.1.0
description:
  - Read-only. Judges every launch configuration of each region like the AutoScaling.3 Config rule
    (C(autoscaling-launchconfig-requires-imdsv2)) and lists, per failing launch configuration, the groups that use it and the
    action the remediation takes (C(convert), C(delete_unused) or C(keep_unused)).
  - Validates the names given. An unknown launch configuration or group name, or a named group that uses a mixed instances
    policy or already a launch template, is reported in RV(errors) so that the caller can stop before changing anything.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  regions:
    description: Regions to work in. Default is the connection's region.
    type: list
    elements: str
  launch_configuration_names:
    description:
      - Only these launch configurations (named ones are handled even when they already require IMDSv2).
    type: list
    elements: str
    default: []
  group_names:
    description:
      - Only these Auto Scaling groups are switched, and only the launch configurations they use are handled.
    type: list
    elements: str
    default: []
  delete_unused:
    description: Plan failing launch configurations that no group uses for deletion (C(delete_unused)) instead of keeping them.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DescribeAutoScalingGroups, sts:GetCallerIdentity."
  - User data is never returned, only whether there is some.
"""

EXAMPLES = r"""
- name: What would the AutoScaling.3 remediation do in two regions?
  hubfix.aws.autoscaling_imdsv2_plan:
    regions: [us-east-1, eu-west-1]
  register: plan

- name: Only the launch configuration of one group
  hubfix.aws.autoscaling_imdsv2_plan:
    regions: [us-east-1]
    group_names: [asg-web]
"""

RETURN = r"""
account_id:
  description: The account the credentials act in.
  returned: always
  type: str
launch_configurations:
  description:
    - One record per launch configuration handled, with the fields of M(hubfix.aws.launch_config_imdsv2_info) plus
      C(action), C(groups) (the groups to switch, each with C(name), C(region), C(launch_configuration_name),
      C(desired_capacity), C(min_size), C(max_size), C(instances), C(live_instances)), C(other_groups) (groups using it
      that are not switched in this run) and C(user_data_present).
  returned: always
  type: list
  elements: dict
errors:
  description: Problems with the input; nothing should be changed when this is not empty.
  returned: always
  type: list
  elements: str
regions:
  description: The regions planned.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.clients import caller_account_id, client
from ansible_collections.hubfix.aws.plugins.module_utils.imdsv2 import describe_groups, describe_launch_configurations
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionError, resolve_regions


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str"),
        launch_configuration_names=dict(type="list", elements="str", default=[]),
        group_names=dict(type="list", elements="str", default=[]),
        delete_unused=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    lc_names = module.params["launch_configuration_names"]
    group_names = module.params["group_names"]
    try:
        regions = resolve_regions(module.params["regions"], module.region)
    except RegionError as e:
        module.fail_json(msg=str(e))

    items, errors, found_lcs, found_groups = [], [], [], []
    try:
        account_id = caller_account_id(module, regions[0])
        for region in regions:
            autoscaling = client(module, "autoscaling", region)
            lcs = describe_launch_configurations(autoscaling, lc_names or None)
            groups = describe_groups(autoscaling)
            region_items, lcs_found, groups_found, region_errors = asg.plan_region(
                region, account_id, lcs, groups, lc_names, group_names, module.params["delete_unused"]
            )
            items += region_items
            errors += region_errors
            found_lcs.append(lcs_found)
            found_groups.append(groups_found)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="failed to read launch configurations and Auto Scaling groups")

    unknown = asg.missing_names(lc_names, found_lcs)
    if unknown:
        errors.insert(0, "launch configuration(s) not found in %s: %s" % (", ".join(regions), ", ".join(unknown)))
    unknown = asg.missing_names(group_names, found_groups)
    if unknown:
        errors.insert(0, "Auto Scaling group(s) not found in %s: %s" % (", ".join(regions), ", ".join(unknown)))
    module.exit_json(changed=False, account_id=account_id, regions=regions, launch_configurations=items, errors=errors)


if __name__ == "__main__":
    main()
