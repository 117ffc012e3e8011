"""Retirement after proof, the user-data IMDSv1 gate and the records of what owners manage
(plugins/module_utils/autoscaling_remediation.py), and the deletion policy input (plugins/module_utils/role_inputs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.hubfix.aws.plugins.filter.autoscaling_imdsv2 import FilterModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as r
from ansible_collections.hubfix.aws.plugins.module_utils.role_inputs import InputProblem, convert

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ROLES = Path(__file__).resolve().parents[4] / "roles"
AS3 = yaml.safe_load((ROLES / "autoscaling_imdsv2" / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
NOT_YET = "group asg-a has no InService instance launched from the launch template yet (an instance refresh, or the group's next scale-out, proves it)"
PROVEN = {"proven": True, "kept_because": None, "groups": ["asg-a"]}
UNPROVEN = {"proven": False, "kept_because": NOT_YET, "groups": ["asg-a"]}


def group(name, desired=0, instances=(), owner=None, lc_name="web-lc"):
    return {
        "owner": owner,
        "name": name,
        "region": REGION,
        "launch_configuration_name": lc_name,
        "launch_template": None,
        "mixed_instances_policy": False,
        "min_size": 0,
        "max_size": 4,
        "desired_capacity": desired,
        "instances": list(instances),
        "live_instances": list(instances),
    }


def lc(name="web-lc", action="convert", groups=(), owner=None, owned_groups=(), other_groups=(), **extra):
    out = {
        "name": name,
        "region": REGION,
        "account_id": ACCOUNT,
        "reason": "http_tokens_optional",
        "action": action,
        "owner": owner,
        "groups": list(groups),
        "owned_groups": list(owned_groups),
        "other_groups": list(other_groups),
        "user_data_imdsv1_calls": [],
    }
    out.update(extra)
    return out


# -- should_delete -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, policy, proof, backup, expected",
    [
        ("convert", "after_proof", PROVEN, True, True),
        ("convert", "after_proof", UNPROVEN, True, False),
        ("convert", "after_proof", None, True, False),
        ("retire", "after_proof", PROVEN, True, True),
        ("retire", "after_proof", UNPROVEN, True, False),
        ("convert", "immediately", None, True, True),
        ("convert", "immediately", UNPROVEN, True, True),
        ("retire", "immediately", UNPROVEN, True, True),
        ("convert", "never", PROVEN, True, False),
        ("retire", "never", PROVEN, True, False),
        ("convert", True, None, True, True),
        ("convert", "true", None, True, True),
        ("convert", "True", None, True, True),
        ("convert", False, PROVEN, True, False),
        ("convert", "false", PROVEN, True, False),
        ("convert", None, PROVEN, True, False),
        ("delete_unused", "never", None, True, True),
        ("delete_unused", False, None, True, True),
        ("keep_unused", "immediately", PROVEN, True, False),
        ("blocked_owned", "immediately", PROVEN, True, False),
        ("convert", "immediately", PROVEN, False, False),
        ("delete_unused", "immediately", None, False, False),
        ("retire", "after_proof", PROVEN, False, False),
    ],
)
def test_should_delete(action, policy, proof, backup, expected):
    assert r.should_delete(lc(action=action), backup, policy, proof) is expected


# -- kept_because ------------------------------------------------------------------------------------------------------------


def test_kept_because_texts():
    item = lc()
    assert r.kept_because(item, ["asg-b", "asg-z"], "", "immediately") == "still used by asg-b, asg-z"
    assert r.kept_because(item, [], "ResourceInUse: still in use", "immediately") == "deletion refused: ResourceInUse: still in use"
    assert r.kept_because(item, [], "", "never") == "autoscaling_imdsv2_delete_launch_configurations is never"
    assert r.kept_because(lc(action="retire"), [], "", False) == "autoscaling_imdsv2_delete_launch_configurations is never"
    assert r.kept_because(item, [], "", "after_proof", UNPROVEN) == "waiting for proof: %s; a later run retires it once proven" % NOT_YET
    assert r.kept_because(lc(action="retire"), [], "", "after_proof") == (
        "waiting for proof: the template has not proven itself; a later run retires it once proven"
    )
    assert r.kept_because(item, [], "", "after_proof", PROVEN) is None
    assert r.kept_because(item, [], "", "immediately") is None
    assert r.kept_because(item, [], "", True) is None
    assert r.kept_because(lc(action="keep_unused"), [], "", "after_proof") == "unused: set autoscaling_imdsv2_delete_unused to delete it"


def test_lc_record_kept_waiting_for_proof_counts_in_the_report():
    record = r.lc_record(lc(groups=[group("asg-a", desired=2)]), {"backup_file": "/b/web-lc.json"}, None, ["asg-a"], False, "", "after_proof", False, UNPROVEN)
    assert (record["status"], record["deleted"], record["proof"]) == ("kept", False, UNPROVEN)
    assert record["kept_because"] == "waiting for proof: %s; a later run retires it once proven" % NOT_YET
    report = r.remediation_report([record], [], {}, [])
    assert report["summary"]["launch_configurations_waiting_for_proof"] == 1
    assert r.summary_lines(report)[-1] == "Launch configurations kept until their template proves itself (a later run retires them): 1"


# -- run_proof ------------------------------------------------------------------------------------------------------------------


def refresh_result(name, status, region=REGION, lc_name="web-lc"):
    return {"name": name, "region": region, "launch_configuration_name": lc_name, "instance_refresh": {"instance_refresh_id": "r-1", "status": status}}


def test_run_proof_refresh_successful_proves():
    item = lc(groups=[group("asg-a", desired=2, instances=["i-1", "i-2"])])
    assert r.run_proof(item, ["asg-a"], [refresh_result("asg-a", "Successful")]) == PROVEN


def test_run_proof_desired_zero_and_no_instances_proves():
    assert r.run_proof(lc(groups=[group("asg-a")]), ["asg-a"], []) == PROVEN


def test_run_proof_otherwise_not():
    item = lc(groups=[group("asg-a", desired=2, instances=["i-1", "i-2"])])
    assert r.run_proof(item, ["asg-a"], [refresh_result("asg-a", "InProgress")]) == UNPROVEN
    assert r.run_proof(item, ["asg-a"], []) == UNPROVEN


def test_run_proof_ignores_refreshes_of_another_region_or_launch_configuration():
    item = lc(groups=[group("asg-a", desired=2)])
    others = [refresh_result("asg-a", "Successful", region="us-east-1"), refresh_result("asg-a", "Successful", lc_name="other-lc")]
    assert r.run_proof(item, ["asg-a"], others) == UNPROVEN


def test_run_proof_only_counts_the_switched_groups():
    item = lc(groups=[group("asg-a"), group("asg-b", desired=3)])
    assert r.run_proof(item, ["asg-a"], []) == PROVEN
    assert r.run_proof(item, ["asg-a", "asg-b"], [])["groups"] == ["asg-a", "asg-b"]
    assert r.run_proof(item, ["asg-a", "asg-b"], [])["proven"] is False


def test_run_proof_in_check_mode_with_a_refresh_planned_for_every_group_shows_the_deletion_with_its_condition():
    item = lc(groups=[group("asg-a", desired=2, instances=["i-1"]), group("asg-b", desired=1, instances=["i-2"])])
    template = {"launch_template_name": "web-lc", "launch_template_id": "lt-1"}
    planned = [r.group_record(item, {"name": n}, template, 1, True, refresh_wanted=True) for n in ("asg-b", "asg-a")]
    assert all(g["instance_refresh_planned"] for g in planned)
    proof_ = r.run_proof(item, ["asg-a", "asg-b"], planned)
    assert proof_ == {
        "proven": True,
        "planned": True,
        "kept_because": None,
        "condition": "the instance refresh of asg-a, asg-b ends Successful",
        "groups": ["asg-a", "asg-b"],
    }
    assert r.should_delete(item, True, "after_proof", proof_) is True
    record = r.lc_record(item, {"backup_file": "/b/web-lc.json"}, None, ["asg-a", "asg-b"], True, "", "after_proof", True, proof_)
    report = r.remediation_report([record], planned, {}, [], check_mode=True)
    assert (report["summary"]["launch_configurations_to_delete"], report["summary"]["launch_configurations_to_delete_after_refresh"]) == (1, 1)
    assert "Of those to be deleted, 1 only once their groups' instance refresh ends Successful (a failed refresh keeps them)" in r.summary_lines(report)


def test_run_proof_in_check_mode_without_refresh_or_a_real_run_is_not_planned():
    item = lc(groups=[group("asg-a", desired=2, instances=["i-1"])])
    template = {"launch_template_name": "web-lc", "launch_template_id": "lt-1"}
    no_refresh = r.group_record(item, {"name": "asg-a"}, template, 1, True, refresh_wanted=False)
    real = r.group_record(item, {"name": "asg-a"}, template, 1, False, refresh_wanted=True)
    assert not no_refresh["instance_refresh_planned"] and not real["instance_refresh_planned"]
    assert r.run_proof(item, ["asg-a"], [no_refresh]) == UNPROVEN
    assert r.run_proof(item, ["asg-a"], [real]) == UNPROVEN
    # only some of the switched groups refresh: not proven in the plan either
    two = lc(groups=[group("asg-a", desired=2, instances=["i-1"]), group("asg-b", desired=1, instances=["i-2"])])
    partial = [r.group_record(two, {"name": "asg-a"}, template, 1, True, refresh_wanted=True)]
    assert r.run_proof(two, ["asg-a", "asg-b"], partial)["proven"] is False


def test_run_proof_of_retire_is_the_plans():
    plan_proof = {"proven": True, "kept_because": None, "groups": ["moved-asg"]}
    assert r.run_proof(lc(action="retire", proof=plan_proof), [], [refresh_result("asg-a", "Failed")]) == plan_proof
    assert r.run_proof(lc(action="retire"), [], []) == {"proven": False, "kept_because": "no proof in the plan", "groups": []}


# -- the IMDSv1 gate with user data -------------------------------------------------------------------------------------------

CALL = {
    "part": "user data",
    "line": 3,
    "text": "ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)",
    "reason": "metadata endpoint 169.254.169.254 called without X-aws-ec2-metadata-token",
}


def usage(name, used, total=0, instances=()):
    return {
        "changed": False,
        "imdsv1_used": used,
        "metadata_no_token_total": total,
        "instances_using_imdsv1": list(instances),
        "start_time": "2024-01-01T00:00:00+00:00",
        "end_time": "2024-01-15T00:00:00+00:00",
        "autoscaling_imdsv2__item": {"name": name},
    }


def test_user_data_calls_merge_into_every_group_of_the_launch_configuration():
    item = lc(groups=[group("asg-a"), group("asg-b")], user_data_imdsv1_calls=[CALL])

    evidence = r.imdsv1_evidence([usage("asg-a", True, 5, ["i-1"]), usage("asg-b", False)], 14, item)

    assert evidence == [
        {
            "name": "asg-a",
            "metadata_no_token": 5,
            "instances": ["i-1"],
            "days": 14,
            "start_time": "2024-01-01T00:00:00+00:00",
            "end_time": "2024-01-15T00:00:00+00:00",
            "user_data_calls": [CALL],
        },
        {"name": "asg-b", "metadata_no_token": None, "instances": [], "days": 14, "start_time": None, "end_time": None, "user_data_calls": [CALL]},
    ]
    assert r.groups_to_switch(item["groups"], evidence) == []
    assert [g["name"] for g in r.groups_to_switch(item["groups"], evidence, force=True)] == ["asg-a", "asg-b"]


def test_without_user_data_calls_only_metric_evidence():
    item = lc(groups=[group("asg-a"), group("asg-b")])
    evidence = r.imdsv1_evidence([usage("asg-a", True, 5, ["i-1"])], 14, item)
    assert [e["name"] for e in evidence] == ["asg-a"]
    assert "user_data_calls" not in evidence[0]
    assert r.imdsv1_evidence([usage("asg-a", True, 5, ["i-1"])], 14) == evidence


def test_skipped_groups_message_names_the_user_data_line():
    item = lc(groups=[group("asg-a"), group("asg-b")], user_data_imdsv1_calls=[CALL, dict(CALL, line=9)])
    evidence = r.imdsv1_evidence([usage("asg-a", True, 5, ["i-1", "i-2"])], 14, item)

    skipped = r.skipped_groups(item, evidence)

    assert [(g["name"], g["status"], g["message"]) for g in skipped] == [
        (
            "asg-a",
            "skipped_imdsv1_in_use",
            "IMDSv1 calls seen (MetadataNoToken 5 over 14 days on i-1, i-2; user data user data line 3: "
            "ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)); update the software to IMDSv2 or set autoscaling_imdsv2_force",
        ),
        (
            "asg-b",
            "skipped_imdsv1_in_use",
            "IMDSv1 calls seen (user data user data line 3: ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)); "
            "update the software to IMDSv2 or set autoscaling_imdsv2_force",
        ),
    ]
    assert r.skipped_groups(item, evidence, force=True) == []


# -- owned records ---------------------------------------------------------------------------------------------------------------

STACK = {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "WebLC", "via_groups": ["web-asg"]}
STACK_GROUP = {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "WebGroup"}
PULUMI = {"type": "tag", "name": "pulumi", "tag_key": "ManagedBy", "tag_value": "x"}
CFN_FILE = "/reports/run-1/owners/cloudformation-web.template.yaml"
TAG_FILE = "/reports/run-1/owners/tag-pulumi.md"
CFN_NEXT = (
    "managed by CloudFormation stack web (logical id WebLC): update the stack with the patched template %s (launch template requiring IMDSv2); "
    "hubfix leaves the stack's resources alone" % CFN_FILE
)
CFN_GROUP_NEXT = CFN_NEXT.replace("logical id WebLC", "logical id WebGroup")
TAG_NEXT = "managed by pulumi (tag ManagedBy): make the change %s describes through that tool" % TAG_FILE


def owned_plan():
    return [
        lc("web-lc", "blocked_owned", owner=STACK, owned_groups=[group("web-asg", owner=STACK_GROUP)], other_groups=["web-asg"]),
        lc("shared-lc", "convert", groups=[group("plain-asg", lc_name="shared-lc")], owned_groups=[group("pulumi-asg", owner=PULUMI, lc_name="shared-lc")]),
        lc("plain-lc", "convert", groups=[group("other-asg", lc_name="plain-lc")]),
    ]


def owner_results():
    """The ``owners`` of autoscaling_imdsv2_owner_changes for owned_plan()."""
    return [
        {"type": "cloudformation", "name": "web", "region": REGION, "file": CFN_FILE, "status": "written", "error": None},
        {"type": "tag", "name": "pulumi", "region": REGION, "file": TAG_FILE, "status": "written", "error": None},
    ]


def test_owned_items_are_the_owned_launch_configurations_and_those_with_owned_groups():
    assert [i["name"] for i in r.owned_items(owned_plan())] == ["web-lc", "shared-lc"]
    assert r.owned_items(None) == []


def test_owned_records():
    lcs, groups, owners = r.owned_records(owned_plan(), owner_results(), ACCOUNT)

    assert lcs == [
        {
            "name": "web-lc",
            "region": REGION,
            "account_id": ACCOUNT,
            "reason": "http_tokens_optional",
            "action": "blocked_owned",
            "status": "blocked_owned",
            "backup_file": None,
            "launch_template": None,
            "template_action": None,
            "groups": [],
            "switched_groups": [],
            "deleted": False,
            "kept_because": "managed by CloudFormation stack web (logical id WebLC)",
            "proof": None,
            "owner": STACK,
            "owner_file": CFN_FILE,
            "next_action": CFN_NEXT,
            "change_set_arn": None,
            "owned_groups": ["web-asg"],
            "error": None,
        }
    ]
    assert groups == [
        {
            "name": "web-asg",
            "region": REGION,
            "account_id": ACCOUNT,
            "launch_configuration_name": "web-lc",
            "status": "blocked_owned",
            "message": CFN_GROUP_NEXT,
            "imdsv1_evidence": None,
            "changed": False,
            "launch_template": None,
            "instance_refresh": None,
            "owner": STACK_GROUP,
            "owner_file": CFN_FILE,
            "next_action": CFN_GROUP_NEXT,
        },
        {
            "name": "pulumi-asg",
            "region": REGION,
            "account_id": ACCOUNT,
            "launch_configuration_name": "shared-lc",
            "status": "blocked_owned",
            "message": TAG_NEXT,
            "imdsv1_evidence": None,
            "changed": False,
            "launch_template": None,
            "instance_refresh": None,
            "owner": PULUMI,
            "owner_file": TAG_FILE,
            "next_action": TAG_NEXT,
        },
    ]
    assert owners == [dict(o, account_id=ACCOUNT) for o in owner_results()]


def test_owned_records_without_the_owners_module_result_name_the_file_in_the_report_dir():
    lcs, groups, owners = r.owned_records(owned_plan(), [], ACCOUNT)
    assert lcs[0]["owner_file"] is None
    assert "<report dir>/owners/cloudformation-web.template.json" in lcs[0]["next_action"]
    assert [g["owner_file"] for g in groups] == [None, None]
    assert groups[1]["next_action"] == "managed by pulumi (tag ManagedBy): make the change <report dir>/owners/tag-pulumi.md describes through that tool"
    assert owners == []


def test_owned_launch_configuration_record_carries_its_owners_change_set():
    results = owner_results()
    results[0].update(status="change_set_created", change_set_arn="arn:aws:cloudformation:eu-west-1:123456789012:changeSet/hubfix-autoscaling-3-abc/1")
    (web,), _groups, _owners = r.owned_records(owned_plan(), results, ACCOUNT)
    assert web["change_set_arn"] == "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/hubfix-autoscaling-3-abc/1"


def test_blocked_launch_configuration_without_an_owner_of_its_own_takes_its_owned_groups():
    item = lc("shared-lc", "blocked_owned", owned_groups=[group("pulumi-asg", owner=PULUMI, lc_name="shared-lc")], other_groups=["plain-asg", "pulumi-asg"])

    (shared,), (pulumi,), _owners = r.owned_records([item], owner_results(), ACCOUNT)

    assert (shared["name"], shared["status"], shared["owner"], shared["owner_file"]) == ("shared-lc", "blocked_owned", PULUMI, TAG_FILE)
    assert shared["kept_because"] == "managed by pulumi (tag ManagedBy)"
    assert shared["next_action"] == TAG_NEXT
    assert (pulumi["name"], pulumi["owner"], pulumi["next_action"]) == ("pulumi-asg", PULUMI, TAG_NEXT)


def test_owned_records_in_the_report():
    lcs, groups, owners = r.owned_records(owned_plan(), owner_results(), ACCOUNT)
    report = r.remediation_report(lcs, groups, {}, [{"account_id": ACCOUNT, "status": "ok"}], owner_results=owners)

    assert report["owners"] == owners
    assert report["summary"]["launch_configurations_owned"] == 1
    assert report["summary"]["groups_owned"] == 2
    assert report["summary"]["findings_still_open"] == 1
    assert (
        "Owned by CloudFormation, Elastic Beanstalk, Terraform or a tool (not changed; their change is in owners/): 1 launch configuration(s), 2 group(s)"
        in r.summary_lines(report)
    )


def test_the_roles_filters_load_with_the_owned_ones():
    filters = FilterModule().filters()
    prefix = "ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_remediation."
    assert filters["autoscaling_owned_items"].target == prefix + "owned_items"
    assert filters["autoscaling_owned_records"].target == prefix + "owned_records"
    assert filters["autoscaling_proof"].target == prefix + "run_proof"


# -- autoscaling_imdsv2_delete_launch_configurations -----------------------------------------------------------------------------

NAME = "autoscaling_imdsv2_delete_launch_configurations"


@pytest.mark.parametrize(
    "given, policy",
    [
        ("true", "immediately"),
        ("yes", "immediately"),
        (True, "immediately"),
        ("no", "never"),
        ("false", "never"),
        (False, "never"),
        ("after_proof", "after_proof"),
        (" After_Proof ", "after_proof"),
        ("immediately", "immediately"),
        ("never", "never"),
    ],
)
def test_delete_launch_configurations_input(given, policy):
    assert convert(AS3, {NAME: given})[NAME] == policy


def test_delete_launch_configurations_default_is_after_proof():
    assert convert(AS3, {})[NAME] == "after_proof"


def test_a_bad_delete_launch_configurations_value_names_the_variable():
    with pytest.raises(InputProblem) as e:
        convert(AS3, {NAME: "sometimes"})
    assert str(e.value) == "autoscaling_imdsv2_delete_launch_configurations: 'sometimes' is not one of after_proof, immediately, never (or true/false)"
