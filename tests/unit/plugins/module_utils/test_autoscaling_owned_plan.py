"""plan_region with owners and hubfix's templates (plugins/module_utils/autoscaling.py): owned launch configurations are
blocked_owned, owned groups are never switched, an unused launch configuration hubfix converted earlier is retired once its
template proved itself, and token-less metadata calls in user data are found."""

from __future__ import annotations

import base64
import datetime

from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as r

REGION = "us-east-1"
ACCOUNT = "123456789012"
CREATED = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
STACK = {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "WebLC"}
STACK_GROUP = {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "WebGroup"}
PULUMI = {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
TEMPLATE_ID = "lt-0hubfix000000001"


def lc(name, tokens="optional", user_data=None):
    out = {
        "LaunchConfigurationName": name,
        "LaunchConfigurationARN": "arn:lc/" + name,
        "ImageId": "ami-1",
        "InstanceType": "t3.micro",
        "CreatedTime": CREATED,
        "MetadataOptions": {"HttpTokens": tokens},
    }
    if user_data is not None:
        out["UserData"] = user_data
    return out


def group(name, lc_name=None, template_id=None, instances=(), desired=None):
    g = {
        "AutoScalingGroupName": name,
        "MinSize": 0,
        "MaxSize": 2,
        "DesiredCapacity": len(instances) if desired is None else desired,
        "Instances": list(instances),
    }
    if lc_name:
        g["LaunchConfigurationName"] = lc_name
    if template_id:
        g["LaunchTemplate"] = {"LaunchTemplateId": template_id, "LaunchTemplateName": "hubfix-old-lc", "Version": "1"}
    return g


def from_template(instance_id, template_id=TEMPLATE_ID, state="InService"):
    return {"InstanceId": instance_id, "LifecycleState": state, "LaunchTemplate": {"LaunchTemplateId": template_id, "Version": "1"}}


def from_lc(instance_id, lc_name, state="InService"):
    return {"InstanceId": instance_id, "LifecycleState": state, "LaunchConfigurationName": lc_name}


def hubfix_template(source, template_id=TEMPLATE_ID):
    return {
        "LaunchTemplateId": template_id,
        "LaunchTemplateName": "hubfix-" + source,
        "Tags": [{"Key": "hubfix:source-launch-configuration", "Value": source}],
    }


class Owners:
    """An owners(groups, lc names) callable with fixed answers; records the names asked about."""

    def __init__(self, groups=None, lcs=None):
        self.groups, self.lcs, self.asked = groups or {}, lcs or {}, []

    def __call__(self, groups, lc_names):
        self.asked.append(list(lc_names))
        return dict(self.groups), {n: self.lcs.get(n) for n in lc_names}


class Templates:
    def __init__(self, templates=()):
        self.templates, self.calls = list(templates), 0

    def __call__(self):
        self.calls += 1
        return list(self.templates)


def plan(lcs, groups, **kw):
    items, _lcs, _groups, errors = asg.plan_region(REGION, ACCOUNT, lcs, groups, **kw)
    assert errors == []
    return {i["name"]: i for i in items}


def summary(name, lc_name, owner=None, instances=(), desired=0):
    return {
        "owner": owner,
        "name": name,
        "region": REGION,
        "launch_configuration_name": lc_name,
        "launch_template": None,
        "mixed_instances_policy": False,
        "min_size": 0,
        "max_size": 2,
        "desired_capacity": desired,
        "instances": list(instances),
        "live_instances": list(instances),
    }


# -- owners ---------------------------------------------------------------------------------------------------------------


def test_owned_launch_configuration_is_blocked_with_every_group_in_owned_groups():
    owners = Owners(groups={"web-asg": STACK_GROUP, "plain-asg": None}, lcs={"web-lc": STACK})

    items = plan([lc("web-lc"), lc("ok-lc", "required")], [group("web-asg", "web-lc"), group("plain-asg", "web-lc")], owners=owners)

    assert owners.asked == [["web-lc"]], "only the failing launch configurations are judged"
    web = items["web-lc"]
    assert web["action"] == "blocked_owned"
    assert web["owner"] == STACK
    assert web["groups"] == []
    assert web["owned_groups"] == [summary("plain-asg", "web-lc"), summary("web-asg", "web-lc", STACK_GROUP)]
    assert web["other_groups"] == ["plain-asg", "web-asg"]
    assert set(items) == {"web-lc"}


def test_every_group_owned_blocks_a_launch_configuration_without_an_owner_of_its_own():
    owners = Owners(groups={"pulumi-asg": PULUMI})
    web = plan([lc("pulumi-lc")], [group("pulumi-asg", "pulumi-lc")], owners=owners)["pulumi-lc"]
    assert (web["action"], web["owner"], web["groups"]) == ("blocked_owned", None, [])
    assert web["owned_groups"] == [summary("pulumi-asg", "pulumi-lc", PULUMI)]


def test_plain_launch_configuration_with_an_owned_and_a_plain_group_converts_only_the_plain_one():
    owners = Owners(groups={"pulumi-asg": PULUMI, "plain-asg": None})
    groups = [group("plain-asg", "shared-lc", instances=[from_lc("i-1", "shared-lc")]), group("pulumi-asg", "shared-lc")]

    shared = plan([lc("shared-lc")], groups, owners=owners)["shared-lc"]

    assert shared["action"] == "convert"
    assert shared["owner"] is None
    assert shared["groups"] == [summary("plain-asg", "shared-lc", instances=["i-1"], desired=1)]
    assert shared["owned_groups"] == [summary("pulumi-asg", "shared-lc", PULUMI)]
    assert shared["other_groups"] == ["pulumi-asg"]
    # after switching the plain group, the owned one still uses it: never deleted while used
    assert r.still_used(shared, ["plain-asg"]) == ["pulumi-asg"]
    assert r.kept_because(shared, r.still_used(shared, ["plain-asg"]), "", "immediately") == "still used by pulumi-asg"


def test_named_group_limits_the_targets_and_an_owned_one_is_still_not_switched():
    owners = Owners(groups={"pulumi-asg": PULUMI, "plain-asg": None})
    groups = [group("plain-asg", "shared-lc"), group("pulumi-asg", "shared-lc")]
    shared = plan([lc("shared-lc")], groups, owners=owners, group_names=["pulumi-asg"])["shared-lc"]
    assert shared["action"] == "blocked_owned"
    assert [g["name"] for g in shared["owned_groups"]] == ["pulumi-asg"]
    assert shared["other_groups"] == ["plain-asg", "pulumi-asg"]


# -- retire ----------------------------------------------------------------------------------------------------------------


def retire_plan(moved_group, templates=None):
    templates = templates or Templates([hubfix_template("old-lc"), hubfix_template("other-lc", "lt-0other")])
    items = plan([lc("old-lc")], [moved_group, group("unrelated-asg", template_id="lt-0other")], templates=templates, owners=Owners())
    return items["old-lc"], templates


def test_unused_failing_launch_configuration_with_a_hubfix_template_is_retired_once_proven():
    old, templates = retire_plan(group("moved-asg", template_id=TEMPLATE_ID, instances=[from_template("i-1"), from_lc("i-0", "old-lc", "Terminating")]))

    assert templates.calls == 1
    assert old["action"] == "retire"
    assert old["hubfix_template"] == {"launch_template_id": TEMPLATE_ID, "launch_template_name": "hubfix-old-lc"}
    assert old["proof"] == {"proven": True, "kept_because": None, "groups": ["moved-asg"]}
    assert (old["groups"], old["owned_groups"], old["other_groups"]) == ([], [], [])


def test_not_proven_while_only_launch_configuration_instances_run():
    old, _templates = retire_plan(group("moved-asg", template_id=TEMPLATE_ID, instances=[from_lc("i-0", "old-lc")]))
    assert old["action"] == "retire"
    assert old["proof"] == {
        "proven": False,
        "kept_because": "group moved-asg has no InService instance launched from the launch template yet "
        "(an instance refresh, or the group's next scale-out, proves it)",
        "groups": ["moved-asg"],
    }


def test_not_proven_by_a_template_instance_that_is_not_in_service():
    old, _templates = retire_plan(group("moved-asg", template_id=TEMPLATE_ID, instances=[from_template("i-1", state="Pending")]))
    assert old["proof"]["proven"] is False


def test_proven_with_no_instances_and_desired_capacity_zero():
    old, _templates = retire_plan(group("moved-asg", template_id=TEMPLATE_ID, desired=0))
    assert old["proof"] == {"proven": True, "kept_because": None, "groups": ["moved-asg"]}


def test_not_proven_with_no_instances_yet_but_desired_capacity():
    old, _templates = retire_plan(group("moved-asg", template_id=TEMPLATE_ID, desired=2))
    assert old["proof"]["proven"] is False
    assert old["proof"]["kept_because"].startswith("group moved-asg has no InService instance")


def test_unused_without_a_hubfix_template_is_kept_or_deleted_as_before():
    templates = Templates([hubfix_template("someone-else-lc")])
    items = plan([lc("old-lc")], [], templates=templates)
    assert items["old-lc"]["action"] == "keep_unused"
    assert "hubfix_template" not in items["old-lc"] and "proof" not in items["old-lc"]
    assert plan([lc("old-lc")], [], templates=Templates(), delete_unused=True)["old-lc"]["action"] == "delete_unused"


def test_templates_looked_up_only_when_a_candidate_is_unused():
    templates = Templates([hubfix_template("web-lc")])
    items = plan([lc("web-lc"), lc("ok-lc", "required")], [group("web-asg", "web-lc"), group("ok-asg", "ok-lc")], templates=templates)
    assert templates.calls == 0
    assert items["web-lc"]["action"] == "convert"

    plan([lc("web-lc"), lc("old-lc")], [group("web-asg", "web-lc")], templates=templates)
    assert templates.calls == 1


def test_templates_as_a_list():
    items = plan([lc("old-lc")], [group("moved-asg", template_id=TEMPLATE_ID, desired=0)], templates=[hubfix_template("old-lc")])
    assert items["old-lc"]["action"] == "retire"


# -- user data ----------------------------------------------------------------------------------------------------------------


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_token_less_metadata_call_in_user_data_is_found():
    script = "#!/bin/bash\nset -e\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\necho $ID\n"

    web = plan([lc("web-lc", user_data=b64(script))], [group("web-asg", "web-lc")])["web-lc"]

    assert web["user_data_present"] is True
    assert web["user_data_imdsv1_calls"] == [
        {
            "part": "user data",
            "line": 3,
            "text": "ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)",
            "reason": "metadata endpoint 169.254.169.254 called without X-aws-ec2-metadata-token",
        }
    ]


def test_user_data_with_a_token_or_none_has_no_calls():
    script = (
        "#!/bin/bash\n"
        'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n'
        'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id\n'
    )
    items = plan([lc("token-lc", user_data=b64(script)), lc("bare-lc")], [group("a", "token-lc"), group("b", "bare-lc")])
    assert (items["token-lc"]["user_data_present"], items["token-lc"]["user_data_imdsv1_calls"]) == (True, [])
    assert (items["bare-lc"]["user_data_present"], items["bare-lc"]["user_data_imdsv1_calls"]) == (False, [])
