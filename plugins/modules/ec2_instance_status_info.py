#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_instance_status_info
short_description: The EC2 status checks of an instance, optionally waiting until both pass
version_added: 0.4.0
description:
  - Reads the instance and system status checks of O(instance_id) (C(ec2:DescribeInstanceStatus)).
  - With O(wait=true) it polls until both are C(ok), or fails after O(wait_timeout) seconds naming the check that did not
    pass and its details. A freshly launched instance reports C(initializing) for a few minutes.
  - The health gate of the M(hubfix.aws.pv_to_hvm) role, before cutover and after the traffic moved. Changes nothing.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_id:
    description: The instance.
    type: str
    required: true
  wait:
    description: Wait until both checks are C(ok).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait=true).
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait until the replacement passes its status checks
  hubfix.aws.ec2_instance_status_info:
    instance_id: i-0fedcba9876543210
    wait: true
    wait_timeout: 600
"""

RETURN = r"""
instance_state:
  description: The instance's state (C(running), C(stopped), ...), None when it does not exist.
  returned: always
  type: str
instance_status:
  description: The instance status check (C(ok), C(impaired), C(initializing), C(insufficient-data), C(not-applicable)).
  returned: always
  type: str
system_status:
  description: The system status check, same values.
  returned: always
  type: str
ok:
  description: Whether both checks are C(ok).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, poll


def status_of(answer):
    """``{instance_state, instance_status, system_status, ok}`` from a DescribeInstanceStatus answer for one instance."""
    found = (answer.get("InstanceStatuses") or [{}])[0]
    result = {
        "instance_state": (found.get("InstanceState") or {}).get("Name"),
        "instance_status": (found.get("InstanceStatus") or {}).get("Status"),
        "system_status": (found.get("SystemStatus") or {}).get("Status"),
    }
    result["ok"] = result["instance_status"] == "ok" and result["system_status"] == "ok"
    return result


def main():
    argument_spec = dict(
        instance_id=dict(type="str", required=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    ec2 = client(module, "ec2")
    seen = {}

    def read():
        seen.update(status_of(ec2.describe_instance_status(InstanceIds=[p["instance_id"]], IncludeAllInstances=True, aws_retry=True)))
        return seen["ok"]

    with aws_errors_fail(module, "%s: failed to read its status checks" % p["instance_id"]):
        try:
            if p["wait"]:
                poll(read, p["wait_timeout"], "%s to pass its status checks" % p["instance_id"])
            else:
                read()
        except WaitTimeout as e:
            module.fail_json(msg="%s (instance %s, system %s)" % (e, seen.get("instance_status"), seen.get("system_status")), **seen)
    module.exit_json(changed=False, **seen)


if __name__ == "__main__":
    main()
