#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: accounts_detection_info
short_description: Run the EC2.24 and AutoScaling.3/.9 detection in many accounts at once
version_added: 0.4.0
description:
  - The detection of M(hubfix.aws.paravirtual_instance_info) and M(hubfix.aws.launch_config_imdsv2_info) (same calls, same
    records, same ownership lookups) in every account of O(accounts), O(account_concurrency) accounts at a time, each with
    its own credentials, each account's regions concurrently. One module run instead of two per account - the audit role
    uses it.
  - An account that cannot be scanned (every region failed, or its credentials are refused) is returned with its C(error);
    the others finish.
  - Read-only; check mode returns the same.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  accounts:
    description:
      - The accounts - C({account_id, credentials}) where C(credentials) are the C(access_key), C(secret_key), C(session_token)
        of the account (the C(hubfix_aws_credentials) entry of the M(hubfix.aws.accounts) role); empty credentials - the
        module's own (the ambient account). Empty list - one account, the module's own credentials.
    type: list
    elements: dict
    default: []
    suboptions:
      account_id:
        description: The 12-digit account id (null - the credentials' own account).
        type: str
      credentials:
        description: C(access_key), C(secret_key), C(session_token) of the account; kept out of the output.
        type: dict
        default: {}
  controls:
    description: Which detections to run - V(EC2.24) the paravirtual instances, V(AutoScaling.3) / V(AutoScaling.9) the launch configurations and groups.
    type: list
    elements: str
    default: [EC2.24, AutoScaling.3, AutoScaling.9]
  account_concurrency:
    description: How many accounts are scanned at a time.
    type: int
    default: 8
extends_documentation_fragment:
  - hubfix.aws.regions
  - hubfix.aws.owners
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions in each account: those of M(hubfix.aws.paravirtual_instance_info) and M(hubfix.aws.launch_config_imdsv2_info)."
"""

EXAMPLES = r"""
- name: Detect in every account the accounts role resolved
  hubfix.aws.accounts_detection_info:
    accounts: "{{ hubfix_accounts_resolved | hubfix.aws.accounts_detection_targets }}"
    regions: all
    account_concurrency: 8
  register: detection
  no_log: false
"""

RETURN = r"""
results:
  description:
    - One per account, in the order given - C(account_id), C(paravirtual) (the result of M(hubfix.aws.paravirtual_instance_info)
      - C(account_id), C(instances), C(regions)) when EC2.24 is asked, C(launch_configs) (the result of
      M(hubfix.aws.launch_config_imdsv2_info) with O(hubfix.aws.launch_config_imdsv2_info#module:only_failed=false) - C(account_id),
      C(launch_configurations), C(autoscaling_groups_on_launch_configurations), C(regions)) when AutoScaling.3 or .9 is asked,
      and C(error) (null, or why the account could not be scanned).
  returned: always
  type: list
  elements: dict
  sample:
    - account_id: "123456789012"
      paravirtual: {account_id: "123456789012", instances: [], regions: [{region: us-east-1, scanned: true, failed: 0, evaluated: 0, error: null}]}
      launch_configs: null
      error: null
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ACCOUNT_OPTIONS, fail_on_bad_concurrency
from ansible_collections.hubfix.aws.plugins.module_utils.controls import UnknownControl, validate_controls
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import AccountScope, detect_account, scan_accounts


def main():
    argument_spec = dict(
        accounts=dict(
            type="list",
            elements="dict",
            default=[],
            options=ACCOUNT_OPTIONS,
        ),
        regions=dict(type="list", elements="str"),
        controls=dict(type="list", elements="str", default=["EC2.24", "AutoScaling.3", "AutoScaling.9"]),
        account_concurrency=dict(type="int", default=8),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    try:
        controls = validate_controls(p["controls"])
    except UnknownControl as e:
        module.fail_json(msg=str(e))
    fail_on_bad_concurrency(module, "account_concurrency")
    params = {"regions": p["regions"], "terraform_state_files": p["terraform_state_files"], "owner_tags": p["owner_tags"]}
    accounts = p["accounts"] or [{"account_id": None, "credentials": {}}]

    def scan_one(account):
        return detect_account(AccountScope.in_module(module, account, dict(params)), controls)

    results = []
    for account, detected, error in scan_accounts(accounts, scan_one, p["account_concurrency"]):
        record = {"account_id": account.get("account_id"), "paravirtual": None, "launch_configs": None, "error": error}
        if detected:
            record.update(detected)
            record["account_id"] = record["account_id"] or (detected.get("paravirtual") or detected.get("launch_configs") or {}).get("account_id")
        results.append(record)
    module.exit_json(changed=False, results=results)


if __name__ == "__main__":
    main()
