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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_RUN,
    MigrationError,
    attached_devices,
    same_device,
    volume_attachment,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import (
    WaitTimeout,
    completed_snapshots_of_volume,
    describe_instance,
    describe_volume,
    wait_until,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def set_delete_on_termination(ec2, instance_id, device, value):
    ec2.modify_instance_attribute(
        InstanceId=instance_id,
        BlockDeviceMappings=[{"DeviceName": device, "Ebs": {"DeleteOnTermination": value}}],
        aws_retry=True,
    )


def mapping_flag(instance, volume_id):
    for d in attached_devices(instance):
        if d["volume_id"] == volume_id:
            return d["delete_on_termination"]
    return None


def move(module, ec2):
    p = module.params
    vid, target_id, device = p["volume_id"], p["instance_id"], p["device_name"]
    volume = describe_volume(ec2, vid)
    if volume is None:
        raise MigrationError("volume %s not found in region %s" % (vid, module.region))
    target = describe_instance(ec2, target_id)
    if target is None or target["State"]["Name"] in ("shutting-down", "terminated"):
        raise MigrationError("%s: target instance %s not found or terminated" % (vid, target_id))
    current_id, current_device, att_state = volume_attachment(volume)
    if att_state == "detaching":
        # an interrupted move: let the detachment finish, then continue from an available volume
        def available_volume():
            v = describe_volume(ec2, vid)
            return v if v and v.get("State") == "available" else None

        volume = wait_until(
            available_volume,
            p["wait_timeout"],
            "%s to finish detaching" % vid,
        )
        current_id, current_device, att_state = None, None, None
    current = describe_instance(ec2, current_id) if current_id else None
    previous = {
        "instance_id": current_id,
        "device_name": current_device,
        "delete_on_termination": mapping_flag(current, vid) if current else None,
    }
    actions = []

    if current_id == target_id:
        if not same_device(current_device, device):
            raise MigrationError("%s is attached to %s at %s, not at %s; move it by hand" % (vid, target_id, current_device, device))
        if previous["delete_on_termination"] != p["delete_on_termination"]:
            actions.append("set DeleteOnTermination %s on %s" % (str(p["delete_on_termination"]).lower(), target_id))
            if not module.check_mode:
                set_delete_on_termination(ec2, target_id, current_device, p["delete_on_termination"])
        return previous, actions

    # checks before anything changes
    target_az = target["Placement"]["AvailabilityZone"]
    if volume["AvailabilityZone"] != target_az:
        raise MigrationError("%s is in %s but %s is in %s" % (vid, volume["AvailabilityZone"], target_id, target_az))
    occupied = [d for d in attached_devices(target) if same_device(d["device_name"], device)]
    if occupied:
        raise MigrationError("%s: device %s on %s is already used by %s" % (vid, device, target_id, occupied[0]["volume_id"]))
    if current_id and p["require_completed_snapshot"]:
        snaps = completed_snapshots_of_volume(ec2, vid)
        if p["run_id"]:
            snaps = [s for s in snaps if {t["Key"]: t["Value"] for t in s.get("Tags", [])}.get(TAG_RUN) == p["run_id"]]
        if not snaps:
            raise MigrationError(
                "%s has no completed snapshot%s; refusing to detach it from %s" % (vid, " from run %s" % p["run_id"] if p["run_id"] else "", current_id)
            )

    if current_id:
        if previous["delete_on_termination"]:
            actions.append("set DeleteOnTermination false on %s" % current_id)
            if not module.check_mode:
                set_delete_on_termination(ec2, current_id, current_device, False)
        actions.append("detach from %s" % current_id)
        if not module.check_mode:
            ec2.detach_volume(VolumeId=vid, InstanceId=current_id, Device=current_device, aws_retry=True)
            wait_until(
                lambda: (describe_volume(ec2, vid) or {}).get("State") == "available",
                p["wait_timeout"],
                "%s to detach from %s" % (vid, current_id),
            )
    elif volume["State"] != "available":
        raise MigrationError("%s is %s, not available" % (vid, volume["State"]))

    actions.append("attach to %s at %s" % (target_id, device))
    if not module.check_mode:
        ec2.attach_volume(VolumeId=vid, InstanceId=target_id, Device=device, aws_retry=True)

        def attached():
            vol = describe_volume(ec2, vid) or {}
            return any(a.get("InstanceId") == target_id and a.get("State") == "attached" for a in vol.get("Attachments", []))

        wait_until(attached, p["wait_timeout"], "%s to attach to %s" % (vid, target_id))
    if p["delete_on_termination"]:
        actions.append("set DeleteOnTermination true on %s" % target_id)
        if not module.check_mode:
            set_delete_on_termination(ec2, target_id, device, True)
    return previous, actions


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
    try:
        previous, actions = move(module, ec2)
    except (MigrationError, WaitTimeout) as e:
        module.fail_json(msg=str(e), volume_id=p["volume_id"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="%s: failed to move it to %s at %s" % (p["volume_id"], p["instance_id"], p["device_name"]))
    attachment = {"instance_id": p["instance_id"], "device_name": p["device_name"], "delete_on_termination": p["delete_on_termination"]}
    diff = {"before": previous, "after": attachment, "before_header": p["volume_id"], "after_header": p["volume_id"]}
    module.exit_json(changed=bool(actions), volume_id=p["volume_id"], previous=previous, attachment=attachment, actions=actions, diff=diff)


if __name__ == "__main__":
    main()
