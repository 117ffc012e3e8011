#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: securityhub_finding
short_description: Mark Security Hub findings NOTIFIED or RESOLVED with a note
version_added: 0.1.0
description:
  - O(workflow_status=NOTIFIED) sets the workflow status of the given findings to C(NOTIFIED) with O(note), when work on the
    resource starts (or when it failed - the note then says why and the finding stays C(NOTIFIED)).
  - O(workflow_status=RESOLVED) sets C(RESOLVED) with O(note) (naming the replacement instance or launch template) when the
    remediation is done and hubfix's own re-check passed.
  - A finding whose workflow status is C(SUPPRESSED) is never changed. A finding that Security Hub still reports C(FAILED) (record
    C(ACTIVE)) is only resolved when the re-check confirmed the resource is compliant or gone - O(verified) (or the finding's own
    C(verified) key); otherwise it is skipped and named in C(skipped_findings). Security Hub re-evaluates on its own schedule; it resolves a
    control finding itself once the resource passes, archives it once the resource is gone, and sets it back to C(NEW) when
    compliance flips back to C(FAILED) - this module never fights that.
  - Idempotent - a finding already in the requested workflow status with the same note is left alone. Check mode reports what would
    change (diff of workflow status and note) without any mutating call. Updates use C(securityhub:BatchUpdateFindings), 100 findings a
    call, in the Region each finding lives in. Findings Security Hub could not update are listed in C(unprocessed).
  - Importing hubfix's own audit as findings is M(hubfix.aws.securityhub_finding_import). The O(state) values C(notified),
    C(resolved) and C(imported) of 0.1.0 still work and are deprecated.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  workflow_status:
    description: The workflow status to set. Required unless the deprecated O(state) values are used.
    type: str
    choices: [NOTIFIED, RESOLVED]
  state:
    description:
      - V(present) (the default) sets O(workflow_status). V(notified) and V(resolved) are deprecated spellings of
        O(workflow_status=NOTIFIED) / O(workflow_status=RESOLVED); V(imported) is deprecated, use M(hubfix.aws.securityhub_finding_import).
    type: str
    choices: [present, notified, resolved, imported]
    default: present
  findings:
    description:
      - Findings to update. Each item names a finding by C(finding_id) (or C(id)) and
        C(product_arn), or by C(resource_id) (ARN, instance id, launch configuration or group name) and C(control), which is looked up
        among the ACTIVE findings of that control.
      - Optional keys - C(region) (where the finding lives; default the Region of its product ARN, else the connection's region) and
        C(verified) (bool, overrides O(verified) for this finding). Other keys are ignored, so the C(targets) of
        M(hubfix.aws.securityhub_finding_info) can be passed as they are.
    type: list
    elements: dict
  note:
    description:
      - Note text to set with the workflow status (at most 512 characters; longer text is cut). Omitted - the note is left as it is.
    type: str
  note_updated_by:
    description: The C(UpdatedBy) of the note.
    type: str
    default: hubfix.aws
  verified:
    description:
      - hubfix's own re-check confirmed the resources are compliant or gone, so findings Security Hub still reports FAILED may be
        resolved. Applies to every finding without its own C(verified) key.
    type: bool
    default: false
  audit:
    description: Deprecated, for O(state=imported) only - see M(hubfix.aws.securityhub_finding_import).
    type: dict
  archive_missing:
    description: Deprecated, for O(state=imported) only - see M(hubfix.aws.securityhub_finding_import).
    type: bool
    default: true
  fail_on_unprocessed:
    description:
      - Fail when a finding could not be found or updated (after the others were processed). With V(false) they are only
        reported in C(unprocessed) with a warning.
    type: bool
    default: true
notes:
  - "IAM actions: securityhub:GetFindings, securityhub:BatchUpdateFindings."
  - BatchUpdateFindings does not change a finding's C(UpdatedAt); the note carries its own C(UpdatedAt).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the targets
  hubfix.aws.securityhub_finding_info:
    controls: [EC2.24]
  register: sh

- name: Work starts
  hubfix.aws.securityhub_finding:
    workflow_status: NOTIFIED
    findings: "{{ sh.targets }}"
    note: "hubfix.aws: replacing the paravirtual instance with an HVM instance"

- name: Done and re-checked - name the replacement
  hubfix.aws.securityhub_finding:
    workflow_status: RESOLVED
    findings:
      - resource_id: i-0123456789abcdef0
        control: EC2.24
        region: us-east-1
    note: "hubfix.aws: replaced by i-0fedcba9876543210 (HVM t3.small); source stopped"
    verified: true

- name: Failed - leave it NOTIFIED and say why
  hubfix.aws.securityhub_finding:
    workflow_status: NOTIFIED
    findings: [{id: "{{ finding_id }}", product_arn: "{{ product_arn }}"}]
    note: "hubfix.aws: migration failed and was rolled back: {{ error }}"
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.securityhub_findings
updated:
  description: Ids of the findings updated (would be, in check mode).
  returned: always
  type: list
  elements: str
skipped_findings:
  description: Findings left alone on purpose (id, product_arn, reason) - SUPPRESSED, or still FAILED without O(verified).
  returned: always
  type: list
  elements: dict
unprocessed:
  description:
    - Findings that could not be found or updated - C({id, product_arn, region, error_code, error_message}); for a lookup
      by resource also C(resource_id) and C(control). Error codes are Security Hub's (C(FindingNotFound), C(ConcurrentUpdateError),
      C(InvalidInput), ...) or the API error of a failed call.
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after, keyed by finding id (workflow status and note).
  returned: when diff mode is on or the module changed something
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_api import finish, import_audit, update_workflow
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import InputError

# The 0.1.0 spellings: state values that were workflow statuses.
DEPRECATED_STATES = {"notified": "NOTIFIED", "resolved": "RESOLVED"}


def main():
    argument_spec = dict(
        workflow_status=dict(type="str", choices=["NOTIFIED", "RESOLVED"]),
        state=dict(type="str", choices=["present", "notified", "resolved", "imported"], default="present"),
        findings=dict(type="list", elements="dict"),
        note=dict(type="str"),
        note_updated_by=dict(type="str", default="hubfix.aws"),
        verified=dict(type="bool", default=False),
        audit=dict(type="dict"),
        archive_missing=dict(type="bool", default=True),
        fail_on_unprocessed=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True, required_if=[("state", "imported", ["audit"])])
    p = module.params
    state = p["state"]
    if state != "present":
        replacement = "hubfix.aws.securityhub_finding_import" if state == "imported" else "workflow_status=%s" % DEPRECATED_STATES[state]
        module.deprecate("state=%s is deprecated: use %s" % (state, replacement), date="2027-06-01", collection_name="hubfix.aws")
    status = DEPRECATED_STATES.get(state, p["workflow_status"])
    if state != "imported" and (not status or p["findings"] is None):
        module.fail_json(msg="workflow_status and findings are required (workflow_status: NOTIFIED or RESOLVED)")
    if not p["note_updated_by"]:
        module.fail_json(msg="note_updated_by must not be empty")
    try:
        with aws_errors_fail(module, "Security Hub findings could not be updated"):
            if state == "imported":
                result = import_audit(module, p["audit"], p["archive_missing"])
            else:
                result = update_workflow(module, status, p["findings"], p["note"], p["note_updated_by"], p["verified"])
    except InputError as e:
        module.fail_json(msg=str(e))
    finish(module, result, p["fail_on_unprocessed"])


if __name__ == "__main__":
    main()
