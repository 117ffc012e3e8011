#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_volume_move
short_description: Move an EBS volume to another instance at a given device, safely and idempotently
version_added: 0.1.0
description:
  - Ensures O(volume_id) is attached to O(instance_id) at O(device_name) with the DeleteOnTermination flag
    O(delete_on_termination).
  - When the volume is attached to another instance, it first sets DeleteOnTermination to false there (so terminating
    that instance can no longer delete it), then detaches it, waits until it is available, attaches it to the target and
    waits until it is attached. An available volume is attached directly.
  - Nothing is detached unless the volume has a completed snapshot (O(require_completed_snapshot); restricted to the
    snapshots of O(run_id) when given), the target instance exists in the volume's availability zone and the target
    device is free.
  - Idempotent. A volume already attached to the target at the device only has its flag corrected. An interrupted move
    (the volume is left available) is completed by the next call.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  volume_id:
    description: The EBS volume.
    type: str
    required: true
  instance_id:
    description: The instance the volume must end on.
    type: str
    required: true
  device_name:
    description: The device name on O(instance_id).
    type: str
    required: true
  delete_on_termination:
    description: DeleteOnTermination of the volume on O(instance_id) afterwards.
    type: bool
    default: false
  require_completed_snapshot:
    description: Refuse to detach the volume unless it has a completed snapshot.
    type: bool
    default: true
  run_id:
    description: Only count snapshots tagged C(hubfix:migration-run) with this run for O(require_completed_snapshot).
    type: str
  wait_timeout:
    description: Seconds to wait for the detachment and the attachment each.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - M(amazon.aws.ec2_vol) is not used because it cannot move an attached volume between instances (it refuses a volume
    attached elsewhere unless forced, and then detaches without first clearing DeleteOnTermination on the old instance), and it
    has no snapshot precondition or availability-zone and device checks before detaching.
"""

EXAMPLES = r"""
- name: Move the old root volume to the replacement
  hubfix.aws.ec2_volume_move:
    volume_id: vol-0123456789abcdef0
    instance_id: i-0fedcba9876543210
    device_name: /dev/sdo
    run_id: "20260101T120000"

- name: Put it back on the source as its root, deleted with the instance as before (rollback)
  hubfix.aws.ec2_volume_move:
    volume_id: vol-0123456789abcdef0
    instance_id: i-0123456789abcdef0
    device_name: /dev/sda1
    delete_on_termination: true
    require_completed_snapshot: false
"""

RETURN = r"""
volume_id:
  description: The volume.
  returned: always
  type: str
previous:
  description: Where the volume was before (C(instance_id), C(device_name), C(delete_on_termination); None values when it was available).
  returned: always
  type: dict
attachment:
  description: Where the volume is now (in check mode, where it would be).
  returned: always
  type: dict
  sample: {"instance_id": "i-0fedcba9876543210", "device_name": "/dev/sdo", "delete_on_termination": false}
actions:
  description: What was (or in check mode would be) done, in order.
  returned: always
  type: list
  elements: str
  sample: ["set DeleteOnTermination false on i-0123456789abcdef0", "detach from i-0123456789abcdef0", "attach to i-0fedcba9876543210 at /dev/sdo"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import attach_volume, detach_volume, modify_instance_attribute
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_instance, describe_volume, tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import TAG_RUN, MigrationError, attached_devices, same_device, volume_attachment
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import completed_snapshots_of_volume
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, poll, wait_for_waiter


def set_delete_on_termination(ec2, instance_id, device, value):
    modify_instance_attribute(ec2, instance_id, BlockDeviceMappings=[{"DeviceName": device, "Ebs": {"DeleteOnTermination": value}}])


def mapping_flag(instance, volume_id):
    return next((d["delete_on_termination"] for d in attached_devices(instance or {}) if d["volume_id"] == volume_id), None)


def read(module, ec2):
    """``(volume, target instance)``; an interrupted detachment is waited out first."""
    p = module.params
    volume = describe_volume(ec2, p["volume_id"])
    if volume is None:
        raise MigrationError("volume %s not found in region %s" % (p["volume_id"], module.region))
    target = describe_instance(ec2, p["instance_id"])
    if target is None or target["State"]["Name"] in ("shutting-down", "terminated"):
        raise MigrationError("%s: target instance %s not found or terminated" % (p["volume_id"], p["instance_id"]))
    if volume_attachment(volume)[2] == "detaching":
        # an interrupted move: let the detachment finish, then continue from an available volume
        wait_for_waiter(ec2, "volume_available", p["wait_timeout"], "%s to finish detaching" % p["volume_id"], VolumeIds=[p["volume_id"]])
        volume = describe_volume(ec2, p["volume_id"])
    return volume, target


def refusal(module, ec2, volume, target, current_id):
    """Why the volume must not be detached / attached, or None: checked before anything changes."""
    p, vid = module.params, module.params["volume_id"]
    if volume["AvailabilityZone"] != target["Placement"]["AvailabilityZone"]:
        return "%s is in %s but %s is in %s" % (vid, volume["AvailabilityZone"], p["instance_id"], target["Placement"]["AvailabilityZone"])
    occupied = [d for d in attached_devices(target) if same_device(d["device_name"], p["device_name"])]
    if occupied:
        return "%s: device %s on %s is already used by %s" % (vid, p["device_name"], p["instance_id"], occupied[0]["volume_id"])
    if current_id and p["require_completed_snapshot"]:
        snaps = [s for s in completed_snapshots_of_volume(ec2, vid) if not p["run_id"] or tags_of(s).get(TAG_RUN) == p["run_id"]]
        if not snaps:
            run = " from run %s" % p["run_id"] if p["run_id"] else ""
            return "%s has no completed snapshot%s; refusing to detach it from %s" % (vid, run, current_id)
    if not current_id and volume["State"] != "available":
        return "%s is %s, not available" % (vid, volume["State"])
    return None


def detach(module, ec2, current_id, current_device, flag, actions):
    vid = module.params["volume_id"]
    if flag:
        actions.append("set DeleteOnTermination false on %s" % current_id)
        if not module.check_mode:
            set_delete_on_termination(ec2, current_id, current_device, False)
    actions.append("detach from %s" % current_id)
    if not module.check_mode:
        detach_volume(ec2, vid, InstanceId=current_id, Device=current_device)
        wait_for_waiter(ec2, "volume_available", module.params["wait_timeout"], "%s to detach from %s" % (vid, current_id), VolumeIds=[vid])


def attach(module, ec2, actions):
    p = module.params
    vid, target_id, device = p["volume_id"], p["instance_id"], p["device_name"]
    actions.append("attach to %s at %s" % (target_id, device))
    if not module.check_mode:
        attach_volume(ec2, device, target_id, vid)

        def attached():
            vol = describe_volume(ec2, vid) or {}
            return any(a.get("InstanceId") == target_id and a.get("State") == "attached" for a in vol.get("Attachments", []))

        poll(attached, p["wait_timeout"], "%s to attach to %s" % (vid, target_id))
    if p["delete_on_termination"]:
        actions.append("set DeleteOnTermination true on %s" % target_id)
        if not module.check_mode:
            set_delete_on_termination(ec2, target_id, device, True)


def move(module, ec2, actions):
    """The previous attachment; ``actions`` gets each step as it is taken: the volume ends on the target at the device with
    the wanted flag."""
    p = module.params
    volume, target = read(module, ec2)
    current_id, current_device, _state = volume_attachment(volume)
    current = describe_instance(ec2, current_id) if current_id else None
    previous = {"instance_id": current_id, "device_name": current_device, "delete_on_termination": mapping_flag(current, p["volume_id"]) if current else None}
    if current_id == p["instance_id"]:
        if not same_device(current_device, p["device_name"]):
            raise MigrationError("%s is attached to %s at %s, not at %s; move it by hand" % (p["volume_id"], current_id, current_device, p["device_name"]))
        if previous["delete_on_termination"] != p["delete_on_termination"]:
            actions.append("set DeleteOnTermination %s on %s" % (str(p["delete_on_termination"]).lower(), current_id))
            if not module.check_mode:
                set_delete_on_termination(ec2, current_id, current_device, p["delete_on_termination"])
        return previous
    problem = refusal(module, ec2, volume, target, current_id)
    if problem:
        raise MigrationError(problem)
    if current_id:
        detach(module, ec2, current_id, current_device, previous["delete_on_termination"], actions)
    attach(module, ec2, actions)
    return previous


def main():
    argument_spec = dict(
        volume_id=dict(type="str", required=True),
        instance_id=dict(type="str", required=True),
        device_name=dict(type="str", required=True),
        delete_on_termination=dict(type="bool", default=False),
        require_completed_snapshot=dict(type="bool", default=True),
        run_id=dict(type="str"),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    ec2 = client(module, "ec2")
    actions = []
    try:
        with aws_errors_fail(module, "%s: failed to move it to %s at %s" % (p["volume_id"], p["instance_id"], p["device_name"])):
            previous = move(module, ec2, actions)
    except (MigrationError, WaitTimeout) as e:
        # steps already taken (a detached volume) changed AWS: say so and which
        module.fail_json(msg=str(e), volume_id=p["volume_id"], changed=bool(actions) and not module.check_mode, actions=actions)
    attachment = {"instance_id": p["instance_id"], "device_name": p["device_name"], "delete_on_termination": p["delete_on_termination"]}
    diff = {"before": previous, "after": attachment, "before_header": p["volume_id"], "after_header": p["volume_id"]}
    module.exit_json(changed=bool(actions), volume_id=p["volume_id"], previous=previous, attachment=attachment, actions=actions, diff=diff)


if __name__ == "__main__":
    main()
