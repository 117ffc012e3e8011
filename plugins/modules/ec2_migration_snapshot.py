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
    description: Seconds to wait for the snapshots.
    type: int
    default: 1800
  tags:
    description: Extra tags for the snapshots.
    type: dict
    default: {}
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_RUN,
    TAG_SOURCE_DEVICE,
    TAG_SOURCE_INSTANCE,
    TAG_SOURCE_VOLUME,
    MigrationError,
    validate_run_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import (
    WaitTimeout,
    migration_snapshots,
    snapshot_summary,
    wait_until,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        run_id=dict(type="str", required=True),
        volumes=dict(type="list", elements="dict", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    iid, run_id = p["instance_id"], p["run_id"]
    try:
        validate_run_id(run_id)
    except MigrationError as e:
        module.fail_json(msg=str(e))
    volumes = []
    for vol in p["volumes"]:
        device = vol.get("device_name") or vol.get("source_device")
        if not vol.get("volume_id") or not device:
            module.fail_json(msg="%s: every entry of volumes needs volume_id and device_name (got %s)" % (iid, vol))
        volumes.append({"volume_id": vol["volume_id"], "device_name": device})
    ec2 = client(module, "ec2")

    snapshots, changed = [], False
    try:
        for vol in volumes:
            existing = [s for s in migration_snapshots(ec2, volume_id=vol["volume_id"], run_id=run_id) if s.get("State") != "error"]
            if existing:
                snapshots.append(dict(snapshot_summary(sorted(existing, key=lambda s: s["StartTime"])[0]), created=False))
                continue
            changed = True
            if module.check_mode:
                snapshots.append({"snapshot_id": None, "volume_id": vol["volume_id"], "device_name": vol["device_name"], "state": None, "created": True})
                continue
            tags = dict(p["tags"])
            tags.update(
                {
                    "Name": "hubfix pv-to-hvm %s %s" % (iid, vol["device_name"]),
                    TAG_SOURCE_INSTANCE: iid,
                    TAG_SOURCE_VOLUME: vol["volume_id"],
                    TAG_SOURCE_DEVICE: vol["device_name"],
                    TAG_RUN: run_id,
                }
            )
            snap = ec2.create_snapshot(
                VolumeId=vol["volume_id"],
                Description="hubfix.aws pv_to_hvm backup of %s (%s on %s), run %s" % (vol["volume_id"], vol["device_name"], iid, run_id),
                TagSpecifications=[{"ResourceType": "snapshot", "Tags": ansible_dict_to_boto3_tag_list(tags)}],
                aws_retry=True,
            )
            snapshots.append(dict(snapshot_summary(snap), created=True))

        pending = [s["snapshot_id"] for s in snapshots if s["snapshot_id"] and s["state"] != "completed"]
        if pending and p["wait"] and not module.check_mode:

            def all_done():
                current = ec2.describe_snapshots(SnapshotIds=pending, aws_retry=True)["Snapshots"]
                failed = [s["SnapshotId"] for s in current if s["State"] == "error"]
                if failed:
                    raise MigrationError("%s: snapshot(s) %s failed" % (iid, ", ".join(failed)))
                return current if all(s["State"] == "completed" for s in current) else None

            done = {s["SnapshotId"]: s for s in wait_until(all_done, p["wait_timeout"], "snapshots %s of %s" % (", ".join(pending), iid))}
            for s in snapshots:
                if s["snapshot_id"] in done:
                    s.update(state=done[s["snapshot_id"]]["State"], progress=done[s["snapshot_id"]].get("Progress"))
    except (MigrationError, WaitTimeout) as e:
        module.fail_json(msg=str(e), snapshots=snapshots, changed=changed)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="%s: failed to snapshot its volumes" % iid)

    all_completed = bool(snapshots) and all(s["state"] == "completed" for s in snapshots)
    diff = {
        "before": {"snapshots": sorted(s["volume_id"] for s in snapshots if not s["created"])},
        "after": {"snapshots": sorted(s["volume_id"] for s in snapshots)},
    }
    module.exit_json(changed=changed, snapshots=snapshots, all_completed=all_completed, diff=diff)


if __name__ == "__main__":
    main()
