"""Simulator patch ``ec2_placement_groups``.

AWS behaviour (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreatePlacementGroup.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribePlacementGroups.html,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Placement.html): placement groups are created, described
(names, ids, filters) and deleted (not while instances use them); RunInstances ``Placement.GroupName`` puts the instance in
the group, which DescribeInstances reports; an unknown group is ``InvalidPlacementGroup.Unknown``. moto 5.2.5 implements
no placement group call and ignores ``Placement.GroupName``.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PATCH = "ec2_placement_groups"
HVM_AMI = "ami-760aaa0f"


@pytest.fixture
def ec2(moto_aws):
    return boto3.client("ec2", region_name="us-east-1")


def launch(ec2, **kwargs) -> str:
    return ec2.run_instances(ImageId=HVM_AMI, MinCount=1, MaxCount=1, InstanceType="c5.large", **kwargs)["Instances"][0]["InstanceId"]


def placement(ec2, instance_id) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["Placement"]


def error_code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_plain_moto_has_no_placement_groups(ec2):
    with pytest.raises(NotImplementedError):  # in-process moto raises; the server answers HTTP 500
        ec2.create_placement_group(GroupName="pg", Strategy="cluster")
    with pytest.raises(NotImplementedError):
        ec2.describe_placement_groups()


def test_plain_moto_ignores_placement_group_on_launch(ec2):
    instance = launch(ec2, Placement={"GroupName": "no-such-group"})  # AWS: InvalidPlacementGroup.Unknown
    assert placement(ec2, instance)["GroupName"] == ""


def test_create_describe_delete(ec2, patched):
    patched(PATCH)
    created = ec2.create_placement_group(
        GroupName="db", Strategy="cluster", TagSpecifications=[{"ResourceType": "placement-group", "Tags": [{"Key": "team", "Value": "data"}]}]
    )["PlacementGroup"]
    assert created["GroupName"] == "db" and created["Strategy"] == "cluster" and created["State"] == "available"
    assert created["GroupId"].startswith("pg-") and created["GroupArn"].endswith(":placement-group/db")
    ec2.create_placement_group(GroupName="web", Strategy="spread")
    ec2.create_placement_group(GroupName="kafka", Strategy="partition", PartitionCount=3)
    by_name = {g["GroupName"]: g for g in ec2.describe_placement_groups()["PlacementGroups"]}
    assert set(by_name) == {"db", "web", "kafka"}
    assert by_name["web"]["SpreadLevel"] == "rack" and by_name["kafka"]["PartitionCount"] == 3
    assert [g["GroupName"] for g in ec2.describe_placement_groups(GroupNames=["web"])["PlacementGroups"]] == ["web"]
    assert [g["GroupName"] for g in ec2.describe_placement_groups(GroupIds=[created["GroupId"]])["PlacementGroups"]] == ["db"]
    # the filter amazon.aws.ec2_placement_group uses, and tags
    assert [g["GroupName"] for g in ec2.describe_placement_groups(Filters=[{"Name": "group-name", "Values": ["kafka"]}])["PlacementGroups"]] == ["kafka"]
    assert [g["GroupName"] for g in ec2.describe_placement_groups(Filters=[{"Name": "tag:team", "Values": ["data"]}])["PlacementGroups"]] == ["db"]
    assert ec2.describe_placement_groups(Filters=[{"Name": "group-name", "Values": ["nope"]}])["PlacementGroups"] == []
    ec2.delete_placement_group(GroupName="web")
    assert {g["GroupName"] for g in ec2.describe_placement_groups()["PlacementGroups"]} == {"db", "kafka"}


def test_errors(ec2, patched):
    patched(PATCH)
    ec2.create_placement_group(GroupName="db", Strategy="cluster")
    assert error_code(ec2.create_placement_group, GroupName="db", Strategy="spread") == "InvalidPlacementGroup.Duplicate"
    with pytest.raises(ClientError) as err:
        ec2.describe_placement_groups(GroupNames=["nope"])
    assert err.value.response["Error"] == {"Code": "InvalidPlacementGroup.Unknown", "Message": "The Placement Group 'nope' is unknown."}
    assert error_code(ec2.delete_placement_group, GroupName="nope") == "InvalidPlacementGroup.Unknown"
    assert error_code(ec2.create_placement_group, GroupName="x", Strategy="cluster", DryRun=True) == "DryRunOperation"


def test_run_instances_in_group(ec2, patched):
    patched(PATCH)
    group_id = ec2.create_placement_group(GroupName="db", Strategy="cluster")["PlacementGroup"]["GroupId"]
    instance = launch(ec2, Placement={"GroupName": "db", "AvailabilityZone": "us-east-1b"})
    assert placement(ec2, instance) == {"GroupName": "db", "GroupId": group_id, "Tenancy": "default", "AvailabilityZone": "us-east-1b"}
    assert placement(ec2, launch(ec2))["GroupName"] == ""
    found = ec2.describe_instances(Filters=[{"Name": "placement-group-name", "Values": ["db"]}])["Reservations"]
    assert [i["InstanceId"] for r in found for i in r["Instances"]] == [instance]
    # from a launch template too
    ec2.create_launch_template(LaunchTemplateName="lt", LaunchTemplateData={"ImageId": HVM_AMI, "Placement": {"GroupName": "db"}})
    templated = launch(ec2, LaunchTemplate={"LaunchTemplateName": "lt"})
    assert placement(ec2, templated)["GroupName"] == "db"


def test_unknown_group_is_refused(ec2, patched):
    patched(PATCH)
    with pytest.raises(ClientError) as err:
        launch(ec2, Placement={"GroupName": "nope"})
    assert err.value.response["Error"] == {"Code": "InvalidPlacementGroup.Unknown", "Message": "The Placement Group 'nope' is unknown."}
    assert ec2.describe_instances()["Reservations"] == []


def test_group_in_use_cannot_be_deleted_until_instances_terminate(ec2, patched):
    patched(PATCH)
    ec2.create_placement_group(GroupName="db", Strategy="cluster")
    instance = launch(ec2, Placement={"GroupName": "db"})
    assert error_code(ec2.delete_placement_group, GroupName="db") == "InvalidPlacementGroup.InUse"
    ec2.terminate_instances(InstanceIds=[instance])
    ec2.delete_placement_group(GroupName="db")
    assert ec2.describe_placement_groups()["PlacementGroups"] == []


def test_undo_restores_moto(ec2):
    from tests.simulator import patches

    patches.apply(PATCH)()
    with pytest.raises(NotImplementedError):
        ec2.describe_placement_groups()
