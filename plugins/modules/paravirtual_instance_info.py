#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: paravirtual_instance_info
short_description: Find EC2 instances failing Security Hub control EC2.24 (paravirtual virtualization)
version_added: 0.1.0
description:
  - Lists the EC2 instances that fail Security Hub control EC2.24, backed by the AWS Config rule C(ec2-paravirtual-instance-check)
    (FAILED when C(VirtualizationType) is C(paravirtual); every state but C(shutting-down) and C(terminated) is evaluated).
  - For each one returns what a migration to an HVM instance needs (EBS volumes with their size, type and encryption, Elastic IPs,
    network interfaces, instance profile, ...), what blocks a safe migration (C(blockers)), a suggested current-generation instance type
    and whether Security Hub evaluates the control in that region.
  - Regions are scanned concurrently. A region that fails (not enabled for the account, access denied) is reported in C(regions) and
    does not fail the module unless every region fails.
  - API calls per region, fewest possible - one C(ec2:DescribeInstances) paginated with the server-side filters C(virtualization-type)
    and C(instance-state-name); only when paravirtual instances exist, C(ec2:DescribeVolumes) (200 volumes a call),
    one C(ec2:DescribeAddresses), one C(ec2:DescribeImages) (instance-store mappings of their AMIs) and one
    C(ec2:DescribeInstanceAttribute) per instance (termination protection has no batched API). One C(sts:GetCallerIdentity) in all;
    one C(ec2:DescribeRegions) when O(regions) is given.
  - Read-only; check mode returns the same result.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  instance_ids:
    description:
      - Only look at these instances. Ids are checked for form (C(i-) and 8 or 17 hexadecimal digits) before any call.
      - An id that exists in none of the scanned regions fails the module naming it. Ids of instances that pass the control
        (HVM, terminated) are returned in RV(passing_instance_ids), not in RV(instances).
    type: list
    elements: str
  filters:
    description:
      - Extra C(ec2:DescribeInstances) filters, as a dict of filter name to value or list of values, ANDed with the EC2.24 filters.
      - C(instance-state-name) may narrow the evaluated states (C(pending), C(running), C(stopping), C(stopped)), never widen them.
      - C(virtualization-type) cannot be given.
    type: dict
  accounts:
    description:
      - Scan these accounts instead of the module's own, O(account_concurrency) at a time, each with its C(credentials)
        (C(access_key), C(secret_key), C(session_token) - a C(hubfix_aws_credentials) entry; empty - the module's own). The
        other options apply to every account. Returns RV(accounts) instead of one account's instances. An account that
        cannot be scanned (or, with O(instance_ids), does not hold them all) is returned with its C(error); the others finish.
    type: list
    elements: dict
    version_added: 0.4.0
    suboptions:
      account_id:
        description: The 12-digit account id (null - the credentials' own account).
        type: str
      credentials:
        description: C(access_key), C(secret_key), C(session_token) of the account; kept out of the output.
        type: dict
        default: {}
  account_concurrency:
    description: With O(accounts), how many accounts are scanned at a time.
    type: int
    default: 8
    version_added: 0.4.0
notes:
  - Instance-store volumes mapped when the instance was launched are not listed by any EC2 API (only by the instance metadata),
    so C(instance_store_devices) holds the C(ephemeralN) mappings of the instance's AMI. Instances whose type offers instance-store
    volumes that the AMI does not map carry the warning C(instance_store_unverified).
  - "IAM actions: ec2:DescribeInstances, ec2:DescribeVolumes, ec2:DescribeAddresses, ec2:DescribeImages, ec2:DescribeInstanceAttribute,
    ec2:DescribeRegions, sts:GetCallerIdentity; s3:GetObject for Terraform state files in S3."
extends_documentation_fragment:
  - hubfix.aws.regions
  - hubfix.aws.owners
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find paravirtual instances in the connection's region
  hubfix.aws.paravirtual_instance_info:
  register: pv

- name: Every enabled region
  hubfix.aws.paravirtual_instance_info:
    regions: all
  register: pv_all

- name: Running paravirtual instances of one application in two regions
  hubfix.aws.paravirtual_instance_info:
    regions: [us-east-1, eu-west-1]
    filters:
      instance-state-name: running
      "tag:App": billing

- name: Two accounts at once, each with its own credentials (hubfix_aws_credentials entries)
  hubfix.aws.paravirtual_instance_info:
    regions: [us-east-1, eu-west-1]
    accounts:
      - account_id: "111122223333"
        credentials: "{{ hubfix_aws_credentials['111122223333'] }}"
      - account_id: "444455556666"
        credentials: "{{ hubfix_aws_credentials['444455556666'] }}"
  register: pv_accounts

- name: Instances that can be migrated without a decision first
  ansible.builtin.debug:
    msg: "{{ pv.instances | selectattr('blockers', 'equalto', []) | map(attribute='instance_id') | list }}"
"""

RETURN = r"""
extends_documentation_fragment:
  - hubfix.aws.regions
accounts:
  description:
    - With O(accounts) (and then only this and C(regions), whose rows then also name their C(account_id)) - one per
      account, in the order given - C(account_id), C(instances), C(passing_instance_ids) (as the module returns them for one
      account; C([]) when the account could not be scanned), C(regions) (this account's rows of the C(regions) return value) and C(error)
      (null, or why the account could not be scanned).
  returned: when O(accounts) is given
  type: list
  elements: dict
  version_added: 0.4.0
  sample:
    - account_id: "111122223333"
      instances: []
      passing_instance_ids: []
      regions: []
      error: null
account_id:
  description: The account scanned (from sts:GetCallerIdentity).
  returned: unless O(accounts) is given
  type: str
  sample: "123456789012"
passing_instance_ids:
  description: The O(instance_ids) that exist but pass EC2.24 (HVM, or shutting down / terminated).
  returned: unless O(accounts) is given
  type: list
  elements: str
  version_added: 0.2.0
instances:
  description: Instances failing EC2.24, sorted by region (in the order scanned) and instance id; C([]) when none.
  returned: unless O(accounts) is given
  type: list
  elements: dict
  contains:
    instance_id: {description: "Instance id.", type: str, returned: always, sample: i-0123456789abcdef0}
    arn: {description: "Instance ARN (the resource of the Security Hub finding).", type: str, returned: always}
    region: {description: "Region of the instance.", type: str, returned: always}
    account_id: {description: "Account of the instance.", type: str, returned: always}
    name: {description: "Value of the Name tag, or null.", type: str, returned: always}
    state: {description: "Instance state (pending, running, stopping, stopped).", type: str, returned: always}
    instance_type: {description: "Instance type.", type: str, returned: always, sample: m1.small}
    image_id: {description: "AMI the instance was launched from.", type: str, returned: always}
    virtualization_type: {description: "Always C(paravirtual).", type: str, returned: always}
    architecture: {description: "CPU architecture.", type: str, returned: always}
    kernel_id: {description: "Kernel image (AKI) of the paravirtual instance, or null.", type: str, returned: always}
    ramdisk_id: {description: "Ramdisk image (ARI), or null.", type: str, returned: always}
    platform_details: {description: "Platform details.", type: str, returned: always}
    root_device_type: {description: "C(ebs) or C(instance-store).", type: str, returned: always}
    root_device_name: {description: "Root device name.", type: str, returned: always, sample: /dev/sda1}
    availability_zone: {description: "Availability zone.", type: str, returned: always}
    tenancy: {description: "Placement tenancy.", type: str, returned: always}
    placement_group: {description: "Placement group name, or null.", type: str, returned: always}
    subnet_id: {description: "Subnet, null outside a VPC.", type: str, returned: always}
    vpc_id: {description: "VPC, null outside a VPC (EC2-Classic).", type: str, returned: always}
    private_ip_address: {description: "Primary private IPv4 address.", type: str, returned: always}
    public_ip_address: {description: "Public IPv4 address, or null.", type: str, returned: always}
    security_group_ids: {description: "Security groups of the primary network interface.", type: list, elements: str, returned: always}
    key_name: {description: "Key pair name, or null.", type: str, returned: always}
    iam_instance_profile_arn: {description: "Instance profile ARN, or null.", type: str, returned: always}
    ebs_optimized: {description: "Whether EBS optimisation is on.", type: bool, returned: always}
    monitoring_state: {description: "Detailed monitoring state.", type: str, returned: always}
    source_dest_check: {description: "Source/destination check.", type: bool, returned: always}
    launch_time: {description: "Launch time (ISO 8601).", type: str, returned: always}
    instance_lifecycle: {description: "C(spot), C(scheduled) or null (on demand).", type: str, returned: always}
    spot_instance_request_id: {description: "Spot request, or null.", type: str, returned: always}
    managed: {description: "Whether an AWS service operates the instance (C(Operator.Managed)).", type: bool, returned: always}
    operator_principal: {description: "The service that operates it, or null.", type: str, returned: always}
    product_codes: {description: "Product codes of the instance.", type: list, elements: dict, returned: always}
    metadata_options: {description: "Instance metadata options (snake_case), or null.", type: dict, returned: always}
    tags: {description: "Tags as a dict.", type: dict, returned: always}
    ebs_volumes:
      description: EBS volumes attached, the root first, then by device name.
      type: list
      elements: dict
      returned: always
      contains:
        volume_id: {description: "Volume id.", type: str, returned: always}
        device_name: {description: "Device name on the instance.", type: str, returned: always}
        size: {description: "Size in GiB.", type: int, returned: always}
        volume_type: {description: "Volume type.", type: str, returned: always}
        iops: {description: "Provisioned IOPS, or null.", type: int, returned: always}
        throughput: {description: "Throughput in MiB/s (gp3), or null.", type: int, returned: always}
        encrypted: {description: "Whether the volume is encrypted.", type: bool, returned: always}
        kms_key_id: {description: "KMS key of an encrypted volume, or null.", type: str, returned: always}
        snapshot_id: {description: "Snapshot the volume was created from, or null.", type: str, returned: always}
        availability_zone: {description: "Availability zone of the volume.", type: str, returned: always}
        multi_attach_enabled: {description: "Whether Multi-Attach is on.", type: bool, returned: always}
        delete_on_termination: {description: "Whether the volume is deleted with the instance (from the instance's mapping).", type: bool, returned: always}
        attachment_status: {description: "Attachment status.", type: str, returned: always}
        is_root: {description: "Whether this is the root volume.", type: bool, returned: always}
    instance_store_devices:
      description: Instance-store (C(ephemeralN)) mappings known from the AMI (C(source=image)) or the instance (C(source=instance)).
      type: list
      elements: dict
      returned: always
      sample: [{device_name: /dev/sdb, virtual_name: ephemeral0, source: image}]
    elastic_ips:
      description: Elastic IPs associated with the instance or its network interfaces.
      type: list
      elements: dict
      returned: always
      contains:
        allocation_id: {description: "Allocation id (null for EC2-Classic addresses).", type: str, returned: always}
        public_ip: {description: "The Elastic IP.", type: str, returned: always}
        association_id: {description: "Association id.", type: str, returned: always}
        network_interface_id: {description: "Network interface it is associated with.", type: str, returned: always}
        private_ip_address: {description: "Private address it maps to.", type: str, returned: always}
        domain: {description: "C(vpc) or C(standard).", type: str, returned: always}
    network_interfaces:
      description: Network interfaces by device index (id, attachment, subnet, addresses, security groups, delete_on_termination).
      type: list
      elements: dict
      returned: always
    autoscaling_group_name:
      description: Auto Scaling group the instance belongs to (from its C(aws:autoscaling:groupName) tag), or null.
      type: str
      returned: always
    termination_protection: {description: "Whether C(DisableApiTermination) is on.", type: bool, returned: always}
    owner:
      description:
        - Who manages the instance, or null - its Elastic Beanstalk environment or CloudFormation stack (from their tags), the Terraform
          resource holding it (O(terraform_state_files)), or a tool from O(owner_tags). An owned instance is blocked (C(cloudformation),
          C(elastic_beanstalk), C(terraform) or C(owner_tag)).
      type: dict
      returned: always
      sample: {type: cloudformation, name: web-stack, id: "arn:aws:cloudformation:us-east-1:123456789012:stack/web-stack/1"}
    replaced_by: {description: "Value of the C(hubfix:replaced-by) tag (a migrated source awaiting termination), or null.", type: str, returned: always}
    suggested_instance_type:
      description: Current-generation HVM type for the instance's type, or null when unknown.
      type: str
      returned: always
      sample: t3.small
    security_hub_evaluated: {description: "Whether Security Hub evaluates EC2.24 in the instance's region.", type: bool, returned: always}
    control_id: {description: "C(EC2.24).", type: str, returned: always}
    blockers:
      description:
        - What stops a safe stop-snapshot-relaunch migration, as C({code, message}). Codes - C(instance_store_root), C(instance_store_data),
          C(autoscaling_group), C(cloudformation), C(elastic_beanstalk), C(terraform), C(owner_tag), C(termination_protection), C(spot), C(ec2_classic),
          C(managed_instance), C(emr_cluster), C(opsworks), C(stop_protection) (read by the migration's pre-flight). Secondary network
          interfaces and secondary private IPs are no longer blockers - the cutover moves them (M(hubfix.aws.ec2_traffic_move)).
      type: list
      elements: dict
      returned: always
      sample: [{code: autoscaling_group, message: "member of Auto Scaling group asg-pv: ..."}]
    warnings:
      description:
        - Things to check that do not block, as C({code, message}). Codes - C(instance_store_unverified), C(image_not_found),
          C(transitional_state), C(marketplace_product).
      type: list
      elements: dict
      returned: always
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ACCOUNT_OPTIONS, fail_on_bad_concurrency
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import AccountScope, scan_accounts
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import RegionOwners
from ansible_collections.hubfix.aws.plugins.module_utils.paravirtual import InputError, build_filters, existing_instance_ids, scan_region, validate_instance_ids
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionScan, scan_regions


def not_failing(scan, instance_ids, instances):
    """``(passing, unknown, error)`` of the ids not found failing: passing exist in another state or are HVM (a second,
    filtered look), unknown exist in none of the scanned regions."""
    missing = [i for i in instance_ids if i not in {r["instance_id"] for r in instances}]
    if not missing:
        return [], [], None
    outcomes = scan_regions(lambda region: existing_instance_ids(scan.client(region), missing), scan.scanned)
    seen = set()
    for found, error in outcomes.values():
        if error:
            return [], [], "cannot check instance_ids: " + error
        seen |= found
    return [i for i in missing if i in seen], [i for i in missing if i not in seen], None


def scan_account(module, instance_ids, filters):
    """What the module returns for the account ``module`` works in (an AnsibleAWSModule, or the ``AccountScope`` of one
    of O(accounts), whose failures are raised)."""
    owners = RegionOwners(module)
    scan = RegionScan(
        module,
        "ec2",
        lambda ec2, region, account: scan_region(ec2, region, account, filters, instance_ids or None, owners.instance_owner),
        empty_result={"instances": []},
    )
    instances = [record for records in scan.results() for record in records]
    passing, unknown, error = not_failing(scan, instance_ids, instances)
    if error or unknown:
        module.fail_json(msg=error or scan.not_found_message("instance id(s)", unknown), regions=scan.rows)
    return {"account_id": scan.account_id, "instances": instances, "passing_instance_ids": passing, "regions": scan.rows}


def scan_every_account(module, instance_ids, filters):
    """``[{account_id, instances, passing_instance_ids, regions, error}]`` and every account's region rows (naming the account):
    O(accounts), O(account_concurrency) at a time."""
    params = {k: module.params[k] for k in ("regions", "terraform_state_files", "owner_tags")}

    def one(account):
        return scan_account(AccountScope.in_module(module, account, dict(params)), instance_ids, filters)

    accounts, rows = [], []
    for account, found, error in scan_accounts(module.params["accounts"], one, module.params["account_concurrency"]):
        found = found or {}
        account_id = account.get("account_id") or found.get("account_id")
        own_rows = [dict(row, account_id=account_id) for row in found.get("regions") or []]
        accounts.append(
            {
                "account_id": account_id,
                "instances": found.get("instances", []),
                "passing_instance_ids": found.get("passing_instance_ids", []),
                "regions": own_rows,
                "error": error,
            }
        )
        rows += own_rows
    return accounts, rows


def main():
    argument_spec = dict(
        regions=dict(type="list", elements="str"),
        instance_ids=dict(type="list", elements="str"),
        filters=dict(type="dict"),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
        accounts=dict(type="list", elements="dict", options=ACCOUNT_OPTIONS),
        account_concurrency=dict(type="int", default=8),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        instance_ids = validate_instance_ids(module.params["instance_ids"])
        filters = build_filters(module.params["filters"])
    except InputError as e:
        module.fail_json(msg=str(e))
    if module.params["accounts"] is not None:
        fail_on_bad_concurrency(module, "account_concurrency")
        accounts, rows = scan_every_account(module, instance_ids, filters)
        module.exit_json(changed=False, accounts=accounts, regions=rows)
    module.exit_json(changed=False, **scan_account(module, instance_ids, filters))


if __name__ == "__main__":
    main()
