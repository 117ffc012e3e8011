#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: securityhub_finding_info
short_description: Read Security Hub control findings for EC2.24, AutoScaling.3 and AutoScaling.9 and map them to targets
version_added: 0.1.0
description:
  - Lists the consolidated control findings (filtered by C(ComplianceSecurityControlId)) of the given controls, by default the
    FAILED, ACTIVE ones whose workflow status is NEW or NOTIFIED, and maps each finding's resource to a I(target) - the EC2
    instance, launch configuration or Auto Scaling group to remediate.
  - The resource is recognised by its ARN (C(arn:aws:ec2:REGION:ACCOUNT:instance/i-...),
    C(arn:aws:autoscaling:REGION:ACCOUNT:launchConfiguration:UUID:launchConfigurationName/NAME),
    C(arn:aws:autoscaling:REGION:ACCOUNT:autoScalingGroup:UUID:autoScalingGroupName/NAME)), else by its ASFF resource type
    and details. Findings whose resource is none of these are returned in C(unmapped).
  - One target per resource and control - when Security Hub's own control finding and a finding imported by
    M(hubfix.aws.securityhub_finding) with C(state=imported) name the same resource, the target
    is Security Hub's. Both are listed in C(findings).
  - By default the connection's region is queried. With cross-Region aggregation that is the aggregation Region, which
    returns the findings of every linked Region; each target carries the region of its resource. Give O(regions) to query
    Regions one by one instead; a finding seen in several queried Regions is returned once.
  - A Region that fails (Security Hub not enabled, access denied) is reported in C(regions) and does not fail the module unless
    every Region fails.
  - API calls - C(securityhub:GetFindings) (100 findings a page) per Region; one C(ec2:DescribeRegions) when O(regions) is given.
  - Read-only; check mode returns the same result.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  controls:
    description: Security control ids (C(Compliance.SecurityControlId)) to read.
    type: list
    elements: str
    default: [EC2.24, AutoScaling.3, AutoScaling.9]
  compliance_status:
    description: Compliance statuses to include. An empty list does not filter on compliance.
    type: list
    elements: str
    choices: [PASSED, WARNING, FAILED, NOT_AVAILABLE]
    default: [FAILED]
  record_state:
    description: Record states to include. An empty list does not filter on the record state.
    type: list
    elements: str
    choices: [ACTIVE, ARCHIVED]
    default: [ACTIVE]
  workflow_status:
    description:
      - Workflow statuses to include. The default leaves out findings already RESOLVED or SUPPRESSED; a finding Security Hub
        reopened (set back to NEW when its compliance flipped back to FAILED) is included again.
      - An empty list does not filter on the workflow status.
    type: list
    elements: str
    choices: [NEW, NOTIFIED, RESOLVED, SUPPRESSED]
    default: [NEW, NOTIFIED]
  account_ids:
    description: Only findings of these accounts (C(AwsAccountId)); useful in an administrator account.
    type: list
    elements: str
  resource_ids:
    description: Only findings of these resources (exact C(Resources[].Id), i.e. resource ARNs).
    type: list
    elements: str
  max_results:
    description:
      - Stop after this many findings in all (the module pages through GetFindings 100 findings at a time). Default - no limit.
      - When the limit cuts the list short C(truncated) is true.
    type: int
notes:
  - "IAM actions: securityhub:GetFindings; ec2:DescribeRegions when O(regions) is given."
  - Findings of controls other than O(controls) are never returned (the filter is evaluated by Security Hub).
extends_documentation_fragment:
  - hubfix.aws.regions
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Failing EC2.24 / AutoScaling.3 / AutoScaling.9 findings from the aggregation Region
  hubfix.aws.securityhub_finding_info:
    region: us-east-1
  register: sh

- name: Paravirtual instances Security Hub wants fixed
  ansible.builtin.debug:
    msg: "{{ sh.targets | selectattr('kind', 'equalto', 'instance') | map(attribute='id') | list }}"

- name: Launch configurations failing AutoScaling.3, Region by Region
  hubfix.aws.securityhub_finding_info:
    controls: [AutoScaling.3]
    regions: [us-east-1, eu-west-1]
  register: lcs

- name: Everything we already marked NOTIFIED
  hubfix.aws.securityhub_finding_info:
    workflow_status: [NOTIFIED]
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.regions
targets:
  description: One per resource and control whose finding names an instance, launch configuration or Auto Scaling group, by control, account, region and id.
  returned: always
  type: list
  elements: dict
  contains:
    control: {description: "Security control id.", type: str, returned: always, sample: EC2.24}
    kind: {description: "C(instance), C(launch_configuration) or C(autoscaling_group).", type: str, returned: always}
    id: {description: "Instance id, launch configuration name or group name.", type: str, returned: always, sample: i-0123456789abcdef0}
    name: {description: "The instance's Name tag when the finding carries it, else the id.", type: str, returned: always}
    region: {description: "Region of the resource.", type: str, returned: always}
    account_id: {description: "Account of the resource.", type: str, returned: always}
    partition: {description: "AWS partition.", type: str, returned: always}
    resource_arn: {description: "Resource ARN, or null when the finding names the resource otherwise.", type: str, returned: always}
    resource_type: {description: "ASFF resource type.", type: str, returned: always, sample: AwsEc2Instance}
    launch_configuration_name: {description: "For a group, its launch configuration when the finding details name it; else null.", type: str, returned: always}
    tags: {description: "Resource tags carried by the finding.", type: dict, returned: always}
    finding_id: {description: "Finding id (pass it with product_arn to M(hubfix.aws.securityhub_finding)).", type: str, returned: always}
    product_arn: {description: "Product ARN of the finding.", type: str, returned: always}
    generator_id: {description: "Generator id.", type: str, returned: always}
    workflow_status: {description: "Workflow status.", type: str, returned: always, sample: NEW}
    compliance_status: {description: "Compliance status.", type: str, returned: always, sample: FAILED}
    record_state: {description: "Record state.", type: str, returned: always, sample: ACTIVE}
    note: {description: "Current note text, or null.", type: str, returned: always}
    finding_region: {description: "Region the finding lives in (where to update it).", type: str, returned: always}
findings:
  description: The essentials of every finding returned (snake_case), mapped or not.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "Finding id.", type: str, returned: always}
    product_arn: {description: "Product ARN.", type: str, returned: always}
    generator_id: {description: "Generator id.", type: str, returned: always}
    aws_account_id: {description: "Account.", type: str, returned: always}
    region: {description: "Region of the finding.", type: str, returned: always}
    title: {description: "Title.", type: str, returned: always}
    control_id: {description: "Security control id.", type: str, returned: always}
    severity_label: {description: "Severity label.", type: str, returned: always}
    compliance_status: {description: "Compliance status.", type: str, returned: always}
    workflow_status: {description: "Workflow status.", type: str, returned: always}
    record_state: {description: "Record state.", type: str, returned: always}
    resources: {description: "Resources (type, id, region, partition).", type: list, elements: dict, returned: always}
    note: {description: "Note (text, updated_by, updated_at) or null.", type: dict, returned: always}
    created_at: {description: "Creation time.", type: str, returned: always}
    updated_at: {description: "Last update time.", type: str, returned: always}
    first_observed_at: {description: "First observation time, or null.", type: str, returned: always}
    last_observed_at: {description: "Last observation time, or null.", type: str, returned: always}
unmapped:
  description: Findings whose resource is not an instance, launch configuration or group (id, product_arn, control_id, resources).
  returned: always
  type: list
  elements: dict
truncated:
  description: Whether O(max_results) cut the list short.
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.controls import CONTROLS
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionScan
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_api import get_findings
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import (
    COMPLIANCE_STATUSES,
    RECORD_STATES,
    WORKFLOW_NEW,
    WORKFLOW_NOTIFIED,
    WORKFLOW_STATUSES,
    InputError,
    build_filters,
    targets_of,
    unique_findings,
)


def main():
    argument_spec = dict(
        controls=dict(type="list", elements="str", default=list(CONTROLS)),
        regions=dict(type="list", elements="str"),
        compliance_status=dict(type="list", elements="str", default=["FAILED"], choices=list(COMPLIANCE_STATUSES)),
        record_state=dict(type="list", elements="str", default=["ACTIVE"], choices=list(RECORD_STATES)),
        workflow_status=dict(type="list", elements="str", default=[WORKFLOW_NEW, WORKFLOW_NOTIFIED], choices=list(WORKFLOW_STATUSES)),
        account_ids=dict(type="list", elements="str"),
        resource_ids=dict(type="list", elements="str"),
        max_results=dict(type="int"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    if not p["controls"]:
        module.fail_json(msg="controls must name at least one security control id")
    if p["max_results"] is not None and p["max_results"] < 1:
        module.fail_json(msg="max_results must be at least 1")
    try:
        filters = build_filters(**{k: p[k] for k in ("controls", "compliance_status", "record_state", "workflow_status", "account_ids", "resource_ids")})
    except InputError as e:
        module.fail_json(msg=str(e))

    scan = RegionScan(
        module,
        "securityhub",
        lambda sh, _region, _account: get_findings(sh, filters, p["max_results"]),
        failed_count=lambda r: len(r[0]),
        evaluated_count=lambda r: len(r[0]),
        with_account=False,
        empty_result=dict(targets=[], findings=[], unmapped=[], truncated=False),
    )
    raw, truncated = unique_findings(scan.results(), p["max_results"])
    targets, findings, unmapped = targets_of(raw, p["controls"])
    module.exit_json(changed=False, targets=targets, findings=findings, unmapped=unmapped, truncated=truncated, regions=scan.rows)


if __name__ == "__main__":
    main()
