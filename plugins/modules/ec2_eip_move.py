#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_eip_move
short_description: Move an Elastic IP to an instance with reassociation and verify the instance answers on it
version_added: 0.1.0
description:
  - Ensures the VPC Elastic IP O(allocation_id) is associated with O(instance_id) (at O(private_ip_address) when
    given, else the instance's primary private address), moving it from wherever it is with C(AllowReassociation) so
    that the address is never left unassociated.
  - Verifies afterwards that the instance reports the Elastic IP as its public address (when it was moved to the
    primary private address).
  - Idempotent, with check mode and diff.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  allocation_id:
    description: The Elastic IP's allocation id.
    type: str
    required: true
  instance_id:
    description: The instance that must hold the address.
    type: str
    required: true
  private_ip_address:
    description: The private address on the instance to associate with; default the primary private address.
    type: str
  verify:
    description: Check that the instance reports the Elastic IP as its public address.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - M(amazon.aws.ec2_eip) is not used because moving an address it finds associated elsewhere needs O(amazon.aws.ec2_eip#module:allow_reassociation=true)
    and a device id, and it neither compares the private address it lands on nor verifies the instance
    answers on it afterwards; its C(release_on_disassociation) also makes a wrong parameter cost the address itself.
"""

EXAMPLES = r"""
- name: Move the Elastic IP to the replacement
  hubfix.aws.ec2_eip_move:
    allocation_id: eipalloc-0123456789abcdef0
    instance_id: i-0fedcba9876543210
"""

RETURN = r"""
address:
  description: The Elastic IP after the call (C(allocation_id), C(public_ip), C(association_id), C(instance_id), C(private_ip_address)).
  returned: always
  type: dict
previous:
  description: The association before the call.
  returned: always
  type: dict
verified:
  description: Whether the instance reports the Elastic IP as its public address (None when not checked).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import associate_address
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import describe_address, describe_instance
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration_aws import address_summary


def read(module, ec2):
    """``(address, instance)``; a missing address or a gone instance fails the module."""
    alloc, iid = module.params["allocation_id"], module.params["instance_id"]
    address = describe_address(ec2, alloc)
    if address is None:
        module.fail_json(msg="%s: Elastic IP %s not found in region %s" % (iid, alloc, module.region))
    instance = describe_instance(ec2, iid)
    if instance is None or instance["State"]["Name"] in ("shutting-down", "terminated"):
        module.fail_json(msg="%s: instance not found or terminated; cannot move Elastic IP %s to it" % (iid, alloc))
    return address, instance


def answers_on(module, instance, address):
    """Whether the instance answers on the address: it is associated with it and, on the primary private IP, the instance
    reports it as its public IP (an address on a secondary private IP is not the instance's PublicIpAddress)."""
    if address.get("instance_id") != module.params["instance_id"]:
        return False
    return module.params["private_ip_address"] is not None or (instance or {}).get("PublicIpAddress") == address.get("public_ip")


def verify(module, ec2, now, previous, diff):
    iid = module.params["instance_id"]
    fresh = describe_instance(ec2, iid) or {}
    if not answers_on(module, fresh, now):
        module.fail_json(
            msg="%s: Elastic IP %s (%s) was associated but the instance does not report it (public IP %s)"
            % (iid, module.params["allocation_id"], now.get("public_ip"), fresh.get("PublicIpAddress")),
            changed=True,
            address=now,
            previous=previous,
            diff=diff,
        )
    return True


def main():
    argument_spec = dict(
        allocation_id=dict(type="str", required=True),
        instance_id=dict(type="str", required=True),
        private_ip_address=dict(type="str"),
        verify=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    alloc, iid = p["allocation_id"], p["instance_id"]
    ec2 = client(module, "ec2")
    with aws_errors_fail(module, "%s: failed to move Elastic IP %s to it" % (iid, alloc)):
        address, instance = read(module, ec2)
        previous = address_summary(address)
        wanted_private = p["private_ip_address"] or instance.get("PrivateIpAddress")
        in_place = previous["instance_id"] == iid and previous["private_ip_address"] == wanted_private
        diff = {
            "before": {"instance_id": previous["instance_id"], "private_ip_address": previous["private_ip_address"]},
            "after": {"instance_id": iid, "private_ip_address": wanted_private},
            "before_header": "%s (%s)" % (alloc, previous["public_ip"]),
            "after_header": "%s (%s)" % (alloc, previous["public_ip"]),
        }
        if in_place or module.check_mode:
            verified = answers_on(module, instance, previous) if in_place and p["verify"] else None
            after = previous if in_place else dict(previous, instance_id=iid, private_ip_address=wanted_private)
            module.exit_json(changed=not in_place, address=after, previous=previous, verified=verified, diff=diff)
        params = {"AllocationId": alloc, "InstanceId": iid, "AllowReassociation": True}
        if p["private_ip_address"]:
            params["PrivateIpAddress"] = p["private_ip_address"]
        associate_address(ec2, **params)
        now = address_summary(describe_address(ec2, alloc) or {})
        verified = verify(module, ec2, now, previous, diff) if p["verify"] else None
    module.exit_json(changed=True, address=now, previous=previous, verified=verified, diff=diff)


if __name__ == "__main__":
    main()
