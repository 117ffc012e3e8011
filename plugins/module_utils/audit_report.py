# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit report (docs/audit-report.md): one finding per failing resource and control, with its blockers and next
action, and totals per control, account and region, from the detection modules' results.

- ``audit_report(paravirtual, launch_configs, controls=..., accounts=..., generated_at=...)``: the ``audit.json`` document
  from the results of ``hubfix.aws.paravirtual_instance_info`` and ``hubfix.aws.launch_config_imdsv2_info`` (either may be
  omitted/skipped when its controls are not audited).
- ``audit_summary(report, report_dir=None)``: a short list of lines for a one-screen summary.

Pure data shaping, used by the ``hubfix.aws.audit_report`` / ``audit_summary`` filters and by the Security Hub import.
"""

from __future__ import annotations

import datetime

from ansible_collections.hubfix.aws.plugins.module_utils import blockers as bl
from ansible_collections.hubfix.aws.plugins.module_utils.controls import (
    AUTOSCALING_3,
    AUTOSCALING_9,
    CONTROLS,
    EC2_24,
    REASON_LAUNCH_CONFIGURATION,
    REASON_METADATA_ABSENT,
    REASON_PARAVIRTUAL,
    REMEDIATION_PLAYBOOK,
    RESOURCE_TYPE,
    TITLES,
    reason_text,
    validate_controls,
)
from ansible_collections.hubfix.aws.plugins.module_utils.migration_tags import TAG_REPLACED_BY
from ansible_collections.hubfix.aws.plugins.module_utils.owners import describe as describe_owner
from ansible_collections.hubfix.aws.plugins.module_utils.owners import owner_file_name
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import instance_arn

SCHEMA_VERSION = 1

STATUS_FAILED = "failed"
STATUS_PENDING_TERMINATION = "remediated_pending_termination"


def _now():
    utc = datetime.timezone.utc  # noqa: UP017 - datetime.UTC needs Python 3.11; ansible-core 2.17 controllers may run 3.10
    return datetime.datetime.now(utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _result(value):
    """A registered module result, or {} when the task was skipped / not run."""
    if not isinstance(value, dict) or value.get("skipped"):
        return {}
    return value


def _devices(values):
    names = []
    for v in values or []:
        if isinstance(v, dict):
            names.append(v.get("device_name") or v.get("virtual_name") or str(v))
        else:
            names.append(str(v))
    return names


def _ec2_24_next_action(instance, blockers, replaced_by, suggested):
    """``(status, next action)`` of a paravirtual instance: terminate a replaced source, unblock it, or remediate it."""
    if replaced_by:
        return STATUS_PENDING_TERMINATION, {
            "kind": "terminate_source",
            "playbook": REMEDIATION_PLAYBOOK[EC2_24],
            "text": "replaced by %s — terminate this source once the replacement is verified (remediate_ec2_24 with pv_to_hvm_terminate_source: true); "
            "Security Hub keeps the finding FAILED until then" % replaced_by,
        }
    if blockers:
        texts = _unique_texts(bl.next_action(b["code"], instance) or b.get("message") or b["code"] for b in bl.sort_blockers(blockers))
        return STATUS_FAILED, {"kind": "blocked", "playbook": None, "text": "blocked: " + "; ".join(texts)}
    text = "run remediate_ec2_24 (pv_to_hvm)"
    if suggested:
        text += " — replacement type %s" % suggested
    checks = _unique_texts(bl.WARNING_HINTS.get(w.get("code")) or w.get("message") or w.get("code") for w in instance.get("warnings") or [])
    if checks:
        text += "; check first: " + "; ".join(checks)
    return STATUS_FAILED, {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOK[EC2_24], "text": text}


def _unique_texts(texts):
    return [t for t in dict.fromkeys(texts) if t]


def ec2_24_finding(instance):
    """One EC2.24 finding from a paravirtual_instance_info instance."""
    region = instance.get("region") or ""
    account = instance.get("account_id") or ""
    tags = instance.get("tags") or {}
    blockers = [{"code": b.get("code"), "message": b.get("message")} for b in instance.get("blockers") or []]
    replaced_by = instance.get("replaced_by") or tags.get(TAG_REPLACED_BY)
    suggested = instance.get("suggested_instance_type")
    status, action = _ec2_24_next_action(instance, blockers, replaced_by, suggested)
    instance_id = instance.get("instance_id")
    return {
        "control": EC2_24,
        "status": status,
        "resource_type": RESOURCE_TYPE[EC2_24],
        "resource_id": instance_id,
        "resource_name": tags.get("Name") or instance_id,
        # the detection's ARN when it gave one (building it needs the partition data)
        "resource_arn": instance.get("arn") or (instance_arn(region, account, instance_id) if account and region else None),
        "account_id": account,
        "region": region,
        "reason": REASON_PARAVIRTUAL,
        "reason_text": reason_text(REASON_PARAVIRTUAL),
        "blockers": blockers,
        "next_action": action,
        "details": {
            "state": instance.get("state"),
            "instance_type": instance.get("instance_type"),
            "suggested_instance_type": suggested,
            "image_id": instance.get("image_id"),
            "root_device_type": instance.get("root_device_type"),
            "availability_zone": instance.get("availability_zone"),
            "autoscaling_group_name": instance.get("autoscaling_group_name"),
            "termination_protection": instance.get("termination_protection"),
            "ebs_volume_ids": [v.get("volume_id") for v in instance.get("ebs_volumes") or []],
            "instance_store_devices": _devices(instance.get("instance_store_devices")),
            "elastic_ips": [e.get("public_ip") for e in instance.get("elastic_ips") or []],
            "owner": instance.get("owner"),
            "replaced_by": replaced_by,
            "security_hub_evaluated": instance.get("security_hub_evaluated"),
            "warnings": [{"code": w.get("code"), "message": w.get("message")} for w in instance.get("warnings") or []],
        },
    }


def autoscaling_3_finding(lc):
    """One AutoScaling.3 finding from a failing launch_config_imdsv2_info launch configuration."""
    groups = list(lc.get("autoscaling_groups") or [])
    reason = lc.get("reason") or REASON_METADATA_ABSENT
    if groups:
        text = "run remediate_autoscaling_3 (launch template with IMDSv2 required; switches %s, then retires the launch configuration)" % ", ".join(groups)
    else:
        text = (
            "run remediate_autoscaling_3 with autoscaling_imdsv2_delete_unused: true "
            "(no group uses it: it is backed up, then deleted; the finding closes when it is gone)"
        )
    if lc.get("owner"):
        text = (
            "owned by %s: run remediate_autoscaling_3 - it leaves the launch configuration and its groups alone and writes the change "
            "for the owner to <report dir>/owners/%s" % (describe_owner(lc["owner"]), owner_file_name(lc["owner"]))
        )
    if reason == "http_endpoint_disabled_tokens_optional":
        text += "; the metadata endpoint stays disabled"
    return {
        "control": AUTOSCALING_3,
        "status": STATUS_FAILED,
        "resource_type": RESOURCE_TYPE[AUTOSCALING_3],
        "resource_id": lc.get("name"),
        "resource_name": lc.get("name"),
        "resource_arn": lc.get("arn"),
        "account_id": lc.get("account_id") or "",
        "region": lc.get("region") or "",
        "reason": reason,
        "reason_text": reason_text(reason),
        "blockers": [],
        "next_action": {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOK[AUTOSCALING_3], "text": text},
        "details": {
            "metadata_options": lc.get("metadata_options"),
            "autoscaling_groups": groups,
            "owner": lc.get("owner"),
            "image_id": lc.get("image_id"),
            "instance_type": lc.get("instance_type"),
            "created_time": lc.get("created_time"),
        },
    }


def autoscaling_9_finding(group, lc_by_key, account_id):
    """One AutoScaling.9 finding from an entry of autoscaling_groups_on_launch_configurations."""
    region = group.get("region") or ""
    lc_name = group.get("launch_configuration_name")
    lc = lc_by_key.get((region, lc_name)) or {}
    if lc.get("compliant"):
        # remediate_autoscaling_3 takes failing launch configurations by default: name the group explicitly.
        text = (
            "run remediate_autoscaling_3 with autoscaling_imdsv2_group_names: [%s] (its launch configuration %s already requires IMDSv2, "
            "but AutoScaling.9 needs a launch template)" % (group.get("name"), lc_name)
        )
    else:
        text = "run remediate_autoscaling_3 (switches %s to a launch template converted from %s)" % (group.get("name"), lc_name)
    if group.get("owner"):
        text = "owned by %s: change it there (remediate_autoscaling_3 writes the change to <report dir>/owners/%s and never switches the group)" % (
            describe_owner(group["owner"]),
            owner_file_name(group["owner"]),
        )
    return {
        "control": AUTOSCALING_9,
        "status": STATUS_FAILED,
        "resource_type": RESOURCE_TYPE[AUTOSCALING_9],
        "resource_id": group.get("name"),
        "resource_name": group.get("name"),
        "resource_arn": group.get("arn"),
        "account_id": group.get("account_id") or lc.get("account_id") or account_id or "",
        "region": region,
        "reason": REASON_LAUNCH_CONFIGURATION,
        "reason_text": reason_text(REASON_LAUNCH_CONFIGURATION),
        "blockers": [],
        "next_action": {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOK[AUTOSCALING_9], "text": text},
        "details": {
            "launch_configuration_name": lc_name,
            "launch_configuration_compliant": lc.get("compliant"),
            "owner": group.get("owner"),
            "desired_capacity": group.get("desired_capacity"),
            "instances": list(group.get("instances") or []),
        },
    }


def _scans(source, controls, result):
    scans = []
    for r in result.get("regions") or []:
        scans.append(
            {
                "source": source,
                "controls": list(controls),
                "region": r.get("region"),
                "scanned": bool(r.get("scanned")) and not r.get("error"),
                "error": r.get("error") or None,
            }
        )
    return scans


def _count(findings):
    out = {"failed": 0, "actionable": 0, "blocked": 0, "pending_termination": 0}
    for f in findings:
        out["failed"] += 1
        if f["status"] == STATUS_PENDING_TERMINATION:
            out["pending_termination"] += 1
        elif f["next_action"]["kind"] == "blocked":
            out["blocked"] += 1
        else:
            out["actionable"] += 1
    return out


def _unique(values):
    """The truthy values in first-seen order."""
    return [v for v in dict.fromkeys(values) if v]


def _findings(controls, pv, lcr, default_account):
    """``(findings, evaluated, passed, scans)`` of the detection results, findings sorted and given their ids."""
    findings, scans = [], []
    evaluated = {c: None for c in controls}
    passed = {c: None for c in controls}
    if EC2_24 in controls and pv:
        findings += [ec2_24_finding(i) for i in pv.get("instances") or [] if i.get("virtualization_type", "paravirtual") == "paravirtual"]
        scans += _scans("paravirtual_instance_info", [EC2_24], pv)
    lc_controls = [c for c in (AUTOSCALING_3, AUTOSCALING_9) if c in controls]
    if lc_controls and lcr:
        lcs = lcr.get("launch_configurations") or []
        lc_by_key = {(lc.get("region"), lc.get("name")): lc for lc in lcs}
        if AUTOSCALING_3 in controls:
            failing = [lc for lc in lcs if not lc.get("compliant")]
            findings += [autoscaling_3_finding(lc) for lc in failing]
            evaluated[AUTOSCALING_3] = len(lcs)
            passed[AUTOSCALING_3] = len(lcs) - len(failing)
        if AUTOSCALING_9 in controls:
            findings += [autoscaling_9_finding(g, lc_by_key, default_account) for g in lcr.get("autoscaling_groups_on_launch_configurations") or []]
        scans += _scans("launch_config_imdsv2_info", lc_controls, lcr)
    order = {c: i for i, c in enumerate(CONTROLS)}
    findings.sort(key=lambda f: (order[f["control"]], f["account_id"], f["region"], f["resource_name"] or "", f["resource_id"] or ""))
    for f in findings:
        f["id"] = "%s/%s/%s/%s" % (f["control"], f["account_id"], f["region"], f["resource_id"])
    return findings, evaluated, passed, scans


def _by_scope(controls, findings, scans, account_ids):
    """One row per control, account and scanned region, zero rows included so a clean region shows as audited."""
    by_scope = []
    for c in controls:
        scope_regions = [s["region"] for s in scans if c in s["controls"] and s["scanned"]]
        scope_regions += [f["region"] for f in findings if f["control"] == c]
        for account in account_ids or [""]:
            for region in dict.fromkeys(scope_regions):
                rows = [f for f in findings if f["control"] == c and f["region"] == region and (f["account_id"] or "") == account]
                if not rows and len(account_ids) > 1:
                    continue
                row = {"control": c, "account_id": account, "region": region}
                row.update(_count(rows))
                by_scope.append(row)
    return by_scope


def _totals(controls, findings, evaluated, passed, scans, account_ids):
    by_control = {}
    for c in controls:
        counts = _count([f for f in findings if f["control"] == c])
        counts.update({"title": TITLES[c], "evaluated": evaluated[c], "passed": passed[c]})
        by_control[c] = counts
    totals = _count(findings)
    totals["by_control"] = by_control
    totals["by_scope"] = _by_scope(controls, findings, scans, account_ids)
    return totals


def audit_report(paravirtual=None, launch_configs=None, controls=None, accounts=None, generated_at=None):
    """The audit.json document (schema in docs/audit-report.md)."""
    controls = validate_controls(controls)
    pv = _result(paravirtual)
    lcr = _result(launch_configs)
    if isinstance(accounts, str):
        accounts = [accounts]
    account_ids = _unique(list(accounts or []) + [pv.get("account_id"), lcr.get("account_id")])
    default_account = account_ids[0] if len(account_ids) == 1 else ""
    findings, evaluated, passed, scans = _findings(controls, pv, lcr, default_account)
    account_ids = _unique(account_ids + [f["account_id"] for f in findings])
    regions = _unique([s["region"] for s in scans] + [f["region"] for f in findings])
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "hubfix.aws.audit",
        "generated_at": generated_at or _now(),
        "controls": controls,
        "accounts": account_ids,
        "regions": regions,
        "scans": scans,
        "scan_errors": [{"source": s["source"], "region": s["region"], "error": s["error"]} for s in scans if s["error"]],
        "totals": _totals(controls, findings, evaluated, passed, scans, account_ids),
        "findings": findings,
        "warning_groups": warning_groups(findings),
    }


def warning_groups(findings):
    """The warnings of every finding grouped by code: ``[{code, message, resources}]`` (a check to make once, not per row)."""
    groups = {}
    for f in findings:
        for w in (f.get("details") or {}).get("warnings") or []:
            group = groups.setdefault(w.get("code"), {"code": w.get("code"), "message": w.get("message"), "resources": []})
            group["resources"].append(f["resource_name"] or f["resource_id"])
    return [groups[code] for code in sorted(groups, key=str)]


def audit_summary(report, report_dir=None):
    """Lines for a one-screen summary of an audit report."""
    totals = report.get("totals") or {}
    lines = []
    if report.get("status") in ("failed", "partial"):
        headline = "AUDIT FAILED: nothing was scanned" if report["status"] == "failed" else "AUDIT INCOMPLETE"
        lines.append("%s - %s" % (headline, "; ".join(report.get("problems") or [])))
    accounts, regions = ", ".join(report.get("accounts") or []) or "?", ", ".join(report.get("regions") or []) or "none"
    lines.append("hubfix.aws audit: account %s, regions %s" % (accounts, regions))
    by_control = totals.get("by_control") or {}
    for control in [c for c in CONTROLS if c in by_control]:
        c = by_control[control]
        line = "%-14s failing %d (actionable %d, blocked %d" % (control, c["failed"], c["actionable"], c["blocked"])
        if c.get("pending_termination"):
            line += ", pending termination %d" % c["pending_termination"]
        line += ")"
        if c.get("evaluated") is not None:
            line += " of %d evaluated" % c["evaluated"]
        lines.append(line)
    for e in report.get("scan_errors") or []:
        lines.append("region %s not scanned (%s): %s" % (e["region"], e["source"], e["error"]))
    if not report.get("scan_errors") and report.get("status", "complete") == "complete":
        lines.append("every region scanned")
    blocked = [f for f in report.get("findings") or [] if f["next_action"]["kind"] == "blocked"]
    if blocked:
        lines.append("blocked: " + ", ".join("%s (%s)" % (f["resource_name"], ", ".join(b["code"] for b in f["blockers"])) for f in blocked[:8]))
        if len(blocked) > 8:
            lines[-1] += " and %d more" % (len(blocked) - 8)
    if report_dir:
        base = report_dir.rstrip("/")
        lines.append("reports: %s/audit.html, %s/audit.md, %s/audit.json" % (base, base, base))
    return lines


def _account_error(row, account_id, several):
    error = row.get("error")
    return ("account %s: %s" % (account_id, error) if several else error) if error else None


def audit_of_accounts(account_results, controls=None, accounts_status=None, run_id=None, generated_at=None):
    """The report of an audit over accounts.

    ``account_results`` are ``{account_id, paravirtual, launch_configs}`` (the registered detection results of one account,
    either may be skipped); ``accounts_status`` the accounts role's records (an account that could not be used is a scan
    error). Adds ``run_id``, ``account_status`` and ``status``: ``complete``, ``partial`` (something could not be scanned)
    or ``failed`` (nothing was scanned); ``problems`` says what could not be scanned and why, for the top of the reports.
    """
    controls = validate_controls(controls)
    several = len(account_results) > 1
    pv = {"instances": [], "regions": []}
    lcs = {"launch_configurations": [], "autoscaling_groups_on_launch_configurations": [], "regions": []}
    for r in account_results:
        account = r["account_id"]
        one_pv, one_lc = _result(r.get("paravirtual")), _result(r.get("launch_configs"))
        pv["instances"] += one_pv.get("instances") or []
        pv["regions"] += [dict(row, error=_account_error(row, account, several)) for row in one_pv.get("regions") or []]
        lcs["launch_configurations"] += one_lc.get("launch_configurations") or []
        lcs["autoscaling_groups_on_launch_configurations"] += [
            dict(g, account_id=g.get("account_id") or account) for g in one_lc.get("autoscaling_groups_on_launch_configurations") or []
        ]
        lcs["regions"] += [dict(row, error=_account_error(row, account, several)) for row in one_lc.get("regions") or []]
    scan_failed = [r for r in account_results if r.get("error")]
    ok = [r["account_id"] for r in account_results if not r.get("error")]
    if len(ok) == 1:
        pv["account_id"] = lcs["account_id"] = ok[0]
    wants_lcs = AUTOSCALING_3 in controls or AUTOSCALING_9 in controls
    report = audit_report(pv if EC2_24 in controls else None, lcs if wants_lcs else None, controls, accounts=ok, generated_at=generated_at)
    for r in scan_failed:
        error = "account %s not audited: %s" % (r["account_id"] or "(ambient)", r["error"])
        report["scan_errors"].append({"source": "accounts_detection_info", "region": "global", "error": error})
    for a in accounts_status or []:
        if a.get("status") != "ok":
            error = "account %s not audited: %s" % (a.get("account_id") or "(ambient)", a.get("error"))
            report["scan_errors"].append({"source": "sts_assume_role", "region": "global", "error": error})
    report["account_status"] = list(accounts_status or [])
    report["run_id"] = run_id
    scanned = any(s["scanned"] for s in report["scans"])
    report["status"] = "failed" if not scanned else ("partial" if report["scan_errors"] else "complete")
    report["problems"] = [e["error"] if e["region"] == "global" else "region %s not scanned: %s" % (e["region"], e["error"]) for e in report["scan_errors"]]
    if not scanned and not report["problems"]:
        report["problems"] = ["nothing was scanned"]
    return report


def audit_of_account(report, account_id):
    """The part of an audit report about one account (what that account's Security Hub may import)."""
    return dict(report, findings=[f for f in report.get("findings") or [] if f.get("account_id") == account_id], accounts=[account_id])
