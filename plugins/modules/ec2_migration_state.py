#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_migration_state
short_description: Record the phases of a paravirtual to HVM migration in tags on the source instance
version_added: 0.1.0
description:
  - Records the phase a migration has completed in the C(hubfix:migration-*) tags of the source instance (O(state=present)).
  - Reading the state is M(hubfix.aws.ec2_migration_state_info)'s job; O(state=query) still reads (returning what that module
    returns) and is deprecated. Phases only move forward, so re-running an
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
      - V(present) records O(phase). V(query) (deprecated, use M(hubfix.aws.ec2_migration_state_info)) reads.
      - Defaults to V(present) when O(phase) is given, else V(query) (deprecated).
    type: str
    choices: [query, present]
  phase:
    description:
      - The phase just completed. Required with O(state=present).
      - V(rolled-back) records a rollback together with O(error).
      - V(prepared) ends stage C(prepare) (the source still runs, the replacement is ready); the claim is removed so that the
        next run (the cutover) takes the migration over at once.
    type: str
    choices: [started, snapshotted, launched, volumes-copied, prepared, stopped, synced, volumes-moved, ips-moved, completed, rolled-back]
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
  run:
    description:
      - The run recording the phase (C(hubfix_run) - C(id), C(host), C(pid), C(pid_start)). Its claim is recorded in
        C(hubfix:migration-claim) with a heartbeat while the migration runs, and removed when it completes or is rolled back.
      - With O(phase=started), a migration claimed by another live run is left alone (RV(claimed_by) names it, nothing is
        written); after writing, the claim is read back once O(settle_seconds) have passed, and RV(claimed_by) names the run
        that wrote after this one.
    type: dict
    version_added: 0.2.0
  release_claim:
    description:
      - Remove this run's claim while recording O(phase) (a run that stops before its stage ends, for example on a failed
        health check, so that the next run resumes at once).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hubfix.aws.claims
  - hubfix.aws.claims.settle
"""

EXAMPLES = r"""
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
extends_documentation_fragment:
  - hubfix.aws.migration_state
claimed_by:
  description: The other run that holds the migration (C(id), C(host), C(pid), C(heartbeat)), or null when this run holds it.
  returned: with O(state=present)
  type: dict
  version_added: 0.2.0
instance:
  description: Live facts of the source instance.
  returned: always
  type: dict
  sample: {"instance_id": "i-0123456789abcdef0", "state": "stopped", "virtualization_type": "paravirtual", "ebs_volumes": []}
replacement:
  description: Live facts of the replacement (the recorded one, else the live instance tagged C(hubfix:replaces)), or None.
  returned: when O(state=query) (deprecated)
  type: dict
elastic_ips:
  description: Elastic IPs currently associated with the source or the replacement.
  returned: when O(state=query) (deprecated)
  type: list
  elements: dict
snapshots:
  description: Snapshots the migration took of the source's volumes (all runs).
  returned: when O(state=query) (deprecated)
  type: list
  elements: dict
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import add_ec2_tags, remove_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import claims
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_instance, tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    ALL_PHASES,
    ROLLED_BACK,
    TAG_CLAIM,
    MigrationError,
    migration_from_tags,
    plan_state_tags,
    state_tags_diff,
    validate_run_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import instance_summary, live_state, migration_view


def record(module, ec2, instance):
    """Set and remove the tags that record ``phase``: ``(changed, diff, claimed_by)``."""
    p, instance_id = module.params, instance["InstanceId"]
    tags = instance_summary(instance)["tags"]
    run = p["run"] or {}
    if p["phase"] == "started" and run:
        other = claims.held_by_other(tags.get(TAG_CLAIM), run, p["stale_after"])
        if other:
            return False, state_tags_diff(instance_id, tags, {}, []), other
    live = live_state(ec2, instance) if p["phase"] == "started" else None
    claim = claims.encode(run) if run else None
    try:
        to_set, to_remove = plan_state_tags(instance_id, tags, p["phase"], p["run_id"], p["replacement_id"], p["error"], live, claim, p["release_claim"])
    except MigrationError as e:
        module.fail_json(msg=str(e), migration=migration_from_tags(tags), instance=instance_summary(instance))
    changed = add_ec2_tags(ec2, module, instance_id, to_set)
    changed = remove_ec2_tags(ec2, module, instance_id, to_remove) or changed
    return changed, state_tags_diff(instance_id, tags, to_set, to_remove), read_back_claim(module, ec2, instance_id, changed, run)


def read_back_claim(module, ec2, instance_id, changed, run):
    """After starting a migration, the run whose claim is on the source once the tags settled, when it is not this one."""
    if module.params["phase"] != "started" or not changed or not run or module.check_mode:
        return None
    time.sleep(module.params["settle_seconds"])
    now = tags_of(describe_instance(ec2, instance_id))
    claim = claims.decode(now.get(TAG_CLAIM))
    return None if claims.is_ours(claim, run) else claim


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        state=dict(type="str", choices=["query", "present"]),
        phase=dict(type="str", choices=list(ALL_PHASES)),
        run_id=dict(type="str"),
        replacement_id=dict(type="str"),
        error=dict(type="str"),
        run=dict(type="dict"),
        settle_seconds=dict(type="int", default=2),
        stale_after=dict(type="int", default=claims.DEFAULT_STALE_AFTER),
        release_claim=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["phase"]), ("phase", "started", ["run_id"]), ("phase", ROLLED_BACK, ["error"])],
    )
    p = module.params
    state = p["state"] or ("present" if p["phase"] else "query")
    if state == "query":
        module.deprecate(
            "state=query is deprecated: read the migration state with hubfix.aws.ec2_migration_state_info", date="2027-06-01", collection_name="hubfix.aws"
        )
    if p["run_id"]:
        try:
            validate_run_id(p["run_id"])
        except MigrationError as e:
            module.fail_json(msg=str(e))
    ec2 = client(module, "ec2")
    with aws_errors_fail(module, "%s: failed to record migration phase %s" % (p["instance_id"], p["phase"])):
        instance = describe_instance(ec2, p["instance_id"])
        if instance is None:
            module.fail_json(msg="%s: instance not found in region %s" % (p["instance_id"], module.region))
        if state == "query":
            module.exit_json(changed=False, **migration_view(ec2, instance))
        changed, diff, claimed_by = record(module, ec2, instance)
    summary = instance_summary(instance)
    summary["tags"] = diff.pop("tags_after")
    module.exit_json(changed=changed, migration=migration_from_tags(summary["tags"]), instance=summary, claimed_by=claimed_by, diff=diff)


if __name__ == "__main__":
    main()
