from __future__ import annotations

import json

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils.owners import (
    launch_configuration_owner,
    next_action,
    owner_file_name,
    owner_from_tags,
    region_owners,
    tag_owner,
    tags_dict,
)
from ansible_collections.hubfix.aws.plugins.module_utils.terraform_state import OwnerIndex, ownership_from_texts


def test_no_owner_tags():
    assert owner_from_tags({}) is None
    assert owner_from_tags(None) is None


def test_cloudformation_stack_and_logical_id():
    tags = {"aws:cloudformation:stack-name": "web", "aws:cloudformation:stack-id": "arn:stack/web/1", "aws:cloudformation:logical-id": "Group"}
    assert owner_from_tags(tags) == {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "Group"}


def test_elastic_beanstalk_wins_over_its_own_stack():
    tags = {
        "elasticbeanstalk:environment-name": "prod-env",
        "elasticbeanstalk:environment-id": "e-abc",
        "aws:cloudformation:stack-name": "awseb-e-abc-stack",
    }
    assert owner_from_tags(tags) == {"type": "elastic_beanstalk", "name": "prod-env", "id": "e-abc"}


# -- precedence: Elastic Beanstalk > CloudFormation tags > CloudFormation stack resource > Terraform > owner_tags --------

EB_TAGS = {"elasticbeanstalk:environment-name": "shop-prod", "elasticbeanstalk:environment-id": "e-shop1"}
CFN_TAGS = {"aws:cloudformation:stack-name": "web", "aws:cloudformation:stack-id": "arn:stack/web/1", "aws:cloudformation:logical-id": "WebGroup"}
STACK_RESOURCE = {"type": "cloudformation", "name": "lc-stack", "id": "arn:stack/lc-stack/2", "logical_id": "WebLC"}
TERRAFORM = {"type": "terraform", "name": "module.web.aws_autoscaling_group.this", "state_file": "prod.tfstate"}
PULUMI_TAGS = {"ManagedBy": "pulumi"}


def test_elastic_beanstalk_beats_everything():
    tags = dict(EB_TAGS, ManagedBy="x", **CFN_TAGS)
    assert owner_from_tags(tags, PULUMI_TAGS, terraform=TERRAFORM, cloudformation=STACK_RESOURCE) == {
        "type": "elastic_beanstalk",
        "name": "shop-prod",
        "id": "e-shop1",
    }


def test_cloudformation_tags_beat_the_stack_resource_terraform_and_owner_tags():
    tags = dict(CFN_TAGS, ManagedBy="x")
    assert owner_from_tags(tags, PULUMI_TAGS, terraform=TERRAFORM, cloudformation=STACK_RESOURCE) == {
        "type": "cloudformation",
        "name": "web",
        "id": "arn:stack/web/1",
        "logical_id": "WebGroup",
    }


def test_stack_resource_beats_terraform_and_owner_tags():
    owner = owner_from_tags({"ManagedBy": "x"}, PULUMI_TAGS, terraform=TERRAFORM, cloudformation=STACK_RESOURCE)
    assert owner == STACK_RESOURCE
    assert owner is not STACK_RESOURCE, "a copy: the caller's record is not shared"


def test_terraform_beats_owner_tags():
    owner = owner_from_tags({"ManagedBy": "x"}, PULUMI_TAGS, terraform=TERRAFORM)
    assert owner == TERRAFORM
    assert owner is not TERRAFORM


def test_owner_tags_last():
    assert owner_from_tags({"ManagedBy": "x", "Name": "web"}, PULUMI_TAGS) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}


def test_empty_elastic_beanstalk_and_stack_names_do_not_count():
    tags = {"elasticbeanstalk:environment-name": "", "aws:cloudformation:stack-name": "", "ManagedBy": "x"}
    assert owner_from_tags(tags, PULUMI_TAGS) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}


def test_unowned_with_owner_tags_whose_key_is_absent():
    assert owner_from_tags({"Name": "web", "managedby": "pulumi"}, PULUMI_TAGS) is None


# -- owner_tags -----------------------------------------------------------------------------------------------------------


def test_owner_tag_matches_on_key_presence_whatever_its_value():
    assert tag_owner({"ManagedBy": ""}, PULUMI_TAGS) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": ""}
    assert tag_owner({"ManagedBy": None}, PULUMI_TAGS) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": None}
    assert tag_owner({"ManagedBy": "terraform-cdk"}, PULUMI_TAGS)["tag_value"] == "terraform-cdk"


def test_owner_tag_first_key_in_dict_order_wins():
    tags = {"ManagedBy": "x", "Team": "y"}
    assert tag_owner(tags, {"Team": "team-tool", "ManagedBy": "pulumi"})["name"] == "team-tool"
    assert tag_owner(tags, {"ManagedBy": "pulumi", "Team": "team-tool"})["name"] == "pulumi"


def test_owner_tag_label_is_a_string():
    assert tag_owner({"Owner": "x"}, {"Owner": 42})["name"] == "42"


def test_no_owner_tags_no_tag_owner():
    assert tag_owner({"ManagedBy": "x"}, None) is None
    assert tag_owner({"ManagedBy": "x"}, {}) is None


def test_boto3_tag_list_form():
    listed = [
        {"Key": "elasticbeanstalk:environment-name", "Value": "shop-prod"},
        {"Key": "elasticbeanstalk:environment-id", "Value": "e-shop1"},
        {"Key": "aws:cloudformation:stack-name", "Value": "awseb-e-shop1-stack"},
    ]
    assert owner_from_tags(listed) == {"type": "elastic_beanstalk", "name": "shop-prod", "id": "e-shop1"}
    assert owner_from_tags([{"Key": "aws:cloudformation:stack-name", "Value": "web"}]) == {
        "type": "cloudformation",
        "name": "web",
        "id": None,
        "logical_id": None,
    }
    assert owner_from_tags([{"Key": "ManagedBy", "Value": "ops"}], PULUMI_TAGS) == {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "ops"}
    assert tags_dict([{"Key": "a", "Value": "1"}, {"Key": "b"}]) == {"a": "1", "b": None}
    assert owner_from_tags([]) is None


# -- launch_configuration_owner -------------------------------------------------------------------------------------------

EB = {"type": "elastic_beanstalk", "name": "shop-prod", "id": "e-shop1"}
TAG_PULUMI = {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
TF_LC = {"type": "terraform", "name": "aws_launch_configuration.web", "state_file": "prod.tfstate"}


def test_direct_owner_wins_over_its_groups_owners():
    assert launch_configuration_owner(STACK_RESOURCE, [("asg-a", TAG_PULUMI), ("asg-b", None)]) == STACK_RESOURCE


def test_every_group_owned_gives_the_first_groups_owner_by_name_with_via_groups():
    assert launch_configuration_owner(None, [("asg-b", TERRAFORM), ("asg-a", TAG_PULUMI)]) == dict(TAG_PULUMI, via_groups=["asg-a", "asg-b"])


def test_one_plain_group_means_no_owner():
    assert launch_configuration_owner(None, [("asg-a", TAG_PULUMI), ("asg-b", None)]) is None


def test_no_groups_no_owner():
    assert launch_configuration_owner(None, []) is None
    assert launch_configuration_owner(None, None) is None


def test_an_elastic_beanstalk_group_beats_the_awseb_stack_that_holds_the_launch_configuration():
    awseb = {"type": "cloudformation", "name": "awseb-e-shop1-stack", "id": "arn:stack/awseb/1", "logical_id": "AWSEBAutoScalingLaunchConfiguration"}
    assert launch_configuration_owner(awseb, [("awseb-asg", EB)]) == dict(EB, via_groups=["awseb-asg"])


def test_an_elastic_beanstalk_group_does_not_override_a_terraform_owner():
    assert launch_configuration_owner(TF_LC, [("awseb-asg", EB)]) == TF_LC


# -- region_owners ----------------------------------------------------------------------------------------------------------


def asg(name, lc=None, tags=None):
    out = {"AutoScalingGroupName": name, "Tags": [{"Key": k, "Value": v, "ResourceId": name} for k, v in (tags or {}).items()]}
    if lc:
        out["LaunchConfigurationName"] = lc
    return out


class Lookup:
    """A cloudformation lookup that records its calls."""

    def __init__(self, answer=None):
        self.answer = answer or {}
        self.calls = []

    def __call__(self, names, known_stacks):
        self.calls.append((list(names), list(known_stacks)))
        return dict(self.answer)


def test_known_stacks_are_the_stacks_of_the_groups_using_the_candidates():
    groups = [
        asg("asg-web", "lc-web", {"aws:cloudformation:stack-name": "web"}),
        asg("asg-web2", "lc-web", {"aws:cloudformation:stack-name": "web"}),
        asg("asg-api", "lc-api", {"aws:cloudformation:stack-name": "api"}),
        asg("asg-other", "lc-compliant", {"aws:cloudformation:stack-name": "unrelated"}),
        asg("asg-plain", "lc-plain"),
    ]
    lookup = Lookup({"lc-web": STACK_RESOURCE})

    group_owners, lc_owners = region_owners(groups, ["lc-web", "lc-api", "lc-plain"], lookup)

    assert lookup.calls == [(["lc-web", "lc-api", "lc-plain"], ["api", "web"])]
    assert group_owners["asg-plain"] is None
    assert group_owners["asg-api"] == {"type": "cloudformation", "name": "api", "id": None, "logical_id": None}
    assert lc_owners == {
        "lc-web": STACK_RESOURCE,
        "lc-api": {"type": "cloudformation", "name": "api", "id": None, "logical_id": None, "via_groups": ["asg-api"]},
        "lc-plain": None,
    }


def test_no_lookup_without_candidates():
    lookup = Lookup()
    group_owners, lc_owners = region_owners([asg("asg-web", "lc-web", {"aws:cloudformation:stack-name": "web"})], [], lookup)
    assert lookup.calls == []
    assert lc_owners == {}
    assert group_owners == {"asg-web": {"type": "cloudformation", "name": "web", "id": None, "logical_id": None}}


def tf_index():
    aws = 'provider["registry.terraform.io/hashicorp/aws"]'
    state = {
        "version": 4,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_launch_configuration",
                "name": "lc",
                "provider": aws,
                "instances": [{"attributes": {"name": "tf-lc", "id": "tf-lc"}}],
            },
            {
                "mode": "managed",
                "type": "aws_autoscaling_group",
                "name": "asg",
                "module": "module.web",
                "provider": aws,
                "instances": [{"attributes": {"name": "tf-asg", "id": "tf-asg"}}],
            },
        ],
    }
    index, errors = ownership_from_texts([("prod.tfstate", json.dumps(state))])
    assert errors == []
    assert isinstance(index, OwnerIndex)
    return index


def test_terraform_index_owns_groups_and_launch_configurations():
    groups = [asg("tf-asg", "shared-lc"), asg("asg-on-tf-lc", "tf-lc"), asg("pulumi-asg", "pulumi-lc", {"ManagedBy": "p"})]
    lookup = Lookup()

    group_owners, lc_owners = region_owners(groups, ["shared-lc", "tf-lc", "pulumi-lc"], lookup, tf_index(), PULUMI_TAGS)

    tf_asg = {"type": "terraform", "name": "module.web.aws_autoscaling_group.asg", "state_file": "prod.tfstate"}
    tf_lc = {"type": "terraform", "name": "aws_launch_configuration.lc", "state_file": "prod.tfstate"}
    assert group_owners == {"tf-asg": tf_asg, "asg-on-tf-lc": None, "pulumi-asg": {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "p"}}
    assert lc_owners == {
        "shared-lc": dict(tf_asg, via_groups=["tf-asg"]),
        "tf-lc": tf_lc,
        "pulumi-lc": {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "p", "via_groups": ["pulumi-asg"]},
    }
    assert lookup.calls == [(["shared-lc", "tf-lc", "pulumi-lc"], [])]


def test_a_stack_resource_beats_the_terraform_state_for_a_launch_configuration():
    _groups, lc_owners = region_owners([], ["tf-lc"], Lookup({"tf-lc": STACK_RESOURCE}), tf_index())
    assert lc_owners == {"tf-lc": STACK_RESOURCE}


# -- files and next actions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "owner, yaml_template, name",
    [
        ({"type": "cloudformation", "name": "web-stack"}, False, "cloudformation-web-stack.template.json"),
        ({"type": "cloudformation", "name": "web-stack"}, True, "cloudformation-web-stack.template.yaml"),
        ({"type": "elastic_beanstalk", "name": "shop-prod"}, False, "elastic-beanstalk-shop-prod.json"),
        ({"type": "elastic_beanstalk", "name": "shop-prod"}, True, "elastic-beanstalk-shop-prod.json"),
        (
            {"type": "terraform", "name": 'module.web.aws_launch_configuration.this["blue"]'},
            False,
            "terraform-module.web.aws_launch_configuration.this-blue.md",
        ),
        ({"type": "tag", "name": "my tool/v2"}, False, "tag-my-tool-v2.md"),
        ({"type": "tag", "name": "../.."}, False, "tag-unnamed.md"),
        ({"type": "cloudformation", "name": "../../etc/passwd"}, False, "cloudformation-etc-passwd.template.json"),
    ],
)
def test_owner_file_name(owner, yaml_template, name):
    assert owner_file_name(owner, yaml_template) == name


def test_next_action_names_the_file_written():
    cfn = {"type": "cloudformation", "name": "web", "logical_id": "WebLC"}
    assert next_action(cfn, "/r/owners/cloudformation-web.template.yaml") == (
        "managed by CloudFormation stack web (logical id WebLC): update the stack with the patched template "
        "/r/owners/cloudformation-web.template.yaml (launch template requiring IMDSv2); hubfix leaves the stack's resources alone"
    )
    assert next_action(EB, "/r/owners/elastic-beanstalk-shop-prod.json") == (
        "managed by Elastic Beanstalk environment shop-prod (e-shop1): set aws:autoscaling:launchconfiguration DisableIMDSv1=true on the "
        "environment (/r/owners/elastic-beanstalk-shop-prod.json), or rerun with autoscaling_imdsv2_elastic_beanstalk_apply: true"
    )
    assert next_action(TF_LC, "/r/owners/terraform-aws_launch_configuration.web.md") == (
        "managed by Terraform resource aws_launch_configuration.web (state prod.tfstate): replace the launch configuration with an "
        "aws_launch_template requiring IMDSv2 as /r/owners/terraform-aws_launch_configuration.web.md shows, then terraform apply"
    )
    assert (
        next_action(TAG_PULUMI, "/r/owners/tag-pulumi.md")
        == "managed by pulumi (tag ManagedBy): make the change /r/owners/tag-pulumi.md describes through that tool"
    )


def test_next_action_without_a_path_names_the_file_in_the_report_dir():
    assert next_action({"type": "cloudformation", "name": "web"}) == (
        "managed by CloudFormation stack web: update the stack with the patched template <report dir>/owners/cloudformation-web.template.json "
        "(launch template requiring IMDSv2); hubfix leaves the stack's resources alone"
    )
    assert next_action({"type": "tag", "name": "pulumi"}) == (
        "managed by pulumi (tag ?): make the change <report dir>/owners/tag-pulumi.md describes through that tool"
    )
    assert next_action({"type": "terraform", "name": "aws_launch_configuration.web"}).startswith(
        "managed by Terraform resource aws_launch_configuration.web (state ?): replace the launch configuration with an aws_launch_template "
        "requiring IMDSv2 as <report dir>/owners/terraform-aws_launch_configuration.web.md shows"
    )
