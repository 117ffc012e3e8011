# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Auto Scaling reads hubfix.aws makes (amazon.aws has no helpers for them): paginated, every page retried."""

from __future__ import annotations

# DescribeLaunchConfigurations accepts at most 50 names a call.
NAMES_PER_CALL = 50
# MaxRecords of DescribeLaunchConfigurations / DescribeAutoScalingGroups: the API default is 50, its maximum 100.
AUTOSCALING_PAGE = 100


def paginate(client_, operation, **params):
    """``clients.paginate``, imported on first use: the filter plugins import this module (through ``autoscaling``), and
    Ansible imports every filter file of the collection in each task's worker process - boto3 must not come with it."""
    from ansible_collections.hubfix.aws.plugins.module_utils import clients

    return clients.paginate(client_, operation, **params)


def describe_launch_configurations(autoscaling, names=None):
    """All launch configurations of the region, or only ``names`` (50 a call; unknown names are simply absent)."""
    if not names:
        return paginate(autoscaling, "describe_launch_configurations", PaginationConfig={"PageSize": AUTOSCALING_PAGE}).get("LaunchConfigurations", [])
    found = []
    for i in range(0, len(names), NAMES_PER_CALL):
        batch = names[i : i + NAMES_PER_CALL]
        found += paginate(autoscaling, "describe_launch_configurations", LaunchConfigurationNames=batch).get("LaunchConfigurations", [])
    return found


def describe_launch_configuration(autoscaling, name):
    """One launch configuration, or None."""
    found = describe_launch_configurations(autoscaling, [name])
    return found[0] if found else None


def describe_groups(autoscaling, names=None):
    """All Auto Scaling groups of the region, or only ``names``."""
    params = {"AutoScalingGroupNames": list(names)} if names else {"PaginationConfig": {"PageSize": AUTOSCALING_PAGE}}
    return paginate(autoscaling, "describe_auto_scaling_groups", **params).get("AutoScalingGroups", [])


def describe_group(autoscaling, name):
    """One Auto Scaling group, or None."""
    found = describe_groups(autoscaling, [name])
    return found[0] if found else None


def describe_refreshes(autoscaling, group_name, refresh_id=None):
    """The group's instance refreshes, newest first (one page: AWS keeps the last ones only; no paginator exists)."""
    params = {"AutoScalingGroupName": group_name}
    if refresh_id:
        params["InstanceRefreshIds"] = [refresh_id]
    return autoscaling.describe_instance_refreshes(aws_retry=True, **params).get("InstanceRefreshes", [])
