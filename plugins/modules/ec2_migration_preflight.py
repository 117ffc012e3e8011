#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_migration_preflight
short_description: Check that a paravirtual instance can be migrated to HVM, and plan the migration
version_added: 0.1.0
description:
  - Read-only pre-flight check for the M(hubfix.aws.pv_to_hvm) role (Security Hub control EC2.24).
  - Finds the instance and refuses, with the reason, an unknown or terminated instance, an instance that is already
    C(hvm), a missing image mapping, a target image that does not exist, is not C(hvm), not available or of another
    architecture, and a target instance type that does not exist or supports neither C(hvm) nor the architecture.
  - Collects the blockers (instance-store root, instance-store data without the acknowledgement, Auto Scaling group
    member, CloudFormation or Elastic Beanstalk managed, termination protection, spot) from the live instance and
    from O(blockers) (what M(hubfix.aws.paravirtual_instance_info) reported).
  - Probes every EC2 call the migration makes with C(DryRun=True) to find missing IAM permissions before anything changes.
  - Never changes anything, in check mode or not; C(DryRun) probes are not mutating calls.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_id:
    description: The paravirtual instance to migrate.
    type: str
    required: true
  image_id:
    description: The HVM AMI for the replacement (used when O(image_map) has no entry for the instance or its AMI).
    type: str
  image_map:
    description: Source AMI id (or instance id) to HVM AMI id.
    type: dict
    default: {}
  instance_type_map:
    description:
      - Instance type (or instance id, which wins) to the replacement's instance type. Types not listed use the built-in
        map of every paravirtual-only family (for example V(m1.small) to V(t3.small)).
    type: dict
    default: {}
  suggested_instance_type:
    description: The audit's suggestion, used when neither map knows the instance type.
    type: str
  old_root_device:
    description: Device on the replacement for the source's root volume.
    type: str
    default: /dev/sdo
  blockers:
    description: Blockers the audit reported (C(code) and C(message)); merged with those seen on the live instance.
    type: list
    elements: dict
    default: []
  instance_store_devices:
    description: Instance-store devices the audit found (they cannot be snapshotted).
    type: list
    elements: str
    default: []
  acknowledge_instance_store_loss:
    description:
      - Accept that instance-store data is lost; the C(instance_store_data) blocker (and the C(instance_store_unverified)
        warning when listed in O(refuse_warning_codes)) then no longer refuses the instance.
    type: bool
    default: false
  audit_warnings:
    description:
      - Warnings the audit reported (C(code) and C(message)), for example C(instance_store_unverified) - the instance type offers
        instance store, and a mapping added at launch is invisible to the EC2 API. Returned as they are.
    type: list
    elements: dict
    default: []
  refuse_warning_codes:
    description: Warning codes from O(audit_warnings) that refuse the instance like a blocker.
    type: list
    elements: str
    default: []
  check_permissions:
    description: Probe the mutating EC2 calls with C(DryRun=True).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Pre-flight check of one instance
  hubfix.aws.ec2_migration_preflight:
    instance_id: i-0123456789abcdef0
    image_id: ami-0123456789abcdef0
    region: us-east-1
  register: preflight

- name: Refuse when something blocks it
  ansible.builtin.fail:
    msg: "{{ (preflight.errors + preflight.blockers | map(attribute='message')) | join('; ') }}"
  when: not preflight.eligible
"""

RETURN = r"""
eligible:
  description: True when the migration may proceed (no errors, no blocker, no missing permission) or is already completed.
  returned: always
  type: bool
status:
  description: C(ready), C(in_progress) (an interrupted migration to resume), C(completed), C(blocked) or C(invalid).
  returned: always
  type: str
errors:
  description: Bad input or an impossible migration, each message naming the instance.
  returned: always
  type: list
  elements: str
blockers:
  description: Every blocker found (C(code), C(message)), including acknowledged ones.
  returned: always
  type: list
  elements: dict
refusing_blockers:
  description: The blockers that refuse the migration.
  returned: always
  type: list
  elements: dict
missing_permissions:
  description: EC2 actions the C(DryRun) probes were denied.
  returned: always
  type: list
  elements: str
audit_warnings:
  description: The audit's warnings (C(code), C(message)) passed in O(audit_warnings).
  returned: always
  type: list
  elements: dict
warnings_from_probes:
  description: Probes that answered something other than DryRunOperation or an authorisation error.
  returned: always
  type: list
  elements: str
instance:
  description: Live facts of the instance (None when it does not exist).
  returned: always
  type: dict
migration:
  description: The recorded migration state (see M(hubfix.aws.ec2_migration_state)).
  returned: always
  type: dict
target_image_id:
  description: The HVM AMI the replacement will use.
  returned: always
  type: str
target_instance_type:
  description: The replacement's instance type.
  returned: always
  type: str
volume_moves:
  description: Where each original EBS volume goes on the replacement.
  returned: always
  type: list
  elements: dict
  sample: [{"volume_id": "vol-1", "source_device": "/dev/sda1", "target_device": "/dev/sdo", "delete_on_termination": true, "is_root": true}]
elastic_ips:
  description: The Elastic IPs that move (C(allocation_id), C(private_ip_address)).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    MigrationError,
    device_conflicts,
    effective_blockers,
    image_problems,
    in_progress,
    instance_blockers,
    merge_blockers,
    migration_from_tags,
    plan_volume_moves,
    resolve_image,
    resolve_instance_type,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import (
    addresses_of_instances,
    describe_image,
    describe_instance,
    describe_instance_type,
    dry_run,
    instance_summary,
    termination_protection,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def probes(ec2, instance, image_id, instance_type, moves, eips, old_root_device):
    """(action, callable, params) for every mutating call of the migration and its rollback."""
    iid = instance["InstanceId"]
    out = [
        ("ec2:CreateTags", ec2.create_tags, {"Resources": [iid], "Tags": [{"Key": "hubfix:migration-phase", "Value": "started"}]}),
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
        out.append(
            (
                "ec2:ModifyInstanceAttribute",
                ec2.modify_instance_attribute,
                {"InstanceId": iid, "BlockDeviceMappings": [{"DeviceName": m["source_device"], "Ebs": {"DeleteOnTermination": False}}]},
            )
        )
        out.append(("ec2:DetachVolume", ec2.detach_volume, {"VolumeId": m["volume_id"], "InstanceId": iid}))
        out.append(("ec2:AttachVolume", ec2.attach_volume, {"VolumeId": m["volume_id"], "InstanceId": iid, "Device": old_root_device}))
    if eips:
        out.append(("ec2:AssociateAddress", ec2.associate_address, {"AllocationId": eips[0]["allocation_id"], "InstanceId": iid, "AllowReassociation": True}))
    return out


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        image_id=dict(type="str"),
        image_map=dict(type="dict", default={}),
        instance_type_map=dict(type="dict", default={}),
        suggested_instance_type=dict(type="str"),
        old_root_device=dict(type="str", default="/dev/sdo"),
        blockers=dict(type="list", elements="dict", default=[]),
        instance_store_devices=dict(type="list", elements="str", default=[]),
        audit_warnings=dict(type="list", elements="dict", default=[]),
        refuse_warning_codes=dict(type="list", elements="str", default=[]),
        acknowledge_instance_store_loss=dict(type="bool", default=False),
        check_permissions=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    iid = p["instance_id"]
    ec2 = client(module, "ec2")
    result = dict(
        changed=False,
        eligible=False,
        status="invalid",
        errors=[],
        blockers=[],
        refusing_blockers=[],
        missing_permissions=[],
        warnings_from_probes=[],
        audit_warnings=[{"code": w.get("code"), "message": w.get("message")} for w in p["audit_warnings"]],
        instance=None,
        migration=migration_from_tags({}),
        target_image_id=None,
        target_instance_type=None,
        volume_moves=[],
        elastic_ips=[],
    )
    errors = result["errors"]
    try:
        instance = describe_instance(ec2, iid)
        if instance is None:
            errors.append("%s: instance not found in region %s" % (iid, module.region))
            module.exit_json(**result)
        summary = instance_summary(instance)
        migration = migration_from_tags(summary["tags"])
        result.update(instance=summary, migration=migration)

        if migration["phase"] == "completed":
            result.update(eligible=True, status="completed")
            module.exit_json(**result)
        state = summary["state"]
        if state in ("shutting-down", "terminated"):
            errors.append("%s: the instance is %s" % (iid, state))
        if summary["virtualization_type"] != "paravirtual":
            errors.append("%s: the instance is %s, not paravirtual; EC2.24 does not apply" % (iid, summary["virtualization_type"]))
        if not summary["subnet_id"]:
            errors.append("%s: the instance is not in a VPC subnet" % iid)

        try:
            target_type = resolve_instance_type(iid, summary["instance_type"], p["instance_type_map"], p["suggested_instance_type"])
            result["target_instance_type"] = target_type
        except MigrationError as e:
            target_type = None
            errors.append(str(e))
        try:
            target_image = resolve_image(iid, summary["image_id"], p["image_id"], p["image_map"])
            result["target_image_id"] = target_image
        except MigrationError as e:
            target_image = None
            errors.append(str(e))

        image = None
        if target_image:
            image = describe_image(ec2, target_image)
            type_info = describe_instance_type(ec2, target_type) if target_type else {}
            errors.extend(image_problems(iid, target_image, image, summary["architecture"], target_type, type_info))

        originals = migration["original_devices"] if in_progress(migration["phase"]) else summary["ebs_volumes"]
        moves = plan_volume_moves(originals or [], summary["root_device_name"], p["old_root_device"])
        result["volume_moves"] = moves
        if image:
            image_devices = [b.get("DeviceName") for b in image.get("BlockDeviceMappings", [])]
            errors.extend("%s: %s" % (iid, c) for c in device_conflicts(moves, image_devices, image.get("RootDeviceName")))
        if in_progress(migration["phase"]):
            eips = migration["original_eips"] or []
        else:
            eips = [
                {"allocation_id": a["AllocationId"], "private_ip_address": a.get("PrivateIpAddress")}
                for a in addresses_of_instances(ec2, [iid])
                if a.get("AllocationId")
            ]
        result["elastic_ips"] = eips

        live_blockers = instance_blockers(instance, termination_protection(ec2, iid), p["instance_store_devices"])
        refused_warnings = [w for w in result["audit_warnings"] if w["code"] in p["refuse_warning_codes"]]
        blockers = merge_blockers(live_blockers, p["blockers"], refused_warnings)
        refusing = effective_blockers(blockers, p["acknowledge_instance_store_loss"])
        result.update(blockers=blockers, refusing_blockers=refusing)

        if p["check_permissions"] and not errors and target_image and target_type:
            for action, call, params in probes(ec2, instance, target_image, target_type, moves, eips, p["old_root_device"]):
                allowed, code, message = dry_run(call, aws_retry=True, **params)
                if allowed is False:
                    result["missing_permissions"].append(action)
                elif allowed is None:
                    result["warnings_from_probes"].append("%s: %s probe answered %s: %s" % (iid, action, code, message))
            if result["missing_permissions"]:
                errors.append("%s: the credentials may not call %s" % (iid, ", ".join(result["missing_permissions"])))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="%s: pre-flight check failed" % iid)

    if errors:
        result["status"] = "invalid"
    elif in_progress(migration["phase"]):
        # an interrupted migration resumes: it was checked when it started, and rolling forward is safer than stopping half way
        result.update(status="in_progress", eligible=True)
    elif refusing:
        result["status"] = "blocked"
    else:
        result.update(status="ready", eligible=True)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
