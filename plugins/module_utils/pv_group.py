# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2.24 for instances an Auto Scaling group launched: the group is migrated, not the instance (pure functions).

Replacing a member by hand is undone by its group, which launches the paravirtual image again. Instead the group's launch
template gets a new version from the one the group uses - the HVM image (``pv_to_hvm_image_map`` / ``pv_to_hvm_image_id``),
the mapped instance type, no pv-grub kernel or RAM disk, IMDSv2 required - and an instance refresh (DesiredConfiguration
that numbered version, SkipMatching, AutoRollback) replaces the members; AWS switches the group to the version only when
the refresh succeeds. Stage ``prepare`` only makes the version; ``cutover`` (or ``all``) runs the refresh. A group on a
launch configuration goes through the AutoScaling.3 conversion (``remediate_autoscaling_3`` with ``pv_to_hvm_image_map``);
a group or template that a stack, Beanstalk, Terraform or an owner tag manages gets the change to make there.
"""

from __future__ import annotations

import hashlib

from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling import REFRESH_SUCCESS, REFRESH_TERMINAL
from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import NoReplacementType, resolve_instance_type
from ansible_collections.hubfix.aws.plugins.module_utils.launch_template import with_hvm_image
from ansible_collections.hubfix.aws.plugins.module_utils.owners import describe
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import MigrationError, resolve_image, target_image_problems

DESCRIPTION = "hubfix.aws EC2.24: version %s with the HVM image %s as %s, IMDSv2 required"
# DescribeLaunchTemplateVersions answers keys CreateLaunchTemplateVersion does not take
RESPONSE_ONLY = {"MetadataOptions": ("State",)}


def request_data(data, shape):
    """``data`` (a DescribeLaunchTemplateVersions LaunchTemplateData) cut to what ``shape`` (botocore's
    RequestLaunchTemplateData) accepts, recursively: a key the request does not know would fail the whole call."""
    kind = getattr(shape, "type_name", None)
    if kind == "structure" and isinstance(data, dict):
        members = shape.members
        return {k: request_data(v, members[k]) for k, v in data.items() if k in members}
    if kind == "list" and isinstance(data, list):
        return [request_data(v, shape.member) for v in data]
    return data


def hvm_data(source_data, target_image_id, target_instance_type):
    """The new version's data: the source version's, launching the HVM image as the target type, IMDSv2 required."""
    target = {"target_image_id": target_image_id, "target_instance_type": target_instance_type or source_data.get("InstanceType")}
    out = with_hvm_image(dict(source_data), target)
    if out.get("InstanceType") is None:
        out.pop("InstanceType", None)
    metadata = {k: v for k, v in (out.get("MetadataOptions") or {}).items() if k not in RESPONSE_ONLY["MetadataOptions"]}
    metadata["HttpTokens"] = "required"
    out["MetadataOptions"] = metadata
    return out


def plan(group_name, source_data, images, region, image_id=None, image_map=None, instance_type_map=None):
    """``{paravirtual, image_id, instance_type, target_image_id, target_instance_type, problem}`` for a group whose template
    version holds ``source_data``; ``images``: DescribeImages answers by id (the source's and the target's)."""
    source_image = source_data.get("ImageId")
    instance_type = source_data.get("InstanceType")
    image = images.get(source_image)
    out = {"paravirtual": False, "image_id": source_image, "instance_type": instance_type, "target_image_id": None, "target_instance_type": None}
    out["problem"] = None
    if image is None:
        out["problem"] = "Auto Scaling group %s: its launch template's image %s is not visible to this account; cannot tell whether it is paravirtual" % (
            group_name,
            source_image,
        )
        return out
    if image.get("VirtualizationType") != "paravirtual":
        return out
    out["paravirtual"] = True
    try:
        out["target_image_id"] = resolve_image(group_name, source_image, image_id=image_id, image_map=image_map, region=region)
    except MigrationError:
        out["problem"] = (
            'Auto Scaling group %s launches the paravirtual image %s: give pv_to_hvm_image_map {"%s": "<HVM AMI>"} (or pv_to_hvm_image_id) to migrate it'
            % (
                group_name,
                source_image,
                source_image,
            )
        )
        return out
    problems = target_image_problems("Auto Scaling group %s" % group_name, out["target_image_id"], images.get(out["target_image_id"]))
    if problems:
        out["problem"] = "; ".join(problems)
        return out
    if instance_type:
        try:
            out["target_instance_type"] = resolve_instance_type(group_name, instance_type, instance_type_map)
        except NoReplacementType as e:
            out["problem"] = str(e)
    return out


def client_token(template_id, source_version, data_plan):
    """CreateLaunchTemplateVersion's ClientToken: the same version for the same request, so an interrupted run that asks
    again within AWS's idempotency window gets it back instead of a second one."""
    key = "%s|%s|%s|%s" % (template_id, source_version, data_plan["target_image_id"], data_plan["target_instance_type"])
    return "hubfix-ec2-24-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def owner_refusal(group_name, template_name, owner, data_plan):
    """Why hubfix does not change a group or template someone else manages, with the change to make there; None if nobody."""
    if not owner:
        return None
    change = "ImageId %s, InstanceType %s and MetadataOptions HttpTokens required" % (
        data_plan.get("target_image_id") or "<HVM AMI>",
        data_plan.get("target_instance_type") or data_plan.get("instance_type") or "<current type>",
    )
    where = {
        "cloudformation": "in the stack's AWS::EC2::LaunchTemplate LaunchTemplateData and update the stack (its rolling update replaces the instances)",
        "elastic_beanstalk": "by moving the environment to a current (HVM) platform version",
        "terraform": "in the aws_launch_template (image_id, instance_type, metadata_options http_tokens) and terraform apply, with an instance refresh",
    }.get(owner.get("type"), "through that tool")
    return "Auto Scaling group %s (launch template %s) is managed by %s: set %s %s; hubfix leaves it alone" % (
        group_name,
        template_name,
        describe(owner),
        change,
        where,
    )


def _registered(value):
    """A registered task result, or None when the task was skipped or never ran."""
    if not value or value.get("skipped"):
        return None
    return value


def _refresh_status(status):
    if status in REFRESH_SUCCESS:
        return "migrated"
    if status == "RollbackFailed":
        return "rollback_failed"
    if status in REFRESH_TERMINAL:  # failed, cancelled or rolled back by AWS: the group keeps its version
        return "rolled_back"
    return "in_progress"


def group_status(template, refresh, stage, check_mode):
    """The report status of a member: ``failed``, ``blocked``, ``planned`` (check mode), ``prepared`` (stage prepare) or what
    its group's instance refresh ended as (``migrated``, ``rolled_back``, ``rollback_failed``, ``in_progress``)."""
    if template is None or template.get("failed"):
        return "failed"
    if template.get("refusal"):
        return "blocked"
    if check_mode:
        return "planned"
    if stage == "prepare":
        return "prepared"
    if refresh is None or refresh.get("failed") and not refresh.get("instance_refresh"):
        return "failed"
    state = (refresh.get("instance_refresh") or {}).get("status")
    if state is None:
        return "migrated" if not refresh.get("instances_to_replace") else "failed"
    return _refresh_status(state)


def group_record(template, refresh):
    """The report's ``autoscaling_group`` of a member: the group, its template versions, images and instance refresh."""
    template = template or {}
    group = template.get("autoscaling_group") or {}
    out = {
        "name": group.get("name"),
        "launch_configuration_name": group.get("launch_configuration_name"),
        "launch_template": template.get("launch_template"),
        "source_version": template.get("source_version"),
        "version": template.get("version"),
        "action": template.get("action"),
        "image": template.get("image") or {},
        "owner": template.get("owner"),
        "instance_refresh": None,
    }
    current = (refresh or {}).get("instance_refresh")
    if current:
        out["instance_refresh"] = {k: current.get(k) for k in ("instance_refresh_id", "status", "status_reason", "percentage_complete")}
    return out


def group_plan_lines(record, min_healthy):
    lt = record.get("launch_template") or {}
    image = record.get("image") or {}
    return [
        "start an instance refresh of group %s to launch template %s version %s (%s as %s, IMDSv2 required; SkipMatching, AutoRollback): AWS "
        "replaces the members keeping %s%% healthy and switches the group to that version only when the refresh succeeds"
        % (
            record.get("name"),
            lt.get("launch_template_name"),
            record.get("version"),
            image.get("target_image_id") or image.get("image_id"),
            image.get("target_instance_type") or image.get("instance_type"),
            min_healthy,
        )
    ]


def group_result(instance_id, region, preflight, source_record, template, refresh, stage, check_mode, min_healthy=90):
    """The report record of a paravirtual member of an Auto Scaling group migrated through its group."""
    from ansible_collections.hubfix.aws.plugins.module_utils.pv_report import build_result  # the report imports nothing of ours back

    template, refresh = _registered(template), _registered(refresh)
    status = group_status(template, refresh, stage, check_mode)
    record = group_record(template, refresh)
    errors = []
    if status == "failed":
        why = (refresh or template or {}).get("msg") or "failed"
        errors.append("%s: Auto Scaling group %s: %s" % (instance_id, record.get("name") or source_record.get("autoscaling_group_name"), why))
    elif status in ("rolled_back", "rollback_failed", "in_progress"):
        ir = record["instance_refresh"] or {}
        errors.append(
            "%s: instance refresh %s of group %s is %s%s"
            % (instance_id, ir.get("instance_refresh_id"), record["name"], ir.get("status"), ": %s" % ir["status_reason"] if ir.get("status_reason") else "")
        )
    preflight = dict(preflight or {})
    if status == "blocked":
        preflight["refusing_blockers"] = [{"code": "autoscaling_group", "message": template["refusal"]}]
    result = build_result(instance_id, region, status, preflight=preflight, source_record=source_record, errors=errors)
    result["autoscaling_group"] = record
    result["volumes"], result["elastic_ips"] = [], []
    result["cutover_plan"] = group_plan_lines(record, min_healthy) if status in ("prepared", "planned") else []
    result["follow_ups"] = (
        [
            "Auto Scaling group %s now launches %s version %s; the earlier versions are kept (roll back by an instance refresh to one of them)"
            % (record["name"], (record.get("launch_template") or {}).get("launch_template_name"), record["version"])
        ]
        if status == "migrated"
        else []
    )
    if status == "blocked":
        result["next_actions"] = [template["refusal"]]
    if status == "in_progress":
        result["next_actions"] = ["run the cutover again when the instance refresh has ended (it follows the running refresh)"]
    return result
