# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security Hub control findings, read: GetFindings filters, and each finding's resource mapped to a *target*.

Consolidated control findings carry ``Compliance.SecurityControlId`` (``EC2.24``, ``AutoScaling.3``, ``AutoScaling.9``);
GetFindings is filtered by ``ComplianceSecurityControlId`` and each finding's resource (its ARN, ``Resources[].Type`` and
``Resources[].Details``) is mapped to a target: an instance, a launch configuration or an Auto Scaling group.
Pure functions, used by ``securityhub_finding_info``, ``securityhub_finding`` and ``securityhub_finding_import``.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.controls import CONTROLS, RESOURCE_TYPE
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import partition_for

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

# API limits (https://docs.aws.amazon.com/securityhub/1.0/APIReference/): GetFindings MaxResults 1-100 and at most 20
# values per filter attribute.
PAGE_SIZE = 100
FILTER_VALUES_MAX = 20

# Findings hubfix imports itself (securityhub_finding_import): GeneratorId and Id start with these.
GENERATOR_PREFIX = "hubfix.aws/"
ID_PREFIX = "hubfix.aws/"


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
        kind = RESOURCE_TYPE_KIND.get(RESOURCE_TYPE.get(control))
        tail = {KIND_INSTANCE: "instance/", KIND_LAUNCH_CONFIGURATION: "launchConfigurationName/", KIND_GROUP: "autoScalingGroupName/"}.get(kind, "")
        filters["ResourceId"] = [{"Value": tail + str(resource_id), "Comparison": "CONTAINS"}]
    return filters


def finding_matches_resource(finding, resource_id):
    target = finding_target(finding)
    if target is None:
        return False
    return resource_id in (target["resource_arn"], target["id"])


# -- resources -----------------------------------------------------------------------------------------------------------


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
        parsed = {"region": region, "account_id": finding_account, "partition": resource.get("Partition") or partition_for(region), "arn": None}
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
    wanted = RESOURCE_TYPE_KIND.get(RESOURCE_TYPE.get(control))
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


def is_ours(finding):
    return str(finding.get("GeneratorId", "")).startswith(GENERATOR_PREFIX) and str(finding.get("Id", "")).startswith(ID_PREFIX)


def unique_findings(region_results, limit=None):
    """One list of the findings of every region (each finding once), cut at ``limit``: ``(findings, truncated)``.

    ``region_results`` are ``(findings, truncated)`` pairs, one per region queried.
    """
    seen, raw, truncated = set(), [], False
    for found, cut in region_results:
        truncated = truncated or cut
        for finding in found:
            key = (finding.get("Id"), finding.get("ProductArn"))
            if key not in seen:
                seen.add(key)
                raw.append(finding)
    if limit is not None and len(raw) > limit:
        raw, truncated = raw[:limit], True
    return raw, truncated


def targets_of(findings, controls):
    """``(targets, finding summaries, unmapped)``: one target per resource and control (Security Hub's own control finding
    wins over one hubfix imported), sorted by control (in ``controls`` order), account, region and id."""
    targets, unmapped, by_resource = [], [], {}
    for finding in findings:
        target = finding_target(finding)
        if target is None:
            summary = finding_summary(finding)
            unmapped.append({k: summary[k] for k in ("id", "product_arn", "control_id", "resources")})
            continue
        key = (target["control"], target["account_id"], target["region"], target["kind"], target["id"])
        if key in by_resource:
            if is_ours(finding) or not (by_resource[key]["generator_id"] or "").startswith(GENERATOR_PREFIX):
                continue
            targets.remove(by_resource[key])
        by_resource[key] = target
        targets.append(target)
    order = {c: i for i, c in enumerate(controls)}
    targets.sort(key=lambda t: (order.get(t["control"], len(order)), t["account_id"] or "", t["region"] or "", t["id"]))
    summaries = sorted((finding_summary(f) for f in findings), key=lambda f: (order.get(f["control_id"], len(order)), f["region"] or "", f["id"] or ""))
    return targets, summaries, unmapped
