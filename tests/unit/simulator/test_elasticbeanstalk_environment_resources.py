"""An Elastic Beanstalk environment gets its stack awseb-<id>-stack: a tagged Auto Scaling group on a launch configuration.

AWS: https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_CreateEnvironment.html, API_DescribeEnvironments.html,
API_DescribeEnvironmentResources.html; https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-autoscaling-launch-templates.html
"""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "elasticbeanstalk_environment_resources"
# what the server applies with it: the environment's stack and its group go through these
WITH = (
    "autoscaling_launch_template_switch",
    "autoscaling_instance_metadata_options",
    "autoscaling_delete_launch_configuration",
    "autoscaling_launch_configuration_fields",
    "cloudformation_autoscaling_tags",
    "cloudformation_launch_configuration_properties",
    "cloudformation_stack_update",
)
PLATFORM = "64bit Amazon Linux 2023 v4.6.0 running Python 3.12"


@pytest.fixture
def eb(moto_aws, patched):
    for name in WITH + (PATCH,):
        patched(name)
    client = boto3.client("elasticbeanstalk")
    client.create_application(ApplicationName="shop")
    return client


def create(eb, name="shop-prod", app="shop", **kwargs):
    return eb.create_environment(ApplicationName=app, EnvironmentName=name, SolutionStackName=PLATFORM, **kwargs)


def describe(eb, name="shop-prod"):
    (env,) = eb.describe_environments(EnvironmentNames=[name])["Environments"]
    return env


def test_environment_launches_and_becomes_ready_by_describe_calls(eb):
    created = create(eb)
    assert created["Status"] == "Launching" and re.fullmatch(r"e-[a-z0-9]{10}", created["EnvironmentId"])
    assert created["SolutionStackName"] == PLATFORM
    assert [describe(eb)["Status"] for _unused in range(3)] == ["Launching", "Ready", "Ready"]
    ready = describe(eb)
    assert ready["Health"] == "Green" and ready["EnvironmentId"] == created["EnvironmentId"]


def test_resources_of_the_environment(eb):
    env_id = create(eb, Tags=[{"Key": "team", "Value": "shop"}])["EnvironmentId"]
    stack = f"awseb-{env_id}-stack"
    resources = eb.describe_environment_resources(EnvironmentName="shop-prod")["EnvironmentResources"]
    assert eb.describe_environment_resources(EnvironmentId=env_id)["EnvironmentResources"] == resources
    (group_name,) = [g["Name"] for g in resources["AutoScalingGroups"]]
    (config_name,) = [c["Name"] for c in resources["LaunchConfigurations"]]
    assert re.fullmatch(stack + r"-AWSEBAutoScalingGroup-[A-Z0-9]{12}", group_name)
    assert re.fullmatch(stack + r"-AWSEBAutoScalingLaunchConfiguration-[A-Z0-9]{12}", config_name)
    assert resources["LaunchTemplates"] == [] and len(resources["Instances"]) == 1

    asg = boto3.client("autoscaling")
    (config,) = asg.describe_launch_configurations(LaunchConfigurationNames=[config_name])["LaunchConfigurations"]
    assert config["ImageId"] == "ami-760aaa0f" and config["InstanceType"] == "t3.micro" and "MetadataOptions" not in config
    assert config["InstanceMonitoring"] == {"Enabled": False}  # MonitoringInterval "5 minute": basic monitoring
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    assert group["LaunchConfigurationName"] == config_name and (group["MinSize"], group["MaxSize"]) == (1, 4)
    tags = {t["Key"]: t["Value"] for t in group["Tags"] if t["PropagateAtLaunch"]}
    assert tags["elasticbeanstalk:environment-name"] == "shop-prod" and tags["elasticbeanstalk:environment-id"] == env_id
    assert tags["aws:cloudformation:stack-name"] == stack and tags["aws:cloudformation:logical-id"] == "AWSEBAutoScalingGroup"
    assert tags["aws:cloudformation:stack-id"].split(":stack/")[1].startswith(stack + "/")
    assert tags["Name"] == "shop-prod" and tags["team"] == "shop"

    ec2 = boto3.client("ec2")
    (instance,) = [i for r in ec2.describe_instances(InstanceIds=[resources["Instances"][0]["Id"]])["Reservations"] for i in r["Instances"]]
    assert instance["MetadataOptions"]["HttpTokens"] == "optional"
    assert {t["Key"]: t["Value"] for t in instance["Tags"]}["elasticbeanstalk:environment-id"] == env_id
    # the stack is a real one: the owner of the group can be looked up as on AWS
    owned = boto3.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    assert {r["PhysicalResourceId"] for r in owned} == {group_name, config_name}


def test_option_settings_choose_instance_type_and_size(eb):
    create(
        eb,
        OptionSettings=[
            {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "InstanceType", "Value": "t3.small"},
            {"Namespace": "aws:elasticbeanstalk:environment", "OptionName": "EnvironmentType", "Value": "SingleInstance"},
        ],
    )
    resources = eb.describe_environment_resources(EnvironmentName="shop-prod")["EnvironmentResources"]
    asg = boto3.client("autoscaling")
    (config,) = asg.describe_launch_configurations(LaunchConfigurationNames=[resources["LaunchConfigurations"][0]["Name"]])["LaunchConfigurations"]
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[resources["AutoScalingGroups"][0]["Name"]])["AutoScalingGroups"]
    assert config["InstanceType"] == "t3.small" and (group["MinSize"], group["MaxSize"]) == (1, 1)


def test_describe_environments_filters(eb):
    eb.create_application(ApplicationName="blog")
    shop = create(eb)["EnvironmentId"]
    create(eb, name="blog-prod", app="blog")
    assert [e["EnvironmentName"] for e in eb.describe_environments(ApplicationName="blog")["Environments"]] == ["blog-prod"]
    assert [e["EnvironmentName"] for e in eb.describe_environments(EnvironmentIds=[shop])["Environments"]] == ["shop-prod"]
    assert eb.describe_environments(EnvironmentNames=["nope"])["Environments"] == []
    assert len(eb.describe_environments()["Environments"]) == 2


def test_unknown_environment(eb):
    for kwargs, message in (
        ({"EnvironmentName": "nope"}, "No Environment found for EnvironmentName = 'nope'."),
        ({"EnvironmentId": "e-0000000000"}, "No Environment found for EnvironmentId = 'e-0000000000'."),
    ):
        with pytest.raises(ClientError) as err:
            eb.describe_environment_resources(**kwargs)
        assert err.value.response["Error"]["Code"] == "InvalidParameterValue" and err.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError) as err:
        create(eb, app="no-such-app")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_plain_moto_environment_has_no_id_and_no_resources(moto_aws):
    """The gap: moto 5.2.5 gives no EnvironmentId and does not implement DescribeEnvironmentResources."""
    eb = boto3.client("elasticbeanstalk")
    eb.create_application(ApplicationName="shop")
    assert create(eb)["EnvironmentId"] == ""
    assert boto3.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []
    with pytest.raises(NotImplementedError, match="describe_environment_resources"):
        eb.describe_environment_resources(EnvironmentName="shop-prod")
