# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shape the detection modules' results into the audit report (docs/audit-report.md) and its summary.

Filters (used by the ``hubfix.aws.audit`` role):

- ``audit_report(paravirtual, launch_configs, controls=..., accounts=..., generated_at=...)``:
  the ``audit.json`` document from the registered results of ``hubfix.aws.paravirtual_instance_info`` and
  ``hubfix.aws.launch_config_imdsv2_info`` (either may be omitted/skipped when its controls are not audited).
- ``audit_summary(report, report_dir=None)``: a short list of lines for a one-screen summary.

Everything here is pure data shaping, so it is unit-tested in tests/unit/test_audit_filter.py.
"""

from __future__ import annotations

import datetime

SCHEMA_VERSION = 1

EC2_24 = "EC2.24"
AUTOSCALING_3 = "AutoScaling.3"
AUTOSCALING_9 = "AutoScaling.9"
CONTROLS = (EC2_24, AUTOSCALING_3, AUTOSCALING_9)

CONTROL_TITLES = {
    EC2_24: "Amazon EC2 paravirtual instance types should not be used",
    AUTOSCALING_3: "Auto Scaling group launch configurations should configure EC2 instances to require IMDSv2",
    AUTOSCALING_9: "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates",
}
RESOURCE_TYPES = {
    EC2_24: "AwsEc2Instance",
    AUTOSCALING_3: "AwsAutoScalingLaunchConfiguration",
    AUTOSCALING_9: "AwsAutoScalingAutoScalingGroup",
}
REMEDIATION_PLAYBOOKS = {
    EC2_24: "remediate_ec2_24",
    AUTOSCALING_3: "remediate_autoscaling_3",
    AUTOSCALING_9: "remediate_autoscaling_3",
}

STATUS_FAILED = "failed"
STATUS_PENDING_TERMINATION = "remediated_pending_termination"

# Tag the pv_to_hvm role puts on a source instance it has replaced (kept stopped until the user terminates it).
REPLACED_BY_TAG = "hubfix:replaced-by"

REASON_TEXTS = {
    "paravirtual": "virtualization type is paravirtual",
    "metadata_options_absent": "no MetadataOptions: instances accept IMDSv1 (HttpTokens defaults to optional)",
    "http_tokens_optional": "HttpTokens is optional: instances accept IMDSv1",
    "http_endpoint_disabled_tokens_optional": "metadata endpoint disabled but HttpTokens optional: the control still fails",
    "launch_configuration": "the group launches from a launch configuration, not a launch template",
}

# Blocker codes of paravirtual_instance_info, in the order their next action matters most.
BLOCKER_ORDER = (
    "instance_store_root",
    "ec2_classic",
    "managed_instance",
    "emr_cluster",
    "opsworks",
    "cloudformation",
    "elastic_beanstalk",
    "autoscaling_group",
    "spot",
    "instance_store_data",
    "termination_protection",
)

# Short hints for paravirtual_instance_info warnings (things to check before migrating, not blockers).
WARNING_HINTS = {
    "instance_store_unverified": "instance-store volumes mapped at launch are not visible through the EC2 API, look on the instance",
    "image_not_found": "the source AMI no longer exists",
    "transitional_state": "the instance is changing state, audit again once it has settled",
    "marketplace_product": "marketplace product code: use the vendor's HVM AMI",
}


def _now():
    utc = datetime.timezone.utc  # noqa: UP017 - datetime.UTC needs Python 3.11; ansible-core 2.17 controllers may run 3.10
    return datetime.datetime.now(utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _result(value):
    """A registered module result, or {} when the task was skipped / not run."""
    if not isinstance(value, dict) or value.get("skipped"):
        return {}
    return value


def _partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _devices(values):
    names = []
    for v in values or []:
        if isinstance(v, dict):
            names.append(v.get("device_name") or v.get("virtual_name") or str(v))
        else:
            names.append(str(v))
    return names


def _blocker_action(code, instance):
    owner = instance.get("owner") or {}
    if code == "autoscaling_group":
        return "member of Auto Scaling group %s — fix the launch configuration / replace via the group" % (instance.get("autoscaling_group_name") or "?")
    if code == "instance_store_root":
        return "instance-store root device cannot be snapshotted — rebuild the workload on an HVM AMI by hand"
    if code == "instance_store_data":
        devices = ", ".join(_devices(instance.get("instance_store_devices"))) or "instance store"
        return (
            "instance-store data on %s is lost when the instance stops — copy it to EBS, then run remediate_ec2_24 "
            "with pv_to_hvm_acknowledge_instance_store_loss: true" % devices
        )
    if code == "cloudformation":
        return "managed by CloudFormation stack %s — change the AMI and instance type in the template and update the stack" % (owner.get("name") or "?")
    if code == "elastic_beanstalk":
        return "managed by Elastic Beanstalk environment %s — move the environment to a current (HVM) platform" % (owner.get("name") or "?")
    if code == "termination_protection":
        return "termination protection is on — confirm the instance may be replaced, disable the protection, then run remediate_ec2_24"
    if code == "spot":
        return "spot instance — relaunch it from an HVM AMI through its spot request or fleet"
    return None


def _sorted_blockers(blockers):
    rank = {code: i for i, code in enumerate(BLOCKER_ORDER)}
    return sorted(blockers, key=lambda b: rank.get(b.get("code"), len(rank)))


def ec2_24_finding(instance):
    """One EC2.24 finding from a paravirtual_instance_info instance."""
    region = instance.get("region") or ""
    account = instance.get("account_id") or ""
    tags = instance.get("tags") or {}
    blockers = [{"code": b.get("code"), "message": b.get("message")} for b in instance.get("blockers") or []]
    replaced_by = tags.get(REPLACED_BY_TAG)
    suggested = instance.get("suggested_instance_type")
    if replaced_by:
        status = STATUS_PENDING_TERMINATION
        action = {
            "kind": "terminate_source",
            "playbook": REMEDIATION_PLAYBOOKS[EC2_24],
            "text": "replaced by %s — terminate this source once the replacement is verified (remediate_ec2_24 with pv_to_hvm_terminate_source: true); "
            "Security Hub keeps the finding FAILED until then" % replaced_by,
        }
    elif blockers:
        status = STATUS_FAILED
        texts = []
        for b in _sorted_blockers(blockers):
            text = _blocker_action(b["code"], instance) or b.get("message") or b["code"]
            if text not in texts:
                texts.append(text)
        action = {"kind": "blocked", "playbook": None, "text": "blocked: " + "; ".join(texts)}
    else:
        status = STATUS_FAILED
        text = "run remediate_ec2_24 (pv_to_hvm)"
        if suggested:
            text += " — replacement type %s" % suggested
        checks = []
        for w in instance.get("warnings") or []:
            hint = WARNING_HINTS.get(w.get("code")) or w.get("message") or w.get("code")
            if hint and hint not in checks:
                checks.append(hint)
        if checks:
            text += "; check first: " + "; ".join(checks)
        action = {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOKS[EC2_24], "text": text}
    instance_id = instance.get("instance_id")
    return {
        "control": EC2_24,
        "status": status,
        "resource_type": RESOURCE_TYPES[EC2_24],
        "resource_id": instance_id,
        "resource_name": tags.get("Name") or instance_id,
        "resource_arn": "arn:%s:ec2:%s:%s:instance/%s" % (_partition(region), region, account, instance_id) if account and region else None,
        "account_id": account,
        "region": region,
        "reason": "paravirtual",
        "reason_text": REASON_TEXTS["paravirtual"],
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
    reason = lc.get("reason") or "metadata_options_absent"
    if groups:
        text = "run remediate_autoscaling_3 (launch template with IMDSv2 required; switches %s, then retires the launch configuration)" % ", ".join(groups)
    else:
        text = (
            "run remediate_autoscaling_3 with autoscaling_imdsv2_delete_unused: true "
            "(no group uses it: it is backed up, then deleted; the finding closes when it is gone)"
        )
    if reason == "http_endpoint_disabled_tokens_optional":
        text += "; the metadata endpoint stays disabled"
    return {
        "control": AUTOSCALING_3,
        "status": STATUS_FAILED,
        "resource_type": RESOURCE_TYPES[AUTOSCALING_3],
        "resource_id": lc.get("name"),
        "resource_name": lc.get("name"),
        "resource_arn": lc.get("arn"),
        "account_id": lc.get("account_id") or "",
        "region": lc.get("region") or "",
        "reason": reason,
        "reason_text": REASON_TEXTS.get(reason, reason),
        "blockers": [],
        "next_action": {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOKS[AUTOSCALING_3], "text": text},
        "details": {
            "metadata_options": lc.get("metadata_options"),
            "autoscaling_groups": groups,
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
    return {
        "control": AUTOSCALING_9,
        "status": STATUS_FAILED,
        "resource_type": RESOURCE_TYPES[AUTOSCALING_9],
        "resource_id": group.get("name"),
        "resource_name": group.get("name"),
        "resource_arn": group.get("arn"),
        "account_id": group.get("account_id") or lc.get("account_id") or account_id or "",
        "region": region,
        "reason": "launch_configuration",
        "reason_text": REASON_TEXTS["launch_configuration"],
        "blockers": [],
        "next_action": {"kind": "remediate", "playbook": REMEDIATION_PLAYBOOKS[AUTOSCALING_9], "text": text},
        "details": {
            "launch_configuration_name": lc_name,
            "launch_configuration_compliant": lc.get("compliant"),
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


def _validate_controls(controls):
    if controls is None:
        return list(CONTROLS)
    if isinstance(controls, str):
        controls = [c.strip() for c in controls.split(",") if c.strip()]
    unknown = [c for c in controls if c not in CONTROLS]
    if unknown:
        raise ValueError("unknown control(s): %s (expected some of %s)" % (", ".join(map(str, unknown)), ", ".join(CONTROLS)))
    return [c for c in CONTROLS if c in controls]


def audit_report(paravirtual=None, launch_configs=None, controls=None, accounts=None, generated_at=None):
    """The audit.json document (schema in docs/audit-report.md)."""
    controls = _validate_controls(controls)
    pv = _result(paravirtual)
    lcr = _result(launch_configs)
    if isinstance(accounts, str):
        accounts = [accounts]
    account_ids = []
    for a in list(accounts or []) + [pv.get("account_id"), lcr.get("account_id")]:
        if a and a not in account_ids:
            account_ids.append(a)
    default_account = account_ids[0] if len(account_ids) == 1 else ""

    findings = []
    evaluated = {c: None for c in controls}
    passed = {c: None for c in controls}
    scans = []
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

    for f in findings:
        if f["account_id"] and f["account_id"] not in account_ids:
            account_ids.append(f["account_id"])
    regions = []
    for s in scans:
        if s["region"] and s["region"] not in regions:
            regions.append(s["region"])
    for f in findings:
        if f["region"] and f["region"] not in regions:
            regions.append(f["region"])

    by_control = {}
    for c in controls:
        counts = _count([f for f in findings if f["control"] == c])
        counts.update({"title": CONTROL_TITLES[c], "evaluated": evaluated[c], "passed": passed[c]})
        by_control[c] = counts

    # One row per control, account and scanned region, zero rows included so a clean region shows as audited.
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

    totals = _count(findings)
    totals["by_control"] = by_control
    totals["by_scope"] = by_scope
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "hubfix.aws.audit",
        "generated_at": generated_at or _now(),
        "controls": controls,
        "accounts": account_ids,
        "regions": regions,
        "scans": scans,
        "scan_errors": [{"source": s["source"], "region": s["region"], "error": s["error"]} for s in scans if s["error"]],
        "totals": totals,
        "findings": findings,
    }


def audit_summary(report, report_dir=None):
    """Lines for a one-screen summary of an audit report."""
    totals = report.get("totals") or {}
    lines = [
        "hubfix.aws audit: account %s, regions %s" % (", ".join(report.get("accounts") or []) or "?", ", ".join(report.get("regions") or []) or "none"),
    ]
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
    if not report.get("scan_errors"):
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


class FilterModule:
    def filters(self):
        return {"audit_report": audit_report, "audit_summary": audit_summary}
