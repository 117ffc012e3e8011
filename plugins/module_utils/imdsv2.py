# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AutoScaling.3 / AutoScaling.9: launch configurations without IMDSv2, groups still on launch configurations.

AutoScaling.3 is backed by the AWS Config rule ``autoscaling-launchconfig-requires-imdsv2``: a launch
configuration is FAILED when its ``MetadataOptions`` are absent or ``HttpTokens`` is not ``required``.
Every launch configuration is judged, whether a group uses it or not. AutoScaling.9 fails every Auto
Scaling group that launches from a launch configuration (rather than a launch template).

Calls per region: one paginated DescribeLaunchConfigurations (or one per 50 names) and one paginated
DescribeAutoScalingGroups.
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from .clients import paginate

CONTROL_ID = "AutoScaling.3"
GROUP_CONTROL_ID = "AutoScaling.9"
CONFIG_RULE = "autoscaling-launchconfig-requires-imdsv2"

REASON_ABSENT = "metadata_options_absent"
REASON_TOKENS_OPTIONAL = "http_tokens_optional"
REASON_ENDPOINT_DISABLED = "http_endpoint_disabled_tokens_optional"
REASONS = (REASON_ABSENT, REASON_TOKENS_OPTIONAL, REASON_ENDPOINT_DISABLED)

REASON_MESSAGES = {
    REASON_ABSENT: "no MetadataOptions: instances allow IMDSv1 (HttpTokens defaults to optional)",
    REASON_TOKENS_OPTIONAL: "HttpTokens is optional: instances accept IMDSv1 requests",
    REASON_ENDPOINT_DISABLED: "HttpEndpoint is disabled but HttpTokens is optional: failed by the rule; enabling the endpoint later would allow IMDSv1",
}

# DescribeLaunchConfigurations accepts at most 50 names a call.
NAMES_PER_CALL = 50
# MaxRecords of DescribeLaunchConfigurations / DescribeAutoScalingGroups: the API default is 50, its maximum 100.
AUTOSCALING_PAGE = 100


def judge_metadata_options(metadata_options):
    """The Config rule's judgement of one launch configuration's ``MetadataOptions``: ``(compliant, reason)``.

    ``reason`` is None when compliant, else one of ``REASONS``. Absent options, or options without
    ``HttpTokens``, mean tokens optional (the AWS default).
    """
    if not metadata_options:
        return False, REASON_ABSENT
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
        "control_id": GROUP_CONTROL_ID,
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
        "reason_message": REASON_MESSAGES.get(reason),
        "metadata_options": camel_dict_to_snake_dict(lc["MetadataOptions"]) if lc.get("MetadataOptions") else None,
        "image_id": lc.get("ImageId"),
        "instance_type": lc.get("InstanceType"),
        "created_time": created.isoformat() if hasattr(created, "isoformat") else created,
        "autoscaling_groups": list(group_names or []),
        "control_id": CONTROL_ID,
    }


def describe_launch_configurations(autoscaling, names=None):
    """All launch configurations of the region, or only ``names`` (50 a call; unknown names are simply absent)."""
    if not names:
        return paginate(autoscaling, "describe_launch_configurations", PaginationConfig={"PageSize": AUTOSCALING_PAGE}).get("LaunchConfigurations", [])
    found = []
    for i in range(0, len(names), NAMES_PER_CALL):
        batch = names[i : i + NAMES_PER_CALL]
        found += paginate(autoscaling, "describe_launch_configurations", LaunchConfigurationNames=batch).get("LaunchConfigurations", [])
    return found


def describe_groups(autoscaling):
    return paginate(autoscaling, "describe_auto_scaling_groups", PaginationConfig={"PageSize": AUTOSCALING_PAGE}).get("AutoScalingGroups", [])


def scan_region(autoscaling, region, account_id, names=None):
    """``(launch configuration records (all, judged), AutoScaling.9 group records)`` for one region.

    With ``names``, only those launch configurations and the groups that use them.
    """
    lcs = describe_launch_configurations(autoscaling, names)
    groups = describe_groups(autoscaling)
    mapping = groups_by_launch_configuration(groups)
    records = [normalize_launch_configuration(lc, region, account_id, mapping.get(lc["LaunchConfigurationName"])) for lc in lcs]
    records.sort(key=lambda r: r["name"])
    wanted = set(names) if names else None
    on_lc = [normalize_group(g, region, account_id) for g in groups if g.get("LaunchConfigurationName")]
    if wanted is not None:
        on_lc = [g for g in on_lc if g["launch_configuration_name"] in wanted]
    on_lc.sort(key=lambda g: g["name"])
    return records, on_lc
