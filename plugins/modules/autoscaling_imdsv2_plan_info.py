#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_imdsv2_plan_info
short_description: Work out which launch configurations and Auto Scaling groups the AutoScaling.3 remediation handles
version_added: 0.1.0
description:
  - Read-only. Judges every launch configuration of each region like the AutoScaling.3 Config rule
    (C(autoscaling-launchconfig-requires-imdsv2)) and lists, per failing launch configuration, the groups that use it and the
    action the remediation takes (C(convert), C(delete_unused), C(keep_unused), C(blocked_owned) or C(retire)).
  - Owners (see the hubfix.aws.owners options) - a launch configuration that Elastic Beanstalk, CloudFormation, Terraform or a
    tagged tool owns (or whose every group is owned) is C(blocked_owned) - nothing of it is changed, its owner gets the change
    instead. An owned group is listed in C(owned_groups) and never switched; the launch configuration stays while it uses it.
  - A failing launch configuration no group uses any more, made into a hubfix launch template by an earlier run, is
    C(retire) with C(proof) - whether every group on that template proved it (an InService instance launched from the
    template, or no instances and desired capacity 0). One C(ec2:DescribeLaunchTemplates) per region, only when a failing
    launch configuration is unused.
  - C(user_data_imdsv1_calls) lists the lines of the launch configuration's user data that call the instance metadata
    service without a token (base64, gzip and MIME multipart read); the remediation's IMDSv1 gate honours them.
  - Validates the names given. An unknown launch configuration or group name, a named group that uses a mixed instances
    policy or already a launch template, or a region that could not be read, is reported in RV(errors) so that the caller can
    stop before changing anything.
  - A named launch configuration that no longer exists because hubfix converted and retired it (a launch template
    tagged C(hubfix:source-launch-configuration) with its name exists in the region) is not an error; it is returned in
    RV(retired), so a job rerun with the same names does nothing and succeeds. This costs one C(ec2:DescribeLaunchTemplates)
    per region, and only when a named launch configuration was not found.
  - Likewise a named group that already launches from the template hubfix made from its launch configuration is returned
    in RV(migrated_groups), not refused (one C(ec2:DescribeLaunchTemplates) per region with such groups).
  - Regions are read concurrently, two calls each (C(autoscaling:DescribeLaunchConfigurations),
    C(autoscaling:DescribeAutoScalingGroups), 100 records a page).
  - Called C(hubfix.aws.autoscaling_imdsv2_plan) before 0.2.0; that name still works and is deprecated.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  launch_configuration_names:
    description:
      - Only these launch configurations (named ones are handled even when they already require IMDSv2).
    type: list
    elements: str
    default: []
  accounts:
    description:
      - Plan these accounts instead of the module's own, O(account_concurrency) at a time, each with its C(credentials)
        (C(access_key), C(secret_key), C(session_token) - a C(hubfix_aws_credentials) entry; empty - the module's own) and,
        when given, its own C(regions) and C(also_launch_configuration_names). The other options apply to every account.
        Returns RV(accounts) instead of one account's plan. An account that cannot be planned is returned with its C(error);
        the others finish.
    type: list
    elements: dict
    version_added: 0.4.0
    suboptions:
      account_id:
        description: The 12-digit account id (null - the credentials' own account).
        type: str
      credentials:
        description: C(access_key), C(secret_key), C(session_token) of the account; kept out of the output.
        type: dict
        default: {}
      regions:
        description: This account's regions (default - O(regions)).
        type: list
        elements: str
      also_launch_configuration_names:
        description: This account's O(also_launch_configuration_names) (default - the module's).
        type: list
        elements: str
        default: []
  account_concurrency:
    description: With O(accounts), how many accounts are planned at a time.
    type: int
    default: 8
    version_added: 0.4.0
  group_names:
    description:
      - Only these Auto Scaling groups are switched, and only the launch configurations they use are handled.
    type: list
    elements: str
    default: []
  also_launch_configuration_names:
    description:
      - These launch configurations are handled too, even when they already require IMDSv2, without limiting the plan to them
        (unlike O(launch_configuration_names)); a name not found is not an error. The remediation passes the launch
        configurations of the AutoScaling.9 groups of a C(hubfix.aws.findings) inventory.
    type: list
    elements: str
    default: []
    version_added: 0.4.0
  delete_unused:
    description: Plan failing launch configurations that no group uses for deletion (C(delete_unused)) instead of keeping them.
    type: bool
    default: false
extends_documentation_fragment:
  - hubfix.aws.regions
  - hubfix.aws.owners
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DescribeAutoScalingGroups, sts:GetCallerIdentity,
    ec2:DescribeLaunchTemplates, cloudformation:ListStacks, cloudformation:ListStackResources, cloudformation:DescribeStackResources;
    s3:GetObject for state files in S3."
  - User data is never returned, only whether there is some.
"""

EXAMPLES = r"""
- name: What would the AutoScaling.3 remediation do in two regions?
  hubfix.aws.autoscaling_imdsv2_plan_info:
    regions: [us-east-1, eu-west-1]
  register: plan

- name: Only the launch configuration of one group
  hubfix.aws.autoscaling_imdsv2_plan_info:
    regions: [us-east-1]
    group_names: [asg-web]
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.regions
accounts:
  description:
    - With O(accounts) (and then only this and C(regions), whose rows then also name their C(account_id)) - one per
      account, in the order given - C(account_id), C(plan) (what the module
      returns for one account - C(account_id), C(launch_configurations), C(retired), C(migrated_groups), C(errors), C(regions);
      null when the account could not be planned) and C(error) (null, or why the account could not be planned).
  returned: when O(accounts) is given
  type: list
  elements: dict
  version_added: 0.4.0
  sample:
    - account_id: "111122223333"
      plan: {account_id: "111122223333", launch_configurations: [], retired: [], migrated_groups: [], errors: [], regions: []}
      error: null
account_id:
  description: The account the credentials act in.
  returned: unless O(accounts) is given
  type: str
launch_configurations:
  description:
    - One record per launch configuration handled, with the fields of M(hubfix.aws.launch_config_imdsv2_info) plus
      C(action), C(groups) (the groups to switch, each with C(name), C(region), C(launch_configuration_name),
      C(desired_capacity), C(min_size), C(max_size), C(instances), C(live_instances)), C(other_groups) (groups using it
      that are not switched in this run), C(owner), C(owned_groups) (groups someone else owns - never switched), C(user_data_present),
      C(user_data_imdsv1_calls) (C(part), C(line), C(text), C(reason)), and for C(retire) C(hubfix_template) and C(proof)
      (C(proven), C(kept_because), C(groups)).
  returned: unless O(accounts) is given
  type: list
  elements: dict
retired:
  description: Named launch configurations hubfix converted and retired in an earlier run, with the launch template that replaced each.
  returned: unless O(accounts) is given
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    name:
      description: The launch configuration's name.
      type: str
    launch_template_name:
      description: The launch template made from it.
      type: str
    launch_template_id:
      description: Its id.
      type: str
migrated_groups:
  description: Named groups already on the launch template hubfix made from their launch configuration in an earlier run.
  returned: unless O(accounts) is given
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    name:
      description: The group's name.
      type: str
    launch_configuration_name:
      description: The launch configuration the template was made from.
      type: str
    launch_template_name:
      description: The launch template the group uses.
      type: str
    launch_template_id:
      description: Its id.
      type: str
errors:
  description: Problems with the input or a region that could not be read; nothing should be changed when this is not empty.
  returned: unless O(accounts) is given
  type: list
  elements: str
"""

import threading

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ACCOUNT_OPTIONS, fail_on_bad_concurrency
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_groups, describe_launch_configurations
from ansible_collections.hubfix.aws.plugins.module_utils.clients import attempt, client, paginate
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import AccountScope, scan_accounts
from ansible_collections.hubfix.aws.plugins.module_utils.launch_template import TAG_SOURCE_LC, retired_sources, source_of
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import RegionOwners
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionScan

CLIENT_LOCK = threading.Lock()  # regions are planned in threads; clients are made one at a time


def hubfix_templates(module, region, **params):
    """The DescribeLaunchTemplates items (``params``) of a region that hubfix made from a launch configuration; none
    when the call fails, so the refusal or "not found" error it would have cleared stands."""
    with CLIENT_LOCK:
        ec2 = client(module, "ec2", region)
    templates, error = attempt(paginate, ec2, "describe_launch_templates", **params)
    return [t for t in templates["LaunchTemplates"] if source_of(t)] if error is None else []


def retired_by_hubfix(module, regions, names):
    """The named launch configurations that a hubfix launch template replaced (one DescribeLaunchTemplates per region)."""
    found = []
    for region in regions:
        found += retired_sources(region, hubfix_templates(module, region, Filters=[{"Name": "tag:" + TAG_SOURCE_LC, "Values": names}]), names)
    return found


def migrated_by_hubfix(module, scan):
    """Named groups found on the template hubfix made from their launch configuration, and the refusals that clears
    (one DescribeLaunchTemplates per region with named groups on templates)."""
    records, cleared = [], set()
    for region in scan.regions:
        result, error = scan.outcomes[region]
        on_templates = result[4] if error is None else {}
        if on_templates:
            found, refusals = asg.groups_on_hubfix_templates(region, hubfix_templates(module, region, LaunchTemplateIds=sorted(on_templates)), on_templates)
            records += found
            cleared |= refusals
    return sorted(records, key=lambda r: (r["region"], r["name"])), cleared


def plan_account(module, p):
    """The plan of the account ``module`` works in (an AnsibleAWSModule, or an ``AccountScope`` of another account)."""
    lc_names, group_names = p["launch_configuration_names"], p["group_names"]
    owners = RegionOwners(module)

    def plan(autoscaling, region, account):
        lcs, groups = describe_launch_configurations(autoscaling, lc_names or None), describe_groups(autoscaling)

        def templates():
            return hubfix_templates(module, region, Filters=[{"Name": "tag-key", "Values": [TAG_SOURCE_LC]}])

        planned = asg.plan_region(
            region, account, lcs, groups, lc_names, group_names, p["delete_unused"], owners.for_region(region), templates, p["also_launch_configuration_names"]
        )
        return planned + (asg.groups_on_templates(groups, group_names, region),)

    scan = RegionScan(
        module, "autoscaling", plan, failed_count=lambda r: len(r[0]), evaluated_count=lambda r: len(r[0]), empty_result={"launch_configurations": []}
    )
    items = [item for result in scan.results() for item in result[0]]
    migrated, cleared = migrated_by_hubfix(module, scan)
    errors = [row["error"] for row in scan.rows if row["error"]] + [e for result in scan.results() for e in result[3] if e not in cleared]
    retired = []
    for kind, requested, found in (("launch configuration(s)", lc_names, 1), ("Auto Scaling group(s)", group_names, 2)):
        unknown = asg.missing_names(requested, [result[found] for result in scan.results()])
        if unknown and found == 1:
            retired = retired_by_hubfix(module, scan.scanned, unknown)
            unknown = asg.missing_names(unknown, [[r["name"] for r in retired]])
        if unknown:
            errors.insert(0, scan.not_found_message(kind, unknown))
    return dict(account_id=scan.account_id, launch_configurations=items, retired=retired, migrated_groups=migrated, errors=errors, regions=scan.rows)


def plan_accounts(module, p):
    """``[{account_id, plan, error}]``: the plan of every account of ``accounts``, ``account_concurrency`` at a time, each
    with its credentials and its own regions / extra launch configurations when the item gives them."""

    def one(account):
        params = dict(p, also_launch_configuration_names=account.get("also_launch_configuration_names") or p["also_launch_configuration_names"])
        params["regions"] = account.get("regions") or p["regions"]
        return plan_account(AccountScope.in_module(module, account, params), params)

    out = []
    for account, planned, error in scan_accounts(p["accounts"], one, p["account_concurrency"]):
        out.append({"account_id": account.get("account_id") or (planned or {}).get("account_id"), "plan": planned, "error": error})
    return out


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str"),
        launch_configuration_names=dict(type="list", elements="str", default=[]),
        group_names=dict(type="list", elements="str", default=[]),
        also_launch_configuration_names=dict(type="list", elements="str", default=[]),
        delete_unused=dict(type="bool", default=False),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
        accounts=dict(
            type="list",
            elements="dict",
            options=dict(
                ACCOUNT_OPTIONS,
                regions=dict(type="list", elements="str"),
                also_launch_configuration_names=dict(type="list", elements="str", default=[]),
            ),
        ),
        account_concurrency=dict(type="int", default=8),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    if p["accounts"] is not None:
        fail_on_bad_concurrency(module, "account_concurrency")
        planned = plan_accounts(module, p)
        # every account's region rows, each naming its account
        rows = [dict(row, account_id=a["account_id"]) for a in planned for row in (a["plan"] or {}).get("regions") or []]
        module.exit_json(changed=False, accounts=planned, regions=rows)
    module.exit_json(changed=False, **plan_account(module, p))


if __name__ == "__main__":
    main()
