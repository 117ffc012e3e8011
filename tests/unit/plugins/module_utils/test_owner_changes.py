"""The change an owner makes instead of hubfix (plugins/module_utils/owner_changes.py): owners of the plan, the Elastic
Beanstalk document, the Markdown for Terraform and tagged tools."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import owner_changes as oc

US, EU = "us-east-1", "eu-west-1"
WEB_STACK = {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "WebLC"}
PULUMI = {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
EB = {"type": "elastic_beanstalk", "name": "shop-prod", "id": "e-shop1"}
TF = {"type": "terraform", "name": "module.web.aws_launch_configuration.this", "state_file": "prod.tfstate"}


def item(name, owner=None, owned=(), region=US, action="blocked_owned", **extra):
    """A launch configuration record of autoscaling_imdsv2_plan_info; ``owned``: (group name, group owner) pairs."""
    out = {
        "name": name,
        "region": region,
        "action": action,
        "owner": owner,
        "owned_groups": [{"name": g, "region": region, "owner": o, "launch_configuration_name": name} for g, o in owned],
        "image_id": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": 2},
    }
    out.update(extra)
    return out


def lc_entry(name, logical_id=None, groups=(), hop=2):
    return {
        "name": name,
        "logical_id": logical_id,
        "groups": list(groups),
        "image_id": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled", "http_put_response_hop_limit": hop},
    }


# -- owners_of_plan -------------------------------------------------------------------------------------------------------


def test_items_grouped_by_region_and_owner_with_logical_ids():
    web_group = dict(WEB_STACK, logical_id="WebGroup")
    items = [
        item("web-lc", dict(WEB_STACK, via_groups=["web-asg"]), [("web-asg", web_group)]),
        item("web-lc2", dict(WEB_STACK, logical_id="WebLC2")),
        item("web-lc", WEB_STACK, [("web-asg", web_group)], region=EU),
    ]

    entries = oc.owners_of_plan(items)

    assert entries == [
        {
            "region": EU,
            "owner": WEB_STACK,
            "launch_configurations": [lc_entry("web-lc", "WebLC", ["web-asg"])],
            "groups": [{"name": "web-asg", "launch_configuration_name": "web-lc", "logical_id": "WebGroup"}],
        },
        {
            "region": US,
            "owner": WEB_STACK,  # without via_groups; the first item's owner names the entry
            "launch_configurations": [lc_entry("web-lc", "WebLC", ["web-asg"]), lc_entry("web-lc2", "WebLC2")],
            "groups": [{"name": "web-asg", "launch_configuration_name": "web-lc", "logical_id": "WebGroup"}],
        },
    ]


def test_logical_id_only_for_a_cloudformation_owner():
    (entry,) = oc.owners_of_plan([item("awseb-lc", dict(EB, logical_id="AWSEBAutoScalingLaunchConfiguration"), [("awseb-asg", EB)])])
    assert entry["launch_configurations"][0]["logical_id"] is None
    assert entry["groups"] == [{"name": "awseb-asg", "launch_configuration_name": "awseb-lc", "logical_id": None}]


def test_owned_groups_of_a_plain_launch_configuration_go_to_their_own_owner():
    items = [item("plain-lc", None, [("pulumi-asg", PULUMI), ("eb-asg", EB)], action="convert")]

    entries = oc.owners_of_plan(items)

    assert entries == [
        {"region": US, "owner": EB, "launch_configurations": [], "groups": [{"name": "eb-asg", "launch_configuration_name": "plain-lc", "logical_id": None}]},
        {
            "region": US,
            "owner": PULUMI,
            "launch_configurations": [],
            "groups": [{"name": "pulumi-asg", "launch_configuration_name": "plain-lc", "logical_id": None}],
        },
    ]


def test_an_unowned_group_of_an_owned_launch_configuration_goes_to_the_launch_configurations_owner():
    (entry,) = oc.owners_of_plan([item("web-lc", WEB_STACK, [("plain-asg", None)])])
    assert entry["groups"] == [{"name": "plain-asg", "launch_configuration_name": "web-lc", "logical_id": "WebLC"}]


def test_duplicate_groups_not_repeated():
    (entry,) = oc.owners_of_plan([item("plain-lc", None, [("pulumi-asg", PULUMI), ("pulumi-asg", PULUMI)], action="convert")])
    assert entry["groups"] == [{"name": "pulumi-asg", "launch_configuration_name": "plain-lc", "logical_id": None}]


def test_nothing_owned_nothing_listed():
    assert oc.owners_of_plan([item("plain-lc", None, (), action="convert")]) == []
    assert oc.owners_of_plan(None) == []


# -- Elastic Beanstalk ----------------------------------------------------------------------------------------------------


def test_elastic_beanstalk_document():
    entry = {
        "region": EU,
        "owner": EB,
        "launch_configurations": [lc_entry("awseb-lc", None, ["awseb-asg-b", "awseb-asg-a"])],
        "groups": [{"name": "awseb-asg-b"}, {"name": "awseb-asg-a"}],
    }

    assert oc.elastic_beanstalk_change(entry) == {
        "environment_name": "shop-prod",
        "environment_id": "e-shop1",
        "region": "eu-west-1",
        "why": "AutoScaling.3: the environment's Auto Scaling group launches from a launch configuration that does not require IMDSv2. "
        "Elastic Beanstalk moves the environment to a launch template requiring IMDSv2 when DisableIMDSv1 is true "
        "(changing the group directly would be undone by the environment's next update).",
        "option_settings": [{"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1", "Value": "true"}],
        "command": "aws elasticbeanstalk update-environment --region eu-west-1 --environment-name shop-prod "
        "--option-settings Namespace=aws:autoscaling:launchconfiguration,OptionName=DisableIMDSv1,Value=true",
        "launch_configurations": ["awseb-lc"],
        "groups": ["awseb-asg-a", "awseb-asg-b"],
    }


def test_elastic_beanstalk_command_quotes_the_environment_name():
    entry = {"region": US, "owner": {"type": "elastic_beanstalk", "name": "shop prod;rm"}, "launch_configurations": [], "groups": []}
    change = oc.elastic_beanstalk_change(entry)
    assert change["command"] == (
        "aws elasticbeanstalk update-environment --region us-east-1 --environment-name 'shop prod;rm' "
        "--option-settings Namespace=aws:autoscaling:launchconfiguration,OptionName=DisableIMDSv1,Value=true"
    )
    assert change["environment_id"] is None


def test_option_setting_is_not_shared():
    entry = {"region": US, "owner": EB, "launch_configurations": [], "groups": []}
    oc.elastic_beanstalk_change(entry)["option_settings"][0]["Value"] = "false"
    assert oc.EB_OPTION["Value"] == "true"


# -- Markdown ----------------------------------------------------------------------------------------------------------------


def test_terraform_markdown_names_the_resources_and_the_launch_template():
    entry = {
        "region": US,
        "owner": TF,
        "launch_configurations": [lc_entry("tf-web-lc", None, ["tf-web-asg"])],
        "groups": [{"name": "tf-web-asg", "launch_configuration_name": "tf-web-lc", "logical_id": None}],
    }

    text = oc.markdown_change(entry)
    lines = text.splitlines()

    assert lines[0] == "# AutoScaling.3: change for Terraform resource module.web.aws_launch_configuration.this (state prod.tfstate)"
    assert "Region: us-east-1" in lines
    assert "- launch configuration `tf-web-lc` (fails AutoScaling.3), used by tf-web-asg" in lines
    assert "- Auto Scaling group `tf-web-asg` on launch configuration `tf-web-lc`" in lines
    assert "```hcl" in lines
    assert 'resource "aws_launch_template" "tf-web-lc" {' in lines
    assert '  name_prefix   = "tf-web-lc-"' in lines
    assert '  image_id      = "ami-0123456789abcdef0"  # as in the launch configuration' in lines
    assert '  instance_type = "t3.micro"' in lines
    assert '    http_tokens                 = "required"' in lines
    assert '    http_endpoint               = "enabled"' in lines
    assert "    http_put_response_hop_limit = 2" in lines
    assert text.endswith("Then the launch configuration can be deleted and the AutoScaling.3 finding closes.\n")


def test_tag_markdown_for_groups_only_uses_their_launch_configuration_names():
    entry = {
        "region": US,
        "owner": PULUMI,
        "launch_configurations": [],
        "groups": [{"name": "pulumi-asg", "launch_configuration_name": "2019 legacy.lc", "logical_id": None}],
    }

    lines = oc.markdown_change(entry).splitlines()

    assert lines[0] == "# AutoScaling.3: change for pulumi (tag ManagedBy)"
    assert "- Auto Scaling group `pulumi-asg` on launch configuration `2019 legacy.lc`" in lines
    assert "```hcl" not in lines
    assert 'resource "aws_launch_template" "lt_2019_legacy_lc" {' in lines
    assert '  image_id      = "..."  # as in the launch configuration' in lines
    assert '    http_tokens                 = "required"' in lines
    assert "    http_put_response_hop_limit = 1" in lines


def test_file_names_of_entries():
    assert oc.file_name({"owner": WEB_STACK}) == "cloudformation-web.template.json"
    assert oc.file_name({"owner": WEB_STACK}, True) == "cloudformation-web.template.yaml"
    assert oc.file_name({"owner": TF}) == "terraform-module.web.aws_launch_configuration.this.md"
    assert oc.json_text({"a": 1}) == '{\n  "a": 1\n}\n'
