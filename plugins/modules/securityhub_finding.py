#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: securityhub_finding
short_description: Mark Security Hub findings NOTIFIED / RESOLVED with a note, or import hubfix audit results as findings
version_added: 0.1.0
description:
  - O(state=notified) sets the workflow status of the given findings to C(NOTIFIED) with O(note), when work on the resource starts
    (or when it failed - the note then says why and the finding stays C(NOTIFIED)).
  - O(state=resolved) sets C(RESOLVED) with O(note) (naming the replacement instance or launch template) when the remediation is
    done and hubfix's own re-check passed.
  - A finding whose workflow status is C(SUPPRESSED) is never changed. A finding that Security Hub still reports C(FAILED) (record
    C(ACTIVE)) is only resolved when the re-check confirmed the resource is compliant or gone - O(verified) (or the finding's own
    C(verified) key); otherwise it is skipped and named in C(skipped_findings). Security Hub re-evaluates on its own schedule; it resolves a
    control finding itself once the resource passes, archives it once the resource is gone, and sets it back to C(NEW) when
    compliance flips back to C(FAILED) - this module never fights that.
  - Idempotent - a finding already in the requested workflow status with the same note is left alone. Check mode reports what would
    change (diff of workflow status and note) without any mutating call. Updates use C(securityhub:BatchUpdateFindings), 100 findings a
    call, in the Region each finding lives in. Findings Security Hub could not update are listed in C(unprocessed).
  - O(state=imported) writes hubfix's own audit results (O(audit)) as ASFF findings of the account's default product
    (C(arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default)) with C(securityhub:BatchImportFindings), so teams without the
    control enabled in Security Hub still see them. Ids are deterministic (C(hubfix.aws/CONTROL/ACCOUNT/REGION/RESOURCE)), so a
    re-import updates the finding instead of adding one; a finding whose content did not change is not re-imported. With
    O(archive_missing), our findings for resources the audit no longer reports (in Regions and controls it scanned without error)
    are set C(PASSED) and C(ARCHIVED).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  state:
    description: What to do.
    type: str
    required: true
    choices: [notified, resolved, imported]
  findings:
    description:
      - Findings to update (O(state=notified) or O(state=resolved)). Each item names a finding by C(finding_id) (or C(id)) and
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
    description:
      - For O(state=imported) - the C(hubfix.aws.audit) report (C(audit.json) / fact C(audit_result), with C(findings), C(scans) and
        C(accounts)), or one dict with the results of M(hubfix.aws.paravirtual_instance_info) (C(instances)) and/or
        M(hubfix.aws.launch_config_imdsv2_info) (C(launch_configurations), C(autoscaling_groups_on_launch_configurations)),
        plus C(account_id) and C(regions).
    type: dict
  archive_missing:
    description:
      - For O(state=imported) - archive (Compliance C(PASSED), RecordState C(ARCHIVED)) our earlier findings whose resource the audit no
        longer reports. Only Regions and controls the audit scanned without error are considered.
    type: bool
    default: true
  fail_on_unprocessed:
    description:
      - Fail when a finding could not be found, updated or imported (after the others were processed). With V(false) they are only
        reported in C(unprocessed) / C(failed) with a warning.
    type: bool
    default: true
notes:
  - "IAM actions: securityhub:GetFindings, securityhub:BatchUpdateFindings (notified/resolved), securityhub:BatchImportFindings (imported)."
  - BatchUpdateFindings does not change a finding's C(UpdatedAt); the note carries its own C(UpdatedAt).
  - Importing findings for an account other than the caller's needs that account's own credentials; Security Hub reports them in C(failed).
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
    state: notified
    findings: "{{ sh.targets }}"
    note: "hubfix.aws: replacing the paravirtual instance with an HVM instance"

- name: Done and re-checked - name the replacement
  hubfix.aws.securityhub_finding:
    state: resolved
    findings:
      - resource_id: i-0123456789abcdef0
        control: EC2.24
        region: us-east-1
    note: "hubfix.aws: replaced by i-0fedcba9876543210 (HVM t3.small); source stopped"
    verified: true

- name: Failed - leave it NOTIFIED and say why
  hubfix.aws.securityhub_finding:
    state: notified
    findings: [{id: "{{ finding_id }}", product_arn: "{{ product_arn }}"}]
    note: "hubfix.aws: migration failed and was rolled back: {{ error }}"

- name: Write our audit as findings
  hubfix.aws.securityhub_finding:
    state: imported
    audit: "{{ lookup('ansible.builtin.file', 'hubfix-reports/audit.json') | from_json }}"
"""

RETURN = r"""
findings:
  description:
    - O(state=notified) or O(state=resolved) - one entry per finding asked for.
    - O(state=imported) - one entry per finding created, updated, archived or left unchanged.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "Finding id.", type: str, returned: always}
    product_arn: {description: "Product ARN.", type: str, returned: always}
    region: {description: "Region the finding lives in.", type: str, returned: always}
    control: {description: "Security control id.", type: str, returned: always}
    resource_id: {description: "Instance id, launch configuration or group name (null when not recognised).", type: str, returned: always}
    action:
      description:
        - C(updated) (would be in check mode), C(unchanged), C(skipped) (suppressed or still failing) or C(unprocessed) for
          notified/resolved; C(created), C(updated), C(archived), C(unchanged) or C(failed) for imported.
      type: str
      returned: always
    reason: {description: "Why a finding was skipped, unprocessed or failed; else null.", type: str, returned: always}
    before: {description: "Workflow status and note before (notified/resolved).", type: dict, returned: when state is notified or resolved}
    after: {description: "Workflow status and note after (notified/resolved).", type: dict, returned: when state is notified or resolved}
updated:
  description: Ids of the findings updated, created or archived (would be, in check mode).
  returned: always
  type: list
  elements: str
unchanged:
  description: Ids of the findings that already were as requested.
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
    - Findings that could not be found, updated or imported - C({id, product_arn, region, error_code, error_message}); for a lookup
      by resource also C(resource_id) and C(control). Error codes are Security Hub's (C(FindingNotFound), C(ConcurrentUpdateError),
      C(InvalidInput), ...) or the API error of a failed call.
  returned: always
  type: list
  elements: dict
diff:
  description: Before and after, keyed by finding id (workflow status and note; for imports compliance status and record state).
  returned: when diff mode is on or the module changed something
  type: dict
"""

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.regions import error_code
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub import (
    GENERATOR_PREFIX,
    PAGE_SIZE,
    WORKFLOW_NOTIFIED,
    WORKFLOW_RESOLVED,
    InputError,
    audit_records,
    control_of,
    default_product_arn,
    finding_home_region,
    finding_matches_resource,
    finding_target,
    id_filters,
    import_batches,
    normalise_note,
    plan_import,
    plan_update,
    resource_lookup_filters,
    update_batches,
    utc_now,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


class Clients:
    def __init__(self, module):
        self.module = module
        self._clients = {}

    def __call__(self, region):
        if region not in self._clients:
            self._clients[region] = client(self.module, "securityhub", region)
        return self._clients[region]


def get_findings(sh, filters):
    findings, token = [], None
    while True:
        params = {"Filters": filters, "MaxResults": PAGE_SIZE}
        if token:
            params["NextToken"] = token
        page = sh.get_findings(aws_retry=True, **params)
        findings.extend(page.get("Findings", []))
        token = page.get("NextToken")
        if not token:
            return findings


def _api_error(e):
    """``(code, message)`` of a botocore error."""
    response = getattr(e, "response", None)
    message = ((response or {}).get("Error") or {}).get("Message") if isinstance(response, dict) else None
    return error_code(e) or type(e).__name__, message or str(e)


def _unprocessed(ident, region, code, message, **extra):
    entry = {"id": ident.get("Id"), "product_arn": ident.get("ProductArn"), "region": region, "error_code": code, "error_message": message}
    entry.update(extra)
    return entry


# -- notified / resolved -------------------------------------------------------------------------------------------------


def parse_items(module):
    """The ``findings`` option as ``(by_id, by_resource)``; fails on an item that names no finding."""
    by_id, by_resource = [], []
    default_verified = module.params["verified"]
    for n, item in enumerate(module.params["findings"] or []):
        if not isinstance(item, dict):
            module.fail_json(msg="findings[%d] must be a dict" % n)
        finding_id = item.get("finding_id") or item.get("id")
        verified = item.get("verified")
        try:
            verified = default_verified if verified is None else boolean(verified, strict=True)
        except TypeError:
            module.fail_json(msg="findings[%d].verified must be a boolean, not %r" % (n, verified))
        if finding_id and item.get("product_arn"):
            # a target of securityhub_finding_info carries finding_region (where the finding lives) besides the resource's region
            region = item.get("finding_region") or item.get("region")
            region = region or finding_home_region(product_arn=item["product_arn"], finding_id=finding_id, default=module.region)
            by_id.append({"Id": finding_id, "ProductArn": item["product_arn"], "region": region, "verified": verified})
        elif item.get("resource_id") and item.get("control"):
            region = item.get("region") or module.region
            by_resource.append({"resource_id": item["resource_id"], "control": item["control"], "region": region, "verified": verified})
        else:
            module.fail_json(msg="findings[%d]: give id and product_arn, or resource_id and control (got keys: %s)" % (n, ", ".join(sorted(item)) or "none"))
    for entry in by_id + by_resource:
        if not entry["region"]:
            module.fail_json(msg="cannot tell the Region of finding %s: set its region or the region option" % (entry.get("Id") or entry.get("resource_id")))
    return by_id, by_resource


def lookup_findings(module, clients, by_id, by_resource):
    """Current findings: ``(found [(finding, region, verified)], unprocessed)``."""
    found, unprocessed, seen = [], [], set()

    def add(finding, region, verified):
        key = (finding.get("Id"), finding.get("ProductArn"))
        if key in seen:
            return
        seen.add(key)
        found.append((finding, region, verified))

    per_region = {}
    for entry in by_id:
        per_region.setdefault(entry["region"], []).append(entry)
    for region, entries in per_region.items():
        wanted = {(e["Id"], e["ProductArn"]): e for e in entries}
        current = {}
        try:
            for filters in id_filters([e["Id"] for e in entries]):
                for f in get_findings(clients(region), filters):
                    current[(f.get("Id"), f.get("ProductArn"))] = f
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            code, message = _api_error(e)
            unprocessed.extend(_unprocessed(e_, region, code, "GetFindings: " + message) for e_ in wanted.values())
            continue
        for key, entry in wanted.items():
            if key in current:
                add(current[key], region, entry["verified"])
            else:
                unprocessed.append(_unprocessed(entry, region, "FindingNotFound", "no such finding in Region %s" % region))
    for entry in by_resource:
        region = entry["region"]
        try:
            candidates = get_findings(clients(region), resource_lookup_filters(entry["control"], entry["resource_id"]))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            code, message = _api_error(e)
            unprocessed.append(_unprocessed({}, region, code, "GetFindings: " + message, resource_id=entry["resource_id"], control=entry["control"]))
            continue
        matches = [f for f in candidates if control_of(f) == entry["control"] and finding_matches_resource(f, entry["resource_id"])]
        if not matches:
            unprocessed.append(
                _unprocessed(
                    {},
                    region,
                    "FindingNotFound",
                    "no ACTIVE %s finding for %s in Region %s" % (entry["control"], entry["resource_id"], region),
                    resource_id=entry["resource_id"],
                    control=entry["control"],
                )
            )
        for f in matches:
            add(f, finding_home_region(f, f.get("ProductArn"), f.get("Id"), region), entry["verified"])
    return found, unprocessed


def run_update(module, status):
    clients = Clients(module)
    note = normalise_note(module.params["note"])
    updated_by = module.params["note_updated_by"]
    if not updated_by:
        module.fail_json(msg="note_updated_by must not be empty")
    by_id, by_resource = parse_items(module)
    found, unprocessed = lookup_findings(module, clients, by_id, by_resource)

    results, planned, diff_before, diff_after = [], [], {}, {}
    for finding, region, verified in found:
        plan = plan_update(finding, status, note, verified=verified)
        target = finding_target(finding) or {}
        entry = {
            "id": finding["Id"],
            "product_arn": finding["ProductArn"],
            "region": region,
            "control": control_of(finding),
            "resource_id": target.get("id"),
            "action": {"update": "updated", "unchanged": "unchanged", "skip": "skipped"}[plan["action"]],
            "reason": plan["reason"],
            "before": plan["before"],
            "after": plan["after"],
        }
        results.append(entry)
        if plan["action"] == "update":
            planned.append(({"Id": finding["Id"], "ProductArn": finding["ProductArn"]}, region, plan["after"]))
            diff_before[finding["Id"]] = plan["before"]
            diff_after[finding["Id"]] = plan["after"]

    failed_keys = set()
    if planned and not module.check_mode:
        for region, params in update_batches(planned, updated_by):
            try:
                resp = clients(region).batch_update_findings(aws_retry=True, **params)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                code, message = _api_error(e)
                for ident in params["FindingIdentifiers"]:
                    unprocessed.append(_unprocessed(ident, region, code, "BatchUpdateFindings: " + message))
                    failed_keys.add((ident["Id"], ident["ProductArn"]))
                continue
            for item in resp.get("UnprocessedFindings", []):
                ident = item.get("FindingIdentifier", {})
                unprocessed.append(_unprocessed(ident, region, item.get("ErrorCode"), item.get("ErrorMessage")))
                failed_keys.add((ident.get("Id"), ident.get("ProductArn")))
    for entry in results:
        if entry["action"] == "updated" and (entry["id"], entry["product_arn"]) in failed_keys:
            entry["action"] = "unprocessed"
            entry["reason"] = next(u["error_code"] + ": " + str(u["error_message"]) for u in unprocessed if u["id"] == entry["id"])
            diff_before.pop(entry["id"], None)
            diff_after.pop(entry["id"], None)

    updated = [e["id"] for e in results if e["action"] == "updated"]
    result = dict(
        changed=bool(updated),
        findings=results,
        updated=updated,
        unchanged=[e["id"] for e in results if e["action"] == "unchanged"],
        skipped_findings=[{"id": e["id"], "product_arn": e["product_arn"], "reason": e["reason"]} for e in results if e["action"] == "skipped"],
        unprocessed=unprocessed,
        diff={"before": diff_before, "after": diff_after},
    )
    finish(module, result)


# -- imported ------------------------------------------------------------------------------------------------------------


def existing_ours(clients, regions, accounts):
    """Our findings already in Security Hub, any record state: ``({(Id, ProductArn): finding}, {region: error})``."""
    existing, errors = {}, {}
    for region in regions:
        filters = {
            "ProductArn": [{"Value": default_product_arn(region, a), "Comparison": "EQUALS"} for a in accounts[:20]],
            "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
        }
        try:
            for f in get_findings(clients(region), filters):
                existing[(f.get("Id"), f.get("ProductArn"))] = f
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            errors[region] = _api_error(e)
    return existing, errors


def _import_view(finding):
    return {
        "control": control_of(finding),
        "resource_id": ((finding.get("Resources") or [{}])[0]).get("Id"),
        "compliance_status": (finding.get("Compliance") or {}).get("Status"),
        "record_state": finding.get("RecordState", "ACTIVE"),
        "description": finding.get("Description"),
    }


def run_import(module):
    clients = Clients(module)
    try:
        records, scope, accounts = audit_records(module.params["audit"] or {})
    except InputError as e:
        module.fail_json(msg=str(e))
    if not module.params["archive_missing"]:
        scope = {}
    if len(accounts) > 20:
        module.fail_json(msg="audit covers %d accounts; import at most 20 at a time" % len(accounts))
    regions = list(dict.fromkeys([r["region"] for r in records] + sorted(scope)))
    existing, errors = existing_ours(clients, regions, accounts)
    now = utc_now()
    ok_records = [r for r in records if r["region"] not in errors]
    ok_scope = {region: controls for region, controls in scope.items() if region not in errors}
    plan = plan_import(ok_records, existing, ok_scope, now)

    unprocessed = []
    for r in records:
        if r["region"] in errors:
            code, message = errors[r["region"]]
            unprocessed.append(
                _unprocessed({"Id": None, "ProductArn": default_product_arn(r["region"], r["account_id"])}, r["region"], code, "GetFindings: " + message)
            )
            unprocessed[-1]["resource_id"] = r["resource_id"]
            unprocessed[-1]["control"] = r["control"]

    actions = {}
    for kind, action in (("create", "created"), ("update", "updated"), ("archive", "archived")):
        for f in plan[kind]:
            actions[f["Id"]] = (action, f)
    failed = {}
    if actions and not module.check_mode:
        for region, batch in import_batches([f for _unused, f in actions.values()]):
            try:
                resp = clients(region).batch_import_findings(aws_retry=True, Findings=batch)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                code, message = _api_error(e)
                for f in batch:
                    failed[f["Id"]] = (region, code, "BatchImportFindings: " + message, f["ProductArn"])
                continue
            for item in resp.get("FailedFindings", []):
                f = next((x for x in batch if x["Id"] == item.get("Id")), {})
                failed[item.get("Id")] = (region, item.get("ErrorCode"), item.get("ErrorMessage"), f.get("ProductArn"))

    results, diff_before, diff_after = [], {}, {}
    for finding_id, (action, f) in actions.items():
        region = finding_home_region(product_arn=f["ProductArn"])
        entry = {
            "id": finding_id,
            "product_arn": f["ProductArn"],
            "region": region,
            "control": control_of(f),
            "resource_id": _import_view(f)["resource_id"],
            "action": action,
            "reason": None,
        }
        if finding_id in failed:
            _unused, code, message, _unused = failed[finding_id]
            entry["action"], entry["reason"] = "failed", "%s: %s" % (code, message)
            unprocessed.append(_unprocessed({"Id": finding_id, "ProductArn": f["ProductArn"]}, region, code, message))
        else:
            old = existing.get((finding_id, f["ProductArn"]))
            diff_before[finding_id] = _import_view(old) if old else None
            diff_after[finding_id] = _import_view(f)
        results.append(entry)
    for finding_id in plan["unchanged"]:
        results.append({"id": finding_id, "product_arn": None, "region": None, "control": None, "resource_id": None, "action": "unchanged", "reason": None})
    for entry in results:
        if entry["action"] == "unchanged":
            old = next((v for (i, _unused), v in existing.items() if i == entry["id"]), {})
            entry.update(
                product_arn=old.get("ProductArn"),
                region=finding_home_region(old, old.get("ProductArn")),
                control=control_of(old),
                resource_id=_import_view(old)["resource_id"],
            )

    updated = [e["id"] for e in results if e["action"] in ("created", "updated", "archived")]
    result = dict(
        changed=bool(updated),
        findings=results,
        updated=updated,
        unchanged=[e["id"] for e in results if e["action"] == "unchanged"],
        skipped_findings=[],
        unprocessed=unprocessed,
        diff={"before": diff_before, "after": diff_after},
    )
    finish(module, result)


def finish(module, result):
    if result["unprocessed"]:
        summary = "; ".join(
            "%s (%s): %s %s" % (u.get("id") or u.get("resource_id"), u.get("region"), u.get("error_code"), u.get("error_message"))
            for u in result["unprocessed"][:10]
        )
        more = " and %d more" % (len(result["unprocessed"]) - 10) if len(result["unprocessed"]) > 10 else ""
        msg = "%d finding(s) not processed: %s%s" % (len(result["unprocessed"]), summary, more)
        if module.params["fail_on_unprocessed"]:
            module.fail_json(msg=msg, **result)
        module.warn(msg)
    module.exit_json(**result)


def main():
    argument_spec = dict(
        state=dict(type="str", required=True, choices=["notified", "resolved", "imported"]),
        findings=dict(type="list", elements="dict"),
        note=dict(type="str"),
        note_updated_by=dict(type="str", default="hubfix.aws"),
        verified=dict(type="bool", default=False),
        audit=dict(type="dict"),
        archive_missing=dict(type="bool", default=True),
        fail_on_unprocessed=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "notified", ["findings"]), ("state", "resolved", ["findings"]), ("state", "imported", ["audit"])],
    )
    state = module.params["state"]
    if state == "imported":
        run_import(module)
    run_update(module, WORKFLOW_NOTIFIED if state == "notified" else WORKFLOW_RESOLVED)


if __name__ == "__main__":
    main()
