"""Simulator patch ``ec2_launch_template_request_tags``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html): the request's
TagSpecifications tag the launch template; the version's LaunchTemplateData.TagSpecifications holds only what was given
inside LaunchTemplateData. moto 5.2.5 copies the template's tags into the launch data.
"""

from __future__ import annotations

import boto3
import pytest

from tests.simulator import patches

PATCH = "ec2_launch_template_request_tags"
AMI = "ami-760aaa0f"
TEMPLATE_TAGS = [{"ResourceType": "launch-template", "Tags": [{"Key": "hubfix:claim", "Value": "run-1"}]}]
INSTANCE_TAGS = [{"ResourceType": "instance", "Tags": [{"Key": "App", "Value": "web"}]}]


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def create(client, data_tags=None):
    data = {"ImageId": AMI}
    if data_tags:
        data["TagSpecifications"] = data_tags
    client.create_launch_template(LaunchTemplateName="web", LaunchTemplateData=data, TagSpecifications=TEMPLATE_TAGS)
    (version,) = client.describe_launch_template_versions(LaunchTemplateName="web")["LaunchTemplateVersions"]
    (template,) = client.describe_launch_templates(LaunchTemplateNames=["web"])["LaunchTemplates"]
    return version["LaunchTemplateData"], template.get("Tags")


def test_plain_moto_puts_the_template_tags_into_the_launch_data(ec2):
    data, _tags = create(ec2)
    assert data["TagSpecifications"] == TEMPLATE_TAGS


def test_the_launch_data_keeps_only_its_own_tag_specifications(ec2, patched):
    patched(PATCH)
    data, tags = create(ec2)
    assert "TagSpecifications" not in data
    assert tags == TEMPLATE_TAGS[0]["Tags"], "the template itself is tagged"


def test_instance_tags_given_in_the_launch_data_stay(ec2, patched):
    patched(PATCH)
    data, tags = create(ec2, INSTANCE_TAGS)
    assert data["TagSpecifications"] == INSTANCE_TAGS
    assert tags == TEMPLATE_TAGS[0]["Tags"]


def test_launching_from_the_template_tags_the_instance_with_the_data_tags_only(ec2, patched):
    patched(PATCH)
    create(ec2, INSTANCE_TAGS)
    instance = ec2.run_instances(LaunchTemplate={"LaunchTemplateName": "web"}, MinCount=1, MaxCount=1)["Instances"][0]
    tags = {t["Key"]: t["Value"] for t in ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [instance["InstanceId"]]}])["Tags"]}
    assert tags.get("App") == "web" and "hubfix:claim" not in tags


def test_undo_restores_moto(ec2):
    undo = patches.apply(PATCH)
    undo()
    data, _tags = create(ec2)
    assert data["TagSpecifications"] == TEMPLATE_TAGS
