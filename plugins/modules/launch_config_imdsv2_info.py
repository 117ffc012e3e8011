#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: launch_config_imdsv2_info
short_description: Find launch configurations failing AutoScaling.3 (IMDSv2 not required) and groups failing AutoScaling.9
version_added: 0.1.0
description:
  - Judges every Auto Scaling launch configuration, used by a group or not, as the AWS Config rule
    C(autoscaling-launchconfig-requires-imdsv2) behind Security Hub control AutoScaling.3 does - FAILED when C(MetadataOptions)
    is absent or C(HttpTokens) is not C(required).
  - A failing launch configuration carries a C(reason) - C(metadata_options_absent), C(http_tokens_optional), or
    C(http_endpoint_disabled_tokens_optional) (the metadata endpoint is off but tokens are optional, which the rule fails too).
  - Also lists every Auto Scaling group that launches from a launch configuration (Security Hub control AutoScaling.9).
  - Regions are scanned concurrently. A region that fails (not enabled for the account, access denied) is reported in C(regions) and
    does not fail the module unless every region fails.
  - API calls per region - one paginated C(autoscaling:DescribeLaunchConfigurations) (one per 50 names with O(names)) and one
    paginated C(autoscaling:DescribeAutoScalingGroups). One C(sts:GetCallerIdentity) in all; one C(ec2:DescribeRegions) when
    O(regions) is given.
  - Read-only; check mode returns the same result.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  regions:
    description:
      - Regions to scan. A list of region names, or V(all) for every region enabled for the account (from C(ec2:DescribeRegions)).
      - Region names are checked against C(ec2:DescribeRegions); an unknown name fails the module naming it.
      - Defaults to the connection's region (O(region) or C(AWS_REGION)).
    type: list
    elements: str
  names:
    description:
      - Only these launch configurations (and the groups that use them). A name found in none of the scanned regions fails the module
        naming it.
    type: list
    elements: str
  only_failed:
    description:
      - Return only the launch configurations that fail AutoScaling.3. With V(false) compliant ones are returned too (C(compliant=true)).
      - C(autoscaling_groups_on_launch_configurations) always lists every group on a launch configuration (they all fail AutoScaling.9).
    type: bool
    default: true
notes:
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DescribeAutoScalingGroups, ec2:DescribeRegions, sts:GetCallerIdentity."
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Launch configurations that fail AutoScaling.3 in the connection's region
  hubfix.aws.launch_config_imdsv2_info:
  register: lcs

- name: Every launch configuration in two regions, compliant ones too
  hubfix.aws.launch_config_imdsv2_info:
    regions: [us-east-1, eu-west-1]
    only_failed: false
  register: all_lcs

- name: Two named launch configurations
  hubfix.aws.launch_config_imdsv2_info:
    names: [lc-web, lc-api]

- name: Groups still on launch configurations (AutoScaling.9)
  ansible.builtin.debug:
    msg: "{{ lcs.autoscaling_groups_on_launch_configurations | map(attribute='name') | list }}"
"""

RETURN = r"""
account_id:
  description: The account scanned (from sts:GetCallerIdentity).
  returned: always
  type: str
  sample: "123456789012"
launch_configurations:
  description: Launch configurations judged for AutoScaling.3 (only failing ones unless O(only_failed=false)), by region then name.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "Launch configuration name.", type: str, returned: always}
    arn: {description: "Launch configuration ARN (the resource of the Security Hub finding).", type: str, returned: always}
    region: {description: "Region.", type: str, returned: always}
    account_id: {description: "Account.", type: str, returned: always}
    compliant: {description: "Whether it passes AutoScaling.3.", type: bool, returned: always}
    reason:
      description: Null when compliant, else C(metadata_options_absent), C(http_tokens_optional) or C(http_endpoint_disabled_tokens_optional).
      type: str
      returned: always
    reason_message: {description: "The reason in words, or null.", type: str, returned: always}
    metadata_options:
      description: The launch configuration's metadata options (http_tokens, http_endpoint, http_put_response_hop_limit), or null when absent.
      type: dict
      returned: always
      sample: {http_tokens: optional, http_endpoint: enabled, http_put_response_hop_limit: 1}
    image_id: {description: "AMI.", type: str, returned: always}
    instance_type: {description: "Instance type.", type: str, returned: always}
    created_time: {description: "Creation time (ISO 8601).", type: str, returned: always}
    autoscaling_groups: {description: "Names of the groups in the same region that use it.", type: list, elements: str, returned: always}
    control_id: {description: "C(AutoScaling.3).", type: str, returned: always}
autoscaling_groups_on_launch_configurations:
  description: Auto Scaling groups that launch from a launch configuration (failing AutoScaling.9), by region then name.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "Group name.", type: str, returned: always}
    arn: {description: "Group ARN.", type: str, returned: always}
    region: {description: "Region.", type: str, returned: always}
    account_id: {description: "Account.", type: str, returned: always}
    launch_configuration_name: {description: "The launch configuration it uses.", type: str, returned: always}
    desired_capacity: {description: "Desired capacity.", type: int, returned: always}
    min_size: {description: "Minimum size.", type: int, returned: always}
    max_size: {description: "Maximum size.", type: int, returned: always}
    instances: {description: "Ids of the group's instances.", type: list, elements: str, returned: always}
    control_id: {description: "C(AutoScaling.9).", type: str, returned: always}
regions:
  description: One entry per region scanned, in order.
  returned: always
  type: list
  elements: dict
  contains:
    region: {description: "Region name.", type: str, returned: always}
    scanned: {description: "Whether the region was scanned without error.", type: bool, returned: always}
    failed: {description: "Launch configurations failing AutoScaling.3 in the region; null when the scan failed.", type: int, returned: always}
    evaluated: {description: "Launch configurations judged in the region; null when the scan failed.", type: int, returned: always}
    error: {description: "Why the region could not be scanned, naming it; null when it was.", type: str, returned: always}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.imdsv2 import scan_region
from ansible_collections.hubfix.aws.plugins.module_utils.regions import (
    fail_if_every_region_failed,
    module_account_id,
    module_regions,
    region_rows,
    scan_regions_reported,
)


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str"),
        names=dict(type="list", elements="str"),
        only_failed=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    names = list(dict.fromkeys(module.params["names"] or []))
    bad = [n for n in names if not n or len(n) > 255]
    if bad:
        module.fail_json(msg="names: invalid launch configuration name(s) %s (1 to 255 characters)" % ", ".join(repr(n) for n in bad))

    regions, opt_in = module_regions(module, module.params["regions"], lambda r: client(module, "ec2", r))
    account_id = module_account_id(module, module.region or regions[0], lambda r: client(module, "sts", r))
    clients = {region: client(module, "autoscaling", region) for region in regions}

    outcomes = scan_regions_reported(lambda region: scan_region(clients[region], region, account_id, names or None), regions, opt_in)
    rows = region_rows(
        regions,
        outcomes,
        failed_count=lambda result: sum(1 for lc in result[0] if not lc["compliant"]),
        evaluated_count=lambda result: len(result[0]),
    )
    fail_if_every_region_failed(module, rows, account_id=account_id, launch_configurations=[], autoscaling_groups_on_launch_configurations=[])

    judged = [lc for region in regions if outcomes[region][0] for lc in outcomes[region][0][0]]
    groups = [g for region in regions if outcomes[region][0] for g in outcomes[region][0][1]]

    if names:
        found = {lc["name"] for lc in judged}
        unknown = [n for n in names if n not in found]
        if unknown:
            errored = [r["region"] for r in rows if r["error"]]
            module.fail_json(
                msg="launch configuration(s) not found in region(s) %s: %s%s"
                % (
                    ", ".join(r["region"] for r in rows if r["scanned"]),
                    ", ".join(unknown),
                    " (not scanned because of errors: %s)" % ", ".join(errored) if errored else "",
                ),
                regions=rows,
            )

    launch_configurations = [lc for lc in judged if not (module.params["only_failed"] and lc["compliant"])]
    module.exit_json(
        changed=False,
        account_id=account_id,
        launch_configurations=launch_configurations,
        autoscaling_groups_on_launch_configurations=groups,
        regions=rows,
    )


if __name__ == "__main__":
    main()
