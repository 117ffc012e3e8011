#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_migration_state_info
short_description: Read the state of a paravirtual to HVM migration from the tags of the source instance
version_added: 0.2.0
description:
  - Reads the C(hubfix:migration-*) tags of a paravirtual source instance together with the live facts of the
    instance, its replacement, their Elastic IPs and the migration snapshots.
  - Read-only (check mode returns the same). The phases are recorded with M(hubfix.aws.ec2_migration_state); see the
    M(hubfix.aws.pv_to_hvm) role README for the tag format.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_id:
    description: The paravirtual source instance.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: ec2:DescribeInstances, ec2:DescribeAddresses, ec2:DescribeSnapshots."
"""

EXAMPLES = r"""
- name: Read the migration state of an instance
  hubfix.aws.ec2_migration_state_info:
    instance_id: i-0123456789abcdef0
    region: us-east-1
  register: migration
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.migration_state
instance:
  description: Live facts of the source instance.
  returned: always
  type: dict
  sample: {"instance_id": "i-0123456789abcdef0", "state": "stopped", "virtualization_type": "paravirtual", "ebs_volumes": []}
replacement:
  description: Live facts of the replacement (the recorded one, else the live instance tagged C(hubfix:replaces)), or None.
  returned: always
  type: dict
elastic_ips:
  description: Elastic IPs currently associated with the source or the replacement.
  returned: always
  type: list
  elements: dict
snapshots:
  description: Snapshots the migration took of the source's volumes (all runs).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_instance
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import migration_view


def main():
    module = AnsibleAWSModule(argument_spec=dict(instance_id=dict(type="str", required=True)), supports_check_mode=True)
    instance_id = module.params["instance_id"]
    ec2 = client(module, "ec2")
    with aws_errors_fail(module, "%s: failed to read the migration state" % instance_id):
        instance = describe_instance(ec2, instance_id)
        if instance is None:
            module.fail_json(msg="%s: instance not found in region %s" % (instance_id, module.region))
        view = migration_view(ec2, instance)
    module.exit_json(changed=False, **view)


if __name__ == "__main__":
    main()
