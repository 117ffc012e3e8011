#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_migration_state
short_description: Read and record the state of a paravirtual to HVM migration in tags on the source instance
version_added: 0.1.0
description:
  - Reads the C(hubfix:migration-*) tags of a paravirtual source instance together with the live facts of the
    instance, its replacement, their Elastic IPs and the migration snapshots (O(state=query)).
  - Records the phase a migration has completed (O(state=present)). Phases only move forward, so re-running an
    earlier step of an interrupted migration never rewinds the record.
  - Recording the phase V(started) on an instance with no migration in progress captures what a rollback needs from the
    live instance before anything changes, in the same CreateTags call, namely whether it was running, every attached EBS volume
    with its device and DeleteOnTermination flag, and every associated Elastic IP with its private address.
  - Used by the M(hubfix.aws.pv_to_hvm) role; see the role README for the tag format.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_id:
    description: The paravirtual source instance.
    type: str
    required: true
  state:
    description:
      - V(query) reads, V(present) records O(phase).
    type: str
    choices: [query, present]
    default: query
  phase:
    description:
      - The phase just completed. Required with O(state=present).
      - V(rolled-back) records a rollback together with O(error).
    type: str
    choices: [started, stopped, snapshotted, launched, volumes-moved, ips-moved, completed, rolled-back]
  run_id:
    description:
      - The run that owns the migration. Required when O(phase=started).
      - "Letters, digits and C(. _ : -), at most 64 characters."
    type: str
  replacement_id:
    description:
      - The replacement instance, recorded as C(hubfix:replacement-id); with O(phase=completed) also as C(hubfix:replaced-by).
    type: str
  error:
    description: The failure that caused a rollback, recorded (shortened to 256 characters) as C(hubfix:migration-error).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the migration state of an instance
  hubfix.aws.ec2_migration_state:
    instance_id: i-0123456789abcdef0
    region: us-east-1
  register: migration

- name: Start a migration (captures devices, Elastic IPs and the running state)
  hubfix.aws.ec2_migration_state:
    instance_id: i-0123456789abcdef0
    state: present
    phase: started
    run_id: "20260101T120000"

- name: Record the launched replacement
  hubfix.aws.ec2_migration_state:
    instance_id: i-0123456789abcdef0
    state: present
    phase: launched
    replacement_id: i-0fedcba9876543210
"""

RETURN = r"""
migration:
  description: The recorded migration state after the call (None values when not recorded).
  returned: always
  type: dict
  contains:
    phase:
      description: Last phase completed, or C(rolled-back).
      type: str
    run_id:
      description: Run id of the migration.
      type: str
    was_running:
      description: Whether the source was running before the migration.
      type: bool
    original_devices:
      description: EBS volumes of the source before the migration.
      type: list
      elements: dict
      sample: [{"device_name": "/dev/sda1", "volume_id": "vol-0123456789abcdef0", "delete_on_termination": true}]
    original_eips:
      description: Elastic IPs of the source before the migration.
      type: list
      elements: dict
      sample: [{"allocation_id": "eipalloc-0123456789abcdef0", "private_ip_address": "10.0.0.12"}]
    replacement_id:
      description: The replacement instance.
      type: str
    replaced_by:
      description: Set once the migration was verified.
      type: str
    error:
      description: The failure recorded with the last rollback.
      type: str
instance:
  description: Live facts of the source instance.
  returned: always
  type: dict
  sample: {"instance_id": "i-0123456789abcdef0", "state": "stopped", "virtualization_type": "paravirtual", "ebs_volumes": []}
replacement:
  description: Live facts of the replacement (the recorded one, else the live instance tagged C(hubfix:replaces)), or None.
  returned: when O(state=query)
  type: dict
elastic_ips:
  description: Elastic IPs currently associated with the source or the replacement.
  returned: when O(state=query)
  type: list
  elements: dict
snapshots:
  description: Snapshots the migration took of the source's volumes (all runs).
  returned: when O(state=query)
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    ALL_PHASES,
    ROLLED_BACK,
    MigrationError,
    migration_from_tags,
    plan_state_tags,
    validate_run_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import (
    address_summary,
    addresses_of_instances,
    describe_instance,
    find_replacements,
    instance_summary,
    migration_snapshots,
    snapshot_summary,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def query(module, ec2, instance):
    summary = instance_summary(instance)
    migration = migration_from_tags(summary["tags"])
    replacement = None
    if migration["replacement_id"]:
        replacement = describe_instance(ec2, migration["replacement_id"])
    if replacement is None:
        live = find_replacements(ec2, instance["InstanceId"])
        replacement = live[0] if len(live) == 1 else None
    ids = [instance["InstanceId"]] + ([replacement["InstanceId"]] if replacement else [])
    addresses = [address_summary(a) for a in addresses_of_instances(ec2, ids)]
    snapshots = [snapshot_summary(s) for s in migration_snapshots(ec2, source_instance_id=instance["InstanceId"])]
    module.exit_json(
        changed=False,
        migration=migration,
        instance=summary,
        replacement=instance_summary(replacement),
        elastic_ips=addresses,
        snapshots=sorted(snapshots, key=lambda s: (s["volume_id"] or "", s["start_time"] or "")),
    )


def present(module, ec2, instance):
    p = module.params
    summary = instance_summary(instance)
    tags = summary["tags"]
    live = None
    if p["phase"] == "started":
        addresses = addresses_of_instances(ec2, [instance["InstanceId"]])
        live = {
            "was_running": summary["state"] in ("pending", "running"),
            "devices": summary["ebs_volumes"],
            "eips": [{"allocation_id": a["AllocationId"], "private_ip_address": a.get("PrivateIpAddress")} for a in addresses if a.get("AllocationId")],
        }
    try:
        to_set, to_remove = plan_state_tags(
            instance["InstanceId"], tags, p["phase"], run_id=p["run_id"], replacement_id=p["replacement_id"], error=p["error"], live=live
        )
    except MigrationError as e:
        module.fail_json(msg=str(e), migration=migration_from_tags(tags), instance=summary)

    after = dict(tags)
    after.update(to_set)
    for k in to_remove:
        after.pop(k, None)
    changed = bool(to_set or to_remove)
    touched = sorted(set(to_set) | set(to_remove))
    diff = {
        "before": {k: tags[k] for k in touched if k in tags},
        "after": {k: after[k] for k in touched if k in after},
        "before_header": "%s tags" % instance["InstanceId"],
        "after_header": "%s tags" % instance["InstanceId"],
    }
    if changed and not module.check_mode:
        try:
            if to_set:
                ec2.create_tags(Resources=[instance["InstanceId"]], Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)
            if to_remove:
                ec2.delete_tags(Resources=[instance["InstanceId"]], Tags=[{"Key": k} for k in to_remove], aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="%s: failed to record migration phase %s" % (instance["InstanceId"], p["phase"]))
    summary["tags"] = after
    module.exit_json(changed=changed, migration=migration_from_tags(after), instance=summary, diff=diff)


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        state=dict(type="str", choices=["query", "present"], default="query"),
        phase=dict(type="str", choices=list(ALL_PHASES)),
        run_id=dict(type="str"),
        replacement_id=dict(type="str"),
        error=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["phase"]), ("phase", "started", ["run_id"]), ("phase", ROLLED_BACK, ["error"])],
    )
    if module.params["run_id"]:
        try:
            validate_run_id(module.params["run_id"])
        except MigrationError as e:
            module.fail_json(msg=str(e))
    ec2 = client(module, "ec2")
    instance_id = module.params["instance_id"]
    try:
        instance = describe_instance(ec2, instance_id)
        if instance is None:
            module.fail_json(msg="%s: instance not found in region %s" % (instance_id, module.region))
        if module.params["state"] == "query":
            query(module, ec2, instance)
        else:
            present(module, ec2, instance)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="%s: failed to read the migration state" % instance_id)


if __name__ == "__main__":
    main()
