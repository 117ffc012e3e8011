"""Change sets: UPDATE by default, named within their stack, ChangeSetNotFound, executed once, Replacement reported.

AWS: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html ("By default,
CloudFormation specifies UPDATE"), API_DescribeChangeSet.html, API_ExecuteChangeSet.html ("deletes all other change
sets associated with the stack"), API_ListChangeSets.html, API_ResourceChange.html.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "cloudformation_change_sets"


def template(instance_type="t3.micro", with_group=True):
    resources = {"Config": {"Type": "AWS::AutoScaling::LaunchConfiguration", "Properties": {"ImageId": "ami-760aaa0f", "InstanceType": instance_type}}}
    if with_group:
        resources["Group"] = {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {"MinSize": "0", "MaxSize": "1", "AvailabilityZones": ["us-east-1a"], "LaunchConfigurationName": {"Ref": "Config"}},
        }
    return json.dumps({"Resources": resources})


@pytest.fixture
def cf(moto_aws):
    client = boto3.client("cloudformation")
    client.create_stack(StackName="a", TemplateBody=template())
    client.create_stack(StackName="b", TemplateBody=template())
    return client


def code(err):
    return err.value.response["Error"]["Code"]


def check_same_name_on_two_stacks(cf):
    """One change set name per stack, as a remediation proposing one change per owning stack would use."""
    cf.create_change_set(StackName="a", ChangeSetName="imdsv2", TemplateBody=template("t3.small"))
    cf.create_change_set(StackName="b", ChangeSetName="imdsv2", TemplateBody=template("t3.large"))
    assert [s["StackName"] for s in cf.list_change_sets(StackName="a")["Summaries"]] == ["a"]
    assert cf.describe_change_set(StackName="a", ChangeSetName="imdsv2")["StackName"] == "a"
    assert [s["StackName"] for s in cf.describe_stacks()["Stacks"]] == ["a", "b"]  # no second stack "a"


def test_change_sets_are_per_stack_and_update_by_default(cf, patched):
    patched(PATCH)
    check_same_name_on_two_stacks(cf)


def test_plain_moto_mixes_change_sets_of_different_stacks(cf):
    """The gap: without ChangeSetType moto makes a new stack "a"; change set names are global."""
    with pytest.raises(AssertionError):
        check_same_name_on_two_stacks(cf)


def test_changes_say_what_is_replaced(cf, patched):
    patched(PATCH)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cf.describe_stack_resources(StackName="a")["StackResources"]}
    cf.create_change_set(StackName="a", ChangeSetName="bigger", TemplateBody=template("t3.small"))
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in cf.describe_change_set(StackName="a", ChangeSetName="bigger")["Changes"]}
    assert changes["Config"]["Action"] == "Modify" and changes["Config"]["Replacement"] == "True"
    assert changes["Config"]["PhysicalResourceId"] == physical["Config"]
    # the group's template did not change, but its launch configuration reference does: modified in place
    assert changes["Group"]["Action"] == "Modify" and changes["Group"]["Replacement"] == "False"
    cf.create_change_set(StackName="b", ChangeSetName="no-group", TemplateBody=template(with_group=False))
    (removed,) = [c["ResourceChange"] for c in cf.describe_change_set(StackName="b", ChangeSetName="no-group")["Changes"]]
    assert removed["Action"] == "Remove" and removed["PhysicalResourceId"].startswith("b-Group-")


def test_unknown_change_set_and_second_execution(cf, patched):
    patched(PATCH)
    for call in (cf.describe_change_set, cf.execute_change_set, cf.delete_change_set):
        with pytest.raises(ClientError) as err:
            call(StackName="a", ChangeSetName="nope")
        assert code(err) == "ChangeSetNotFound" and err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    change_set_id = cf.create_change_set(StackName="a", ChangeSetName="one", TemplateBody=template("t3.small"))["Id"]
    cf.create_change_set(StackName="a", ChangeSetName="two", TemplateBody=template("t3.large"))
    cf.execute_change_set(ChangeSetName=change_set_id)  # by ARN, no StackName needed
    assert [s["ChangeSetName"] for s in cf.list_change_sets(StackName="a")["Summaries"]] == ["one"]  # the others are deleted
    assert cf.describe_change_set(ChangeSetName=change_set_id)["ExecutionStatus"] == "EXECUTE_COMPLETE"
    with pytest.raises(ClientError) as err:
        cf.execute_change_set(StackName="a", ChangeSetName="one")
    assert code(err) == "InvalidChangeSetStatus"
    with pytest.raises(ClientError) as err:
        cf.create_change_set(StackName="a", ChangeSetName="again", TemplateBody=template(), ChangeSetType="CREATE")
    assert code(err) == "ValidationError"


def test_plain_moto_execute_of_an_unknown_change_set_is_a_server_error(cf):
    with pytest.raises(Exception) as err:
        cf.execute_change_set(StackName="a", ChangeSetName="nope")
    assert not (isinstance(err.value, ClientError) and code(err) == "ChangeSetNotFound")


def test_create_change_set_for_a_new_stack_still_works(moto_aws, patched):
    """Checked: CREATE change sets (REVIEW_IN_PROGRESS, then CREATE_COMPLETE on execution) and ListChangeSets."""
    patched(PATCH)
    cf = boto3.client("cloudformation")
    cf.create_change_set(StackName="new", ChangeSetName="first", TemplateBody=template(), ChangeSetType="CREATE")
    assert cf.describe_stacks(StackName="new")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    (summary,) = cf.list_change_sets(StackName="new")["Summaries"]
    assert summary["Status"] == "CREATE_COMPLETE" and summary["ExecutionStatus"] == "AVAILABLE"
    cf.execute_change_set(StackName="new", ChangeSetName="first")
    assert cf.describe_stacks(StackName="new")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
