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
  - Reports the C(owner) of every failing launch configuration and of every group - Elastic Beanstalk, CloudFormation,
    Terraform (O(terraform_state_files)) or a tag (O(owner_tags)) - see the hubfix.aws.owners options.
  - API calls per region - one paginated C(autoscaling:DescribeLaunchConfigurations) (one per 50 names with O(names)) and one
    paginated C(autoscaling:DescribeAutoScalingGroups). One C(sts:GetCallerIdentity) in all; one C(ec2:DescribeRegions) when
    O(regions) is given.
  - For the owners of failing launch configurations (they carry no tags) - one C(cloudformation:ListStackResources) per stack
    whose groups use them, then for the others one C(cloudformation:ListStacks) and the fewer of one
    C(cloudformation:DescribeStackResources) per launch configuration or one C(cloudformation:ListStackResources) per stack.
  - Read-only; check mode returns the same result.
author:
  - hubfix.aws maintainers (@hubfix)
options:
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
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DescribeAutoScalingGroups, ec2:DescribeRegions, sts:GetCallerIdentity,
    cloudformation:ListStacks, cloudformation:ListStackResources, cloudformation:DescribeStackResources; s3:GetObject for state files in S3."
extends_documentation_fragment:
  - hubfix.aws.regions
  - hubfix.aws.owners
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
extends_documentation_fragment:
  - hubfix.aws.regions
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
    owner:
      description:
        - Who manages it, null when nobody does (or when it is compliant) - C(type) is C(elastic_beanstalk), C(cloudformation), C(terraform)
          or C(tag); C(name) the environment, stack, resource address or tag label; plus C(id), C(logical_id), C(state_file), C(tag_key)
          where they apply, and C(via_groups) when it is owned because every group using it is.
      type: dict
      returned: always
      sample: {type: cloudformation, name: web-stack, id: null, logical_id: WebLaunchConfig}
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
    owner: {description: "Who manages the group (as for launch configurations), or null.", type: dict, returned: always}
    control_id: {description: "C(AutoScaling.9).", type: str, returned: always}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.imdsv2 import scan_region, validate_launch_configuration_names
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import RegionOwners
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionScan


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str"),
        names=dict(type="list", elements="str"),
        only_failed=dict(type="bool", default=True),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        names = validate_launch_configuration_names(module.params["names"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    owners = RegionOwners(module)

    scan = RegionScan(
        module,
        "autoscaling",
        lambda autoscaling, region, account: scan_region(autoscaling, region, account, names or None, owners.for_region(region)),
        failed_count=lambda result: sum(1 for lc in result[0] if not lc["compliant"]),
        evaluated_count=lambda result: len(result[0]),
        empty_result={"launch_configurations": [], "autoscaling_groups_on_launch_configurations": []},
    )
    judged = [lc for lcs, _groups in scan.results() for lc in lcs]
    groups = [g for _lcs, region_groups in scan.results() for g in region_groups]
    unknown = [n for n in names if n not in {lc["name"] for lc in judged}]
    if unknown:
        module.fail_json(msg=scan.not_found_message("launch configuration(s)", unknown), regions=scan.rows)
    module.exit_json(
        changed=False,
        account_id=scan.account_id,
        launch_configurations=[lc for lc in judged if not (module.params["only_failed"] and lc["compliant"])],
        autoscaling_groups_on_launch_configurations=groups,
        regions=scan.rows,
    )


if __name__ == "__main__":
    main()
