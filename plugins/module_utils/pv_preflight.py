# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2.24 pre-flight check of one instance: can it be migrated, to what, and what would the migration move.

``check`` is pure: it takes what the module read from AWS (the instance, the target image and type, termination
protection, Elastic IPs) and returns the module's result. ``probes`` lists the DryRun calls that prove the credentials
may make every mutating call of the migration and its rollback.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import blockers as bl
from ansible_collections.hubfix.aws.plugins.module_utils import claims
from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import NoReplacementType, resolve_instance_type
from ansible_collections.hubfix.aws.plugins.module_utils.paravirtual import network_interfaces, normalize_instance
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_PHASE,
    MigrationError,
    device_conflicts,
    image_problems,
    in_progress,
    migration_from_tags,
    plan_volume_moves,
    resolve_image,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import instance_summary
from ansible_collections.hubfix.aws.plugins.module_utils.pv_traffic import capacity_problems, layout


def empty_result(audit_warnings=None):
    return dict(
        changed=False,
        eligible=False,
        status="invalid",
        errors=[],
        blockers=[],
        refusing_blockers=[],
        stop_refusals=[],
        missing_permissions=[],
        warnings_from_probes=[],
        audit_warnings=[{"code": w.get("code"), "message": w.get("message")} for w in audit_warnings or []],
        instance=None,
        migration=migration_from_tags({}),
        target_image_id=None,
        target_instance_type=None,
        volume_moves=[],
        elastic_ips=[],
        claimed_by=None,
        compliant_because=None,
    )


def targets(instance_id, summary, params, region=None):
    """``(target image, target type, errors)`` from the maps and defaults in ``params`` (module options)."""
    errors, image, itype = [], None, None
    try:
        itype = resolve_instance_type(instance_id, summary["instance_type"], params["instance_type_map"], params["suggested_instance_type"])
    except NoReplacementType as e:
        errors.append(str(e))
    try:
        image = resolve_image(instance_id, summary["image_id"], params["image_id"], params["image_map"], region)
    except MigrationError as e:
        errors.append(str(e))
    return image, itype, errors


def state_errors(instance_id, summary):
    errors = []
    if not summary["subnet_id"]:
        errors.append("%s: the instance is not in a VPC subnet" % instance_id)
    return errors


def live_blockers(instance, region, termination_protection, instance_store_devices, stop_protection=False):
    """Blockers seen on the live instance, with the instance-store devices the audit found added, and stop protection
    (which only the pre-flight reads)."""
    record = normalize_instance(instance, region, None, termination_protection=termination_protection)
    record["stop_protection"] = bool(stop_protection)
    known = {d["device_name"] for d in record["instance_store_devices"]}
    record["instance_store_devices"] += [{"device_name": d, "virtual_name": None, "source": "audit"} for d in instance_store_devices or [] if d not in known]
    return bl.blockers(record)


def check(instance, region, params, image=None, type_info=None, termination_protection=False, addresses=(), stop_protection=False):
    """The pre-flight result (see the module's RETURN) without the permission probes."""
    result = empty_result(params["audit_warnings"])
    iid = instance["InstanceId"]
    summary = instance_summary(instance)
    migration = migration_from_tags(summary["tags"])
    result.update(instance=summary, migration=migration)
    if migration["phase"] == "completed":
        return dict(result, eligible=True, status="completed")
    if summary["virtualization_type"] != "paravirtual" or summary["state"] in ("shutting-down", "terminated"):
        # an HVM (or terminated) instance given as a target passes EC2.24: nothing to do, and nothing wrong
        why = "%s is %s" % (iid, summary["virtualization_type"] if summary["virtualization_type"] != "paravirtual" else summary["state"])
        return dict(result, status="compliant", compliant_because=why + ": it passes EC2.24, nothing to migrate")
    errors = result["errors"]
    errors += state_errors(iid, summary)
    target_image, target_type, target_errors = targets(iid, summary, params, region)
    errors += target_errors
    result.update(target_image_id=target_image, target_instance_type=target_type)
    if target_image:
        errors += image_problems(iid, target_image, image, summary["architecture"], target_type, type_info)
        # the cutover moves every interface and private IP to the replacement: its type must take them
        errors += capacity_problems(iid, layout(instance), target_type, type_info)

    resuming = in_progress(migration["phase"])
    moves = plan_volume_moves(
        (migration["original_devices"] if resuming else summary["ebs_volumes"]) or [], summary["root_device_name"], params["old_root_device"]
    )
    if image:
        image_devices = [b.get("DeviceName") for b in image.get("BlockDeviceMappings", [])]
        errors += ["%s: %s" % (iid, c) for c in device_conflicts(moves, image_devices, image.get("RootDeviceName"))]
    eips = (
        (migration["original_eips"] or [])
        if resuming
        else [{"allocation_id": a["AllocationId"], "private_ip_address": a.get("PrivateIpAddress")} for a in addresses if a.get("AllocationId")]
    )
    result.update(volume_moves=moves, elastic_ips=eips)

    refused_warnings = [w for w in result["audit_warnings"] if w["code"] in params["refuse_warning_codes"]]
    found = bl.merge(
        live_blockers(instance, region, termination_protection, params["instance_store_devices"], stop_protection), params["blockers"], refused_warnings
    )
    # instance-store data is lost only when the instance stops: a prepare that copies the volumes of a running source
    # (stops_instance false) needs no acknowledgement, and its cutover checks stop_refusals before stopping
    acknowledged = params["acknowledge_instance_store_loss"]
    refusing = bl.refusing(found, acknowledged or not params.get("stops_instance", True))
    stop_refusals = [b for b in bl.refusing(found, acknowledged) if b not in refusing]
    result.update(blockers=found, refusing_blockers=refusing, stop_refusals=stop_refusals)
    claimed_by = claims.held_by_other(migration.get("claim"), params.get("run") or {}, params.get("stale_after") or claims.DEFAULT_STALE_AFTER)
    return dict(result, **decide(errors, resuming, refusing, claimed_by))


def decide(errors, resuming, refusing, claimed_by=None):
    if claimed_by:
        # another run is working on it right now: leave it to that run, change nothing
        return {"status": "in_progress_other_run", "eligible": False, "claimed_by": claimed_by}
    if errors:
        return {"status": "invalid", "eligible": False}
    if resuming:
        # an interrupted migration resumes: it was checked when it started, and rolling forward is safer than stopping half way
        return {"status": "in_progress", "eligible": True}
    if refusing:
        return {"status": "blocked", "eligible": False}
    return {"status": "ready", "eligible": True}


def probes(ec2, instance, image_id, instance_type, moves, eips, old_root_device):
    """``(IAM action, call, params)`` for every mutating call of the migration and its rollback, to run with DryRun."""
    iid = instance["InstanceId"]
    out = [
        ("ec2:CreateTags", ec2.create_tags, {"Resources": [iid], "Tags": [{"Key": TAG_PHASE, "Value": "started"}]}),
        ("ec2:StopInstances", ec2.stop_instances, {"InstanceIds": [iid]}),
        ("ec2:StartInstances", ec2.start_instances, {"InstanceIds": [iid]}),
    ]
    run = {"ImageId": image_id, "InstanceType": instance_type, "MinCount": 1, "MaxCount": 1, "MetadataOptions": {"HttpTokens": "required"}}
    if instance.get("SubnetId"):
        run["SubnetId"] = instance["SubnetId"]
    groups = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
    if groups:
        run["SecurityGroupIds"] = groups
    if instance.get("KeyName"):
        run["KeyName"] = instance["KeyName"]
    if (instance.get("IamInstanceProfile") or {}).get("Arn"):
        run["IamInstanceProfile"] = {"Arn": instance["IamInstanceProfile"]["Arn"]}
    out.append(("ec2:RunInstances", ec2.run_instances, run))
    # the replacement a failed run launched is terminated by the rollback (probed on the source: DryRun never acts)
    out.append(("ec2:TerminateInstances", ec2.terminate_instances, {"InstanceIds": [iid]}))
    if moves:
        m = moves[0]
        out.append(("ec2:CreateSnapshot", ec2.create_snapshot, {"VolumeId": m["volume_id"]}))
        # strategy copy: the replacement's volumes are made from the snapshots
        zone = (instance.get("Placement") or {}).get("AvailabilityZone")
        if zone:
            out.append(("ec2:CreateVolume", ec2.create_volume, {"AvailabilityZone": zone, "Size": 1}))
        no_delete = {"InstanceId": iid, "BlockDeviceMappings": [{"DeviceName": m["source_device"], "Ebs": {"DeleteOnTermination": False}}]}
        out.append(("ec2:ModifyInstanceAttribute", ec2.modify_instance_attribute, no_delete))
        out.append(("ec2:DetachVolume", ec2.detach_volume, {"VolumeId": m["volume_id"], "InstanceId": iid}))
        out.append(("ec2:AttachVolume", ec2.attach_volume, {"VolumeId": m["volume_id"], "InstanceId": iid, "Device": old_root_device}))
    if eips:
        out.append(("ec2:AssociateAddress", ec2.associate_address, {"AllocationId": eips[0]["allocation_id"], "InstanceId": iid, "AllowReassociation": True}))
    # a secondary interface moves at cutover (and back on rollback); the secondary private IP calls have no DryRun
    second = next((e for e in network_interfaces(instance) if e["device_index"] not in (0, None) and e["attachment_id"]), None)
    if second:
        out.append(("ec2:DetachNetworkInterface", ec2.detach_network_interface, {"AttachmentId": second["attachment_id"]}))
        attach = {"NetworkInterfaceId": second["network_interface_id"], "InstanceId": iid, "DeviceIndex": second["device_index"]}
        out.append(("ec2:AttachNetworkInterface", ec2.attach_network_interface, attach))
    return out
