# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2 lookups of a paravirtual -> HVM migration (its replacement and snapshots, found by hubfix's tags) and the
shapes the ``ec2_migration_*`` modules return. General EC2 reads are in ``ec2_api``."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_volumes
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import (
    LIVE_STATES,
    addresses_of_instances,
    describe_instance,
    find_instances,
    own_snapshots,
    tags_of,
)
from ansible_collections.hubfix.aws.plugins.module_utils.migration_tags import TAG_MIGRATION_RUN_FILTER
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import (
    TAG_COPIED_FROM,
    TAG_REPLACES,
    TAG_SOURCE_DEVICE,
    TAG_SOURCE_INSTANCE,
    TAG_SOURCE_VOLUME,
    attached_devices,
    migration_from_tags,
    source_dest_check,
)


def find_replacements(ec2, source_instance_id, run_id=None, states=None):
    filters = [
        {"Name": "tag:" + TAG_REPLACES, "Values": [source_instance_id]},
        {"Name": "instance-state-name", "Values": states or LIVE_STATES},
    ]
    if run_id:
        filters.append({"Name": TAG_MIGRATION_RUN_FILTER, "Values": [run_id]})
    return find_instances(ec2, filters)


def migration_snapshots(ec2, source_instance_id=None, volume_id=None, run_id=None):
    filters = []
    if source_instance_id:
        filters.append({"Name": "tag:" + TAG_SOURCE_INSTANCE, "Values": [source_instance_id]})
    if volume_id:
        filters.append({"Name": "tag:" + TAG_SOURCE_VOLUME, "Values": [volume_id]})
    if run_id:
        filters.append({"Name": TAG_MIGRATION_RUN_FILTER, "Values": [run_id]})
    return own_snapshots(ec2, filters)


def completed_snapshots_of_volume(ec2, volume_id):
    return own_snapshots(ec2, [{"Name": "volume-id", "Values": [volume_id]}, {"Name": "status", "Values": ["completed"]}])


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
        "metadata_hop_limit": mo.get("HttpPutResponseHopLimit"),
        "placement_group": instance.get("Placement", {}).get("GroupName") or None,
        "source_dest_check": source_dest_check(instance),
        "ebs_volumes": attached_devices(instance),
        "tags": tags_of(instance),
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
    tags = tags_of(snapshot)
    return {
        "snapshot_id": snapshot["SnapshotId"],
        "volume_id": tags.get(TAG_SOURCE_VOLUME) or snapshot.get("VolumeId"),
        "device_name": tags.get(TAG_SOURCE_DEVICE),
        "state": snapshot.get("State"),
        "progress": snapshot.get("Progress"),
        "volume_size": snapshot.get("VolumeSize"),
        "start_time": str(snapshot.get("StartTime")) if snapshot.get("StartTime") else None,
        "tags": tags,
    }


def migration_view(ec2, instance):
    """What ``ec2_migration_state_info`` returns for a source instance: its recorded migration, live facts, its replacement
    (the recorded one, else the one live instance tagged ``hubfix:replaces``), their Elastic IPs and the migration's snapshots."""
    summary = instance_summary(instance)
    migration = migration_from_tags(summary["tags"])
    replacement = describe_instance(ec2, migration["replacement_id"]) if migration["replacement_id"] else None
    if replacement is None:
        live = find_replacements(ec2, instance["InstanceId"])
        replacement = live[0] if len(live) == 1 else None
    ids = [instance["InstanceId"]] + ([replacement["InstanceId"]] if replacement else [])
    snapshots = [snapshot_summary(s) for s in migration_snapshots(ec2, source_instance_id=instance["InstanceId"])]
    return {
        "migration": migration,
        "instance": summary,
        "replacement": instance_summary(replacement),
        "elastic_ips": [address_summary(a) for a in addresses_of_instances(ec2, ids)],
        "snapshots": sorted(snapshots, key=lambda s: (s["volume_id"] or "", s["start_time"] or "")),
    }


def live_state(ec2, instance):
    """What a rollback needs from the source before anything changes: running or not, EBS volumes, Elastic IPs."""
    addresses = addresses_of_instances(ec2, [instance["InstanceId"]])
    return {
        "was_running": instance.get("State", {}).get("Name") in ("pending", "running"),
        "devices": attached_devices(instance),
        "eips": [{"allocation_id": a["AllocationId"], "private_ip_address": a.get("PrivateIpAddress")} for a in addresses if a.get("AllocationId")],
    }


def volume_copies(ec2, source_instance_id, run_id=None, source_volume_id=None, snapshot_id=None):
    """The volumes hubfix made for the replacement of ``source_instance_id`` (strategy copy), narrowed as asked; never a
    source volume (those carry no ``hubfix:copied-from-snapshot`` tag)."""
    filters = [{"Name": "tag:" + TAG_SOURCE_INSTANCE, "Values": [source_instance_id]}, {"Name": "tag-key", "Values": [TAG_COPIED_FROM]}]
    if run_id:
        filters.append({"Name": TAG_MIGRATION_RUN_FILTER, "Values": [run_id]})
    if source_volume_id:
        filters.append({"Name": "tag:" + TAG_SOURCE_VOLUME, "Values": [source_volume_id]})
    if snapshot_id:
        filters.append({"Name": "tag:" + TAG_COPIED_FROM, "Values": [snapshot_id]})
    return [v for v in describe_volumes(ec2, Filters=filters) if v.get("State") not in ("deleting", "deleted", "error")]
