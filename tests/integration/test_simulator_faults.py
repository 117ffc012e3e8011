"""Fault injection answers in each service's real error format, which botocore recognises and retries."""

from __future__ import annotations

import botocore.exceptions
import pytest
from botocore.config import Config

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def test_targeted_fault_is_raised_with_its_code_and_counted(simulator):
    ec2 = simulator.client("ec2", config=NO_RETRY)
    simulator.inject_fault(service="ec2", operation="CreateKeyPair", error_code="UnauthorizedOperation", message="nope", status=403, times=1)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        ec2.create_key_pair(KeyName="k")
    assert err.value.response["Error"]["Code"] == "UnauthorizedOperation"
    ec2.create_key_pair(KeyName="k")  # times=1: the second call goes through
    assert [r["hits"] for r in simulator.faults()] == [1]
    assert [c.operation for c in simulator.calls()] == ["CreateKeyPair"]  # the faulted call never reached moto


def test_match_limits_the_fault_to_one_resource(simulator):
    ec2 = simulator.client("ec2", config=NO_RETRY)
    simulator.inject_fault(operation="CreateKeyPair", match={"KeyName": "bad"}, error_code="InternalError", status=500)
    ec2.create_key_pair(KeyName="good")
    with pytest.raises(botocore.exceptions.ClientError):
        ec2.create_key_pair(KeyName="bad")


@pytest.mark.parametrize(
    "service, call, code",
    [
        ("ec2", lambda c: c.describe_instances(), "RequestLimitExceeded"),
        ("autoscaling", lambda c: c.describe_auto_scaling_groups(), "Throttling"),
        ("securityhub", lambda c: c.get_findings(), "ThrottlingException"),
        ("cloudwatch", lambda c: c.list_metrics(), "ThrottlingException"),
        ("sts", lambda c: c.get_caller_identity(), "Throttling"),
    ],
)
def test_throttling_errors_are_the_services_own(simulator, service, call, code):
    client = simulator.client(service, config=NO_RETRY)
    if service == "securityhub":
        client.enable_security_hub()
    simulator.throttle(1.0, service=service, times=1)
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call(client)
    assert err.value.response["Error"]["Code"] == code
    call(client)  # rule used up


def test_botocore_retries_through_partial_throttling(simulator):
    ec2 = simulator.client("ec2")  # standard mode, 10 attempts
    simulator.throttle(0.3)
    # until the first throttle (a fixed count of calls sees none with probability 0.7**n); every call succeeds
    for _unused in range(200):
        ec2.describe_regions()
        if simulator.faults()[0]["hits"]:
            break
    assert simulator.faults()[0]["hits"] > 0


def test_refresh_outcome_rule_fails_the_next_refresh_without_an_error(simulator):
    """POST /hubfix-api/faults {"refresh_outcome": "Failed"}: StartInstanceRefresh succeeds, the refresh replaces one
    instance, fails, and AutoRollback puts the group and every instance back on the launch configuration."""
    asg, ec2 = simulator.client("autoscaling", config=NO_RETRY), simulator.client("ec2")
    asg.create_launch_configuration(LaunchConfigurationName="lc-v1", ImageId="ami-760aaa0f", InstanceType="t3.micro")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchConfigurationName="lc-v1", MinSize=0, MaxSize=2, DesiredCapacity=2, AvailabilityZones=["us-east-1a"]
    )
    template = ec2.create_launch_template(
        LaunchTemplateName="web-v2", LaunchTemplateData={"ImageId": "ami-760aaa0f", "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required"}}
    )["LaunchTemplate"]["LaunchTemplateId"]
    simulator.fail_next_refresh("web")
    asg.start_instance_refresh(
        AutoScalingGroupName="web",
        DesiredConfiguration={"LaunchTemplate": {"LaunchTemplateId": template, "Version": "1"}},
        Preferences={"AutoRollback": True},
    )
    statuses = []
    while not statuses or statuses[-1] not in ("Successful", "Failed", "RollbackSuccessful", "RollbackFailed"):
        assert len(statuses) < 10, statuses
        statuses.append(asg.describe_instance_refreshes(AutoScalingGroupName="web")["InstanceRefreshes"][0]["Status"])
    assert statuses == ["Pending", "InProgress", "RollbackInProgress", "RollbackSuccessful"]
    assert asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["LaunchConfigurationName"] == "lc-v1"
    assert {i.get("LaunchConfigurationName") for i in asg.describe_auto_scaling_instances()["AutoScalingInstances"]} == {"lc-v1"}
    assert [(r["refresh_outcome"], r["hits"], r["times"]) for r in simulator.faults()] == [("Failed", 1, 0)]
