#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sts_assume_roles
short_description: Assume a role in each of many accounts at once (sts:AssumeRole)
version_added: 0.4.0
description:
  - Calls C(sts:AssumeRole) for every item of O(roles), O(concurrency) at a time, in one module run - the loop of
    M(amazon.aws.sts_assume_role) that the M(hubfix.aws.accounts) role ran cost about 0.6 s of task overhead per account.
  - A role that cannot be assumed is returned with C(failed) and the error; the others are still assumed. The module
    itself fails only on bad input.
  - Makes no change in AWS; runs in check mode too (the credentials are needed to read the accounts).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  roles:
    description: The roles - C({account_id, role_arn, external_id}) (the items of C(hubfix_accounts)).
    type: list
    elements: dict
    required: true
    suboptions:
      account_id:
        description: The 12-digit account id, returned with the result.
        type: str
      role_arn:
        description: The role to assume.
        type: str
        required: true
      external_id:
        description: The external id the role's trust policy requires.
        type: str
  role_session_name:
    description: The session name (shows in CloudTrail of each account).
    type: str
    default: hubfix
  duration_seconds:
    description: Lifetime of the credentials in seconds (900 up to the role's maximum session duration).
    type: int
    default: 3600
  concurrency:
    description: How many roles are assumed at a time.
    type: int
    default: 8
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM: C(sts:AssumeRole) on each role ARN for the calling identity."
  - "The result holds credentials: register it with C(no_log: true)."
"""

EXAMPLES = r"""
- name: Assume the audit role in every account
  hubfix.aws.sts_assume_roles:
    roles: "{{ hubfix_accounts }}"
    role_session_name: hubfix-audit
  register: assumed
  no_log: true
"""

RETURN = r"""
results:
  description:
    - One per role, in the order given, shaped like a looped M(amazon.aws.sts_assume_role) - C(item) (the role given),
      C(failed), C(msg) (the error when failed) and C(sts_creds) (C(access_key), C(secret_key), C(session_token),
      C(expiration); empty when failed).
  returned: always
  type: list
  elements: dict
  sample:
    - item: {account_id: "111122223333", role_arn: "arn:aws:iam::111122223333:role/hubfix-audit"}
      failed: false
      msg: null
      sts_creds: {access_key: ASIA..., secret_key: "...", session_token: "...", expiration: "2026-12-02T14:00:00+00:00"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import fail_on_bad_concurrency
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY, shared_clients
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import scan_accounts


def assume(clients, item, session_name, duration):
    params = {"RoleArn": item["role_arn"], "RoleSessionName": session_name, "DurationSeconds": duration}
    if item.get("external_id"):
        params["ExternalId"] = item["external_id"]
    creds = clients("sts", retry_decorator=RETRY).assume_role(aws_retry=True, **params)["Credentials"]
    return {
        "access_key": creds["AccessKeyId"],
        "secret_key": creds["SecretAccessKey"],
        "session_token": creds["SessionToken"],
        "expiration": str(creds["Expiration"]),
    }


def main():
    argument_spec = dict(
        roles=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(account_id=dict(type="str"), role_arn=dict(type="str", required=True), external_id=dict(type="str", no_log=True)),
        ),
        role_session_name=dict(type="str", default="hubfix"),
        duration_seconds=dict(type="int", default=3600),
        concurrency=dict(type="int", default=8),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    fail_on_bad_concurrency(module, "concurrency")
    clients = shared_clients(module)
    results = []
    for item, creds, error in scan_accounts(p["roles"], lambda item: assume(clients, item, p["role_session_name"], p["duration_seconds"]), p["concurrency"]):
        item = {k: v for k, v in item.items() if k != "external_id"}
        results.append({"item": item, "failed": error is not None, "msg": error, "sts_creds": creds or {}})
    module.exit_json(changed=False, results=results)


if __name__ == "__main__":
    main()
