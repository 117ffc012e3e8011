"""hubfix.aws.autoscaling_imdsv2_owner_changes: the change for each owner of blocked_owned launch configurations and owned
groups, written under <report_dir>/owners/ (and optionally proposed to CloudFormation or applied to Elastic Beanstalk)."""

from __future__ import annotations

import hashlib
import json

from ansible_collections.hubfix.aws.plugins.module_utils import cloudformation_patch as cfp
from ansible_collections.hubfix.aws.plugins.modules import autoscaling_imdsv2_owner_changes as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

REGION = r.REGION
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/web/11111111-2222-3333-4444-555555555555"
STACK = {"type": "cloudformation", "name": "web", "id": STACK_ID, "logical_id": "WebLC"}
STACK_GROUP = dict(STACK, logical_id="WebGroup")
EB = {"type": "elastic_beanstalk", "name": "shop-prod", "id": "e-shop1"}
TF = {"type": "terraform", "name": "module.web.aws_launch_configuration.this", "state_file": "s3://tf/prod.tfstate"}
PULUMI = {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
EB_OPTION = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1", "Value": "true"}
CHANGE_SET_ARN = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/hubfix-autoscaling-3/66666666-7777-8888-9999-000000000000"
TEMPLATE_ID = "lt-0123456789abcdef0"

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "WebLC": {"Type": "AWS::AutoScaling::LaunchConfiguration", "Properties": {"ImageId": "ami-0123456789abcdef0", "InstanceType": "t3.micro"}},
        "WebGroup": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"LaunchConfigurationName": {"Ref": "WebLC"}, "MinSize": "0", "MaxSize": "2"}},
    },
}
PATCHED = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "WebLCTemplate": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "ImageId": "ami-0123456789abcdef0",
                    "InstanceType": "t3.micro",
                    "Monitoring": {"Enabled": True},
                    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
                }
            },
        },
        "WebGroup": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "WebLCTemplate"}, "Version": {"Fn::GetAtt": ["WebLCTemplate", "LatestVersionNumber"]}},
                "MinSize": "0",
                "MaxSize": "2",
            },
        },
    },
}
PATCHED_TEXT = json.dumps(PATCHED, indent=2) + "\n"
CHANGE_SET_NAME = "hubfix-autoscaling-3-" + hashlib.sha256(PATCHED_TEXT.encode()).hexdigest()[:12]


def item(name, owner, owned=(), action="blocked_owned"):
    """A launch configuration record of autoscaling_imdsv2_plan_info; ``owned``: (group name, group owner) pairs."""
    return {
        "name": name,
        "region": REGION,
        "account_id": r.ACCOUNT,
        "action": action,
        "owner": owner,
        "owned_groups": [{"name": g, "region": REGION, "owner": o, "launch_configuration_name": name} for g, o in owned],
        "groups": [],
        "other_groups": [g for g, _o in owned],
        "image_id": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    }


WEB_ITEM = item("web-lc", STACK, [("web-asg", STACK_GROUP)])
EB_ITEM = item("awseb-lc", dict(EB, via_groups=["awseb-asg"]), [("awseb-asg", EB)])
TF_ITEM = item("tf-web-lc", TF, [("tf-web-asg", TF)])
TAG_ITEM = item("plain-lc", None, [("pulumi-asg", PULUMI)], action="convert")


def args(tmp_path, items, **extra):
    return dict({"items": items, "report_dir": str(tmp_path)}, **extra)


def expect_template(cfn):
    cfn.add("get_template", {"TemplateBody": json.dumps(TEMPLATE)}, {"StackName": "web", "TemplateStage": "Original"})


def cfn_record(tmp_path, **extra):
    out = {
        "type": "cloudformation",
        "name": "web",
        "region": REGION,
        "file": str(tmp_path / "owners" / "cloudformation-web.template.json"),
        "launch_configurations": ["web-lc"],
        "groups": ["web-asg"],
        "status": "written",
        "change_set_name": CHANGE_SET_NAME,
        "change_set_arn": None,
        "verified": None,
        "warnings": [],
        "error": None,
        "launch_templates": [{"from": "WebLC", "to": "WebLCTemplate"}],
    }
    out.update(extra)
    return out


# -- CloudFormation ----------------------------------------------------------------------------------------------------------


def test_cloudformation_owner_gets_the_patched_template(aws, run, tmp_path):
    expect_template(aws.stub("cloudformation"))

    result = run(module, args(tmp_path, [WEB_ITEM]))

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["owners_dir"] == str(tmp_path / "owners")
    assert result["owners"] == [cfn_record(tmp_path)]
    written = (tmp_path / "owners" / "cloudformation-web.template.json").read_text()
    assert written == PATCHED_TEXT
    assert cfp.change_set_name(written) == CHANGE_SET_NAME


def test_cloudformation_change_set_created_from_the_written_template(aws, run, tmp_path):
    cfn = aws.stub("cloudformation")
    expect_template(cfn)
    cfn.error(
        "describe_change_set", "ChangeSetNotFound", "ChangeSet [%s] does not exist" % CHANGE_SET_NAME, {"StackName": "web", "ChangeSetName": CHANGE_SET_NAME}
    )
    stack = {
        "StackName": "web",
        "StackId": STACK_ID,
        "CreationTime": r.CREATED,
        "StackStatus": "UPDATE_COMPLETE",
        "Parameters": [{"ParameterKey": "ImageId", "ParameterValue": "ami-0123456789abcdef0"}, {"ParameterKey": "Env", "ParameterValue": "prod"}],
    }
    cfn.add("describe_stacks", {"Stacks": [stack]}, {"StackName": "web"})
    cfn.add(
        "create_change_set",
        {"Id": CHANGE_SET_ARN, "StackId": STACK_ID},
        {
            "StackName": "web",
            "ChangeSetName": CHANGE_SET_NAME,
            "ChangeSetType": "UPDATE",
            "TemplateBody": PATCHED_TEXT,
            "Parameters": [{"ParameterKey": "ImageId", "UsePreviousValue": True}, {"ParameterKey": "Env", "UsePreviousValue": True}],
            "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            "Description": "hubfix.aws AutoScaling.3: launch configurations replaced by launch templates requiring IMDSv2 (review, then execute)",
        },
    )

    result = run(module, args(tmp_path, [WEB_ITEM], cloudformation_change_set=True))

    assert result["changed"] is True
    assert result["owners"] == [cfn_record(tmp_path, status="change_set_created", change_set_arn=CHANGE_SET_ARN)]
    assert cfp.change_set_name((tmp_path / "owners" / "cloudformation-web.template.json").read_text()) == CHANGE_SET_NAME


def test_cloudformation_rerun_finds_the_change_set(aws, run, tmp_path):
    cfn = aws.stub("cloudformation")
    expect_template(cfn)
    found = {"ChangeSetName": CHANGE_SET_NAME, "ChangeSetId": CHANGE_SET_ARN, "StackId": STACK_ID, "StackName": "web", "Status": "CREATE_COMPLETE"}
    cfn.add("describe_change_set", found, {"StackName": "web", "ChangeSetName": CHANGE_SET_NAME})

    result = run(module, args(tmp_path, [WEB_ITEM], cloudformation_change_set=True))

    assert result["changed"] is False
    assert result["owners"] == [cfn_record(tmp_path, status="change_set_exists", change_set_arn=CHANGE_SET_ARN)]


def test_cloudformation_check_mode_creates_no_change_set(aws, run, tmp_path):
    cfn = aws.stub("cloudformation")
    expect_template(cfn)
    cfn.error("describe_change_set", "ChangeSetNotFound", "ChangeSet does not exist", {"StackName": "web", "ChangeSetName": CHANGE_SET_NAME})

    result = run(module, args(tmp_path, [WEB_ITEM], cloudformation_change_set=True), check_mode=True)

    assert result["changed"] is True
    assert result["owners"] == [cfn_record(tmp_path, status="would_create_change_set")]
    assert (tmp_path / "owners" / "cloudformation-web.template.json").read_text() == PATCHED_TEXT, "a local artefact, written in check mode too"


# -- Elastic Beanstalk -----------------------------------------------------------------------------------------------------------


def environment(status):
    return {"Environments": [{"EnvironmentName": "shop-prod", "EnvironmentId": "e-shop1", "Status": status, "Health": "Green"}]}


def test_elastic_beanstalk_apply_updates_waits_and_verifies(aws, run, tmp_path):
    eb = aws.stub("elasticbeanstalk")
    described = {"EnvironmentNames": ["shop-prod"], "IncludeDeleted": False}
    eb.add("describe_environments", environment("Ready"), described)
    eb.add("update_environment", {"EnvironmentName": "shop-prod", "Status": "Updating"}, {"EnvironmentName": "shop-prod", "OptionSettings": [EB_OPTION]})
    eb.add("describe_environments", environment("Updating"), described)
    eb.add("describe_environments", environment("Ready"), described)
    eb.add(
        "describe_environment_resources",
        {"EnvironmentResources": {"EnvironmentName": "shop-prod", "AutoScalingGroups": [{"Name": "awseb-asg"}]}},
        {"EnvironmentName": "shop-prod"},
    )
    aws.stub("autoscaling").add(
        "describe_auto_scaling_groups", r.groups(r.group("awseb-asg", lc=None, template=(TEMPLATE_ID, "awseb-lt", 2))), {"AutoScalingGroupNames": ["awseb-asg"]}
    )
    version = {"LaunchTemplateId": TEMPLATE_ID, "VersionNumber": 2, "LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}}
    aws.stub("ec2").add("describe_launch_template_versions", {"LaunchTemplateVersions": [version]}, {"LaunchTemplateId": TEMPLATE_ID, "Versions": ["2"]})

    result = run(module, args(tmp_path, [EB_ITEM], elastic_beanstalk_apply=True))

    assert result["changed"] is True
    path = tmp_path / "owners" / "elastic-beanstalk-shop-prod.json"
    assert result["owners"] == [
        {
            "type": "elastic_beanstalk",
            "name": "shop-prod",
            "region": REGION,
            "file": str(path),
            "launch_configurations": ["awseb-lc"],
            "groups": ["awseb-asg"],
            "status": "applied",
            "change_set_name": None,
            "change_set_arn": None,
            "warnings": [],
            "error": None,
            "verified": True,
            "environment_groups": {"awseb-asg": True},
        }
    ]
    document = json.loads(path.read_text())
    assert document["option_settings"] == [EB_OPTION]
    assert document["command"] == (
        "aws elasticbeanstalk update-environment --region us-east-1 --environment-name shop-prod "
        "--option-settings Namespace=aws:autoscaling:launchconfiguration,OptionName=DisableIMDSv1,Value=true"
    )
    assert (document["launch_configurations"], document["groups"]) == (["awseb-lc"], ["awseb-asg"])
    assert aws.clock.slept == [10], "one poll interval while the environment was Updating"


def test_elastic_beanstalk_without_apply_only_writes_the_file(aws, run, tmp_path):
    result = run(module, args(tmp_path, [EB_ITEM]))

    assert result["changed"] is False
    (record,) = result["owners"]
    assert (record["status"], record["file"]) == ("written", str(tmp_path / "owners" / "elastic-beanstalk-shop-prod.json"))
    assert json.loads((tmp_path / "owners" / "elastic-beanstalk-shop-prod.json").read_text())["environment_name"] == "shop-prod"


# -- Terraform, tags, failures ---------------------------------------------------------------------------------------------------


def test_terraform_owner_gets_markdown_without_any_aws_call(aws, run, tmp_path):
    result = run(module, args(tmp_path, [TF_ITEM]))

    path = tmp_path / "owners" / "terraform-module.web.aws_launch_configuration.this.md"
    assert result["changed"] is False
    assert result["owners"] == [
        {
            "type": "terraform",
            "name": "module.web.aws_launch_configuration.this",
            "region": REGION,
            "file": str(path),
            "launch_configurations": ["tf-web-lc"],
            "groups": ["tf-web-asg"],
            "status": "written",
            "change_set_name": None,
            "change_set_arn": None,
            "verified": None,
            "warnings": [],
            "error": None,
        }
    ]
    lines = path.read_text().splitlines()
    assert 'resource "aws_launch_template" "tf-web-lc" {' in lines
    assert '    http_tokens                 = "required"' in lines
    assert aws.requested == []


def test_one_owner_failing_does_not_stop_the_others(aws, run, tmp_path):
    aws.stub("cloudformation").error(
        "get_template", "AccessDenied", "User is not authorized to perform cloudformation:GetTemplate", {"StackName": "web", "TemplateStage": "Original"}
    )

    result = run(module, args(tmp_path, [WEB_ITEM, TF_ITEM, TAG_ITEM]))

    assert result["changed"] is False
    web, tag, terraform = result["owners"]
    assert (web["type"], web["name"], web["status"], web["file"]) == ("cloudformation", "web", "failed", None)
    assert web["error"] == (
        "cloudformation web (us-east-1): An error occurred (AccessDenied) when calling the GetTemplate operation: "
        "User is not authorized to perform cloudformation:GetTemplate"
    )
    assert (tag["type"], tag["status"], tag["error"], tag["groups"], tag["launch_configurations"]) == ("tag", "written", None, ["pulumi-asg"], [])
    assert (terraform["type"], terraform["status"], terraform["error"]) == ("terraform", "written", None)
    assert sorted(p.name for p in (tmp_path / "owners").iterdir()) == ["tag-pulumi.md", "terraform-module.web.aws_launch_configuration.this.md"]
