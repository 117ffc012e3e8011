#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: organization_accounts_info
short_description: List the accounts of an AWS organization to work in, with the role to assume in each
version_added: 0.3.0
description:
  - Reads AWS Organizations and returns the ACTIVE accounts selected by O(include_ous), O(include_accounts) and
    O(exclude_accounts), each as a C(hubfix_accounts) item C({account_id, role_arn, external_id}) whose role is
    C(arn:<partition>:iam::<account id>:role/<role_name>) (the partition of the organization's ARN).
  - The management account is included like the others unless excluded. Suspended or closing accounts are never included
    and are listed in RV(not_selected) with the reason.
  - Fewest calls - one C(DescribeOrganization), then C(ListAccounts) (paginated); with O(include_ous), instead
    C(ListAccountsForParent) and C(ListOrganizationalUnitsForParent) once per unit under those units (nested units included).
  - Read-only; check mode returns the same. The role M(hubfix.aws.accounts) calls it for C(hubfix_organization).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  role_name:
    description: Name (or path/name) of the role to assume in every selected account, for example C(OrganizationAccountAccessRole).
    type: str
    required: true
  external_id:
    description: External id the roles' trust policies require (the same for every account).
    type: str
  include_accounts:
    description: Only these account ids (12 digits). An id that is not in the organization (under O(include_ous) when given) fails.
    type: list
    elements: str
    default: []
  exclude_accounts:
    description: Never these account ids.
    type: list
    elements: str
    default: []
  include_ous:
    description:
      - Only the accounts under these organizational units (C(ou-...)) or roots (C(r-...)), nested units included. Empty - every
        account of the organization.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: organizations:DescribeOrganization, organizations:ListAccounts; with O(include_ous)
    organizations:ListAccountsForParent and organizations:ListOrganizationalUnitsForParent. Run it with the credentials of the
    management account or of a delegated administrator account."
"""

EXAMPLES = r"""
- name: The accounts of two units, without the sandbox account
  hubfix.aws.organization_accounts_info:
    role_name: hubfix-audit
    include_ous: [ou-ab12-11111111, ou-ab12-22222222]
    exclude_accounts: ["444455556666"]
  register: org

- name: Audit them
  ansible.builtin.include_role:
    name: hubfix.aws.audit
  vars:
    hubfix_accounts: "{{ org.accounts }}"
"""

RETURN = r"""
accounts:
  description: The selected accounts as C(hubfix_accounts) items, in account id order.
  returned: always
  type: list
  elements: dict
  sample: [{"account_id": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/hubfix-audit"}]
selected:
  description: The selected accounts with their names (C(account_id), C(name), C(management)).
  returned: always
  type: list
  elements: dict
not_selected:
  description: The organization's other accounts that were looked at, with C(reason) (excluded, status, not under the units, not included).
  returned: always
  type: list
  elements: dict
management_account_id:
  description: The organization's management account.
  returned: always
  type: str
organization_id:
  description: The organization's id.
  returned: always
  type: str
partition:
  description: The partition of the role ARNs (C(aws), C(aws-cn), C(aws-us-gov)).
  returned: always
  type: str
units:
  description: The organizational units and roots walked for O(include_ous) (empty without it).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import organization as org
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.organization_aws import OrganizationError, resolve


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            role_name=dict(type="str", required=True),
            external_id=dict(type="str"),
            include_accounts=dict(type="list", elements="str", default=[]),
            exclude_accounts=dict(type="list", elements="str", default=[]),
            include_ous=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    config = {k: module.params[k] for k in org.KEYS}
    wrong = org.problems(config)
    if wrong:
        module.fail_json(msg="; ".join(wrong))
    with aws_errors_fail(module, "cannot list the accounts of the organization"):
        try:
            result = resolve(client(module, "organizations"), config)
        except OrganizationError as e:
            module.fail_json(msg=str(e))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
