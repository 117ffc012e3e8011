"""The AWS side of ownership (plugins/module_utils/owners_aws.py): the CloudFormation stacks holding launch
configurations, found with the fewest calls, and Terraform state files read from disk or S3."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.hubfix.aws.plugins.module_utils import owners_aws
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import (
    LIVE_STACK_STATUSES,
    RegionOwners,
    cloudformation_launch_configuration_owners,
    read_state_files,
)

LC = "AWS::AutoScaling::LaunchConfiguration"


def lc_resource(name, logical_id, resource_type=LC):
    return {"LogicalResourceId": logical_id, "PhysicalResourceId": name, "ResourceType": resource_type, "ResourceStatus": "CREATE_COMPLETE"}


def not_found(name):
    return ClientError({"Error": {"Code": "ValidationError", "Message": "Stack for %s does not exist" % name}}, "DescribeStackResources")


class Pages:
    def __init__(self, result):
        self.result = result

    def build_full_result(self):
        return self.result


class Paginator:
    def __init__(self, cfn, operation):
        self.cfn, self.operation = cfn, operation

    def paginate(self, **params):
        self.cfn.calls.append((self.operation, params))
        if self.operation == "list_stack_resources":
            return Pages({"StackResourceSummaries": list(self.cfn.resources.get(params["StackName"], []))})
        if self.operation == "list_stacks":
            return Pages({"StackSummaries": [{"StackName": name, "StackStatus": "CREATE_COMPLETE"} for name in self.cfn.stacks]})
        raise AssertionError("no paginator for %s" % self.operation)


class FakeCfn:
    """A cloudformation client: ``resources`` {stack: [resource summaries]}, ``stacks`` ListStacks' names, ``physical``
    {name: DescribeStackResources answer or exception}; every call is recorded in ``calls``."""

    def __init__(self, resources=None, stacks=(), physical=None):
        self.resources = resources or {}
        self.stacks = list(stacks)
        self.physical = physical or {}
        self.calls = []

    def get_paginator(self, operation):
        return Paginator(self, operation)

    def describe_stack_resources(self, aws_retry=False, **params):
        assert aws_retry is True
        self.calls.append(("describe_stack_resources", params))
        answer = self.physical.get(params["PhysicalResourceId"], not_found(params["PhysicalResourceId"]))
        if isinstance(answer, Exception):
            raise answer
        return answer


def owner(stack, logical_id, stack_id=None):
    return {"type": "cloudformation", "name": stack, "id": stack_id, "logical_id": logical_id}


# -- cloudformation_launch_configuration_owners ------------------------------------------------------------------------


def test_no_names_no_call():
    cfn = FakeCfn()
    assert cloudformation_launch_configuration_owners(cfn, [], ["web"]) == {}
    assert cfn.calls == []


def test_known_stacks_are_listed_first_and_enough_when_they_hold_every_name():
    cfn = FakeCfn(
        resources={
            "api": [lc_resource("api-lc", "ApiLC")],
            "web": [lc_resource("web-lc", "WebLC"), lc_resource("web-lc", "WebLCCopy", "AWS::EC2::LaunchTemplate")],
        },
        stacks=["web", "api", "other"],
    )

    found = cloudformation_launch_configuration_owners(cfn, ["web-lc", "api-lc"], ["web", "api", "web"])

    assert found == {"web-lc": owner("web", "WebLC"), "api-lc": owner("api", "ApiLC")}
    assert cfn.calls == [("list_stack_resources", {"StackName": "api"}), ("list_stack_resources", {"StackName": "web"})]


def test_then_list_stacks_and_none_left_means_no_more_calls():
    cfn = FakeCfn(resources={"web": [lc_resource("web-lc", "WebLC")]}, stacks=["web"])

    found = cloudformation_launch_configuration_owners(cfn, ["web-lc", "plain-lc"], ["web"])

    assert found == {"web-lc": owner("web", "WebLC")}
    assert cfn.calls == [
        ("list_stack_resources", {"StackName": "web"}),
        ("list_stacks", {"StackStatusFilter": LIVE_STACK_STATUSES}),
    ]


def test_no_stack_at_all_one_list_stacks():
    cfn = FakeCfn(stacks=[])
    assert cloudformation_launch_configuration_owners(cfn, ["plain-lc"]) == {}
    assert cfn.calls == [("list_stacks", {"StackStatusFilter": LIVE_STACK_STATUSES})]


def test_list_stacks_filters_on_live_statuses_only():
    assert "DELETE_COMPLETE" not in LIVE_STACK_STATUSES
    assert {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"} <= set(LIVE_STACK_STATUSES)


def test_fewer_launch_configurations_than_stacks_one_describe_stack_resources_each():
    described = {
        "StackResources": [
            dict(lc_resource("db-lc", "DbLC"), StackName="db", StackId="arn:aws:cloudformation:us-east-1:123456789012:stack/db/1", Timestamp=0),
        ]
    }
    cfn = FakeCfn(stacks=["db", "s2", "s3"], physical={"db-lc": described})

    found = cloudformation_launch_configuration_owners(cfn, ["plain-lc", "db-lc"])

    assert found == {"db-lc": owner("db", "DbLC", "arn:aws:cloudformation:us-east-1:123456789012:stack/db/1")}
    assert cfn.calls == [
        ("list_stacks", {"StackStatusFilter": LIVE_STACK_STATUSES}),
        ("describe_stack_resources", {"PhysicalResourceId": "db-lc"}),
        ("describe_stack_resources", {"PhysicalResourceId": "plain-lc"}),
    ]


def test_as_many_launch_configurations_as_other_stacks_still_describes_by_name():
    cfn = FakeCfn(stacks=["web", "s1", "s2"])
    cloudformation_launch_configuration_owners(cfn, ["a-lc", "b-lc"], ["web"])
    assert [c[0] for c in cfn.calls] == ["list_stack_resources", "list_stacks", "describe_stack_resources", "describe_stack_resources"]


def test_describe_stack_resources_ignores_a_resource_of_another_type_or_name():
    described = {
        "StackResources": [
            dict(lc_resource("db-lc", "DbTemplate", "AWS::EC2::LaunchTemplate"), StackName="db", StackId="arn:db", Timestamp=0),
            dict(lc_resource("other-lc", "OtherLC"), StackName="db", StackId="arn:db", Timestamp=0),
        ]
    }
    cfn = FakeCfn(stacks=["db", "s2"], physical={"db-lc": described})
    assert cloudformation_launch_configuration_owners(cfn, ["db-lc"]) == {}


def test_more_launch_configurations_than_stacks_one_list_stack_resources_each():
    cfn = FakeCfn(
        resources={
            "web": [lc_resource("known-lc", "KnownLC")],
            "s1": [lc_resource("a-lc", "ALC"), lc_resource("b-lc", "NotALC", "AWS::EC2::LaunchTemplate"), lc_resource("zzz-lc", "Unasked")],
            "s2": [lc_resource("c-lc", "CLC"), lc_resource("known-lc", "SecondClaim")],
        },
        stacks=["web", "s2", "s1"],
    )

    found = cloudformation_launch_configuration_owners(cfn, ["known-lc", "a-lc", "b-lc", "c-lc"], ["web"])

    assert found == {"known-lc": owner("web", "KnownLC"), "a-lc": owner("s1", "ALC"), "c-lc": owner("s2", "CLC")}
    assert cfn.calls == [
        ("list_stack_resources", {"StackName": "web"}),
        ("list_stacks", {"StackStatusFilter": LIVE_STACK_STATUSES}),
        ("list_stack_resources", {"StackName": "s1"}),
        ("list_stack_resources", {"StackName": "s2"}),
    ]


def test_an_error_other_than_does_not_exist_propagates():
    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform cloudformation:DescribeStackResources"}}, "DescribeStackResources"
    )
    cfn = FakeCfn(stacks=["s1", "s2"], physical={"web-lc": denied})

    with pytest.raises(ClientError) as e:
        cloudformation_launch_configuration_owners(cfn, ["web-lc"])

    assert e.value is denied


# -- read_state_files ---------------------------------------------------------------------------------------------------------

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'


def state_text(lc_name, version=4):
    resource = {"mode": "managed", "type": "aws_launch_configuration", "name": "web", "provider": AWS, "instances": [{"attributes": {"name": lc_name}}]}
    return json.dumps({"version": version, "resources": [resource]})


def tf_owner(state_file, address="aws_launch_configuration.web"):
    return {"type": "terraform", "name": address, "state_file": state_file}


class FakeModule:
    def __init__(self, params=None):
        self.params = params or {}

    def fail_json(self, msg, **kwargs):
        raise RuntimeError(msg)


def test_no_state_files():
    index, errors = read_state_files(FakeModule(), [])
    assert errors == []
    assert index.owner("launch_configuration", "web-lc") is None


def test_local_files_a_missing_one_and_a_bad_version_each_named(tmp_path):
    good, old, missing = tmp_path / "prod.tfstate", tmp_path / "old.tfstate", tmp_path / "gone.tfstate"
    good.write_text(state_text("web-lc"))
    old.write_text(state_text("old-lc", version=3))

    index, errors = read_state_files(FakeModule(), [str(good), str(missing), str(old)])

    assert errors == [
        "cannot read Terraform state %s: No such file or directory" % missing,
        "%s: Terraform state format version 3 found; only format version 4 (Terraform >= 0.12) is read" % old,
    ]
    assert index.owner("launch_configuration", "web-lc") == tf_owner(str(good))
    assert index.owner("launch_configuration", "old-lc") is None


def test_a_malformed_s3_url_is_an_error(tmp_path):
    _index, errors = read_state_files(FakeModule(), ["s3://bucket-only"])
    assert errors == ["'s3://bucket-only' is not a state file in S3: expected s3://bucket/key"]


class FakeS3:
    def __init__(self, objects):
        self.objects = objects
        self.calls = []

    def get_object(self, aws_retry=False, **params):
        assert aws_retry is True
        self.calls.append(params)
        answer = self.objects[(params["Bucket"], params["Key"])]
        if isinstance(answer, Exception):
            raise answer
        return {"Body": io.BytesIO(answer)}


def test_s3_state_read_with_the_modules_credentials(monkeypatch, tmp_path):
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject")
    s3 = FakeS3({("tf-states", "prod/web/terraform.tfstate"): state_text("s3-lc").encode(), ("tf-states", "secret.tfstate"): denied})
    asked = []

    def fake_client(module, service, region=None):
        asked.append((module, service, region))
        return s3

    monkeypatch.setattr(owners_aws, "client", fake_client)
    module = FakeModule()

    index, errors = read_state_files(module, ["s3://tf-states/prod/web/terraform.tfstate", "s3://tf-states/secret.tfstate"])

    assert index.owner("launch_configuration", "s3-lc") == tf_owner("s3://tf-states/prod/web/terraform.tfstate")
    assert s3.calls == [{"Bucket": "tf-states", "Key": "prod/web/terraform.tfstate"}, {"Bucket": "tf-states", "Key": "secret.tfstate"}]
    assert asked == [(module, "s3", None), (module, "s3", None)]
    assert errors == ["cannot read Terraform state s3://tf-states/secret.tfstate: %s" % denied]
    assert "AccessDenied" in errors[0]


def test_region_owners_fails_the_module_naming_the_unreadable_state(tmp_path):
    missing = tmp_path / "gone.tfstate"
    with pytest.raises(RuntimeError) as e:
        RegionOwners(FakeModule({"terraform_state_files": [str(missing)], "owner_tags": {}}))
    assert str(e.value) == "terraform_state_files: cannot read Terraform state %s: No such file or directory" % missing


def test_region_owners_instance_owner_from_state_and_owner_tags(tmp_path):
    good = tmp_path / "prod.tfstate"
    resource = {"mode": "managed", "type": "aws_instance", "name": "db", "provider": AWS, "instances": [{"attributes": {"id": "i-0abc"}}]}
    good.write_text(json.dumps({"version": 4, "resources": [resource]}))
    owners = RegionOwners(FakeModule({"terraform_state_files": [str(good)], "owner_tags": {"ManagedBy": "pulumi"}}))

    assert owners.instance_owner("i-0abc", [{"Key": "ManagedBy", "Value": "x"}]) == tf_owner(str(good), "aws_instance.db")
    assert owners.instance_owner("i-0def", {"ManagedBy": "x"}) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
    assert owners.instance_owner("i-0def", {}) is None


def test_region_owners_for_region_looks_up_stacks_with_one_client_per_region(monkeypatch):
    cfn = FakeCfn(resources={"web": [lc_resource("web-lc", "WebLC")]}, stacks=["web"])
    asked = []

    def fake_client(module, service, region=None):
        asked.append((service, region))
        return cfn

    monkeypatch.setattr(owners_aws, "client", fake_client)
    owners = RegionOwners(FakeModule({"terraform_state_files": [], "owner_tags": {}}))
    groups = [{"AutoScalingGroupName": "web-asg", "LaunchConfigurationName": "web-lc", "Tags": [{"Key": "aws:cloudformation:stack-name", "Value": "web"}]}]
    scan = owners.for_region("eu-west-1")

    first = scan(groups, ["web-lc"])
    second = scan(groups, ["web-lc"])

    web_group = {"type": "cloudformation", "name": "web", "id": None, "logical_id": None}
    assert first == second == ({"web-asg": web_group}, {"web-lc": owner("web", "WebLC")})
    assert asked == [("cloudformation", "eu-west-1")]
    assert cfn.calls == [("list_stack_resources", {"StackName": "web"})] * 2
