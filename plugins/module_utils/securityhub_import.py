# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Our audit as Security Hub findings (BatchImportFindings): each failing resource of a ``hubfix.aws.audit`` report (or of
the detection modules' results, shaped into one by ``audit_report``) becomes an ASFF finding of the account's default
product with a deterministic Id, so a re-import updates instead of duplicating; a finding whose content did not change
is not re-imported, and ours that the audit no longer reports are archived.
"""

from __future__ import annotations

import copy
import datetime

from ansible_collections.hubfix.aws.plugins.module_utils.audit_report import audit_report
from ansible_collections.hubfix.aws.plugins.module_utils.controls import CONTROLS, RESOURCE_TYPE, SEVERITY, TITLES
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import instance_arn, partition_for, securityhub_default_product_arn
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import (
    GENERATOR_PREFIX,
    ID_PREFIX,
    InputError,
    control_of,
    is_ours,
    region_of_arn,
)

# BatchImportFindings takes at most 100 findings a call; field limits of the ASFF.
BATCH_SIZE = 100
TITLE_MAX = 256
DESCRIPTION_MAX = 1024
RECOMMENDATION_MAX = 512
ASFF_SCHEMA_VERSION = "2018-10-08"
ASFF_TYPES = ["Software and Configuration Checks/AWS Security Best Practices"]
# Keys Security Hub maintains or that change on every import: not compared when deciding whether a re-import is needed.
VOLATILE_KEYS = ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: UP017 - also Python < 3.11


def asff_id(control, account_id, region, resource_id):
    return "%s%s/%s/%s/%s" % (ID_PREFIX, control, account_id, region, resource_id)


def _record(control, resource_type, resource_id, name, arn, account_id, region, reason, reason_text, status, next_text, details):
    return {
        "control": control,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "resource_name": name or resource_id,
        "resource_arn": arn,
        "account_id": account_id,
        "region": region,
        "reason": reason,
        "reason_text": reason_text,
        "status": status or "failed",
        "next_action": next_text,
        "details": details or {},
    }


def _records_from_report(audit):
    records = []
    for f in audit.get("findings") or []:
        records.append(
            _record(
                f.get("control"),
                f.get("resource_type") or RESOURCE_TYPE.get(f.get("control")),
                f.get("resource_id"),
                f.get("resource_name"),
                f.get("resource_arn"),
                f.get("account_id"),
                f.get("region"),
                f.get("reason"),
                f.get("reason_text"),
                f.get("status"),
                (f.get("next_action") or {}).get("text"),
                f.get("details"),
            )
        )
    scope = {}
    for scan in audit.get("scans") or []:
        if scan.get("scanned") and not scan.get("error"):
            scope.setdefault(scan.get("region"), set()).update(scan.get("controls") or [])
    accounts = list(audit.get("accounts") or [])
    return records, scope, accounts


def _with_account(records, account_id):
    return [dict(r, account_id=r.get("account_id") or account_id) for r in records or []]


def _report_from_modules(results):
    """The detection modules' results (one dict) as an audit report of the controls they cover."""
    account = results.get("account_id")
    results = dict(
        results,
        **{
            k: _with_account(results[k], account) for k in ("instances", "launch_configurations", "autoscaling_groups_on_launch_configurations") if k in results
        },
    )
    covered = [
        c for c, key in zip(CONTROLS, ("instances", "launch_configurations", "autoscaling_groups_on_launch_configurations"), strict=True) if key in results
    ]
    paravirtual = results if "instances" in results else None
    launch_configs = results if any(c != CONTROLS[0] for c in covered) else None
    return audit_report(paravirtual, launch_configs, controls=covered, accounts=[results["account_id"]] if results.get("account_id") else None)


def audit_records(audit):
    """Failing resources of an audit: ``(records, scope, accounts)``.

    ``audit`` is the ``hubfix.aws.audit`` report (``findings[]``, ``scans[]``, ``accounts``; docs/audit-report.md) or the
    return values of ``paravirtual_instance_info`` (``instances``) and/or ``launch_config_imdsv2_info``
    (``launch_configurations``, ``autoscaling_groups_on_launch_configurations``, ``regions``, ``account_id``) in one dict.
    ``scope`` is ``{region: {controls}}`` that were scanned without error (our findings there that the audit no longer
    reports are archived); ``accounts`` the accounts audited.
    """
    if not isinstance(audit, dict):
        raise InputError("audit must be a dict (the hubfix.aws.audit JSON or the detection modules' results)")
    if "findings" in audit:
        records, scope, accounts = _records_from_report(audit)
    elif any(k in audit for k in ("instances", "launch_configurations", "autoscaling_groups_on_launch_configurations")):
        records, scope, accounts = _records_from_report(_report_from_modules(audit))
    else:
        raise InputError("audit has neither findings (hubfix.aws.audit report) nor instances / launch_configurations (detection module results)")
    bad = [r for r in records if r["control"] not in CONTROLS or not r["resource_id"] or not r["region"] or not r["account_id"]]
    if bad:
        raise InputError(
            "audit: %d record(s) lack a known control, resource id, region or account id, e.g. %r"
            % (len(bad), {k: bad[0][k] for k in ("control", "resource_id", "region", "account_id")})
        )
    for r in records:
        if r["account_id"] not in accounts:
            accounts.append(r["account_id"])
    return records, scope, accounts


def _resource_arn(record):
    if record["resource_arn"]:
        return record["resource_arn"]
    if record["resource_type"] == "AwsEc2Instance":
        return instance_arn(record["region"], record["account_id"], record["resource_id"])
    return record["resource_id"]


def _resource_details(record):
    d = record["details"] or {}
    if record["resource_type"] == "AwsEc2Instance":
        details = {"Type": d.get("instance_type"), "ImageId": d.get("image_id")}
        return {"AwsEc2Instance": {k: v for k, v in details.items() if v}}
    if record["resource_type"] == "AwsAutoScalingLaunchConfiguration":
        details = {"LaunchConfigurationName": record["resource_id"], "ImageId": d.get("image_id"), "InstanceType": d.get("instance_type")}
        mo = d.get("metadata_options")
        if mo:
            options = {
                "HttpTokens": mo.get("http_tokens"),
                "HttpEndpoint": mo.get("http_endpoint"),
                "HttpPutResponseHopLimit": mo.get("http_put_response_hop_limit"),
            }
            details["MetadataOptions"] = {k: v for k, v in options.items() if v is not None}
        return {"AwsAutoScalingLaunchConfiguration": {k: v for k, v in details.items() if v}}
    lc_name = d.get("launch_configuration_name")
    return {"AwsAutoScalingAutoScalingGroup": {"LaunchConfigurationName": lc_name}} if lc_name else {}


def build_asff(record, now, created_at=None, first_observed_at=None):
    """The ASFF finding for one failing resource of the audit (BatchImportFindings input)."""
    control = record["control"]
    region = record["region"]
    account_id = record["account_id"]
    severity = SEVERITY[control]
    description = "%s %s: %s (%s). Found by the hubfix.aws audit." % (
        control,
        {"AwsEc2Instance": "instance", "AwsAutoScalingLaunchConfiguration": "launch configuration"}.get(record["resource_type"], "Auto Scaling group"),
        record["resource_name"] if record["resource_name"] == record["resource_id"] else "%s (%s)" % (record["resource_id"], record["resource_name"]),
        record["reason_text"] or record["reason"],
    )
    product_fields = {
        "hubfix/ControlId": control,
        "hubfix/ResourceName": record["resource_name"],
        "hubfix/Reason": record["reason"] or "",
        "hubfix/Status": record["status"],
    }
    resource = {
        "Type": record["resource_type"],
        "Id": _resource_arn(record),
        "Partition": partition_for(region),
        "Region": region,
    }
    details = _resource_details(record)
    if details:
        resource["Details"] = details
    finding = {
        "SchemaVersion": ASFF_SCHEMA_VERSION,
        "Id": asff_id(control, account_id, region, record["resource_id"]),
        "ProductArn": securityhub_default_product_arn(region, account_id),
        "GeneratorId": GENERATOR_PREFIX + control,
        "AwsAccountId": account_id,
        "Types": list(ASFF_TYPES),
        "CreatedAt": created_at or now,
        "UpdatedAt": now,
        "FirstObservedAt": first_observed_at or now,
        "LastObservedAt": now,
        "Severity": {"Label": severity, "Original": severity},
        "Title": ("%s %s" % (control, TITLES[control]))[:TITLE_MAX],
        "Description": description[:DESCRIPTION_MAX],
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": {"Status": "FAILED", "SecurityControlId": control},
        "RecordState": "ACTIVE",
    }
    if record.get("next_action"):
        finding["Remediation"] = {"Recommendation": {"Text": record["next_action"][:RECOMMENDATION_MAX]}}
    return finding


def archived_asff(existing, now):
    """Re-import of one of our findings whose resource the audit no longer reports: Compliance PASSED, record ARCHIVED."""
    keep = ("SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "FirstObservedAt")
    keep += ("Severity", "Title", "Description", "ProductFields", "Resources", "Remediation")
    finding = {k: copy.deepcopy(existing[k]) for k in keep if k in existing}
    finding["ProductFields"] = {k: v for k, v in (finding.get("ProductFields") or {}).items() if not k.startswith("aws/")}
    finding["ProductFields"]["hubfix/Status"] = "not_reported"
    severity = {k: v for k, v in (finding.get("Severity") or {}).items() if k in ("Label", "Original")}
    finding["Severity"] = severity or {"Label": "INFORMATIONAL"}
    finding["UpdatedAt"] = now
    finding["LastObservedAt"] = now
    finding["Compliance"] = {"Status": "PASSED", "SecurityControlId": control_of(existing)}
    finding["RecordState"] = "ARCHIVED"
    return finding


def is_subset(wanted, actual):
    """Whether every value in ``wanted`` is in ``actual`` (dicts recursively; lists element by element, same length)."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(k in actual and is_subset(v, actual[k]) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(actual, list) and len(wanted) == len(actual) and all(is_subset(w, a) for w, a in zip(wanted, actual))  # noqa: B905 - lengths checked; strict= needs 3.10
    return wanted == actual


def import_unchanged(new, existing):
    """Whether importing ``new`` over ``existing`` would change nothing that matters (timestamps aside)."""
    if existing is None:
        return False
    wanted = {k: v for k, v in new.items() if k not in VOLATILE_KEYS}
    return is_subset(wanted, existing)


def plan_import(records, existing, scope, now):
    """What to import: ``{"create": [asff], "update": [asff], "archive": [asff], "unchanged": [ids]}``.

    ``existing`` maps ``(Id, ProductArn)`` to our findings already in Security Hub (any record state). A finding of ours
    that is ACTIVE, in a region and control the audit scanned without error (``scope``), and that the audit no longer
    reports, is archived (Compliance PASSED, RecordState ARCHIVED).
    """
    plan = {"create": [], "update": [], "archive": [], "unchanged": []}
    seen = set()
    for record in records:
        key_id = asff_id(record["control"], record["account_id"], record["region"], record["resource_id"])
        key = (key_id, securityhub_default_product_arn(record["region"], record["account_id"]))
        if key in seen:
            continue
        seen.add(key)
        old = existing.get(key)
        new = build_asff(
            record,
            now,
            created_at=(old or {}).get("CreatedAt"),
            first_observed_at=(old or {}).get("FirstObservedAt"),
        )
        if old is None:
            plan["create"].append(new)
        elif import_unchanged(new, old):
            plan["unchanged"].append(new["Id"])
        else:
            plan["update"].append(new)
    for key in sorted(existing):
        old = existing[key]
        if key in seen or not is_ours(old) or old.get("RecordState", "ACTIVE") != "ACTIVE":
            continue
        if control_of(old) in scope.get(old.get("Region") or region_of_arn(old.get("ProductArn")), set()):
            plan["archive"].append(archived_asff(old, now))
    return plan


def import_batches(findings):
    """BatchImportFindings requests: ``[(region, [findings])]``, at most 100 findings each, in the Region of their product ARN.

    (``Region`` is set by Security Hub, not by the provider: a finding is imported in the Region of its ProductArn.)
    """
    by_region = {}
    for f in findings:
        by_region.setdefault(region_of_arn(f["ProductArn"]), []).append(f)
    return [(region, items[i : i + BATCH_SIZE]) for region, items in by_region.items() for i in range(0, len(items), BATCH_SIZE)]


def import_summary(result):
    """One line of what an import did, from the ``securityhub_finding_import`` result."""
    findings = result.get("findings") or []
    counts = ["%d %s" % (len([f for f in findings if f.get("action") == a]), a) for a in ("created", "updated", "archived", "unchanged")]
    line = ", ".join(counts) + ", %d not imported" % (len([f for f in findings if f.get("action") == "failed"]) + len(result.get("unprocessed") or []))
    errors = sorted({u.get("error_message") or "" for u in result.get("unprocessed") or []} - {""})
    return line + (": " + "; ".join(errors) if errors else "")
