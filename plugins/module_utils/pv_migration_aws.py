# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2 calls shared by the paravirtual → HVM step modules (``ec2_migration_*``, ``ec2_instance_replacement``,
``ec2_volume_move``, ``ec2_eip_move``). Every function takes a client made by ``clients.client`` and calls it
with ``aws_retry=True``."""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.hubfix.aws.plugins.module_utils.clients import paginate
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_MIGRATION_RUN_FILTER,
    TAG_REPLACES,
    TAG_SOURCE_DEVICE,
    TAG_SOURCE_INSTANCE,
    TAG_SOURCE_VOLUME,
    attached_devices,
)

try:
    import botocore
except ImportError:  # handled by AnsibleAWSModule
    pass

LIVE_STATES = ["pending", "running", "stopping", "stopped"]
AUTH_ERRORS = ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure", "Blocked")


class WaitTimeout(Exception):
    pass


def wait_until(check, timeout, what, delay=1.0, max_delay=10.0):
    """Poll ``check()`` until it returns a truthy value; raise ``WaitTimeout`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(delay)
        delay = min(max_delay, delay * 1.5)


def describe_instance(ec2, instance_id):
    """The instance (boto3 shape) or None when it does not exist."""
    try:
        res = ec2.describe_instances(InstanceIds=[instance_id], aws_retry=True)
    except is_boto3_error_code(["InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"]):
        return None
    for r in res.get("Reservations", []):
        for i in r.get("Instances", []):
            if i["InstanceId"] == instance_id:
                return i
    return None


def find_instances(ec2, filters):
    res = paginate(ec2, "describe_instances", Filters=filters)
    return [i for r in res.get("Reservations", []) for i in r.get("Instances", [])]


def find_replacements(ec2, source_instance_id, run_id=None, states=None):
    filters = [
        {"Name": "tag:" + TAG_REPLACES, "Values": [source_instance_id]},
        {"Name": "instance-state-name", "Values": states or LIVE_STATES},
    ]
    if run_id:
        filters.append({"Name": TAG_MIGRATION_RUN_FILTER, "Values": [run_id]})
    return find_instances(ec2, filters)


def describe_volume(ec2, volume_id):
    try:
        vols = ec2.describe_volumes(VolumeIds=[volume_id], aws_retry=True)["Volumes"]
    except is_boto3_error_code(["InvalidVolume.NotFound", "InvalidVolumeID.Malformed"]):
        return None
    return vols[0] if vols else None


def describe_image(ec2, image_id):
    try:
        images = ec2.describe_images(ImageIds=[image_id], aws_retry=True)["Images"]
    except is_boto3_error_code(["InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable"]):
        return None
    return images[0] if images else None


def describe_instance_type(ec2, instance_type):
    try:
        types = ec2.describe_instance_types(InstanceTypes=[instance_type], aws_retry=True)["InstanceTypes"]
    except is_boto3_error_code(["InvalidInstanceType", "InvalidParameterValue"]):
        return None
    return types[0] if types else None


def termination_protection(ec2, instance_id):
    res = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination", aws_retry=True)
    return bool(res.get("DisableApiTermination", {}).get("Value"))


def addresses_of_instances(ec2, instance_ids):
    if not instance_ids:
        return []
    return ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": list(instance_ids)}], aws_retry=True).get("Addresses", [])


def describe_address(ec2, allocation_id):
    try:
        addrs = ec2.describe_addresses(AllocationIds=[allocation_id], aws_retry=True)["Addresses"]
    except is_boto3_error_code(["InvalidAllocationID.NotFound", "InvalidAddress.NotFound"]):
        return None
    return addrs[0] if addrs else None


def migration_snapshots(ec2, source_instance_id=None, volume_id=None, run_id=None):
    filters = []
    if source_instance_id:
        filters.append({"Name": "tag:" + TAG_SOURCE_INSTANCE, "Values": [source_instance_id]})
    if volume_id:
        filters.append({"Name": "tag:" + TAG_SOURCE_VOLUME, "Values": [volume_id]})
    if run_id:
        filters.append({"Name": TAG_MIGRATION_RUN_FILTER, "Values": [run_id]})
    return paginate(ec2, "describe_snapshots", OwnerIds=["self"], Filters=filters).get("Snapshots", [])


def completed_snapshots_of_volume(ec2, volume_id):
    filters = [{"Name": "volume-id", "Values": [volume_id]}, {"Name": "status", "Values": ["completed"]}]
    return paginate(ec2, "describe_snapshots", OwnerIds=["self"], Filters=filters).get("Snapshots", [])


def instance_summary(instance):
    """The facts the role and the report use, in snake case."""
    if not instance:
        return None
    mo = instance.get("MetadataOptions") or {}
    return {
        "instance_id": instance["InstanceId"],
        "state": instance.get("State", {}).get("Name"),
        "instance_type": instance.get("InstanceType"),
        "image_id": instance.get("ImageId"),
        "virtualization_type": instance.get("VirtualizationType"),
        "architecture": instance.get("Architecture"),
        "root_device_type": instance.get("RootDeviceType"),
        "root_device_name": instance.get("RootDeviceName"),
        "availability_zone": instance.get("Placement", {}).get("AvailabilityZone"),
        "subnet_id": instance.get("SubnetId"),
        "vpc_id": instance.get("VpcId"),
        "security_group_ids": sorted(g["GroupId"] for g in instance.get("SecurityGroups", [])),
        "key_name": instance.get("KeyName"),
        "iam_instance_profile_arn": (instance.get("IamInstanceProfile") or {}).get("Arn"),
        "ebs_optimized": bool(instance.get("EbsOptimized")),
        "private_ip_address": instance.get("PrivateIpAddress"),
        "public_ip_address": instance.get("PublicIpAddress"),
        "metadata_http_tokens": mo.get("HttpTokens"),
        "metadata_http_endpoint": mo.get("HttpEndpoint"),
        "ebs_volumes": attached_devices(instance),
        "tags": boto3_tag_list_to_ansible_dict(instance.get("Tags", [])),
    }


def address_summary(address):
    return {
        "allocation_id": address.get("AllocationId"),
        "public_ip": address.get("PublicIp"),
        "association_id": address.get("AssociationId"),
        "instance_id": address.get("InstanceId"),
        "network_interface_id": address.get("NetworkInterfaceId"),
        "private_ip_address": address.get("PrivateIpAddress"),
    }


def snapshot_summary(snapshot):
    tags = boto3_tag_list_to_ansible_dict(snapshot.get("Tags", []))
    return {
        "snapshot_id": snapshot["SnapshotId"],
        "volume_id": tags.get(TAG_SOURCE_VOLUME) or snapshot.get("VolumeId"),
        "device_name": tags.get(TAG_SOURCE_DEVICE),
        "state": snapshot.get("State"),
        "progress": snapshot.get("Progress"),
        "start_time": str(snapshot.get("StartTime")) if snapshot.get("StartTime") else None,
        "tags": tags,
    }


def dry_run(call, **params):
    """Probe one mutating EC2 call with ``DryRun=True``: ``(allowed, error_code, message)``."""
    try:
        call(DryRun=True, **params)
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        code = err.get("Code", "")
        if code == "DryRunOperation":
            return True, None, None
        if code in AUTH_ERRORS or code.startswith("Unauthorized"):
            return False, code, err.get("Message")
        return None, code, err.get("Message")
    # a call that ignored DryRun and succeeded cannot happen on EC2; count it as allowed
    return True, None, None
