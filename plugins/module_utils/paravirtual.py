# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2.24 (paravirtual instances, see ``controls``): the instance record detection and migration share.

``normalize_instance`` turns EC2 API responses into the record ``hubfix.aws.paravirtual_instance_info`` returns (with
its blockers from ``blockers`` and owner from ``owners``). ``scan_region`` makes the calls, the fewest possible:

* one DescribeInstances paginated with the server-side filters ``virtualization-type=paravirtual`` and
  ``instance-state-name`` in the non-terminated states (MaxResults 1000);
* only when PV instances exist: DescribeVolumes by ``volume-id`` filter (200 ids a call), one
  DescribeAddresses, one DescribeImages for the instances' AMIs (their instance-store mappings, which
  DescribeInstances does not show) and one DescribeInstanceAttribute ``disableApiTermination`` per
  instance (EC2 has no batched form of this attribute).
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.hubfix.aws.plugins.module_utils.blockers import blockers, warnings
from ansible_collections.hubfix.aws.plugins.module_utils.controls import EC2_24, EC2_24_STATES, security_hub_evaluates_ec2_24
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import (
    all_addresses,
    chunks,
    find_instances,
    images_by_id,
    termination_protection,
    volumes_by_id,
)
from ansible_collections.hubfix.aws.plugins.module_utils.instance_ids import malformed_instance_ids
from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import suggest_instance_type
from ansible_collections.hubfix.aws.plugins.module_utils.migration_tags import TAG_REPLACED_BY
from ansible_collections.hubfix.aws.plugins.module_utils.owners import TAG_ASG, owner_from_tags
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import instance_arn

DESCRIBE_INSTANCES_PAGE = 1000


class InputError(ValueError):
    """Bad module input: the message names it."""


# -- input ----------------------------------------------------------------------------------------


def validate_instance_ids(instance_ids):
    """Return the ids de-duplicated in order; raise InputError naming any malformed one."""
    ids = list(dict.fromkeys(instance_ids or []))
    bad = malformed_instance_ids(ids)
    if bad:
        raise InputError("malformed instance id(s): %s (expected i- followed by 8 or 17 lowercase hex digits)" % ", ".join(map(str, bad)))
    return ids


def build_filters(user_filters=None):
    """DescribeInstances filters: the EC2.24 ones plus the user's extra filters.

    A user ``instance-state-name`` filter narrows the evaluated states (it cannot widen them); a
    ``virtualization-type`` filter is refused because the module is about paravirtual instances only.
    """
    states = list(EC2_24_STATES)
    extra = []
    for name, values in (user_filters or {}).items():
        values = values if isinstance(values, list) else [values]
        values = [str(v) for v in values]
        if name == "virtualization-type":
            raise InputError("filters: virtualization-type cannot be set, the module only looks for paravirtual instances")
        if name == "instance-state-name":
            wanted = [s for s in values if s in EC2_24_STATES]
            if not wanted:
                raise InputError("filters: instance-state-name %s selects no state EC2.24 evaluates (%s)" % (", ".join(values), ", ".join(EC2_24_STATES)))
            states = wanted
            continue
        extra.append({"Name": name, "Values": values})
    return [{"Name": "virtualization-type", "Values": ["paravirtual"]}, {"Name": "instance-state-name", "Values": states}] + extra


# -- pure logic -----------------------------------------------------------------------------------


def instance_store_devices(instance, image=None):
    """Instance-store volumes mapped on the instance.

    DescribeInstances lists EBS volumes only; instance-store (``ephemeralN``) mappings are known from
    the AMI's block device mapping, and from the instance's mapping should it ever list one.
    Mappings suppressed at launch (NoDevice) cannot be seen through the API.
    """
    found = {}
    sources = [("image", (image or {}).get("BlockDeviceMappings") or []), ("instance", instance.get("BlockDeviceMappings") or [])]
    for source, mappings in sources:
        for m in mappings:
            virtual = m.get("VirtualName")
            if virtual and virtual.startswith("ephemeral") and "NoDevice" not in m:
                found[m["DeviceName"]] = {"device_name": m["DeviceName"], "virtual_name": virtual, "source": source}
    return [found[d] for d in sorted(found)]


def ebs_volumes(instance, volumes_by_id):
    """The instance's EBS volumes: device and DeleteOnTermination from the instance, the rest from DescribeVolumes."""
    root = instance.get("RootDeviceName")
    out = []
    for m in instance.get("BlockDeviceMappings") or []:
        ebs = m.get("Ebs")
        if not ebs:
            continue
        vol = volumes_by_id.get(ebs.get("VolumeId")) or {}
        out.append(
            {
                "volume_id": ebs.get("VolumeId"),
                "device_name": m.get("DeviceName"),
                "size": vol.get("Size"),
                "volume_type": vol.get("VolumeType"),
                "iops": vol.get("Iops"),
                "throughput": vol.get("Throughput"),
                "encrypted": vol.get("Encrypted"),
                "kms_key_id": vol.get("KmsKeyId"),
                "snapshot_id": vol.get("SnapshotId") or None,
                "availability_zone": vol.get("AvailabilityZone"),
                "multi_attach_enabled": vol.get("MultiAttachEnabled", False),
                "delete_on_termination": ebs.get("DeleteOnTermination"),
                "attachment_status": ebs.get("Status"),
                "is_root": m.get("DeviceName") == root,
            }
        )
    out.sort(key=lambda v: (not v["is_root"], v["device_name"] or ""))
    return out


def network_interfaces(instance):
    out = []
    for eni in instance.get("NetworkInterfaces") or []:
        attachment = eni.get("Attachment") or {}
        out.append(
            {
                "network_interface_id": eni.get("NetworkInterfaceId"),
                "device_index": attachment.get("DeviceIndex"),
                "attachment_id": attachment.get("AttachmentId"),
                "delete_on_termination": attachment.get("DeleteOnTermination"),
                "subnet_id": eni.get("SubnetId"),
                "vpc_id": eni.get("VpcId"),
                "description": eni.get("Description"),
                "mac_address": eni.get("MacAddress"),
                "interface_type": eni.get("InterfaceType"),
                "source_dest_check": eni.get("SourceDestCheck"),
                "private_ip_address": eni.get("PrivateIpAddress"),
                "private_ip_addresses": [p.get("PrivateIpAddress") for p in eni.get("PrivateIpAddresses") or []],
                "public_ip": (eni.get("Association") or {}).get("PublicIp"),
                "ipv6_addresses": [a.get("Ipv6Address") for a in eni.get("Ipv6Addresses") or []],
                "security_group_ids": [g["GroupId"] for g in eni.get("Groups") or []],
            }
        )
    out.sort(key=lambda e: (e["device_index"] if e["device_index"] is not None else 99, e["network_interface_id"] or ""))
    return out


def security_group_ids(instance):
    """Security groups of the primary network interface (what a replacement in the same subnet needs);
    the instance's own list for an instance without network interfaces (EC2-Classic)."""
    for eni in instance.get("NetworkInterfaces") or []:
        if (eni.get("Attachment") or {}).get("DeviceIndex") == 0:
            return [g["GroupId"] for g in eni.get("Groups") or []]
    return [g["GroupId"] for g in instance.get("SecurityGroups") or [] if g.get("GroupId")]


def elastic_ips(instance, addresses):
    """Elastic IPs associated with the instance or any of its network interfaces."""
    enis = {e.get("NetworkInterfaceId") for e in instance.get("NetworkInterfaces") or []}
    out = []
    for a in addresses or []:
        if a.get("InstanceId") == instance["InstanceId"] or (a.get("NetworkInterfaceId") and a.get("NetworkInterfaceId") in enis):
            out.append(
                {
                    "allocation_id": a.get("AllocationId"),
                    "public_ip": a.get("PublicIp"),
                    "association_id": a.get("AssociationId"),
                    "network_interface_id": a.get("NetworkInterfaceId"),
                    "private_ip_address": a.get("PrivateIpAddress"),
                    "domain": a.get("Domain"),
                }
            )
    out.sort(key=lambda a: a["public_ip"] or "")
    return out


def normalize_instance(
    instance, region, account_id, volumes_by_id=None, addresses=None, image=None, image_found=True, termination_protection=None, owner_of=None
):
    """The ``instances[]`` record for one DescribeInstances ``Instance``; ``owner_of(instance id, tags)`` finds its owner
    (owners_aws.RegionOwners.instance_owner: tags, Terraform state, owner tags), by default from its tags alone."""
    tags = boto3_tag_list_to_ansible_dict(instance.get("Tags") or [])
    placement = instance.get("Placement") or {}
    operator = instance.get("Operator") or {}
    launch_time = instance.get("LaunchTime")
    record = {
        "instance_id": instance["InstanceId"],
        "arn": instance_arn(region, account_id, instance["InstanceId"]),
        "region": region,
        "account_id": account_id,
        "name": tags.get("Name"),
        "state": (instance.get("State") or {}).get("Name"),
        "instance_type": instance.get("InstanceType"),
        "image_id": instance.get("ImageId"),
        "virtualization_type": instance.get("VirtualizationType"),
        "architecture": instance.get("Architecture"),
        "kernel_id": instance.get("KernelId"),
        "ramdisk_id": instance.get("RamdiskId"),
        "platform_details": instance.get("PlatformDetails"),
        "root_device_type": instance.get("RootDeviceType"),
        "root_device_name": instance.get("RootDeviceName"),
        "availability_zone": placement.get("AvailabilityZone"),
        "tenancy": placement.get("Tenancy"),
        "placement_group": placement.get("GroupName") or None,
        "subnet_id": instance.get("SubnetId"),
        "vpc_id": instance.get("VpcId"),
        "private_ip_address": instance.get("PrivateIpAddress"),
        "public_ip_address": instance.get("PublicIpAddress"),
        "security_group_ids": security_group_ids(instance),
        "key_name": instance.get("KeyName"),
        "iam_instance_profile_arn": (instance.get("IamInstanceProfile") or {}).get("Arn"),
        "ebs_optimized": bool(instance.get("EbsOptimized")),
        "monitoring_state": (instance.get("Monitoring") or {}).get("State"),
        "source_dest_check": instance.get("SourceDestCheck"),
        "launch_time": launch_time.isoformat() if hasattr(launch_time, "isoformat") else launch_time,
        "instance_lifecycle": instance.get("InstanceLifecycle"),
        "spot_instance_request_id": instance.get("SpotInstanceRequestId"),
        "managed": bool(operator.get("Managed")),
        "operator_principal": operator.get("Principal"),
        "product_codes": [camel_dict_to_snake_dict(p) for p in instance.get("ProductCodes") or []],
        "metadata_options": camel_dict_to_snake_dict(instance["MetadataOptions"]) if instance.get("MetadataOptions") else None,
        "tags": tags,
        "ebs_volumes": ebs_volumes(instance, volumes_by_id or {}),
        "instance_store_devices": instance_store_devices(instance, image),
        "elastic_ips": elastic_ips(instance, addresses),
        "network_interfaces": network_interfaces(instance),
        "autoscaling_group_name": tags.get(TAG_ASG),
        "termination_protection": termination_protection,
        "owner": owner_of(instance["InstanceId"], tags) if owner_of else owner_from_tags(tags),
        "replaced_by": tags.get(TAG_REPLACED_BY),
        "suggested_instance_type": suggest_instance_type(instance.get("InstanceType")),
        "security_hub_evaluated": security_hub_evaluates_ec2_24(region),
        "control_id": EC2_24,
    }
    record["blockers"] = blockers(record)
    record["warnings"] = warnings(record, image_found)
    return record


# -- API calls ------------------------------------------------------------------------------------


def describe_pv_instances(ec2, filters, instance_ids=None):
    """Non-terminated paravirtual instances (server-side filtered), optionally only among ``instance_ids``."""
    batches = chunks(instance_ids) if instance_ids else [None]
    found = {}
    for batch in batches:
        batch_filters = list(filters) + ([{"Name": "instance-id", "Values": batch}] if batch else [])
        for instance in find_instances(ec2, batch_filters, page_size=DESCRIBE_INSTANCES_PAGE):
            found[instance["InstanceId"]] = instance
    return [found[i] for i in sorted(found)]


def existing_instance_ids(ec2, instance_ids):
    """Which of ``instance_ids`` exist in this region, in any state (filter, so unknown ids do not raise)."""
    found = set()
    for batch in chunks(instance_ids):
        found.update(i["InstanceId"] for i in find_instances(ec2, [{"Name": "instance-id", "Values": batch}], page_size=DESCRIBE_INSTANCES_PAGE))
    return found


def scan_region(ec2, region, account_id, filters, instance_ids=None, owner_of=None):
    """EC2.24 records for one region."""
    instances = describe_pv_instances(ec2, filters, instance_ids)
    if not instances:
        return []
    volume_ids = [m["Ebs"]["VolumeId"] for i in instances for m in i.get("BlockDeviceMappings") or [] if m.get("Ebs", {}).get("VolumeId")]
    volumes = volumes_by_id(ec2, volume_ids) if volume_ids else {}
    addresses = all_addresses(ec2)
    images = images_by_id(ec2, [i.get("ImageId") for i in instances])
    records = []
    for instance in instances:
        image = images.get(instance.get("ImageId"))
        records.append(
            normalize_instance(
                instance,
                region,
                account_id,
                volumes_by_id=volumes,
                addresses=addresses,
                image=image,
                image_found=image is not None,
                termination_protection=termination_protection(ec2, instance["InstanceId"]),
                owner_of=owner_of,
            )
        )
    return records
