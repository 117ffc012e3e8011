# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AutoScaling.3 remediation logic: what to convert, group launch sources, instance refreshes.

Plain functions over boto3-shaped dicts (no AWS calls) so that every rule is unit-tested.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.imdsv2 import groups_by_launch_configuration, normalize_launch_configuration
from ansible_collections.hubfix.aws.plugins.module_utils.launch_template import source_of
from ansible_collections.hubfix.aws.plugins.module_utils.user_data_scan import imdsv1_calls

ACTION_CONVERT = "convert"
ACTION_DELETE_UNUSED = "delete_unused"
ACTION_KEEP_UNUSED = "keep_unused"
# someone else (CloudFormation, Elastic Beanstalk, Terraform, a tagged tool) owns it: hubfix writes the change for the owner
ACTION_BLOCKED_OWNED = "blocked_owned"
# converted by an earlier run, its groups on hubfix's template: retire it once the template has proven itself
ACTION_RETIRE = "retire"

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


def source_record(group):
    """What a group launches from, as the ``autoscaling_group_launch_template`` module reports it (without the name)."""
    return {
        "launch_configuration_name": group.get("LaunchConfigurationName"),
        "launch_template": template_spec(group["LaunchTemplate"]) if group.get("LaunchTemplate") else None,
    }


def version_problem(version):
    if not (str(version).isdigit() or version in ("$Default", "$Latest")):
        return "launch_template_version must be a version number, $Default or $Latest, got %r" % (version,)
    return None


def template_problem(template, wanted, version, region):
    """Why a group cannot be pointed at ``version`` of ``template`` (a DescribeLaunchTemplates item, or None), or None."""
    if template is None:
        return "launch template %s not found in region %s" % (wanted, region)
    if str(version).isdigit() and int(version) > template["LatestVersionNumber"]:
        return "launch template %s has no version %s (latest is %s)" % (template["LaunchTemplateName"], version, template["LatestVersionNumber"])
    return None


def moved_on_message(name, expected, before):
    return "Auto Scaling group %s no longer launches from launch configuration %s (it uses %s); not switched" % (
        name,
        expected,
        before["launch_template"] or before["launch_configuration_name"],
    )


def group_summary(group, region=None, owner=None):
    """The group record the role works with (boto3 group -> snake_case, only what the remediation needs)."""
    instances = group.get("Instances") or []
    return {
        "owner": owner,
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


def instance_ids(group):
    return sorted(i["InstanceId"] for i in group.get("Instances") or [])


def instances_to_refresh(group, template_id, version):
    """Ids of the group's instances not launched from ``template_id`` at ``version`` (what a SkipMatching refresh replaces)."""
    out = []
    for instance in group.get("Instances") or []:
        spec = instance.get("LaunchTemplate") or {}
        if instance.get("LaunchConfigurationName") or spec.get("LaunchTemplateId") != template_id or str(spec.get("Version")) != str(version):
            out.append(instance["InstanceId"])
    return sorted(out)


# --- the plan ------------------------------------------------------------------------------------


def plan_region(
    region, account_id, launch_configurations, groups, lc_names=None, group_names=None, delete_unused=False, owners=None, templates=None, also_lc_names=None
):
    """What to do in one region.

    ``launch_configurations`` / ``groups``: DescribeLaunchConfigurations / DescribeAutoScalingGroups items of the region.
    Without names: every launch configuration failing AutoScaling.3. ``lc_names`` limits to those (named ones are handled
    even when already compliant: the user asked, and it fixes AutoScaling.9). ``group_names`` limits the groups switched
    (and therefore the launch configurations, to the ones those groups use).
    ``owners(groups, lc names) -> ({group: owner}, {lc: owner})`` (owners.region_owners): an owned launch configuration is
    ``blocked_owned`` (nothing changes), an owned group is listed in ``owned_groups`` and never switched.
    ``templates``: hubfix's launch templates of the region (tag hubfix:source-launch-configuration), or a callable returning
    them, called only when a candidate is unused; an unused failing
    launch configuration that one was made from is ``retire`` (deleted once the template proved itself, see ``proof``).
    ``also_lc_names``: handled too even when compliant, without limiting the plan to them, and not an error when absent
    (an inventory's AutoScaling.9 groups whose launch configuration already requires IMDSv2).
    Returns ``(items, found_lc_names, found_group_names, errors)``; errors are per-group refusals for named groups.
    """
    lc_names = set(lc_names or [])
    also_lc_names = set(also_lc_names or [])
    group_names = set(group_names or [])
    users = groups_by_launch_configuration(groups)
    by_name = {g["AutoScalingGroupName"]: g for g in groups}
    found_groups = sorted(group_names & set(by_name))
    errors = []
    for name in found_groups:
        why = refusal(by_name[name])
        if why:
            errors.append("%s (region %s)" % (why, region))

    candidates = []
    found_lcs = []
    for lc in sorted(launch_configurations, key=lambda x: x["LaunchConfigurationName"]):
        name = lc["LaunchConfigurationName"]
        if lc_names:
            if name not in lc_names:
                continue
            found_lcs.append(name)
        record = normalize_launch_configuration(lc, region, account_id, users.get(name))
        if record["compliant"] and not lc_names and not (group_names & set(users.get(name, []))) and name not in also_lc_names:
            continue
        using = users.get(name, [])
        targets = [g for g in using if g in group_names] if group_names else list(using)
        if group_names and not targets:
            continue
        candidates.append((lc, record, using, targets))

    group_owners, lc_owners = owners(groups, [c[1]["name"] for c in candidates]) if owners else ({}, {})
    if callable(templates):  # looked up only when an unused failing launch configuration needs it
        templates = templates() if any(not c[3] for c in candidates) else []
    made_from = {source_of(t): t for t in templates or [] if source_of(t)}
    items = []
    for lc, record, using, targets in candidates:
        name = record["name"]
        owner = lc_owners.get(name)
        plain = [g for g in targets if not group_owners.get(g)]
        owned = [g for g in targets if group_owners.get(g)]
        if owner or (owned and not plain):
            action = ACTION_BLOCKED_OWNED
        elif plain:
            action = ACTION_CONVERT
        elif name in made_from:
            action = ACTION_RETIRE
        else:
            action = ACTION_DELETE_UNUSED if delete_unused else ACTION_KEEP_UNUSED
        record.update(
            {
                "action": action,
                "owner": owner,
                "groups": [group_summary(by_name[g], region, group_owners.get(g)) for g in (plain if action == ACTION_CONVERT else [])],
                "owned_groups": [group_summary(by_name[g], region, group_owners.get(g)) for g in (targets if action == ACTION_BLOCKED_OWNED else owned)],
                "other_groups": sorted(set(using) - set(plain if action == ACTION_CONVERT else [])),
                "user_data_present": bool(lc.get("UserData")),
                "user_data_imdsv1_calls": imdsv1_calls(lc.get("UserData")),
            }
        )
        if action == ACTION_RETIRE:
            template = made_from[name]
            record["hubfix_template"] = {"launch_template_id": template["LaunchTemplateId"], "launch_template_name": template["LaunchTemplateName"]}
            record["proof"] = proof(groups_on_template(groups, template["LaunchTemplateId"]), template["LaunchTemplateId"])
        items.append(record)
    return items, found_lcs, found_groups, errors


def groups_on_template(groups, template_id):
    """The groups (boto3 items) that launch from the launch template ``template_id``."""
    return [g for g in groups if (g.get("LaunchTemplate") or {}).get("LaunchTemplateId") == template_id and not g.get("MixedInstancesPolicy")]


def group_proof(group, template_id, refresh=None):
    """None when the group has proven the launch template ``template_id``, else why not.

    Proven: its instance refresh to the template ended Successful (``refresh``: the module's snake_case record), or an
    instance launched from the template is InService, or it has no instances and desired capacity 0."""
    if (refresh or {}).get("status") in REFRESH_SUCCESS:
        return None
    instances = group.get("Instances") or group.get("instances_detail") or []
    for instance in instances:
        spec = instance.get("LaunchTemplate") or {}
        if spec.get("LaunchTemplateId") == template_id and instance.get("LifecycleState") == "InService":
            return None
    if not instances and not group.get("DesiredCapacity", group.get("desired_capacity")):
        return None
    name = group.get("AutoScalingGroupName") or group.get("name")
    return "group %s has no InService instance launched from the launch template yet (an instance refresh, or the group's next scale-out, proves it)" % name


def proof(groups, template_id, refreshes=None):
    """``{proven, kept_because}`` for a launch configuration whose groups moved to ``template_id``: proven when every
    group did (``group_proof``); ``refreshes``: ``{group name: refresh record}`` of this run."""
    reasons = []
    for group in groups:
        name = group.get("AutoScalingGroupName") or group.get("name")
        why = group_proof(group, template_id, (refreshes or {}).get(name))
        if why:
            reasons.append(why)
    return {"proven": not reasons, "kept_because": "; ".join(reasons) or None, "groups": sorted(g.get("AutoScalingGroupName") or g.get("name") for g in groups)}


def groups_on_templates(groups, group_names, region):
    """``{template id: [(group name, its refusal)]}`` of the named groups that launch from a launch template (no mixed
    instances policy): refused by plan_region, unless a rerun finds them on the template hubfix made for them."""
    named, out = set(group_names or []), {}
    for group in groups:
        if group["AutoScalingGroupName"] in named and group.get("LaunchTemplate") and not group.get("MixedInstancesPolicy"):
            refused = "%s (region %s)" % (refusal(group), region)
            out.setdefault(group["LaunchTemplate"].get("LaunchTemplateId"), []).append((group["AutoScalingGroupName"], refused))
    return out


def groups_on_hubfix_templates(region, templates, on_templates):
    """``(records, refusals cleared)`` for the groups of ``on_templates`` (groups_on_templates) whose template is one of
    ``templates``, the DescribeLaunchTemplates items hubfix made (tag hubfix:source-launch-configuration)."""
    records, cleared = [], set()
    for template in templates:
        source = source_of(template)
        for name, refused in on_templates.get(template["LaunchTemplateId"], []):
            records.append(
                {
                    "region": region,
                    "name": name,
                    "launch_configuration_name": source,
                    "launch_template_name": template["LaunchTemplateName"],
                    "launch_template_id": template["LaunchTemplateId"],
                }
            )
            cleared.add(refused)
    return records, cleared


def missing_names(requested, found_per_region):
    """Requested names found in no region."""
    found = set()
    for names in found_per_region:
        found.update(names)
    return sorted(set(requested or []) - found)


# --- instance refresh ------------------------------------------------------------------------------------------


def refresh_request(group_name, template_id, template_name, version, min_healthy, skip_matching, auto_rollback, warmup=None):
    """StartInstanceRefresh parameters: the DesiredConfiguration is the template version, so AWS switches the group only when
    the refresh succeeds and (with AutoRollback) puts group and instances back when it fails."""
    spec = {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": template_name}
    spec["Version"] = str(version)
    preferences = {"MinHealthyPercentage": min_healthy, "SkipMatching": skip_matching, "AutoRollback": auto_rollback}
    if warmup is not None:
        preferences["InstanceWarmup"] = warmup
    return {"AutoScalingGroupName": group_name, "Strategy": "Rolling", "DesiredConfiguration": {"LaunchTemplate": spec}, "Preferences": preferences}


def refresh_progress(refresh):
    return {
        "status": refresh.get("Status"),
        "percentage_complete": refresh.get("PercentageComplete"),
        "instances_to_update": refresh.get("InstancesToUpdate"),
        "status_reason": refresh.get("StatusReason"),
    }


def refresh_failure(refresh):
    """Why a finished refresh counts as failed, or None (still running, or Successful)."""
    status = (refresh or {}).get("Status")
    if status in REFRESH_TERMINAL and status not in REFRESH_SUCCESS:
        return "instance refresh %s of group %s ended %s: %s" % (
            refresh.get("InstanceRefreshId"),
            refresh.get("AutoScalingGroupName"),
            status,
            refresh.get("StatusReason") or "no reason given",
        )
    return None


def refresh_diff(group_name, region, template, version, to_replace):
    return {
        "before_header": "Auto Scaling group %s (%s) instances" % (group_name, region),
        "after_header": "instance refresh to %s version %s" % (template, version),
        "before": "\n".join(to_replace) + "\n",
        "after": "%d instance(s) replaced\n" % len(to_replace),
    }
