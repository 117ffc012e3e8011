# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AutoScaling.3 remediation logic: what to convert, group launch sources, instance refreshes, IMDSv1 usage, backups.

Plain functions over boto3-shaped dicts (no AWS calls) so that every rule is unit-tested.
"""

from __future__ import annotations

import datetime
import json
import os
import re

from .imdsv2 import groups_by_launch_configuration, normalize_launch_configuration

ACTION_CONVERT = "convert"
ACTION_DELETE_UNUSED = "delete_unused"
ACTION_KEEP_UNUSED = "keep_unused"

REFRESH_ACTIVE = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")
REFRESH_SUCCESS = ("Successful",)
REFRESH_TERMINAL = ("Successful", "Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed")

# Instances whose metadata calls matter for the IMDSv1 gate (not the ones already leaving).
LIVE_LIFECYCLE_STATES = ("Pending", "Pending:Wait", "Pending:Proceed", "InService", "Standby", "EnteringStandby")


# --- groups --------------------------------------------------------------------------------------


def launch_source(group):
    """What a group launches from: ``{"launch_configuration_name"}``, ``{"launch_template": {...}}`` or a mixed policy."""
    if group.get("MixedInstancesPolicy"):
        spec = group["MixedInstancesPolicy"].get("LaunchTemplate", {}).get("LaunchTemplateSpecification", {})
        return {"mixed_instances_policy": True, "launch_template": template_spec(spec)}
    if group.get("LaunchTemplate"):
        return {"launch_template": template_spec(group["LaunchTemplate"])}
    return {"launch_configuration_name": group.get("LaunchConfigurationName")}


def template_spec(spec):
    return {
        "launch_template_id": spec.get("LaunchTemplateId"),
        "launch_template_name": spec.get("LaunchTemplateName"),
        "version": spec.get("Version"),
    }


def refusal(group):
    """Why a group cannot be switched from its launch configuration to a template, or None."""
    name = group["AutoScalingGroupName"]
    if group.get("MixedInstancesPolicy"):
        spec = template_spec(group["MixedInstancesPolicy"].get("LaunchTemplate", {}).get("LaunchTemplateSpecification", {}))
        return "Auto Scaling group %s uses a mixed instances policy (launch template %s); it has no launch configuration to convert" % (
            name,
            spec["launch_template_name"] or spec["launch_template_id"],
        )
    if group.get("LaunchTemplate"):
        spec = template_spec(group["LaunchTemplate"])
        return "Auto Scaling group %s already uses launch template %s version %s; it has no launch configuration to convert" % (
            name,
            spec["launch_template_name"] or spec["launch_template_id"],
            spec["version"],
        )
    if not group.get("LaunchConfigurationName"):
        return "Auto Scaling group %s has no launch configuration" % name
    return None


def on_template(group, template_id, version):
    """True when the group launches from exactly this template id and version (and from nothing else)."""
    spec = group.get("LaunchTemplate") or {}
    return (
        not group.get("MixedInstancesPolicy")
        and not group.get("LaunchConfigurationName")
        and spec.get("LaunchTemplateId") == template_id
        and str(spec.get("Version")) == str(version)
    )


def on_launch_configuration(group, name):
    return group.get("LaunchConfigurationName") == name and not group.get("LaunchTemplate") and not group.get("MixedInstancesPolicy")


def group_summary(group, region=None):
    """The group record the role works with (boto3 group -> snake_case, only what the remediation needs)."""
    instances = group.get("Instances") or []
    return {
        "name": group["AutoScalingGroupName"],
        "region": region,
        "launch_configuration_name": group.get("LaunchConfigurationName"),
        "launch_template": template_spec(group["LaunchTemplate"]) if group.get("LaunchTemplate") else None,
        "mixed_instances_policy": bool(group.get("MixedInstancesPolicy")),
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "desired_capacity": group.get("DesiredCapacity"),
        "instances": sorted(i["InstanceId"] for i in instances),
        "live_instances": sorted(i["InstanceId"] for i in instances if i.get("LifecycleState") in LIVE_LIFECYCLE_STATES),
    }


def instances_to_refresh(group, template_id, version):
    """Ids of the group's instances not launched from ``template_id`` at ``version`` (what a SkipMatching refresh replaces)."""
    out = []
    for instance in group.get("Instances") or []:
        spec = instance.get("LaunchTemplate") or {}
        if instance.get("LaunchConfigurationName") or spec.get("LaunchTemplateId") != template_id or str(spec.get("Version")) != str(version):
            out.append(instance["InstanceId"])
    return sorted(out)


# --- the plan ------------------------------------------------------------------------------------


def plan_region(region, account_id, launch_configurations, groups, lc_names=None, group_names=None, delete_unused=False):
    """What to do in one region.

    ``launch_configurations`` / ``groups``: DescribeLaunchConfigurations / DescribeAutoScalingGroups items of the region.
    Without names: every launch configuration failing AutoScaling.3. ``lc_names`` limits to those (named ones are handled
    even when already compliant: the user asked, and it fixes AutoScaling.9). ``group_names`` limits the groups switched
    (and therefore the launch configurations, to the ones those groups use).
    Returns ``(items, found_lc_names, found_group_names, errors)``; errors are per-group refusals for named groups.
    """
    lc_names = set(lc_names or [])
    group_names = set(group_names or [])
    users = groups_by_launch_configuration(groups)
    by_name = {g["AutoScalingGroupName"]: g for g in groups}
    found_groups = sorted(group_names & set(by_name))
    errors = []
    for name in found_groups:
        why = refusal(by_name[name])
        if why:
            errors.append("%s (region %s)" % (why, region))

    items = []
    found_lcs = []
    for lc in sorted(launch_configurations, key=lambda x: x["LaunchConfigurationName"]):
        name = lc["LaunchConfigurationName"]
        if lc_names:
            if name not in lc_names:
                continue
            found_lcs.append(name)
        record = normalize_launch_configuration(lc, region, account_id, users.get(name))
        if record["compliant"] and not lc_names and not (group_names & set(users.get(name, []))):
            continue
        using = users.get(name, [])
        targets = [g for g in using if g in group_names] if group_names else list(using)
        if group_names and not targets:
            continue
        if targets:
            action = ACTION_CONVERT
        else:
            action = ACTION_DELETE_UNUSED if delete_unused else ACTION_KEEP_UNUSED
        record.update(
            {
                "action": action,
                "groups": [group_summary(by_name[g], region) for g in targets],
                "other_groups": sorted(set(using) - set(targets)),
                "user_data_present": bool(lc.get("UserData")),
            }
        )
        items.append(record)
    return items, found_lcs, found_groups, errors


def missing_names(requested, found_per_region):
    """Requested names found in no region."""
    found = set()
    for names in found_per_region:
        found.update(names)
    return sorted(set(requested or []) - found)


# --- IMDSv1 usage (CloudWatch MetadataNoToken) -----------------------------------------------------

METRIC_NAMESPACE = "AWS/EC2"
METRIC_NAME = "MetadataNoToken"
METRIC_QUERIES_PER_CALL = 500


def metric_queries(instance_ids, period):
    """GetMetricData queries: the Sum of MetadataNoToken per instance (ids q0, q1, ... in the order given)."""
    return [
        {
            "Id": "q%d" % i,
            "Label": instance_id,
            "MetricStat": {
                "Metric": {"Namespace": METRIC_NAMESPACE, "MetricName": METRIC_NAME, "Dimensions": [{"Name": "InstanceId", "Value": instance_id}]},
                "Period": period,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for i, instance_id in enumerate(instance_ids)
    ]


def usage_window(days, now=None):
    """``(start, end, period)`` for ``days`` days up to now; one data point per day (period 86400 s)."""
    end = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - also Python < 3.11
    end = end.replace(second=0, microsecond=0)
    return end - datetime.timedelta(days=days), end, 86400


def summarize_usage(instance_ids, results):
    """Per-instance IMDSv1 call counts from GetMetricDataResults (matched by query id)."""
    totals = {instance_id: 0.0 for instance_id in instance_ids}
    points = {instance_id: 0 for instance_id in instance_ids}
    ids = {"q%d" % i: instance_id for i, instance_id in enumerate(instance_ids)}
    for r in results:
        instance_id = ids.get(r.get("Id"))
        if instance_id is None:
            continue
        values = r.get("Values") or []
        totals[instance_id] += float(sum(values))
        points[instance_id] += len(values)
    instances = [
        {"instance_id": i, "metadata_no_token": int(totals[i]) if totals[i].is_integer() else totals[i], "datapoints": points[i]} for i in instance_ids
    ]
    total = sum(totals.values())
    return {
        "instances": instances,
        "metadata_no_token_total": int(total) if float(total).is_integer() else total,
        "imdsv1_used": total > 0,
        "instances_using_imdsv1": [i["instance_id"] for i in instances if i["metadata_no_token"] > 0],
    }


# --- backups --------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def json_safe(value):
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def backup_document(lc, account_id, region, taken_at=None):
    """The backup file content: the full DescribeLaunchConfigurations definition plus where it came from."""
    return {
        "kind": "hubfix.aws/launch-configuration-backup",
        "schema_version": 1,
        "account_id": account_id,
        "region": region,
        "taken_at": (taken_at or datetime.datetime.now(datetime.timezone.utc)).isoformat(),  # noqa: UP017 - also Python < 3.11
        "launch_configuration": json_safe(lc),
    }


def backup_path(directory, account_id, region, name, created_time=None):
    """``<dir>/<account>/<region>/<name>.json``; with ``created_time``, the name carries it (another incarnation)."""
    safe = _UNSAFE.sub("_", name)
    if created_time:
        stamp = re.sub(r"[^0-9T]", "", str(created_time))[:15]
        safe = "%s.%s" % (safe, stamp)
    return os.path.join(directory, account_id or "unknown-account", region, safe + ".json")


def backup_matches(document, lc):
    """True when a backup document is of this launch configuration (same name, ARN and creation time)."""
    saved = (document or {}).get("launch_configuration") or {}
    current = json_safe(lc)
    return all(saved.get(k) == current.get(k) for k in ("LaunchConfigurationName", "LaunchConfigurationARN", "CreatedTime"))


def read_backup(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
