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
  - Finds the instance; an instance that is already C(hvm) or terminated passes EC2.24 and gets the status C(compliant).
  - Refuses, with the reason, an unknown instance, a missing image mapping, a target image that does not exist, is not C(hvm), not available or of another
    architecture, and a target instance type that does not exist or supports neither C(hvm) nor the architecture.
  - Collects the blockers (instance-store root, instance-store data without the acknowledgement, Auto Scaling group
    member, CloudFormation or Elastic Beanstalk managed, termination protection, spot) from the live instance and
    from O(blockers) (what M(hubfix.aws.paravirtual_instance_info) reported).
  - Probes every EC2 call the migration makes with C(DryRun=True) to find missing IAM permissions before anything changes
    (for an instance with a secondary network interface also C(DetachNetworkInterface) / C(AttachNetworkInterface), which
    the cutover uses to move it; the secondary private IP calls and the load balancer calls have no C(DryRun)).
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
    description:
      - HVM AMI ids by instance id, source AMI id or region, in that order of precedence (AMI ids are per region, so region keys
        let one map serve several regions).
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
  stops_instance:
    description:
      - Whether the stage about to run stops the instance. V(false) (a C(prepare) that copies the volumes of a running source)
        does not refuse instance-store data; RV(stop_refusals) still lists it for the cutover.
    type: bool
    default: true
    version_added: 0.4.0
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
  run:
    description:
      - The run asking (C(hubfix_run) - C(id), C(host), C(pid), C(pid_start)). A migration in progress that another live run
        claims (C(hubfix:migration-claim)) gives the status C(in_progress_other_run) with RV(claimed_by); one whose run is gone
        resumes.
    type: dict
    version_added: 0.2.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hubfix.aws.claims
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
  description:
    - C(ready), C(in_progress) (an interrupted migration to resume), C(completed), C(blocked), C(invalid),
      C(compliant) (HVM or terminated - it passes EC2.24, nothing to do) or C(in_progress_other_run) (another live run works
      on it - leave it).
  returned: always
  type: str
claimed_by:
  description: With C(in_progress_other_run), the run that holds the migration (C(id), C(host), C(pid), C(heartbeat)).
  returned: always
  type: dict
  version_added: 0.2.0
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
stop_refusals:
  description:
    - The instance-store blockers waived because O(stops_instance=false) and not acknowledged; stopping the instance (the
      cutover) is refused while there are any.
  returned: always
  type: list
  elements: dict
  version_added: 0.4.0
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
from ansible_collections.hubfix.aws.plugins.module_utils import pv_preflight
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import (
    addresses_of_instances,
    describe_image,
    describe_instance,
    describe_instance_type,
    dry_run,
    stop_protection,
    termination_protection,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import instance_summary


def check(module, ec2, instance):
    """Read what the check needs (only what it needs: a migration in progress keeps its recorded Elastic IPs) and check."""
    p, iid = module.params, instance["InstanceId"]
    image_id, instance_type, _errors = pv_preflight.targets(iid, instance_summary(instance), p, module.region)
    image = describe_image(ec2, image_id) if image_id else None
    type_info = describe_instance_type(ec2, instance_type) if image_id and instance_type else {}
    return pv_preflight.check(
        instance,
        module.region,
        p,
        image=image,
        type_info=type_info,
        termination_protection=termination_protection(ec2, iid),
        stop_protection=stop_protection(ec2, iid),
        addresses=addresses_of_instances(ec2, [iid]),
    )


def probe_permissions(ec2, instance, result, old_root_device):
    """Run the DryRun probes; a refused one is a missing permission (and an error), another answer a warning."""
    iid = instance["InstanceId"]
    calls = pv_preflight.probes(
        ec2, instance, result["target_image_id"], result["target_instance_type"], result["volume_moves"], result["elastic_ips"], old_root_device
    )
    for action, call, params in calls:
        allowed, code, message = dry_run(call, aws_retry=True, **params)
        if allowed is False:
            result["missing_permissions"].append(action)
        elif allowed is None:
            result["warnings_from_probes"].append("%s: %s probe answered %s: %s" % (iid, action, code, message))
    if result["missing_permissions"]:
        result["errors"].append("%s: the credentials may not call %s" % (iid, ", ".join(result["missing_permissions"])))
        result.update(status="invalid", eligible=False)


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
        stops_instance=dict(type="bool", default=True),
        check_permissions=dict(type="bool", default=True),
        run=dict(type="dict"),
        stale_after=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p, iid = module.params, module.params["instance_id"]
    ec2 = client(module, "ec2")
    with aws_errors_fail(module, "%s: pre-flight check failed" % iid):
        instance = describe_instance(ec2, iid)
        if instance is None:
            result = pv_preflight.empty_result(p["audit_warnings"])
            result["errors"] = ["%s: instance not found in region %s" % (iid, module.region)]
            module.exit_json(**result)
        result = check(module, ec2, instance)
        if p["check_permissions"] and result["status"] in ("ready", "blocked", "in_progress") and result["target_image_id"] and result["target_instance_type"]:
            probe_permissions(ec2, instance, result, p["old_root_device"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
