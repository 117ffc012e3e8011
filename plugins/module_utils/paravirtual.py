# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EC2.24 (paravirtual instances): what fails, what a migration needs to know, what blocks it.

Security Hub control EC2.24 is backed by the AWS Config rule ``ec2-paravirtual-instance-check``: an
instance is FAILED when its ``VirtualizationType`` is ``paravirtual``, in every state except
``shutting-down`` and ``terminated``.

The pure functions (``normalize_instance``, ``blockers``, ``suggest_instance_type``, ``detect_owner``, ...)
turn EC2 API responses into the record ``hubfix.aws.paravirtual_instance_info`` returns. The
``describe_*``/``scan_region`` functions make the API calls with a client whose calls retry when
given ``aws_retry=True`` (see ``clients.client``), using the fewest calls:

* one DescribeInstances paginated with the server-side filters ``virtualization-type=paravirtual`` and
  ``instance-state-name`` in the non-terminated states (MaxResults 1000);
* only when PV instances exist: DescribeVolumes by ``volume-id`` filter (200 ids a call), one
  DescribeAddresses, one DescribeImages for the instances' AMIs (their instance-store mappings, which
  DescribeInstances does not show) and one DescribeInstanceAttribute ``disableApiTermination`` per
  instance (EC2 has no batched form of this attribute).
"""

from __future__ import annotations

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from .clients import paginate

CONTROL_ID = "EC2.24"
CONFIG_RULE = "ec2-paravirtual-instance-check"

# Every state the Config rule evaluates (it ignores shutting-down and terminated).
EVALUATED_STATES = ("pending", "running", "stopping", "stopped")

# Regions where the Config rule behind EC2.24 exists, so Security Hub evaluates the control there.
SECURITY_HUB_REGIONS = frozenset(
    [
        "us-east-1",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "sa-east-1",
        "ap-northeast-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "cn-north-1",
    ]
)

INSTANCE_ID = re.compile(r"^i-([0-9a-f]{8}|[0-9a-f]{17})$")

# EC2 accepts at most 200 values in one filter.
FILTER_VALUES_MAX = 200
DESCRIBE_INSTANCES_PAGE = 1000

TAG_ASG = "aws:autoscaling:groupName"
TAG_CFN_STACK = "aws:cloudformation:stack-name"
TAG_CFN_STACK_ID = "aws:cloudformation:stack-id"
TAG_EB_ENV = "elasticbeanstalk:environment-name"
TAG_EB_ENV_ID = "elasticbeanstalk:environment-id"
TAG_EMR = "aws:elasticmapreduce:job-flow-id"
TAG_OPSWORKS = "opsworks:stack"
TAG_REPLACED_BY = "hubfix:replaced-by"

# Current-generation HVM replacement for every instance type of the families that run paravirtual
# guests (previous generation: t1, m1, m2, m3, c1, c3, cc2, cg1, cr1, hi1, hs1). The target has at
# least the vCPUs and, but for m2.xlarge (17.1 -> 16 GiB), the memory of the source, and is offered
# in every region where the source family was.
SUGGESTED_TYPES = {
    "t1.micro": "t3.micro",
    "m1.small": "t3.small",
    "m1.medium": "t3.medium",
    "m1.large": "m5.large",
    "m1.xlarge": "m5.xlarge",
    "m2.xlarge": "r5.large",
    "m2.2xlarge": "r5.xlarge",
    "m2.4xlarge": "r5.2xlarge",
    "m3.medium": "m5.large",
    "m3.large": "m5.large",
    "m3.xlarge": "m5.xlarge",
    "m3.2xlarge": "m5.2xlarge",
    "c1.medium": "c5.large",
    "c1.xlarge": "c5.2xlarge",
    "c3.large": "c5.large",
    "c3.xlarge": "c5.xlarge",
    "c3.2xlarge": "c5.2xlarge",
    "c3.4xlarge": "c5.4xlarge",
    "c3.8xlarge": "c5.9xlarge",
    "cc1.4xlarge": "c5.4xlarge",
    "cc2.8xlarge": "c5.9xlarge",
    "cg1.4xlarge": "g4dn.4xlarge",
    "cr1.8xlarge": "r5.8xlarge",
    "hi1.4xlarge": "i3.4xlarge",
    "hs1.8xlarge": "d3.8xlarge",
}

# Fallback per family when a size is not in the table.
SUGGESTED_FAMILY = {
    "t1": "t3.micro",
    "m1": "m5.large",
    "m2": "r5.large",
    "m3": "m5.large",
    "c1": "c5.large",
    "c3": "c5.large",
    "cc1": "c5.4xlarge",
    "cc2": "c5.9xlarge",
    "cg1": "g4dn.4xlarge",
    "cr1": "r5.8xlarge",
    "hi1": "i3.4xlarge",
    "hs1": "d3.8xlarge",
}

# How many instance-store volumes each of those types offers. Only the AMI's block device mapping shows
# which of them are mapped: DescribeInstances lists EBS volumes only, so a mapping added at launch is
# invisible to the API (the instance metadata block-device-mapping/ shows it from inside).
INSTANCE_STORE_VOLUMES = {
    "t1.micro": 0,
    "m1.small": 1,
    "m1.medium": 1,
    "m1.large": 2,
    "m1.xlarge": 4,
    "m2.xlarge": 1,
    "m2.2xlarge": 1,
    "m2.4xlarge": 2,
    "m3.medium": 1,
    "m3.large": 1,
    "m3.xlarge": 2,
    "m3.2xlarge": 2,
    "c1.medium": 1,
    "c1.xlarge": 4,
    "c3.large": 2,
    "c3.xlarge": 2,
    "c3.2xlarge": 2,
    "c3.4xlarge": 2,
    "c3.8xlarge": 2,
    "cc1.4xlarge": 2,
    "cc2.8xlarge": 4,
    "cg1.4xlarge": 2,
    "cr1.8xlarge": 2,
    "hi1.4xlarge": 2,
    "hs1.8xlarge": 24,
}

BLOCKER_CODES = (
    "instance_store_root",
    "instance_store_data",
    "autoscaling_group",
    "cloudformation",
    "elastic_beanstalk",
    "termination_protection",
    "spot",
    "ec2_classic",
    "managed_instance",
    "emr_cluster",
    "opsworks",
)


class InputError(ValueError):
    """Bad module input: the message names it."""


# -- input ----------------------------------------------------------------------------------------


def validate_instance_ids(instance_ids):
    """Return the ids de-duplicated in order; raise InputError naming any malformed one."""
    ids = list(dict.fromkeys(instance_ids or []))
    bad = [i for i in ids if not isinstance(i, str) or not INSTANCE_ID.match(i)]
    if bad:
        raise InputError("malformed instance id(s): %s (expected i- followed by 8 or 17 lowercase hex digits)" % ", ".join(map(str, bad)))
    return ids


def build_filters(user_filters=None):
    """DescribeInstances filters: the EC2.24 ones plus the user's extra filters.

    A user ``instance-state-name`` filter narrows the evaluated states (it cannot widen them); a
    ``virtualization-type`` filter is refused because the module is about paravirtual instances only.
    """
    states = list(EVALUATED_STATES)
    extra = []
    for name, values in (user_filters or {}).items():
        values = values if isinstance(values, list) else [values]
        values = [str(v) for v in values]
        if name == "virtualization-type":
            raise InputError("filters: virtualization-type cannot be set, the module only looks for paravirtual instances")
        if name == "instance-state-name":
            wanted = [s for s in values if s in EVALUATED_STATES]
            if not wanted:
                raise InputError("filters: instance-state-name %s selects no state EC2.24 evaluates (%s)" % (", ".join(values), ", ".join(EVALUATED_STATES)))
            states = wanted
            continue
        extra.append({"Name": name, "Values": values})
    return [{"Name": "virtualization-type", "Values": ["paravirtual"]}, {"Name": "instance-state-name", "Values": states}] + extra


def chunks(items, size):
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- pure logic -----------------------------------------------------------------------------------


def suggest_instance_type(instance_type):
    """Current-generation HVM type for a paravirtual-capable previous-generation type, else None."""
    if not instance_type:
        return None
    if instance_type in SUGGESTED_TYPES:
        return SUGGESTED_TYPES[instance_type]
    return SUGGESTED_FAMILY.get(instance_type.split(".", 1)[0])


def detect_owner(tags):
    """The service that manages the instance, from the tags it puts on it: ``{type, name, id}`` or None.

    Elastic Beanstalk environments run on CloudFormation stacks, so its tags win over the stack's.
    """
    tags = tags or {}
    if tags.get(TAG_EB_ENV):
        return {"type": "elastic_beanstalk", "name": tags[TAG_EB_ENV], "id": tags.get(TAG_EB_ENV_ID)}
    if tags.get(TAG_CFN_STACK):
        return {"type": "cloudformation", "name": tags[TAG_CFN_STACK], "id": tags.get(TAG_CFN_STACK_ID)}
    return None


def security_hub_evaluated(region):
    return region in SECURITY_HUB_REGIONS


def partition_for(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


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


def blockers(record):
    """What stops a safe stop-snapshot-relaunch migration of this instance, as ``[{code, message}]``."""
    out = []

    def add(code, message):
        out.append({"code": code, "message": message})

    if record.get("root_device_type") == "instance-store":
        add(
            "instance_store_root",
            "the root device %s is an instance-store volume: it cannot be snapshotted and is lost when the instance stops" % record.get("root_device_name"),
        )
    if record.get("instance_store_devices"):
        devices = ", ".join("%s (%s)" % (d["device_name"], d["virtual_name"]) for d in record["instance_store_devices"])
        add("instance_store_data", "instance-store volume(s) %s lose their data when the instance stops; copy the data off or acknowledge the loss" % devices)
    if record.get("autoscaling_group_name"):
        add(
            "autoscaling_group",
            "member of Auto Scaling group %s: fix its launch configuration or template and let the group replace the instance"
            % record["autoscaling_group_name"],
        )
    owner = record.get("owner") or {}
    if owner.get("type") == "elastic_beanstalk":
        add("elastic_beanstalk", "managed by Elastic Beanstalk environment %s: change the environment's instance type/platform instead" % owner["name"])
    elif owner.get("type") == "cloudformation":
        add("cloudformation", "managed by CloudFormation stack %s: change the template instead, a replacement made outside it would drift" % owner["name"])
    if record.get("termination_protection"):
        add("termination_protection", "termination protection (DisableApiTermination) is on: confirm the instance may be replaced and turn it off first")
    if record.get("instance_lifecycle") == "spot":
        add("spot", "spot instance: it cannot be stopped and restarted reliably; relaunch it from its spot request or fleet with an HVM AMI")
    if not record.get("vpc_id"):
        add("ec2_classic", "not in a VPC (EC2-Classic): current-generation instance types need a VPC; migrate it to a VPC first")
    if record.get("managed"):
        add("managed_instance", "managed by an AWS service (operator %s): replace it through that service" % (record.get("operator_principal") or "unknown"))
    tags = record.get("tags") or {}
    if tags.get(TAG_EMR):
        add("emr_cluster", "node of EMR cluster %s: resize or recreate the cluster with current-generation types" % tags[TAG_EMR])
    if tags.get(TAG_OPSWORKS):
        add("opsworks", "managed by OpsWorks stack %s: change the layer's instances there" % tags[TAG_OPSWORKS])
    return out


def warnings_for(record, image_found):
    out = []
    if not image_found and record.get("root_device_type") != "instance-store":
        out.append(
            {
                "code": "image_not_found",
                "message": "AMI %s is no longer available: instance-store mappings it may have added cannot be checked; "
                "look at the instance metadata block-device-mapping/ from inside the instance" % record.get("image_id"),
            }
        )
    offered = INSTANCE_STORE_VOLUMES.get(record.get("instance_type") or "", 0)
    if offered and not record.get("instance_store_devices") and record.get("root_device_type") != "instance-store":
        out.append(
            {
                "code": "instance_store_unverified",
                "message": "%s offers %d instance-store volume(s); the AMI maps none, but a mapping added at launch is not visible through "
                "the EC2 API: check the instance metadata block-device-mapping/ before stopping it" % (record["instance_type"], offered),
            }
        )
    if record.get("state") in ("pending", "stopping"):
        out.append({"code": "transitional_state", "message": "the instance is %s; run the detection again once it has settled" % record["state"]})
    if record.get("product_codes"):
        out.append(
            {
                "code": "marketplace_product",
                "message": "launched from a product AMI (%s): the HVM replacement needs the HVM version of that product"
                % ", ".join(p.get("product_code_id", "") for p in record["product_codes"]),
            }
        )
    return out


def normalize_instance(instance, region, account_id, volumes_by_id=None, addresses=None, image=None, image_found=True, termination_protection=None):
    """The ``instances[]`` record for one DescribeInstances ``Instance``."""
    tags = boto3_tag_list_to_ansible_dict(instance.get("Tags") or [])
    placement = instance.get("Placement") or {}
    operator = instance.get("Operator") or {}
    launch_time = instance.get("LaunchTime")
    record = {
        "instance_id": instance["InstanceId"],
        "arn": "arn:%s:ec2:%s:%s:instance/%s" % (partition_for(region), region, account_id, instance["InstanceId"]),
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
        "owner": detect_owner(tags),
        "replaced_by": tags.get(TAG_REPLACED_BY),
        "suggested_instance_type": suggest_instance_type(instance.get("InstanceType")),
        "security_hub_evaluated": security_hub_evaluated(region),
        "control_id": CONTROL_ID,
    }
    record["blockers"] = blockers(record)
    record["warnings"] = warnings_for(record, image_found)
    return record


# -- API calls ------------------------------------------------------------------------------------


def describe_pv_instances(ec2, filters, instance_ids=None):
    """Non-terminated paravirtual instances (server-side filtered), optionally only among ``instance_ids``."""
    batches = chunks(instance_ids, FILTER_VALUES_MAX) if instance_ids else [None]
    found = {}
    for batch in batches:
        batch_filters = list(filters) + ([{"Name": "instance-id", "Values": batch}] if batch else [])
        result = paginate(ec2, "describe_instances", Filters=batch_filters, PaginationConfig={"PageSize": DESCRIBE_INSTANCES_PAGE})
        for reservation in result.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                found[instance["InstanceId"]] = instance
    return [found[i] for i in sorted(found)]


def existing_instance_ids(ec2, instance_ids):
    """Which of ``instance_ids`` exist in this region, in any state (filter, so unknown ids do not raise)."""
    found = set()
    for batch in chunks(instance_ids, FILTER_VALUES_MAX):
        result = paginate(ec2, "describe_instances", Filters=[{"Name": "instance-id", "Values": batch}], PaginationConfig={"PageSize": DESCRIBE_INSTANCES_PAGE})
        for reservation in result.get("Reservations", []):
            found.update(i["InstanceId"] for i in reservation.get("Instances", []))
    return found


def describe_volumes_by_id(ec2, volume_ids):
    volumes = {}
    for batch in chunks(sorted(set(volume_ids)), FILTER_VALUES_MAX):
        for vol in paginate(ec2, "describe_volumes", Filters=[{"Name": "volume-id", "Values": batch}]).get("Volumes", []):
            volumes[vol["VolumeId"]] = vol
    return volumes


def describe_addresses(ec2):
    """Every Elastic IP of the region (DescribeAddresses is not paginated: one call)."""
    return ec2.describe_addresses(aws_retry=True).get("Addresses", [])


def describe_images_by_id(ec2, image_ids):
    images = {}
    for batch in chunks(sorted(set(i for i in image_ids if i)), FILTER_VALUES_MAX):
        result = paginate(ec2, "describe_images", Filters=[{"Name": "image-id", "Values": batch}], IncludeDeprecated=True)
        for image in result.get("Images", []):
            images[image["ImageId"]] = image
    return images


def termination_protection(ec2, instance_id):
    result = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="disableApiTermination", aws_retry=True)
    return bool((result.get("DisableApiTermination") or {}).get("Value"))


def scan_region(ec2, region, account_id, filters, instance_ids=None):
    """EC2.24 records for one region."""
    instances = describe_pv_instances(ec2, filters, instance_ids)
    if not instances:
        return []
    volume_ids = [m["Ebs"]["VolumeId"] for i in instances for m in i.get("BlockDeviceMappings") or [] if m.get("Ebs", {}).get("VolumeId")]
    volumes = describe_volumes_by_id(ec2, volume_ids) if volume_ids else {}
    addresses = describe_addresses(ec2)
    images = describe_images_by_id(ec2, [i.get("ImageId") for i in instances])
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
            )
        )
    return records
