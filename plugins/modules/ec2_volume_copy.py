#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_volume_copy
short_description: Give an instance a copy of a source EBS volume made from a snapshot, at a given device, exactly once
version_added: 0.4.0
description:
  - O(state=present) ensures O(instance_id) has, at O(device_name), a volume made from O(snapshot_id) (a snapshot of
    O(source_volume_id)) with the source volume's type, IOPS, throughput and user tags; encryption and its KMS key come with
    the snapshot. The source volume is never touched, so the source instance keeps running on it.
  - The copy is tagged C(hubfix:source-instance), C(hubfix:source-volume), C(hubfix:source-device),
    C(hubfix:copied-from-snapshot) and C(hubfix:migration-run), and found again by them, so an interrupted run never makes a
    second copy of the same snapshot.
  - A final sync gives a newer snapshot. When the device holds an older copy of the same source volume, the new copy is
    made and available first, then the older one is detached and tagged C(hubfix:superseded-by) (RV(superseded_volume_id))
    and the new one attached. A device used by any other volume is refused.
  - O(state=absent) deletes the unattached copies of O(source_instance_id) made by O(run_id) (only the superseded ones with
    O(superseded_only)); used when a cutover succeeded and by the rollback. Snapshots are never deleted.
  - Used by the M(hubfix.aws.pv_to_hvm) role (C(pv_to_hvm_volume_strategy=copy)).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  state:
    description: V(present) attaches a copy, V(absent) deletes unattached copies.
    type: str
    choices: [present, absent]
    default: present
  source_instance_id:
    description: The paravirtual source instance (recorded in the tags).
    type: str
    required: true
  run_id:
    description: The migration run.
    type: str
    required: true
  source_volume_id:
    description: The source's volume. Required with O(state=present); narrows O(state=absent).
    type: str
  source_device:
    description: The volume's device on the source (recorded in the tags). Defaults to O(device_name).
    type: str
  snapshot_id:
    description: The snapshot of O(source_volume_id) the copy is made from. Required with O(state=present).
    type: str
  instance_id:
    description: The instance that gets the copy (the replacement). Required with O(state=present).
    type: str
  device_name:
    description: The device on O(instance_id). Required with O(state=present).
    type: str
  superseded_only:
    description: With O(state=absent), delete only the copies a final sync replaced.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the new volume, each detachment and the attachment.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "M(amazon.aws.ec2_vol) can create a volume from a snapshot and attach it, but it does not find an earlier copy again after an
    interruption (it would make a second one), does not copy the source volume's IOPS, throughput and tags, and cannot
    replace an older copy at the device."
"""

EXAMPLES = r"""
- name: Give the replacement a copy of the source's data volume
  hubfix.aws.ec2_volume_copy:
    source_instance_id: i-0123456789abcdef0
    run_id: "20260101T120000"
    source_volume_id: vol-0123456789abcdef0
    snapshot_id: snap-0123456789abcdef0
    instance_id: i-0fedcba9876543210
    device_name: /dev/sdf

- name: Delete the copies a final sync replaced
  hubfix.aws.ec2_volume_copy:
    source_instance_id: i-0123456789abcdef0
    run_id: "20260101T120000"
    state: absent
    superseded_only: true
"""

RETURN = r"""
volume:
  description: The copy at the device (in check mode, None when it would be made).
  returned: state=present
  type: dict
  sample: {"volume_id": "vol-0aaa", "device_name": "/dev/sdf", "snapshot_id": "snap-0bbb", "source_volume_id": "vol-0ccc"}
superseded_volume_id:
  description: The older copy this call detached from the device (kept until the cutover succeeded), or None.
  returned: state=present
  type: str
deleted:
  description: The copies deleted (in check mode, that would be).
  returned: state=absent
  type: list
  elements: str
actions:
  description: What was (or in check mode would be) done, in order.
  returned: always
  type: list
  elements: str
  sample: ["create a volume from snap-0bbb in us-east-1a", "detach the older copy vol-0ddd", "attach vol-0aaa to i-0fff at /dev/sdf"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import attach_volume, detach_volume
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_instance, describe_volume, tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.migration_tags import TAG_SUPERSEDED_BY
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_COPIED_FROM,
    MigrationError,
    attached_devices,
    copy_volume_params,
    is_copy_of,
    same_device,
    validate_run_id,
    volume_attachment,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import volume_copies
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, poll, wait_for_waiter


def summary(volume_id, p):
    return {"volume_id": volume_id, "device_name": p["device_name"], "snapshot_id": p["snapshot_id"], "source_volume_id": p["source_volume_id"]}


def occupant(ec2, target, device):
    """The volume at ``device`` on ``target`` (DescribeVolumes shape), or None."""
    found = [d for d in attached_devices(target) if same_device(d["device_name"], device)]
    return describe_volume(ec2, found[0]["volume_id"]) if found else None


def the_copy(module, ec2, target, actions):
    """This snapshot's copy, available or already attached to the target: an existing one, or a new one (None in check mode)."""
    p = module.params
    copies = volume_copies(ec2, p["source_instance_id"], p["run_id"], p["source_volume_id"], p["snapshot_id"])
    for vol in copies:
        instance_id, _device, _state = volume_attachment(vol)
        if instance_id is None or instance_id == p["instance_id"]:
            return vol
    if copies:
        raise MigrationError("%s: its copy %s is attached to another instance" % (p["source_volume_id"], copies[0]["VolumeId"]))
    source = describe_volume(ec2, p["source_volume_id"])
    if source is None:
        raise MigrationError("%s: source volume not found in region %s" % (p["source_volume_id"], module.region))
    zone = target["Placement"]["AvailabilityZone"]
    actions.append("create a volume from %s in %s" % (p["snapshot_id"], zone))
    if module.check_mode:
        return None
    params = copy_volume_params(source, p["snapshot_id"], zone, p["source_instance_id"], p["source_device"] or p["device_name"], p["run_id"])
    created = ec2.create_volume(aws_retry=True, **params)
    wait_for_waiter(ec2, "volume_available", p["wait_timeout"], "copy %s to be available" % created["VolumeId"], VolumeIds=[created["VolumeId"]])
    return describe_volume(ec2, created["VolumeId"])


def present(module, ec2, actions):
    """``(copy volume id or None, superseded volume id or None)``."""
    p = module.params
    target = describe_instance(ec2, p["instance_id"])
    if target is None or target["State"]["Name"] in ("shutting-down", "terminated"):
        raise MigrationError("%s: target instance %s not found or terminated" % (p["source_volume_id"], p["instance_id"]))
    current = occupant(ec2, target, p["device_name"])
    current_tags = tags_of(current) if current else {}
    if current and current_tags.get(TAG_COPIED_FROM) == p["snapshot_id"] and is_copy_of(current_tags, p["source_volume_id"]):
        return current["VolumeId"], None
    if current and not is_copy_of(current_tags, p["source_volume_id"]):
        raise MigrationError(
            "%s: device %s on %s is used by %s, which is not a hubfix copy of %s; free the device or choose another"
            % (p["source_volume_id"], p["device_name"], p["instance_id"], current["VolumeId"], p["source_volume_id"])
        )
    copy = the_copy(module, ec2, target, actions)
    copy_id = copy["VolumeId"] if copy else None
    superseded = current["VolumeId"] if current else None
    if superseded:
        actions.append("detach the older copy %s from %s" % (superseded, p["instance_id"]))
        if not module.check_mode:
            ec2.create_tags(Resources=[superseded], Tags=[{"Key": TAG_SUPERSEDED_BY, "Value": copy_id}], aws_retry=True)
            detach_volume(ec2, superseded, InstanceId=p["instance_id"])
            wait_for_waiter(ec2, "volume_available", p["wait_timeout"], "%s to detach" % superseded, VolumeIds=[superseded])
    actions.append("attach %s to %s at %s" % (copy_id or "the new copy", p["instance_id"], p["device_name"]))
    if not module.check_mode:
        if volume_attachment(copy)[0] is None:
            attach_volume(ec2, p["device_name"], p["instance_id"], copy_id)

        def attached():
            vol = describe_volume(ec2, copy_id) or {}
            return any(a.get("InstanceId") == p["instance_id"] and a.get("State") == "attached" for a in vol.get("Attachments", []))

        poll(attached, p["wait_timeout"], "%s to attach to %s" % (copy_id, p["instance_id"]))
    return copy_id, superseded


def absent(module, ec2, actions):
    p = module.params
    deleted = []
    for vol in volume_copies(ec2, p["source_instance_id"], p["run_id"], p["source_volume_id"]):
        if volume_attachment(vol)[0] is not None or (p["superseded_only"] and not tags_of(vol).get(TAG_SUPERSEDED_BY)):
            continue
        actions.append("delete %s" % vol["VolumeId"])
        deleted.append(vol["VolumeId"])
        if not module.check_mode:
            ec2.delete_volume(VolumeId=vol["VolumeId"], aws_retry=True)
    return deleted


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        source_instance_id=dict(type="str", required=True),
        run_id=dict(type="str", required=True),
        source_volume_id=dict(type="str"),
        source_device=dict(type="str"),
        snapshot_id=dict(type="str"),
        instance_id=dict(type="str"),
        device_name=dict(type="str"),
        superseded_only=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["source_volume_id", "snapshot_id", "instance_id", "device_name"])],
    )
    p = module.params
    try:
        validate_run_id(p["run_id"])
    except MigrationError as e:
        module.fail_json(msg=str(e))
    ec2 = client(module, "ec2")
    actions = []
    what = p["source_volume_id"] or p["source_instance_id"]
    try:
        with aws_errors_fail(module, "%s: failed to %s" % (what, "copy it to %s" % p["instance_id"] if p["state"] == "present" else "delete copies")):
            if p["state"] == "absent":
                deleted = absent(module, ec2, actions)
                diff = {"before": {"copies": deleted}, "after": {"copies": []}}
                module.exit_json(changed=bool(deleted), deleted=deleted, actions=actions, diff=diff)
            copy_id, superseded = present(module, ec2, actions)
    except (MigrationError, WaitTimeout) as e:
        module.fail_json(msg=str(e), changed=bool(actions) and not module.check_mode, actions=actions)
    after = summary(copy_id, p) if copy_id or actions else None
    diff = {"before": {"device": p["device_name"], "volume_id": superseded or (None if actions else copy_id)}, "after": after}
    module.exit_json(
        changed=bool(actions),
        volume=summary(copy_id, p) if copy_id or not module.check_mode else None,
        superseded_volume_id=superseded,
        actions=actions,
        diff=diff,
    )


if __name__ == "__main__":
    main()
