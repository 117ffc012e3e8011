"""Instance refresh lifecycle on the simulator: start, progress over DescribeInstanceRefreshes, cancel, rollback, failure.

AWS: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeInstanceRefreshes.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CancelInstanceRefresh.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RollbackInstanceRefresh.html,
https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html.
The simulator advances a refresh one step per DescribeInstanceRefreshes call (see the patch docstring).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "autoscaling_instance_refresh"
AMI = "ami-760aaa0f"
MISSING_AMI = "ami-00000000"
AZ = ["us-east-1a"]


@pytest.fixture
def aws(moto_aws, patched):
    """Every autoscaling patch (as on the server), a group "web" with 2 IMDSv1 instances from launch configuration lc-v1,
    and launch template "web-v2" (v1 IMDSv2, v2 IMDSv2 with a missing image)."""
    for name in ("autoscaling_instance_metadata_options", "autoscaling_launch_template_switch", PATCH):
        patched(name)
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId=AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName="web", LaunchConfigurationName="lc-v1", MinSize=0, MaxSize=4, DesiredCapacity=2, AvailabilityZones=AZ)
    lt = ec2.create_launch_template(
        LaunchTemplateName="web-v2", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required"}}
    )["LaunchTemplate"]
    ec2.create_launch_template_version(
        LaunchTemplateId=lt["LaunchTemplateId"],
        LaunchTemplateData={"ImageId": MISSING_AMI, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required"}},
    )
    return asg, ec2, lt["LaunchTemplateId"]


def desired(template_id, version="1"):
    return {"LaunchTemplate": {"LaunchTemplateId": template_id, "Version": version}}


def instance_ids(asg):
    return sorted(i["InstanceId"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"])


def tokens(ec2, ids):
    return sorted(i["MetadataOptions"]["HttpTokens"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"])


def states(ec2, ids):
    return {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]}


def poll(asg, refresh_id, until=("Successful", "Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"), limit=20):
    """Describe until a terminal status; returns every observed (Status, PercentageComplete)."""
    seen = []
    for _unused in range(limit):
        (refresh,) = asg.describe_instance_refreshes(AutoScalingGroupName="web", InstanceRefreshIds=[refresh_id])["InstanceRefreshes"]
        seen.append((refresh["Status"], refresh.get("PercentageComplete")))
        if refresh["Status"] in until:
            return seen, refresh
    raise AssertionError(f"no terminal status after {limit} describes: {seen}")


def group(asg):
    return asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]


def code(err):
    return err.value.response["Error"]["Code"]


def test_refresh_to_desired_launch_template(aws):
    asg, ec2, template = aws
    old = instance_ids(asg)
    refresh_id = asg.start_instance_refresh(
        AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"MinHealthyPercentage": 50, "InstanceWarmup": 60}
    )["InstanceRefreshId"]
    seen, refresh = poll(asg, refresh_id)
    assert seen == [("Pending", 0), ("InProgress", 0), ("InProgress", 50), ("Successful", 100)]
    assert refresh["Preferences"]["MinHealthyPercentage"] == 50 and refresh["Preferences"]["InstanceWarmup"] == 60
    assert refresh["DesiredConfiguration"]["LaunchTemplate"]["LaunchTemplateId"] == template
    new = instance_ids(asg)
    assert len(new) == 2 and not set(new) & set(old)
    assert tokens(ec2, new) == ["required", "required"]
    assert set(states(ec2, old).values()) <= {"shutting-down", "terminated"}
    g = group(asg)
    assert "LaunchConfigurationName" not in g and g["LaunchTemplate"]["LaunchTemplateId"] == template
    asg.delete_launch_configuration(LaunchConfigurationName="lc-v1")  # nothing uses it any more


def test_plain_moto_has_no_instance_refresh(moto_aws):
    """The gap: moto 5.2.5 does not implement StartInstanceRefresh (HTTP 500 on the server)."""
    asg = boto3.client("autoscaling")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId=AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName="web", LaunchConfigurationName="lc-v1", MinSize=0, MaxSize=1, AvailabilityZones=AZ)
    with pytest.raises(NotImplementedError, match="start_instance_refresh"):
        asg.start_instance_refresh(AutoScalingGroupName="web")


def test_only_one_active_refresh_and_errors_without_one(aws):
    asg, _unused, template = aws
    for call in (asg.cancel_instance_refresh, asg.rollback_instance_refresh):
        with pytest.raises(ClientError) as err:
            call(AutoScalingGroupName="web")
        assert code(err) == "ActiveInstanceRefreshNotFound"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template))["InstanceRefreshId"]
    with pytest.raises(ClientError) as err:
        asg.start_instance_refresh(AutoScalingGroupName="web")
    assert code(err) == "InstanceRefreshInProgress"
    with pytest.raises(ClientError) as err:
        asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateId": template, "Version": "1"})
    assert code(err) == "ValidationError"
    asg.update_auto_scaling_group(AutoScalingGroupName="web", MaxSize=5)  # other settings stay updatable
    poll(asg, refresh_id)
    asg.start_instance_refresh(AutoScalingGroupName="web")  # finished: a new one may start


def test_refresh_without_desired_configuration_uses_the_group_template(aws):
    asg, ec2, template = aws
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateId": template, "Version": "1"})
    old = instance_ids(asg)
    assert tokens(ec2, old) == ["optional", "optional"]  # still the launch configuration's instances
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", Preferences={"SkipMatching": False})["InstanceRefreshId"]
    seen, refresh = poll(asg, refresh_id)
    assert seen[0] == ("Pending", 0) and seen[-1] == ("Successful", 100) and "DesiredConfiguration" not in refresh
    assert tokens(ec2, instance_ids(asg)) == ["required", "required"] and not set(instance_ids(asg)) & set(old)


def test_skip_matching_keeps_instances_already_on_the_desired_version(aws):
    asg, ec2, template = aws
    asg.update_auto_scaling_group(AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateId": template, "Version": "1"})
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)  # 2 from lc-v1, 1 from web-v2 v1
    details = asg.describe_auto_scaling_instances()["AutoScalingInstances"]
    matching = [d["InstanceId"] for d in details if "LaunchTemplate" in d]
    assert len(matching) == 1
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"SkipMatching": True})[
        "InstanceRefreshId"
    ]
    (first,) = asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"]
    assert first["Status"] == "Pending" and first["InstancesToUpdate"] == 2 and first["Preferences"]["SkipMatching"] is True
    poll(asg, refresh_id)
    now = instance_ids(asg)
    assert matching[0] in now and len(now) == 3
    assert tokens(ec2, now) == ["required"] * 3


def test_missing_image_makes_the_refresh_fail(aws):
    asg, ec2, template = aws
    old = instance_ids(asg)
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template, "2"))["InstanceRefreshId"]
    seen, refresh = poll(asg, refresh_id)
    assert seen == [("Pending", 0), ("Failed", 0)]
    assert MISSING_AMI in refresh["StatusReason"] and "EndTime" in refresh
    assert instance_ids(asg) == old and tokens(ec2, old) == ["optional", "optional"]
    assert group(asg)["LaunchConfigurationName"] == "lc-v1"


def test_auto_rollback_after_failure(aws):
    asg, _unused, template = aws
    old = instance_ids(asg)
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template, "2"), Preferences={"AutoRollback": True})[
        "InstanceRefreshId"
    ]
    seen, refresh = poll(asg, refresh_id)
    assert seen == [("Pending", 0), ("RollbackInProgress", 0), ("RollbackSuccessful", 0)]
    assert MISSING_AMI in refresh["RollbackDetails"]["RollbackReason"]
    g = group(asg)
    assert g["LaunchConfigurationName"] == "lc-v1" and "LaunchTemplate" not in g and instance_ids(asg) == old


def test_auto_rollback_needs_a_desired_configuration(aws):
    asg, _unused, _unused = aws
    with pytest.raises(ClientError) as err:
        asg.start_instance_refresh(AutoScalingGroupName="web", Preferences={"AutoRollback": True})
    assert code(err) == "ValidationError"


def test_manual_rollback_replaces_what_the_refresh_launched(aws):
    asg, ec2, template = aws
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"MinHealthyPercentage": 50})[
        "InstanceRefreshId"
    ]
    seen, _unused = poll(asg, refresh_id, until=("InProgress",))
    assert seen == [("Pending", 0), ("InProgress", 0)]
    assert tokens(ec2, instance_ids(asg)) == ["optional", "required"]  # one batch replaced
    assert asg.rollback_instance_refresh(AutoScalingGroupName="web")["InstanceRefreshId"] == refresh_id
    seen, refresh = poll(asg, refresh_id)
    assert [s for s, _unused in seen] == ["RollbackInProgress", "RollbackSuccessful"]
    assert refresh["RollbackDetails"]["InstancesToUpdateOnRollback"] == 0
    assert tokens(ec2, instance_ids(asg)) == ["optional", "optional"]
    details = asg.describe_auto_scaling_instances()["AutoScalingInstances"]
    assert {d.get("LaunchConfigurationName") for d in details} == {"lc-v1"}
    assert group(asg)["LaunchConfigurationName"] == "lc-v1"


def test_rollback_of_a_refresh_without_desired_configuration_is_irreversible(aws):
    asg, _unused, _unused = aws
    asg.start_instance_refresh(AutoScalingGroupName="web")
    with pytest.raises(ClientError) as err:
        asg.rollback_instance_refresh(AutoScalingGroupName="web")
    assert code(err) == "IrreversibleInstanceRefresh"


def test_cancel(aws):
    asg, ec2, template = aws
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"MinHealthyPercentage": 50})[
        "InstanceRefreshId"
    ]
    poll(asg, refresh_id, until=("InProgress",))
    assert asg.cancel_instance_refresh(AutoScalingGroupName="web")["InstanceRefreshId"] == refresh_id
    seen, _unused = poll(asg, refresh_id)
    assert [s for s, _unused in seen] == ["Cancelling", "Cancelled"]
    assert tokens(ec2, instance_ids(asg)) == ["optional", "required"]  # what was replaced stays replaced
    assert group(asg)["LaunchConfigurationName"] == "lc-v1"  # the group did not take the desired configuration
    second = asg.start_instance_refresh(AutoScalingGroupName="web")["InstanceRefreshId"]
    listed = [r["InstanceRefreshId"] for r in asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"]]
    assert listed == [second, refresh_id]  # newest first


def test_deleting_the_group_forgets_its_refreshes(aws):
    asg, _unused, _unused = aws
    asg.start_instance_refresh(AutoScalingGroupName="web")
    asg.delete_auto_scaling_group(AutoScalingGroupName="web")
    assert asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"] == []


# on-demand failure: a refresh_outcome fault rule (tests/simulator/faults.py) ------------------------------------------------
@pytest.fixture
def fail_next(aws):
    """Add the rule in-process, as POST /hubfix-api/faults does on the server; cleared afterwards."""
    from tests.simulator import faults

    def add(group_name="web", **extra):
        return faults.OUTCOMES.add(
            dict(
                {"service": "autoscaling", "operation": "StartInstanceRefresh", "match": {"AutoScalingGroupName": group_name}, "refresh_outcome": "Failed"},
                **extra,
            )
        )

    yield add
    faults.OUTCOMES.clear()


def sources(asg):
    return sorted(
        str(d.get("LaunchConfigurationName") or d["LaunchTemplate"]["LaunchTemplateName"])
        for d in asg.describe_auto_scaling_instances()["AutoScalingInstances"]
    )


def test_injected_failure_with_auto_rollback_puts_group_and_instances_back(aws, fail_next):
    asg, ec2, template = aws
    rule = fail_next(times=1)
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"AutoRollback": True})[
        "InstanceRefreshId"
    ]  # the call itself succeeds
    seen, refresh = poll(asg, refresh_id, until=("RollbackInProgress",))
    assert seen == [("Pending", 0), ("InProgress", 0), ("RollbackInProgress", 50)]
    assert sources(asg) == ["lc-v1", "web-v2"] and tokens(ec2, instance_ids(asg)) == ["optional", "required"]  # ONE replaced
    assert refresh["RollbackDetails"]["InstancesToUpdateOnRollback"] == 1 and "healthy" in refresh["RollbackDetails"]["RollbackReason"]
    seen, refresh = poll(asg, refresh_id)
    assert seen == [("RollbackSuccessful", 50)]
    assert sources(asg) == ["lc-v1", "lc-v1"] and tokens(ec2, instance_ids(asg)) == ["optional", "optional"]  # replaced again
    g = group(asg)
    assert g["LaunchConfigurationName"] == "lc-v1" and "LaunchTemplate" not in g
    assert rule["hits"] == 1 and rule["times"] == 0
    second = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"AutoRollback": True})
    assert poll(asg, second["InstanceRefreshId"])[0][-1] == ("Successful", 100)  # times=1: only the next refresh failed


def test_injected_failure_without_rollback_keeps_the_replaced_instance(aws, fail_next):
    asg, ec2, template = aws
    fail_next(times=1)
    fail_next("other-group")  # matches another group only
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"MinHealthyPercentage": 0})[
        "InstanceRefreshId"
    ]
    seen, refresh = poll(asg, refresh_id)
    assert seen == [("Pending", 0), ("InProgress", 0), ("Failed", 50)]  # one instance at a time although the batch could be 2
    assert "EndTime" in refresh and "healthy" in refresh["StatusReason"]
    assert sources(asg) == ["lc-v1", "web-v2"] and tokens(ec2, instance_ids(asg)) == ["optional", "required"]
    assert group(asg)["LaunchConfigurationName"] == "lc-v1"  # the group takes the desired configuration only on success


def test_plain_refresh_patch_without_a_rule_is_not_affected(aws, fail_next):
    """The rule is what fails the refresh: without it the same refresh succeeds (and the plain-moto gap is above)."""
    asg, _unused, template = aws
    fail_next("other-group")
    refresh_id = asg.start_instance_refresh(AutoScalingGroupName="web", DesiredConfiguration=desired(template), Preferences={"AutoRollback": True})[
        "InstanceRefreshId"
    ]
    assert poll(asg, refresh_id)[0][-1] == ("Successful", 100)
