#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_migration_snapshot
short_description: Snapshot every EBS volume of an instance once per migration run and wait until all are completed
version_added: 0.1.0
description:
  - Takes one snapshot of each volume in O(volumes), tagged with the source instance, the volume, its device and the run
    (C(hubfix:source-instance), C(hubfix:source-volume), C(hubfix:source-device), C(hubfix:migration-run)).
  - Idempotent per run. A snapshot of the same volume carrying the same run tag is reused, so an interrupted run
    that is started again never takes a second one.
  - With O(wait=true) it returns only when every snapshot is C(completed); a snapshot in state C(error) fails the
    module. The M(hubfix.aws.pv_to_hvm) role detaches nothing before this returns.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_id:
    description: The source instance the volumes belong to (recorded in the tags).
    type: str
    required: true
  run_id:
    description: The migration run.
    type: str
    required: true
  volumes:
    description:
      - The volumes to snapshot, each a dict with C(volume_id) and its device on the source as C(device_name) (or
        C(source_device)). Other keys are ignored, so the C(volume_moves) of M(hubfix.aws.ec2_migration_preflight) can be
        passed as they are.
    type: list
    elements: dict
    required: true
  wait:
    description: Wait until every snapshot is completed.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the snapshots (plus O(wait_seconds_per_gib) for each GiB of the pending ones).
    type: int
    default: 1800
  wait_seconds_per_gib:
    description:
      - Seconds added to O(wait_timeout) for each GiB of the volumes whose snapshot is still pending, so that the wait
        scales with the data a first snapshot copies (a 500 GiB volume at 20 s/GiB adds 10000 s). 0 waits O(wait_timeout).
    type: int
    default: 0
    version_added: 0.4.0
  tags:
    description: Extra tags for the snapshots.
    type: dict
    default: {}
  purpose:
    description:
      - V(backup) is the snapshot taken before anything changes (stage C(prepare)); V(final) is taken once the source has
        stopped (stage C(cutover)), from which the replacement's copies are refreshed. One of each per volume and run; a
        V(final) snapshot is tagged C(hubfix:snapshot-purpose=final). EBS snapshots are incremental, so the final one only
        copies the blocks written since the backup.
    type: str
    choices: [backup, final]
    default: backup
    version_added: 0.4.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Snapshot the volumes before moving them
  hubfix.aws.ec2_migration_snapshot:
    instance_id: i-0123456789abcdef0
    run_id: "20260101T120000"
    volumes:
      - volume_id: vol-0123456789abcdef0
        device_name: /dev/sda1
      - volume_id: vol-0fedcba9876543210
        device_name: /dev/sdf
"""

RETURN = r"""
snapshots:
  description: One snapshot per volume (C(snapshot_id) is None in check mode for a snapshot not yet taken).
  returned: always
  type: list
  elements: dict
  sample: [{"snapshot_id": "snap-0123456789abcdef0", "volume_id": "vol-0123456789abcdef0", "device_name": "/dev/sda1", "state": "completed", "created": false}]
all_completed:
  description: Whether every snapshot is completed.
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import create_snapshot, describe_snapshots
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    MigrationError,
    snapshot_purpose,
    snapshot_tags,
    snapshot_wait_timeout,
    validate_run_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import migration_snapshots, snapshot_summary
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, wait_for_waiter


def wanted_volumes(module):
    """``[{volume_id, device_name}]`` from the ``volumes`` option (``source_device`` accepted for the device)."""
    volumes = []
    for vol in module.params["volumes"]:
        device = vol.get("device_name") or vol.get("source_device")
        if not vol.get("volume_id") or not device:
            module.fail_json(msg="%s: every entry of volumes needs volume_id and device_name (got %s)" % (module.params["instance_id"], vol))
        volumes.append({"volume_id": vol["volume_id"], "device_name": device})
    return volumes


def snapshot(module, ec2, vol):
    """The run's snapshot of one volume: the existing one (not failed), else a new one (None id in check mode)."""
    p = module.params
    existing = [
        s
        for s in migration_snapshots(ec2, volume_id=vol["volume_id"], run_id=p["run_id"])
        if s.get("State") != "error" and snapshot_purpose(tags_of(s)) == p["purpose"]
    ]
    if existing:
        return dict(snapshot_summary(sorted(existing, key=lambda s: s["StartTime"])[0]), created=False)
    if module.check_mode:
        return {"snapshot_id": None, "volume_id": vol["volume_id"], "device_name": vol["device_name"], "state": None, "created": True}
    tags = snapshot_tags(p["tags"], p["instance_id"], vol["volume_id"], vol["device_name"], p["run_id"], p["purpose"])
    description = "hubfix.aws pv_to_hvm %s of %s (%s on %s), run %s" % (
        "backup" if p["purpose"] == "backup" else "final snapshot",
        vol["volume_id"],
        vol["device_name"],
        p["instance_id"],
        p["run_id"],
    )
    created = create_snapshot(ec2, vol["volume_id"], Description=description, TagSpecifications=boto3_tag_specifications(tags, ["snapshot"]))
    return dict(snapshot_summary(created), created=True)


def wait_completed(module, ec2, snapshots):
    """Wait until every snapshot is completed (a snapshot in state error fails) and record their final state."""
    pending = [s["snapshot_id"] for s in snapshots if s["snapshot_id"] and s["state"] != "completed"]
    if not pending:
        return
    what = "snapshots %s of %s" % (", ".join(pending), module.params["instance_id"])
    sizes = [s.get("volume_size") for s in snapshots if s["snapshot_id"] in pending]
    timeout = snapshot_wait_timeout(module.params["wait_timeout"], module.params["wait_seconds_per_gib"], sizes)
    wait_for_waiter(ec2, "snapshot_completed", timeout, what, SnapshotIds=pending)
    done = {s["SnapshotId"]: s for s in describe_snapshots(ec2, SnapshotIds=pending).get("Snapshots", [])}
    for s in snapshots:
        if s["snapshot_id"] in done:
            s.update(state=done[s["snapshot_id"]]["State"], progress=done[s["snapshot_id"]].get("Progress"))


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        run_id=dict(type="str", required=True),
        volumes=dict(type="list", elements="dict", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        tags=dict(type="dict", default={}),
        purpose=dict(type="str", choices=["backup", "final"], default="backup"),
        wait_seconds_per_gib=dict(type="int", default=0),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        validate_run_id(module.params["run_id"])
    except MigrationError as e:
        module.fail_json(msg=str(e))
    volumes = wanted_volumes(module)
    ec2 = client(module, "ec2")
    snapshots = []
    try:
        with aws_errors_fail(module, "%s: failed to snapshot its volumes" % module.params["instance_id"]):
            snapshots = [snapshot(module, ec2, vol) for vol in volumes]
            if module.params["wait"] and not module.check_mode:
                wait_completed(module, ec2, snapshots)
    except WaitTimeout as e:
        module.fail_json(msg=str(e), snapshots=snapshots, changed=any(s["created"] for s in snapshots))

    diff = {
        "before": {"snapshots": sorted(s["volume_id"] for s in snapshots if not s["created"])},
        "after": {"snapshots": sorted(s["volume_id"] for s in snapshots)},
    }
    all_completed = bool(snapshots) and all(s["state"] == "completed" for s in snapshots)
    module.exit_json(changed=any(s["created"] for s in snapshots), snapshots=snapshots, all_completed=all_completed, diff=diff)


if __name__ == "__main__":
    main()
