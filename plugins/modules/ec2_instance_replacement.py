#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_instance_replacement
short_description: Launch (or terminate) the HVM replacement of a paravirtual instance, exactly once
version_added: 0.1.0
description:
  - O(state=present) launches the replacement of O(source_instance_id) from the HVM image O(image_id) as
    O(instance_type), in the source's subnet with its security groups, key pair, instance profile, EBS optimisation,
    monitoring, tenancy and placement group (and partition), with the source's tags (except C(aws:*) and hubfix's
    migration bookkeeping) plus C(hubfix:replaces) and C(hubfix:migration-run), and with IMDSv2 required (so it also
    passes EC2.8) with O(metadata_hop_limit); a burstable type (T2, T3, T3a, T4g) gets O(cpu_credits).
  - The source's C(SourceDestCheck) is copied once the replacement runs (C(ec2:ModifyInstanceAttribute)) - a NAT instance
    has it off - also on a replacement found again, so an interrupted run converges.
  - Exactly once per source and run. An existing live replacement tagged C(hubfix:replaces) for the source is found first
    and reused, and the launch uses a C(ClientToken) derived from the source and the run, so a retry of a launch whose answer
    was lost returns the same instance instead of starting a second one.
  - A live replacement from another run is never reused; the module fails and names it.
  - O(state=absent) terminates the live replacement(s) of this source launched by O(run_id), used by the rollback.
    It refuses while any volume in O(protect_volume_ids) is still attached to them.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  source_instance_id:
    description: The paravirtual instance being replaced.
    type: str
    required: true
  run_id:
    description: The migration run (part of the ClientToken and of the tags).
    type: str
    required: true
  state:
    description: V(present) launches or finds the replacement, V(absent) terminates the one this run launched.
    type: str
    choices: [present, absent]
    default: present
  image_id:
    description: The HVM AMI. Required with O(state=present).
    type: str
  instance_type:
    description: The replacement's instance type. Required with O(state=present).
    type: str
  cpu_credits:
    description:
      - CPU credit option of a burstable replacement (T2, T3, T3a, T4g; ignored for other types). T3, T3a and T4g launch
        V(unlimited) by default on AWS, which can cost more than the paravirtual source did - hence V(standard) unless asked.
      - Only given at launch; an existing replacement keeps its own.
    type: str
    choices: [standard, unlimited]
    default: standard
    version_added: 0.4.0
  metadata_hop_limit:
    description:
      - The replacement's instance metadata hop limit (C(HttpPutResponseHopLimit), 1 to 64); IMDSv2 stays required. Raise it
        to 2 when containers on the instance call the metadata service.
      - Only given at launch; an existing replacement keeps its own.
    type: int
    default: 1
    version_added: 0.4.0
  user_data:
    description:
      - User data of the replacement (plain text; boto3 encodes it), for example a script that installs and starts the
        application. Only given at launch; an existing replacement keeps its own.
    type: str
    version_added: 0.4.0
  tags:
    description: Extra tags for the replacement (they win over the copied ones).
    type: dict
    default: {}
  protect_volume_ids:
    description: With O(state=absent), volumes that must not be attached to a replacement about to be terminated.
    type: list
    elements: str
    default: []
  wait:
    description: Wait until the replacement is running (V(present)) or terminated (V(absent)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Launch the HVM replacement
  hubfix.aws.ec2_instance_replacement:
    source_instance_id: i-0123456789abcdef0
    run_id: "20260101T120000"
    image_id: ami-0123456789abcdef0
    instance_type: t3.small
  register: replacement

- name: Terminate the replacement this run launched (rollback)
  hubfix.aws.ec2_instance_replacement:
    source_instance_id: i-0123456789abcdef0
    run_id: "20260101T120000"
    state: absent
    protect_volume_ids: [vol-0123456789abcdef0]
"""

RETURN = r"""
instance:
  description: The replacement (None after O(state=absent), or in check mode before it is launched).
  returned: always
  type: dict
  sample: {"instance_id": "i-0fedcba9876543210", "state": "running", "virtualization_type": "hvm", "metadata_http_tokens": "required",
           "metadata_hop_limit": 1, "placement_group": null, "source_dest_check": true}
launched:
  description: Whether this call launched the replacement.
  returned: always
  type: bool
terminated:
  description: Instance ids terminated by O(state=absent).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import run_instances, terminate_instances
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_instance, tags_of
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    CPU_CREDITS,
    TAG_RUN,
    MigrationError,
    attached_devices,
    hop_limit_problem,
    planned_replacement,
    replacement_launch_params,
    source_dest_check,
    validate_run_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import find_replacements, instance_summary
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, wait_for_waiter


def wait_state(module, ec2, instance_id, waiter):
    wait_for_waiter(ec2, waiter, module.params["wait_timeout"], "%s to be %s" % (instance_id, waiter.split("_", 1)[1]), InstanceIds=[instance_id])
    return describe_instance(ec2, instance_id)


def live_replacement(module, ec2, source_id, run_id):
    """The run's live replacement, or None; another run's replacement, or several, fail."""
    live = find_replacements(ec2, source_id)
    other_runs = [i["InstanceId"] for i in live if tags_of(i).get(TAG_RUN) != run_id]
    if other_runs:
        module.fail_json(
            msg="%s: live replacement(s) %s from another migration run exist; terminate them or resume that run" % (source_id, ", ".join(other_runs))
        )
    if len(live) > 1:
        module.fail_json(msg="%s: more than one live replacement for run %s: %s" % (source_id, run_id, ", ".join(i["InstanceId"] for i in live)))
    return live[0] if live else None


def copy_source_dest_check(module, ec2, instance, wanted):
    """The replacement with the source's SourceDestCheck (ModifyInstanceAttribute when it differs; nothing in check mode)
    and whether it changed."""
    if source_dest_check(instance) == wanted:
        return instance, False
    if module.check_mode:
        return dict(instance, SourceDestCheck=wanted), True
    ec2.modify_instance_attribute(InstanceId=instance["InstanceId"], SourceDestCheck={"Value": wanted}, aws_retry=True)
    return describe_instance(ec2, instance["InstanceId"]), True


def present(module, ec2):
    p = module.params
    sid, run_id = p["source_instance_id"], p["run_id"]
    source = describe_instance(ec2, sid)
    if source is None:
        module.fail_json(msg="%s: source instance not found in region %s" % (sid, module.region))
    params = replacement_launch_params(source, p["image_id"], p["instance_type"], run_id, p["tags"], p["cpu_credits"], p["metadata_hop_limit"])
    if p["user_data"]:
        # the operator's bring-up of the application (boto3 base64-encodes it); not part of the diff's comparison
        params["UserData"] = p["user_data"]
    planned = planned_replacement(params)
    wanted_check = source_dest_check(source)
    instance = live_replacement(module, ec2, sid, run_id)
    if instance is not None:
        if instance["State"]["Name"] == "pending" and p["wait"] and not module.check_mode:
            instance = wait_state(module, ec2, instance["InstanceId"], "instance_running")
        summary = instance_summary(instance)
        mismatch = {k: (summary.get(k), v) for k, v in planned.items() if k in summary and k != "security_group_ids" and summary.get(k) != v}
        if mismatch:
            module.warn("%s: the existing replacement %s differs from the request: %s" % (sid, instance["InstanceId"], mismatch))
        # an interrupted run may have launched it without copying SourceDestCheck yet
        instance, changed = copy_source_dest_check(module, ec2, instance, wanted_check)
        diff = {"before": {"source_dest_check": not wanted_check}, "after": {"source_dest_check": wanted_check}} if changed else None
        module.exit_json(changed=changed, launched=False, terminated=[], instance=instance_summary(instance), **({"diff": diff} if diff else {}))
    diff = {"before": {}, "after": dict(planned, source_dest_check=wanted_check)}
    if module.check_mode:
        module.exit_json(changed=True, launched=True, terminated=[], instance=None, diff=diff)
    instance = run_instances(ec2, **params)["Instances"][0]
    if p["wait"]:
        try:
            instance = wait_state(module, ec2, instance["InstanceId"], "instance_running")
        except WaitTimeout as e:
            # launched all the same: say so, and which instance, so that the rollback finds it
            module.fail_json(msg="%s: %s" % (sid, e), changed=True, launched=True, terminated=[], instance=instance_summary(instance), diff=diff)
    instance, _copied = copy_source_dest_check(module, ec2, instance, wanted_check)
    module.exit_json(changed=True, launched=True, terminated=[], instance=instance_summary(instance), diff=diff)


def absent(module, ec2):
    p = module.params
    sid = p["source_instance_id"]
    live = find_replacements(ec2, sid, run_id=p["run_id"])
    for inst in live:
        still = [d["volume_id"] for d in attached_devices(inst) if d["volume_id"] in set(p["protect_volume_ids"])]
        if still:
            module.fail_json(
                msg="%s: replacement %s still has the source's volume(s) %s attached; not terminating it" % (sid, inst["InstanceId"], ", ".join(still))
            )
    ids = [i["InstanceId"] for i in live]
    if not ids:
        module.exit_json(changed=False, launched=False, terminated=[], instance=None)
    if not module.check_mode:
        terminate_instances(ec2, ids)
        if p["wait"]:
            try:
                wait_for_waiter(ec2, "instance_terminated", p["wait_timeout"], "%s to terminate" % ", ".join(ids), InstanceIds=ids)
            except WaitTimeout as e:
                module.fail_json(msg="%s: %s" % (sid, e), changed=True, launched=False, terminated=ids, instance=None)
    module.exit_json(changed=True, launched=False, terminated=ids, instance=None, diff={"before": {"replacements": ids}, "after": {"replacements": []}})


def main():
    argument_spec = dict(
        source_instance_id=dict(type="str", required=True),
        run_id=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        image_id=dict(type="str"),
        instance_type=dict(type="str"),
        tags=dict(type="dict", default={}),
        cpu_credits=dict(type="str", choices=list(CPU_CREDITS), default="standard"),
        metadata_hop_limit=dict(type="int", default=1),
        user_data=dict(type="str"),
        protect_volume_ids=dict(type="list", elements="str", default=[]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True, required_if=[("state", "present", ["image_id", "instance_type"])])
    p = module.params
    try:
        validate_run_id(p["run_id"])
    except MigrationError as e:
        module.fail_json(msg=str(e))
    problem = hop_limit_problem(p["metadata_hop_limit"])
    if problem:
        module.fail_json(msg=problem)
    ec2 = client(module, "ec2")
    try:
        with aws_errors_fail(module, "%s: failed to %s the replacement" % (p["source_instance_id"], "launch" if p["state"] == "present" else "terminate")):
            present(module, ec2) if p["state"] == "present" else absent(module, ec2)
    except WaitTimeout as e:
        module.fail_json(msg="%s: %s" % (p["source_instance_id"], e))


if __name__ == "__main__":
    main()
