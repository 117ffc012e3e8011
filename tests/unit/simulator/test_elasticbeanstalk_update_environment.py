"""UpdateEnvironment DisableIMDSv1=true moves a Beanstalk environment from its launch configuration to a launch template.

AWS: https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-autoscaling-launch-templates.html,
https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html#command-options-general-autoscalinglaunchconfiguration,
https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_UpdateEnvironment.html, API_DescribeConfigurationSettings.html.
"""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "elasticbeanstalk_update_environment"
WITH = (
    "autoscaling_launch_template_switch",
    "autoscaling_instance_metadata_options",
    "autoscaling_delete_launch_configuration",
    "autoscaling_launch_configuration_fields",
    "cloudformation_autoscaling_tags",
    "cloudformation_launch_configuration_properties",
    "cloudformation_stack_update",
    "elasticbeanstalk_environment_resources",
)
LC_NS = "aws:autoscaling:launchconfiguration"
DISABLE_IMDSV1 = [{"Namespace": LC_NS, "OptionName": "DisableIMDSv1", "Value": "true"}]


@pytest.fixture
def eb(moto_aws, patched):
    """A Ready environment "shop-prod" (t3.small, 1 instance) on its launch configuration."""
    for name in WITH + (PATCH,):
        patched(name)
    client = boto3.client("elasticbeanstalk")
    client.create_application(ApplicationName="shop")
    client.create_environment(
        ApplicationName="shop",
        EnvironmentName="shop-prod",
        SolutionStackName="64bit Amazon Linux 2023 v4.6.0 running Python 3.12",
        OptionSettings=[{"Namespace": LC_NS, "OptionName": "InstanceType", "Value": "t3.small"}],
    )
    wait_ready(client)
    return client


def wait_ready(eb, limit=5):
    seen = []
    for _unused in range(limit):
        (env,) = eb.describe_environments(EnvironmentNames=["shop-prod"])["Environments"]
        seen.append(env["Status"])
        if env["Status"] == "Ready":
            return seen
    raise AssertionError(f"not Ready after {limit} describes: {seen}")


def resources(eb):
    return eb.describe_environment_resources(EnvironmentName="shop-prod")["EnvironmentResources"]


def options(eb):
    (settings,) = eb.describe_configuration_settings(ApplicationName="shop", EnvironmentName="shop-prod")["ConfigurationSettings"]
    return {(o["Namespace"], o["OptionName"]): o for o in settings["OptionSettings"]}


def tokens(ids):
    ec2 = boto3.client("ec2")
    return sorted(i["MetadataOptions"]["HttpTokens"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"])


def test_disable_imdsv1_moves_the_group_to_a_launch_template(eb):
    before = resources(eb)
    (group_name,) = [g["Name"] for g in before["AutoScalingGroups"]]
    assert options(eb)[(LC_NS, "DisableIMDSv1")] == {
        "Namespace": LC_NS,
        "OptionName": "DisableIMDSv1",
        "Value": "false",
        "ResourceName": "AWSEBAutoScalingLaunchConfiguration",
    }

    assert eb.update_environment(EnvironmentName="shop-prod", OptionSettings=DISABLE_IMDSV1)["Status"] == "Updating"
    assert options(eb)[(LC_NS, "DisableIMDSv1")]["Value"] == "true"
    assert resources(eb) == before  # applied while the environment updates, not at the call
    assert wait_ready(eb) == ["Updating", "Ready"]

    after = resources(eb)
    assert [g["Name"] for g in after["AutoScalingGroups"]] == [group_name] and after["LaunchConfigurations"] == []
    (template_id,) = [t["Id"] for t in after["LaunchTemplates"]]
    asg, ec2 = boto3.client("autoscaling"), boto3.client("ec2")
    (group,) = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"]
    assert "LaunchConfigurationName" not in group and group["LaunchTemplate"]["LaunchTemplateId"] == template_id
    stack = group_name.split("-AWSEBAutoScalingGroup-")[0]
    assert re.fullmatch(stack + r"-AWSEBEC2LaunchTemplate-[A-Z0-9]{12}", group["LaunchTemplate"]["LaunchTemplateName"])
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateId=template_id)["LaunchTemplateVersions"]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required" and data["InstanceType"] == "t3.small" and data["ImageId"] == "ami-760aaa0f"
    assert asg.describe_launch_configurations()["LaunchConfigurations"] == []  # the old launch configuration is deleted
    asg.set_desired_capacity(AutoScalingGroupName=group_name, DesiredCapacity=2)
    new = {i["InstanceId"] for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group_name])["AutoScalingGroups"][0]["Instances"]}
    assert tokens(list(new - {i["Id"] for i in before["Instances"]})) == ["required"]


def test_environment_stays_on_the_launch_template(eb):
    eb.update_environment(EnvironmentName="shop-prod", OptionSettings=DISABLE_IMDSV1)
    wait_ready(eb)
    eb.update_environment(EnvironmentName="shop-prod", OptionSettings=[{"Namespace": LC_NS, "OptionName": "DisableIMDSv1", "Value": "false"}])
    wait_ready(eb)
    after = resources(eb)
    assert after["LaunchConfigurations"] == [] and len(after["LaunchTemplates"]) == 1
    group = boto3.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert group["LaunchTemplate"]["Version"] == "2"  # a new template version with HttpTokens optional
    versions = boto3.client("ec2").describe_launch_template_versions(LaunchTemplateId=after["LaunchTemplates"][0]["Id"], Versions=["2"])
    assert versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "optional"


def test_instance_type_update_replaces_the_launch_configuration(eb):
    old = resources(eb)["LaunchConfigurations"]
    eb.update_environment(EnvironmentName="shop-prod", OptionSettings=[{"Namespace": LC_NS, "OptionName": "InstanceType", "Value": "t3.medium"}])
    wait_ready(eb)
    new = resources(eb)["LaunchConfigurations"]
    assert new != old and len(new) == 1
    (config,) = boto3.client("autoscaling").describe_launch_configurations()["LaunchConfigurations"]
    assert config["LaunchConfigurationName"] == new[0]["Name"] and config["InstanceType"] == "t3.medium"


def code_and_message(err):
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def test_errors(eb):
    with pytest.raises(ClientError) as err:
        eb.update_environment(EnvironmentName="nope", OptionSettings=DISABLE_IMDSV1)
    assert code_and_message(err) == ("InvalidParameterValue", "No Environment found for EnvironmentName = 'nope'.")
    with pytest.raises(ClientError) as err:
        eb.update_environment(EnvironmentName="shop-prod", OptionSettings=[{"Namespace": LC_NS, "OptionName": "DisableIMDSv1", "Value": "yes"}])
    assert code_and_message(err)[0] == "InvalidParameterValue"
    eb.update_environment(EnvironmentName="shop-prod", OptionSettings=DISABLE_IMDSV1)
    with pytest.raises(ClientError) as err:
        eb.update_environment(EnvironmentName="shop-prod", OptionSettings=DISABLE_IMDSV1)
    assert code_and_message(err) == ("InvalidParameterValue", "Environment named shop-prod is in an invalid state for this operation. Must be Ready.")
    with pytest.raises(ClientError) as err:
        eb.describe_configuration_settings(ApplicationName="nope", EnvironmentName="shop-prod")
    assert code_and_message(err) == ("InvalidParameterValue", "No Application named 'nope' found.")


def test_plain_moto_cannot_update_an_environment(moto_aws):
    """The gap: moto 5.2.5 implements neither UpdateEnvironment nor DescribeConfigurationSettings."""
    eb = boto3.client("elasticbeanstalk")
    eb.create_application(ApplicationName="shop")
    eb.create_environment(ApplicationName="shop", EnvironmentName="shop-prod")
    with pytest.raises(NotImplementedError, match="update_environment"):
        eb.update_environment(EnvironmentName="shop-prod", OptionSettings=DISABLE_IMDSV1)
    with pytest.raises(NotImplementedError, match="describe_configuration_settings"):
        eb.describe_configuration_settings(ApplicationName="shop", EnvironmentName="shop-prod")
