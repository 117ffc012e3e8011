# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security Hub round trip: read targets from findings, update their workflow, import our own audit as findings.

Pure functions (no AWS calls) used by ``securityhub_finding_info`` and ``securityhub_finding``.

Reading: consolidated control findings carry ``Compliance.SecurityControlId`` (``EC2.24``, ``AutoScaling.3``,
``AutoScaling.9``); GetFindings is filtered by ``ComplianceSecurityControlId`` and each finding's resource (its ARN,
``Resources[].Type`` and ``Resources[].Details``) is mapped to a *target*: an instance, a launch configuration or an
Auto Scaling group.

Updating (BatchUpdateFindings): ``NOTIFIED`` with a note when work on a resource starts, ``RESOLVED`` with a note when it
is done. ``plan_update`` decides per finding:

- a finding whose Workflow is ``SUPPRESSED`` is never touched (someone decided to accept the risk);
- a finding whose ``Compliance.Status`` is still ``FAILED`` (or ``WARNING`` / ``NOT_AVAILABLE``) while its record is
  ``ACTIVE`` is only set ``RESOLVED`` when our own re-check confirmed the resource is compliant or gone (``verified``):
  Security Hub re-evaluates on its own schedule, and a finding resolved on hope would hide a resource that still fails.
  Security Hub itself sets a control finding back to ``NEW`` when its compliance flips from ``PASSED`` to ``FAILED`` or
  its record from ``ARCHIVED`` to ``ACTIVE``; we never fight that (a reopened finding is ``NEW`` again and is a target
  again for ``securityhub_finding_info``'s default ``workflow_status``);
- the same workflow status and the same note → nothing to do (idempotent).

Importing (BatchImportFindings): our audit results (``hubfix.aws.audit`` JSON, or the detection modules' return
values) become ASFF findings of the account's default product with a deterministic Id, so a re-import updates instead
of duplicating; a finding whose content did not change is not re-imported.
"""

from __future__ import annotations

import copy
import datetime

CONTROLS = ("EC2.24", "AutoScaling.3", "AutoScaling.9")
CONTROL_TITLES = {
    "EC2.24": "Amazon EC2 paravirtual instance types should not be used",
    "AutoScaling.3": "Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)",
    "AutoScaling.9": "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates",
}
CONTROL_SEVERITY = {"EC2.24": "MEDIUM", "AutoScaling.3": "HIGH", "AutoScaling.9": "MEDIUM"}
CONTROL_RESOURCE_TYPE = {"EC2.24": "AwsEc2Instance", "AutoScaling.3": "AwsAutoScalingLaunchConfiguration", "AutoScaling.9": "AwsAutoScalingAutoScalingGroup"}

KIND_INSTANCE = "instance"
KIND_LAUNCH_CONFIGURATION = "launch_configuration"
KIND_GROUP = "autoscaling_group"
RESOURCE_TYPE_KIND = {
    "AwsEc2Instance": KIND_INSTANCE,
    "AwsAutoScalingLaunchConfiguration": KIND_LAUNCH_CONFIGURATION,
    "AwsAutoScalingAutoScalingGroup": KIND_GROUP,
}
KIND_RESOURCE_TYPE = {v: k for k, v in RESOURCE_TYPE_KIND.items()}

WORKFLOW_NEW = "NEW"
WORKFLOW_NOTIFIED = "NOTIFIED"
WORKFLOW_RESOLVED = "RESOLVED"
WORKFLOW_SUPPRESSED = "SUPPRESSED"
WORKFLOW_STATUSES = (WORKFLOW_NEW, WORKFLOW_NOTIFIED, WORKFLOW_RESOLVED, WORKFLOW_SUPPRESSED)
COMPLIANCE_STATUSES = ("PASSED", "WARNING", "FAILED", "NOT_AVAILABLE")
RECORD_STATES = ("ACTIVE", "ARCHIVED")
NOT_PASSING = ("FAILED", "WARNING", "NOT_AVAILABLE")

# API limits (https://docs.aws.amazon.com/securityhub/1.0/APIReference/): GetFindings MaxResults 1-100 and at most 20 values
# per filter attribute; BatchUpdateFindings / BatchImportFindings at most 100 findings a call; Note.Text at most 512 characters.
PAGE_SIZE = 100
FILTER_VALUES_MAX = 20
BATCH_SIZE = 100
NOTE_MAX = 512
TITLE_MAX = 256
DESCRIPTION_MAX = 1024
RECOMMENDATION_MAX = 512

ASFF_SCHEMA_VERSION = "2018-10-08"
ASFF_TYPES = ["Software and Configuration Checks/AWS Security Best Practices"]
GENERATOR_PREFIX = "hubfix.aws/"
ID_PREFIX = "hubfix.aws/"
# Keys Security Hub maintains or that change on every import: not compared when deciding whether a re-import is needed.
VOLATILE_KEYS = ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt")


class InputError(ValueError):
    """Bad module input; the message names it."""


# -- GetFindings filters -------------------------------------------------------------------------------------------------


def _equals(values):
    return [{"Value": str(v), "Comparison": "EQUALS"} for v in dict.fromkeys(values)]


def build_filters(
    controls=CONTROLS,
    compliance_status=("FAILED",),
    record_state=("ACTIVE",),
    workflow_status=(WORKFLOW_NEW, WORKFLOW_NOTIFIED),
    account_ids=None,
    regions=None,
    resource_ids=None,
):
    """AwsSecurityFindingFilters for the control findings to work on.

    Values within one attribute are ORed, attributes are ANDed. An empty or None list leaves the attribute out (no
    restriction). More than 20 values for one attribute is an input error (the API limit).
    """
    filters = {}
    for field, values in (
        ("ComplianceSecurityControlId", controls),
        ("ComplianceStatus", compliance_status),
        ("RecordState", record_state),
        ("WorkflowStatus", workflow_status),
        ("AwsAccountId", account_ids),
        ("Region", regions),
        ("ResourceId", resource_ids),
    ):
        if values:
            entries = _equals(values)
            if len(entries) > FILTER_VALUES_MAX:
                raise InputError("%s: at most %d values can be filtered on at once (got %d)" % (field, FILTER_VALUES_MAX, len(entries)))
            filters[field] = entries
    return filters


def id_filters(ids):
    """GetFindings filters for finding ids, in chunks of 20 (one filter set per GetFindings query)."""
    ids = list(dict.fromkeys(ids))
    return [{"Id": _equals(ids[i : i + FILTER_VALUES_MAX])} for i in range(0, len(ids), FILTER_VALUES_MAX)]


def resource_lookup_filters(control, resource_id):
    """GetFindings filters that find the ACTIVE control finding of a resource given as an ARN, instance id or name.

    An ARN is matched exactly. An instance id or a launch configuration / group name is matched with CONTAINS on the
    ARN's tail (``instance/i-...``, ``launchConfigurationName/NAME``, ``autoScalingGroupName/NAME``): the launch
    configuration ARN contains a UUID we do not know. Callers must confirm the match with ``finding_matches_resource``.
    """
    filters = {"ComplianceSecurityControlId": _equals([control]), "RecordState": _equals(["ACTIVE"])}
    if str(resource_id).startswith("arn:"):
        filters["ResourceId"] = _equals([resource_id])
    else:
        kind = RESOURCE_TYPE_KIND.get(CONTROL_RESOURCE_TYPE.get(control))
        tail = {KIND_INSTANCE: "instance/", KIND_LAUNCH_CONFIGURATION: "launchConfigurationName/", KIND_GROUP: "autoScalingGroupName/"}.get(kind, "")
        filters["ResourceId"] = [{"Value": tail + str(resource_id), "Comparison": "CONTAINS"}]
    return filters


def finding_matches_resource(finding, resource_id):
    target = finding_target(finding)
    if target is None:
        return False
    return resource_id in (target["resource_arn"], target["id"])


# -- resources -----------------------------------------------------------------------------------------------------------


def partition_of(region):
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def parse_resource_arn(arn):
    """An instance, launch configuration or Auto Scaling group ARN as ``{kind, id, name, region, account_id, partition, arn}``.

    - ``arn:PARTITION:ec2:REGION:ACCOUNT:instance/i-...``
    - ``arn:PARTITION:autoscaling:REGION:ACCOUNT:launchConfiguration:UUID:launchConfigurationName/NAME``
    - ``arn:PARTITION:autoscaling:REGION:ACCOUNT:autoScalingGroup:UUID:autoScalingGroupName/NAME``

    Names may themselves contain ``/`` or ``:``: everything after the first ``...Name/`` is the name.
    Returns None for anything else.
    """
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    _unused, partition, service, region, account_id, resource = parts
    base = {"region": region or None, "account_id": account_id or None, "partition": partition, "arn": arn}
    if service == "ec2" and resource.startswith("instance/"):
        instance_id = resource[len("instance/") :]
        if not instance_id.startswith("i-") or "/" in instance_id:
            return None
        return dict(base, kind=KIND_INSTANCE, id=instance_id, name=instance_id)
    if service == "autoscaling":
        for prefix, marker, kind in (
            ("launchConfiguration:", ":launchConfigurationName/", KIND_LAUNCH_CONFIGURATION),
            ("autoScalingGroup:", ":autoScalingGroupName/", KIND_GROUP),
        ):
            if resource.startswith(prefix) and marker in resource:
                name = resource.split(marker, 1)[1]
                if name:
                    return dict(base, kind=kind, id=name, name=name)
    return None


def _details_name(resource):
    details = resource.get("Details") or {}
    lc = details.get("AwsAutoScalingLaunchConfiguration") or {}
    return lc.get("LaunchConfigurationName")


def parse_resource(resource, finding_region=None, finding_account=None):
    """One ASFF ``Resources[]`` entry as a target resource (see ``parse_resource_arn``), or None when it is none of ours.

    The ARN decides; a resource whose Id is not an ARN is recognised by its Type (``AwsEc2Instance`` with an
    ``i-...`` Id, ``AwsAutoScalingLaunchConfiguration`` with ``Details.AwsAutoScalingLaunchConfiguration.LaunchConfigurationName``
    or a plain name, ``AwsAutoScalingAutoScalingGroup`` with a plain name).
    """
    rid = resource.get("Id")
    rtype = resource.get("Type")
    region = resource.get("Region") or finding_region
    parsed = parse_resource_arn(rid)
    if parsed is None:
        kind = RESOURCE_TYPE_KIND.get(rtype)
        if kind is None or not rid:
            return None
        if kind == KIND_INSTANCE:
            if not str(rid).startswith("i-"):
                return None
            name = rid
        elif kind == KIND_LAUNCH_CONFIGURATION:
            name = _details_name(resource) or rid
        else:
            name = rid
        parsed = {"region": region, "account_id": finding_account, "partition": resource.get("Partition") or partition_of(region), "arn": None}
        parsed.update(kind=kind, id=name, name=name)
    else:
        if rtype in RESOURCE_TYPE_KIND and RESOURCE_TYPE_KIND[rtype] != parsed["kind"]:
            return None
        parsed["region"] = parsed["region"] or region
        parsed["account_id"] = parsed["account_id"] or finding_account
    parsed["resource_type"] = KIND_RESOURCE_TYPE[parsed["kind"]]
    tags = resource.get("Tags") or {}
    if parsed["kind"] == KIND_INSTANCE and tags.get("Name"):
        parsed["name"] = tags["Name"]
    parsed["tags"] = dict(tags)
    group = (resource.get("Details") or {}).get("AwsAutoScalingAutoScalingGroup") or {}
    parsed["launch_configuration_name"] = group.get("LaunchConfigurationName") if parsed["kind"] == KIND_GROUP else None
    return parsed


def control_of(finding):
    """The control id of a finding: Compliance.SecurityControlId, else ProductFields.ControlId, else the GeneratorId's tail."""
    control = (finding.get("Compliance") or {}).get("SecurityControlId")
    if control:
        return control
    control = (finding.get("ProductFields") or {}).get("ControlId")
    if control:
        return control
    generator = finding.get("GeneratorId") or ""
    for prefix in ("security-control/", GENERATOR_PREFIX):
        if generator.startswith(prefix):
            return generator[len(prefix) :]
    return None


def finding_target(finding):
    """The target of one control finding, or None when none of its resources is an instance / launch configuration / group.

    ``{control, kind, id, name, region, account_id, partition, resource_arn, resource_type, launch_configuration_name,
    tags, finding_id, product_arn, generator_id, workflow_status, compliance_status, record_state, note, finding_region}``.
    ``id`` is the instance id, launch configuration name or group name; ``name`` is the instance's Name tag when the finding
    carries it, else the id.
    """
    control = control_of(finding)
    wanted = RESOURCE_TYPE_KIND.get(CONTROL_RESOURCE_TYPE.get(control))
    parsed = None
    for resource in finding.get("Resources") or []:
        candidate = parse_resource(resource, finding.get("Region"), finding.get("AwsAccountId"))
        if candidate is not None and (wanted is None or candidate["kind"] == wanted):
            parsed = candidate
            break
    if parsed is None:
        return None
    return {
        "control": control,
        "kind": parsed["kind"],
        "id": parsed["id"],
        "name": parsed["name"],
        "region": parsed["region"],
        "account_id": parsed["account_id"],
        "partition": parsed["partition"],
        "resource_arn": parsed["arn"],
        "resource_type": parsed["resource_type"],
        "launch_configuration_name": parsed["launch_configuration_name"],
        "tags": parsed["tags"],
        "finding_id": finding.get("Id"),
        "product_arn": finding.get("ProductArn"),
        "generator_id": finding.get("GeneratorId"),
        "workflow_status": workflow_status_of(finding),
        "compliance_status": (finding.get("Compliance") or {}).get("Status"),
        "record_state": finding.get("RecordState"),
        "note": (finding.get("Note") or {}).get("Text"),
        "finding_region": finding.get("Region"),
    }


def workflow_status_of(finding):
    return (finding.get("Workflow") or {}).get("Status") or finding.get("WorkflowState") or WORKFLOW_NEW


def finding_summary(finding):
    """The essentials of a finding, snake_cased."""
    note = finding.get("Note") or {}
    return {
        "id": finding.get("Id"),
        "product_arn": finding.get("ProductArn"),
        "generator_id": finding.get("GeneratorId"),
        "aws_account_id": finding.get("AwsAccountId"),
        "region": finding.get("Region"),
        "title": finding.get("Title"),
        "control_id": control_of(finding),
        "severity_label": (finding.get("Severity") or {}).get("Label"),
        "compliance_status": (finding.get("Compliance") or {}).get("Status"),
        "workflow_status": workflow_status_of(finding),
        "record_state": finding.get("RecordState"),
        "resources": [
            {"type": r.get("Type"), "id": r.get("Id"), "region": r.get("Region"), "partition": r.get("Partition")} for r in finding.get("Resources") or []
        ],
        "note": {"text": note.get("Text"), "updated_by": note.get("UpdatedBy"), "updated_at": note.get("UpdatedAt")} if note else None,
        "created_at": finding.get("CreatedAt"),
        "updated_at": finding.get("UpdatedAt"),
        "first_observed_at": finding.get("FirstObservedAt"),
        "last_observed_at": finding.get("LastObservedAt"),
    }


def region_of_arn(arn):
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else None


def finding_home_region(finding=None, product_arn=None, finding_id=None, default=None):
    """Where a finding lives: its Region, else the Region of its product ARN or id ARN, else ``default``."""
    if finding and finding.get("Region"):
        return finding["Region"]
    return region_of_arn(product_arn) or region_of_arn(finding_id) or default


# -- workflow updates ----------------------------------------------------------------------------------------------------


def normalise_note(note):
    """Note text as Security Hub stores it: stripped, at most 512 characters (a longer one ends with an ellipsis)."""
    if note is None:
        return None
    note = str(note).strip()
    if not note:
        return None
    if len(note) > NOTE_MAX:
        note = note[: NOTE_MAX - 1] + "\u2026"
    return note


def plan_update(finding, status, note=None, verified=False):
    """What to do with one finding for the requested workflow ``status`` (NOTIFIED or RESOLVED) and ``note``.

    Returns ``{"action": "update"|"unchanged"|"skip", "reason": str|None, "before": {...}, "after": {...}}`` where
    before/after are ``{"workflow_status", "note"}``. ``note`` None leaves the note as it is.
    """
    if status not in (WORKFLOW_NOTIFIED, WORKFLOW_RESOLVED):
        raise InputError("workflow status must be NOTIFIED or RESOLVED, not %r" % (status,))
    note = normalise_note(note)
    current = workflow_status_of(finding)
    before = {"workflow_status": current, "note": (finding.get("Note") or {}).get("Text")}
    after = {"workflow_status": status, "note": note if note is not None else before["note"]}
    if current == WORKFLOW_SUPPRESSED:
        reason = "suppressed: the finding's workflow status is SUPPRESSED; hubfix never changes it"
        return {"action": "skip", "reason": reason, "before": before, "after": before}
    compliance = (finding.get("Compliance") or {}).get("Status")
    if status == WORKFLOW_RESOLVED and compliance in NOT_PASSING and finding.get("RecordState", "ACTIVE") == "ACTIVE" and not verified:
        return {
            "action": "skip",
            "reason": "still_failing: Security Hub reports compliance %s and no re-check confirmed the resource is compliant or gone (set verified)"
            % compliance,
            "before": before,
            "after": before,
        }
    if before == after:
        return {"action": "unchanged", "reason": None, "before": before, "after": after}
    return {"action": "update", "reason": None, "before": before, "after": after}


def update_batches(planned, updated_by):
    """BatchUpdateFindings requests for the findings to update.

    ``planned`` is a list of ``(identifier {Id, ProductArn}, region, after {workflow_status, note})``. Findings that get the
    same status and note in the same region share requests of at most 100 identifiers. Returns ``[(region, params)]``.
    """
    groups = {}
    for ident, region, after in planned:
        key = (region, after["workflow_status"], after["note"])
        groups.setdefault(key, []).append({"Id": ident["Id"], "ProductArn": ident["ProductArn"]})
    requests = []
    for (region, status, note), idents in groups.items():
        for i in range(0, len(idents), BATCH_SIZE):
            params = {"FindingIdentifiers": idents[i : i + BATCH_SIZE], "Workflow": {"Status": status}}
            if note is not None:
                params["Note"] = {"Text": note, "UpdatedBy": updated_by}
            requests.append((region, params))
    return requests


# -- audit results as ASFF findings --------------------------------------------------------------------------------------


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: UP017 - also Python < 3.11


def default_product_arn(region, account_id):
    return "arn:%s:securityhub:%s:%s:product/%s/default" % (partition_of(region), region, account_id, account_id)


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
                f.get("resource_type") or CONTROL_RESOURCE_TYPE.get(f.get("control")),
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


def _records_from_modules(audit):
    records = []
    default_account = audit.get("account_id")
    for i in audit.get("instances") or []:
        tags = i.get("tags") or {}
        replaced_by = i.get("replaced_by")
        records.append(
            _record(
                "EC2.24",
                "AwsEc2Instance",
                i.get("instance_id"),
                i.get("name") or tags.get("Name"),
                i.get("arn"),
                i.get("account_id") or default_account,
                i.get("region"),
                "paravirtual",
                "paravirtual virtualization type (%s)" % (i.get("instance_type") or "unknown type"),
                "remediated_pending_termination" if replaced_by else "failed",
                None,
                {"instance_type": i.get("instance_type"), "image_id": i.get("image_id"), "state": i.get("state"), "blockers": i.get("blockers") or []},
            )
        )
    for lc in audit.get("launch_configurations") or []:
        if lc.get("compliant"):
            continue
        records.append(
            _record(
                "AutoScaling.3",
                "AwsAutoScalingLaunchConfiguration",
                lc.get("name"),
                lc.get("name"),
                lc.get("arn"),
                lc.get("account_id") or default_account,
                lc.get("region"),
                lc.get("reason"),
                lc.get("reason_message") or lc.get("reason"),
                "failed",
                None,
                {
                    "metadata_options": lc.get("metadata_options"),
                    "image_id": lc.get("image_id"),
                    "instance_type": lc.get("instance_type"),
                    "autoscaling_groups": lc.get("autoscaling_groups") or [],
                },
            )
        )
    for g in audit.get("autoscaling_groups_on_launch_configurations") or []:
        records.append(
            _record(
                "AutoScaling.9",
                "AwsAutoScalingAutoScalingGroup",
                g.get("name"),
                g.get("name"),
                g.get("arn"),
                g.get("account_id") or default_account,
                g.get("region"),
                "launch_configuration",
                "launches from launch configuration %s" % g.get("launch_configuration_name"),
                "failed",
                None,
                {"launch_configuration_name": g.get("launch_configuration_name")},
            )
        )
    controls = []
    if "instances" in audit:
        controls.append("EC2.24")
    if "launch_configurations" in audit:
        controls.append("AutoScaling.3")
    if "autoscaling_groups_on_launch_configurations" in audit:
        controls.append("AutoScaling.9")
    scope = {}
    rows = audit.get("regions")
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        for row in rows:
            if row.get("scanned") and not row.get("error"):
                scope.setdefault(row["region"], set()).update(controls)
    accounts = [default_account] if default_account else []
    return records, scope, accounts


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
        records, scope, accounts = _records_from_modules(audit)
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
        return "arn:%s:ec2:%s:%s:instance/%s" % (partition_of(record["region"]), record["region"], record["account_id"], record["resource_id"])
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
    severity = CONTROL_SEVERITY[control]
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
        "Partition": partition_of(region),
        "Region": region,
    }
    details = _resource_details(record)
    if details:
        resource["Details"] = details
    finding = {
        "SchemaVersion": ASFF_SCHEMA_VERSION,
        "Id": asff_id(control, account_id, region, record["resource_id"]),
        "ProductArn": default_product_arn(region, account_id),
        "GeneratorId": GENERATOR_PREFIX + control,
        "AwsAccountId": account_id,
        "Types": list(ASFF_TYPES),
        "CreatedAt": created_at or now,
        "UpdatedAt": now,
        "FirstObservedAt": first_observed_at or now,
        "LastObservedAt": now,
        "Severity": {"Label": severity, "Original": severity},
        "Title": ("%s %s" % (control, CONTROL_TITLES[control]))[:TITLE_MAX],
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


def is_ours(finding):
    return str(finding.get("GeneratorId", "")).startswith(GENERATOR_PREFIX) and str(finding.get("Id", "")).startswith(ID_PREFIX)


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
        key = (key_id, default_product_arn(record["region"], record["account_id"]))
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
