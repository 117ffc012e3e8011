# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AutoScaling.3 / AutoScaling.9 (see ``controls``): launch configurations without IMDSv2, groups still on launch
configurations, judged as the Config rules do.

Calls per region: one paginated DescribeLaunchConfigurations (or one per 50 names) and one paginated
DescribeAutoScalingGroups.
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_groups, describe_launch_configurations
from ansible_collections.hubfix.aws.plugins.module_utils.controls import (
    AUTOSCALING_3,
    AUTOSCALING_9,
    REASON_ENDPOINT_DISABLED,
    REASON_METADATA_ABSENT,
    REASON_TOKENS_OPTIONAL,
    reason_text,
)

# Launch configuration names: 1-255 characters (the API's limit).
NAME_MAX = 255


def validate_launch_configuration_names(names):
    """The names de-duplicated in order; ValueError naming any that cannot be a launch configuration name."""
    names = list(dict.fromkeys(names or []))
    bad = [n for n in names if not isinstance(n, str) or not n or len(n) > NAME_MAX]
    if bad:
        raise ValueError("names: invalid launch configuration name(s) %s (1 to %d characters)" % (", ".join(repr(n) for n in bad), NAME_MAX))
    return names


def judge_metadata_options(metadata_options):
    """The Config rule's judgement of one launch configuration's ``MetadataOptions``: ``(compliant, reason)``.

    ``reason`` is None when compliant, else one of ``controls.AUTOSCALING_3_REASONS``. Absent options, or options without
    ``HttpTokens``, mean tokens optional (the AWS default).
    """
    if not metadata_options:
        return False, REASON_METADATA_ABSENT
    tokens = str(metadata_options.get("HttpTokens") or "optional").lower()
    if tokens == "required":
        return True, None
    endpoint = str(metadata_options.get("HttpEndpoint") or "enabled").lower()
    if endpoint == "disabled":
        return False, REASON_ENDPOINT_DISABLED
    return False, REASON_TOKENS_OPTIONAL


def groups_by_launch_configuration(groups):
    """``{launch configuration name: [group names]}`` for the groups that launch from a launch configuration."""
    mapping = {}
    for g in groups:
        lc = g.get("LaunchConfigurationName")
        if lc:
            mapping.setdefault(lc, []).append(g["AutoScalingGroupName"])
    return {lc: sorted(names) for lc, names in mapping.items()}


def normalize_group(group, region, account_id=None):
    """The ``autoscaling_groups_on_launch_configurations[]`` record (AutoScaling.9) for one group."""
    return {
        "name": group["AutoScalingGroupName"],
        "arn": group.get("AutoScalingGroupARN"),
        "region": region,
        "account_id": account_id,
        "launch_configuration_name": group.get("LaunchConfigurationName"),
        "desired_capacity": group.get("DesiredCapacity"),
        "min_size": group.get("MinSize"),
        "max_size": group.get("MaxSize"),
        "instances": sorted(i["InstanceId"] for i in group.get("Instances") or []),
        "control_id": AUTOSCALING_9,
    }


def normalize_launch_configuration(lc, region, account_id, group_names=None):
    """The ``launch_configurations[]`` record for one DescribeLaunchConfigurations entry."""
    compliant, reason = judge_metadata_options(lc.get("MetadataOptions"))
    created = lc.get("CreatedTime")
    return {
        "name": lc["LaunchConfigurationName"],
        "arn": lc.get("LaunchConfigurationARN"),
        "region": region,
        "account_id": account_id,
        "compliant": compliant,
        "reason": reason,
        "reason_message": reason_text(reason) if reason else None,
        "metadata_options": camel_dict_to_snake_dict(lc["MetadataOptions"]) if lc.get("MetadataOptions") else None,
        "image_id": lc.get("ImageId"),
        "instance_type": lc.get("InstanceType"),
        "created_time": created.isoformat() if hasattr(created, "isoformat") else created,
        "autoscaling_groups": list(group_names or []),
        "control_id": AUTOSCALING_3,
    }


def scan_region(autoscaling, region, account_id, names=None, owners=None):
    """``(launch configuration records (all, judged), AutoScaling.9 group records)`` for one region.

    With ``names``, only those launch configurations and the groups that use them. ``owners(groups, failing launch
    configuration names) -> ({group: owner}, {launch configuration: owner})`` (owners.region_owners) adds ``owner`` to
    the failing launch configurations and the groups; without it ``owner`` is None.
    """
    lcs = describe_launch_configurations(autoscaling, names)
    groups = describe_groups(autoscaling)
    mapping = groups_by_launch_configuration(groups)
    records = [normalize_launch_configuration(lc, region, account_id, mapping.get(lc["LaunchConfigurationName"])) for lc in lcs]
    records.sort(key=lambda r: r["name"])
    group_owners, lc_owners = owners(groups, [r["name"] for r in records if not r["compliant"]]) if owners else ({}, {})
    for record in records:
        record["owner"] = lc_owners.get(record["name"])
    wanted = set(names) if names else None
    on_lc = [
        dict(normalize_group(g, region, account_id), owner=group_owners.get(g["AutoScalingGroupName"])) for g in groups if g.get("LaunchConfigurationName")
    ]
    if wanted is not None:
        on_lc = [g for g in on_lc if g["launch_configuration_name"] in wanted]
    on_lc.sort(key=lambda g: g["name"])
    return records, on_lc
