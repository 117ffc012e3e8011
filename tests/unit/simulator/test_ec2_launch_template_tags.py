"""Simulator patch ``ec2_launch_template_tags``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html): DescribeLaunchTemplates shows a launch
template's current tags, as CreateTags and DeleteTags left them, and its tag filters match those tags. moto 5.2.5
renders the tags the template was created with (DescribeTags and the filters do see the changes).
"""

from __future__ import annotations

import boto3
import pytest

from tests.simulator import patches

PATCH = "ec2_launch_template_tags"
AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def create(client, name="hubfix-web", **tags):
    kwargs = {"TagSpecifications": [{"ResourceType": "launch-template", "Tags": tag_list(tags)}]} if tags else {}
    answer = client.create_launch_template(LaunchTemplateName=name, LaunchTemplateData={"ImageId": AMI}, **kwargs)
    return answer["LaunchTemplate"]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def as_dict(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def described_tags(client, template_id):
    (template,) = client.describe_launch_templates(LaunchTemplateIds=[template_id])["LaunchTemplates"]
    return as_dict(template.get("Tags"))


def tag_store(client, template_id):
    return as_dict(client.describe_tags(Filters=[{"Name": "resource-id", "Values": [template_id]}])["Tags"])


def found(client, name, *values):
    templates = client.describe_launch_templates(Filters=[{"Name": name, "Values": list(values)}])["LaunchTemplates"]
    return [t["LaunchTemplateId"] for t in templates]


def change_tags(client, template_id):
    """Tags A=1, B=2 at creation; then DeleteTags A, CreateTags C=3 and B=changed: B=changed, C=3 on AWS."""
    client.delete_tags(Resources=[template_id], Tags=[{"Key": "A"}])
    client.create_tags(Resources=[template_id], Tags=tag_list({"C": "3", "B": "changed"}))


def test_plain_moto_describe_launch_templates_shows_the_creation_tags(ec2):
    template_id = create(ec2, A="1", B="2")["LaunchTemplateId"]
    change_tags(ec2, template_id)
    assert tag_store(ec2, template_id) == {"B": "changed", "C": "3"}
    assert described_tags(ec2, template_id) == {"A": "1", "B": "2"}  # AWS: {"B": "changed", "C": "3"}
    # the filters already read the tag store: the template is found by a tag its Tags do not show, not by one they do
    assert found(ec2, "tag:C", "3") == [template_id]
    assert found(ec2, "tag:A", "1") == []
    assert ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="1")["LaunchTemplate"]["Tags"] == tag_list({"A": "1", "B": "2"})


def test_describe_launch_templates_shows_the_current_tags(ec2, patched):
    patched(PATCH)
    created = create(ec2, A="1", B="2")
    template_id = created["LaunchTemplateId"]
    assert as_dict(created["Tags"]) == {"A": "1", "B": "2"}
    assert described_tags(ec2, template_id) == {"A": "1", "B": "2"}
    change_tags(ec2, template_id)
    assert described_tags(ec2, template_id) == tag_store(ec2, template_id) == {"B": "changed", "C": "3"}
    modified = ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion="1")["LaunchTemplate"]
    assert as_dict(modified["Tags"]) == {"B": "changed", "C": "3"}


def test_tags_added_to_a_template_created_without_tags_are_shown(ec2, patched):
    patched(PATCH)
    template_id = create(ec2)["LaunchTemplateId"]
    assert described_tags(ec2, template_id) == {}
    ec2.create_tags(Resources=[template_id], Tags=tag_list({"Name": "web"}))
    assert described_tags(ec2, template_id) == {"Name": "web"}
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "Name"}])
    assert described_tags(ec2, template_id) == {}


def test_filters_and_tags_agree(ec2, patched):
    patched(PATCH)
    web = create(ec2, "hubfix-web", A="1", B="2")["LaunchTemplateId"]
    other = create(ec2, "hubfix-other", A="1")["LaunchTemplateId"]
    change_tags(ec2, web)
    assert found(ec2, "tag:A", "1") == [other]
    assert found(ec2, "tag:C", "3") == [web]
    assert found(ec2, "tag:B", "changed") == [web]
    assert found(ec2, "tag:B", "2") == []
    assert found(ec2, "tag-key", "C") == [web]
    assert found(ec2, "tag-key", "A") == [other]
    assert found(ec2, "tag-value", "changed") == [web]
    for template in ec2.describe_launch_templates(Filters=[{"Name": "tag-key", "Values": ["A", "C"]}])["LaunchTemplates"]:
        assert as_dict(template["Tags"]) == tag_store(ec2, template["LaunchTemplateId"])


def test_delete_tags_with_a_value_only_deletes_a_matching_tag(ec2, patched):
    patched(PATCH)
    template_id = create(ec2, A="1", B="2", E="")["LaunchTemplateId"]
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "A", "Value": "other"}, {"Key": "B", "Value": ""}])
    assert described_tags(ec2, template_id) == tag_store(ec2, template_id) == {"A": "1", "B": "2", "E": ""}
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "A", "Value": "1"}, {"Key": "E", "Value": ""}])
    assert described_tags(ec2, template_id) == tag_store(ec2, template_id) == {"B": "2"}
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "B"}, {"Key": "missing"}])
    assert described_tags(ec2, template_id) == tag_store(ec2, template_id) == {}


def test_plain_moto_delete_tags_with_a_value_only_deletes_a_matching_tag(ec2):
    template_id = create(ec2, A="1", B="2", E="")["LaunchTemplateId"]
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "A", "Value": "other"}, {"Key": "B", "Value": ""}])
    assert tag_store(ec2, template_id) == {"A": "1", "B": "2", "E": ""}
    ec2.delete_tags(Resources=[template_id], Tags=[{"Key": "A", "Value": "1"}, {"Key": "E", "Value": ""}])
    assert tag_store(ec2, template_id) == {"B": "2"}


def test_undo_restores_moto(ec2):
    undo = patches.apply(PATCH)
    created_patched = create(ec2, "hubfix-patched", A="1")["LaunchTemplateId"]
    undo()
    created_plain = create(ec2, "hubfix-plain", A="1")["LaunchTemplateId"]
    for template_id in (created_patched, created_plain):
        ec2.create_tags(Resources=[template_id], Tags=tag_list({"C": "3"}))
        assert described_tags(ec2, template_id) == {"A": "1"}  # moto's creation-time copy again
