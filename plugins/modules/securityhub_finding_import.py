#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: securityhub_finding_import
short_description: Write hubfix audit results into Security Hub as findings
version_added: 0.2.0
description:
  - Writes hubfix's own audit results (O(audit)) as ASFF findings of the account's default product
    (C(arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default)) with C(securityhub:BatchImportFindings), so teams without the
    control enabled in Security Hub still see them. Ids are deterministic (C(hubfix.aws/CONTROL/ACCOUNT/REGION/RESOURCE)), so a
    re-import updates the finding instead of adding one; a finding whose content did not change is not re-imported. With
    O(archive_missing), our findings for resources the audit no longer reports (in Regions and controls it scanned without error)
    are set C(PASSED) and C(ARCHIVED).
  - Idempotent, with check mode (what would be created, updated or archived, as a diff) and no mutating call in check mode.
  - Before 0.2.0 this was M(hubfix.aws.securityhub_finding) with C(state=imported).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  audit:
    description:
      - The C(hubfix.aws.audit) report (C(audit.json) / fact C(audit_result), with C(findings), C(scans) and
        C(accounts)), or one dict with the results of M(hubfix.aws.paravirtual_instance_info) (C(instances)) and/or
        M(hubfix.aws.launch_config_imdsv2_info) (C(launch_configurations), C(autoscaling_groups_on_launch_configurations)),
        plus C(account_id) and C(regions).
    type: dict
    required: true
  archive_missing:
    description:
      - Archive (Compliance C(PASSED), RecordState C(ARCHIVED)) our earlier findings whose resource the audit no
        longer reports. Only Regions and controls the audit scanned without error are considered.
    type: bool
    default: true
  fail_on_unprocessed:
    description:
      - Fail when a finding could not be imported (after the others were processed). With V(false) they are only reported in
        C(unprocessed) with a warning.
    type: bool
    default: true
notes:
  - "IAM actions: securityhub:GetFindings, securityhub:BatchImportFindings."
  - Importing findings for an account other than the caller's needs that account's own credentials; Security Hub reports them in C(failed).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Write our audit as findings
  hubfix.aws.securityhub_finding_import:
    audit: "{{ lookup('ansible.builtin.file', 'hubfix-reports/latest/audit.json') | from_json }}"

- name: Write the detection modules' results as findings, without archiving older ones
  hubfix.aws.securityhub_finding_import:
    audit: "{{ pv | combine(lc) }}"
    archive_missing: false
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.securityhub_findings
updated:
  description: Ids of the findings created, updated or archived (would be, in check mode).
  returned: always
  type: list
  elements: str
unprocessed:
  description:
    - Findings that could not be imported - C({id, product_arn, region, error_code, error_message}), with C(resource_id) and
      C(control) when the lookup of existing findings failed. Error codes are Security Hub's (C(InvalidInput), ...) or the API
      error of a failed call.
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after, keyed by finding id (control, resource, compliance status, record state, description).
  returned: when diff mode is on or the module changed something
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_api import finish, import_audit
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import InputError


def main():
    argument_spec = dict(
        audit=dict(type="dict", required=True),
        archive_missing=dict(type="bool", default=True),
        fail_on_unprocessed=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        with aws_errors_fail(module, "the audit could not be imported into Security Hub"):
            result = import_audit(module, module.params["audit"], module.params["archive_missing"])
    except InputError as e:
        module.fail_json(msg=str(e))
    finish(module, result, module.params["fail_on_unprocessed"])


if __name__ == "__main__":
    main()
