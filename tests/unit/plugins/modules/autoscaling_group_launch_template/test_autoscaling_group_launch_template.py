"""hubfix.aws.autoscaling_group_launch_template: switch a group's launch source with UpdateAutoScalingGroup only."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import autoscaling_group_launch_template as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

TEMPLATE_ID = "lt-0123456789abcdef0"
ON_LC = r.group("asg-web", lc="lc-web")
ON_TEMPLATE_V2 = r.group("asg-web", lc=None, template=(TEMPLATE_ID, "lc-web", 2))


def expect_group(aws, group):
    aws.stub("autoscaling").add("describe_auto_scaling_groups", r.groups(*([group] if group else [])), {"AutoScalingGroupNames": ["asg-web"]})


def expect_template(aws, template=None, name="lc-web"):
    aws.stub("ec2").add("describe_launch_templates", r.launch_templates(*([template] if template else [])), {"LaunchTemplateNames": [name]})


def expect_update(aws, **params):
    aws.stub("autoscaling").add("update_auto_scaling_group", {}, dict(params, AutoScalingGroupName="asg-web"))


TO_V2 = {"name": "asg-web", "launch_template_name": "lc-web", "launch_template_version": "2", "current_launch_configuration_name": "lc-web"}


@pytest.fixture
def stubs(aws):
    aws.stub("autoscaling")
    aws.stub("ec2")
    return aws


def test_switches_a_group_from_its_launch_configuration_to_the_template_version(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "2"})

    result = run(module, TO_V2)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["autoscaling_group"] == {
        "name": "asg-web",
        "launch_configuration_name": None,
        "launch_template": {"launch_template_id": TEMPLATE_ID, "launch_template_name": "lc-web", "version": "2"},
    }
    assert result["previous"] == {"name": "asg-web", "launch_configuration_name": "lc-web", "launch_template": None}
    assert "diff" not in result


def test_every_call_is_retried_when_throttled(stubs, run):
    stubs.throttle_first = True
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "2"})

    assert run(module, TO_V2)["changed"] is True


def test_a_group_already_on_the_template_version_is_unchanged(stubs, run):
    expect_group(stubs, ON_TEMPLATE_V2)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))

    result = run(module, TO_V2)

    assert result["changed"] is False
    assert result["autoscaling_group"] == result["previous"]
    assert result["previous"]["launch_template"]["version"] == "2"


def test_second_run_after_the_switch_reports_no_change(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "2"})
    assert run(module, TO_V2)["changed"] is True

    expect_group(stubs, ON_TEMPLATE_V2)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    assert run(module, TO_V2)["changed"] is False


def test_default_version_is_pinned_as_default(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID))
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "$Default"})

    result = run(module, {"name": "asg-web", "launch_template_name": "lc-web"})

    assert result["autoscaling_group"]["launch_template"]["version"] == "$Default"


def test_template_given_by_id_is_looked_up_by_id(stubs, run):
    expect_group(stubs, ON_LC)
    stubs.stub("ec2").add("describe_launch_templates", r.launch_templates(r.launch_template(TEMPLATE_ID, latest=2)), {"LaunchTemplateIds": [TEMPLATE_ID]})
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "1"})

    result = run(module, {"name": "asg-web", "launch_template_id": TEMPLATE_ID, "launch_template_version": "1"})

    assert result["autoscaling_group"]["launch_template"]["launch_template_name"] == "lc-web"


def test_check_mode_reports_the_switch_without_updating(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))

    result = run(module, TO_V2, check_mode=True)

    assert result["changed"] is True
    assert result["autoscaling_group"]["launch_template"]["launch_template_id"] == TEMPLATE_ID


def test_check_mode_assumes_a_missing_template_is_created_by_an_earlier_task(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, None)

    result = run(module, TO_V2, check_mode=True)

    assert result["changed"] is True
    assert result["autoscaling_group"]["launch_template"] == {"launch_template_id": None, "launch_template_name": "lc-web", "version": "2"}
    assert any("launch template lc-web not found in region us-east-1" in w and "check mode" in w for w in result["warnings"])


def test_diff_shows_the_launch_source_before_and_after(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    expect_update(stubs, LaunchTemplate={"LaunchTemplateId": TEMPLATE_ID, "Version": "2"})

    diff = run(module, TO_V2, diff=True)["diff"]

    assert diff["before_header"] == diff["after_header"] == "Auto Scaling group asg-web (us-east-1)"
    assert diff["before"] == {"launch_configuration_name": "lc-web", "launch_template": None}
    assert diff["after"]["launch_template"]["version"] == "2"


def test_rolls_a_group_back_to_its_launch_configuration(stubs, run):
    expect_group(stubs, ON_TEMPLATE_V2)
    stubs.stub("autoscaling").add(
        "describe_launch_configurations", r.launch_configurations(r.launch_configuration("lc-web")), {"LaunchConfigurationNames": ["lc-web"]}
    )
    expect_update(stubs, LaunchConfigurationName="lc-web")

    result = run(module, {"name": "asg-web", "launch_configuration_name": "lc-web"})

    assert result["changed"] is True
    assert result["autoscaling_group"] == {"name": "asg-web", "launch_configuration_name": "lc-web", "launch_template": None}


def test_rollback_to_a_missing_launch_configuration_fails_naming_it(stubs, run):
    expect_group(stubs, ON_TEMPLATE_V2)
    stubs.stub("autoscaling").add("describe_launch_configurations", r.launch_configurations(), {"LaunchConfigurationNames": ["lc-gone"]})

    result = run(module, {"name": "asg-web", "launch_configuration_name": "lc-gone"}, fails=True)

    assert result["msg"] == "launch configuration lc-gone not found in region us-east-1; cannot switch group asg-web to it"


def test_unknown_group_fails_naming_it(stubs, run):
    expect_group(stubs, None)

    result = run(module, TO_V2, fails=True)

    assert result["msg"] == "Auto Scaling group asg-web not found in region us-east-1"


def test_group_with_a_mixed_instances_policy_is_refused(stubs, run):
    expect_group(stubs, r.group("asg-web", lc=None, mixed=(TEMPLATE_ID, "mixed-lt")))

    result = run(module, TO_V2, fails=True)

    assert "asg-web uses a mixed instances policy (launch template mixed-lt)" in result["msg"]


def test_group_that_moved_on_from_the_expected_launch_configuration_is_refused(stubs, run):
    expect_group(stubs, r.group("asg-web", lc="lc-other"))
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))

    result = run(module, TO_V2, fails=True)

    assert result["msg"] == "Auto Scaling group asg-web no longer launches from launch configuration lc-web (it uses lc-other); not switched"
    assert result["autoscaling_group"] == {"name": "asg-web", "launch_configuration_name": "lc-other", "launch_template": None}


def test_missing_template_fails_outside_check_mode(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, None)

    assert run(module, TO_V2, fails=True)["msg"] == "launch template lc-web not found in region us-east-1"


def test_version_beyond_the_latest_fails_naming_the_template(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=1))

    assert run(module, TO_V2, fails=True)["msg"] == "launch template lc-web has no version 2 (latest is 1)"


def test_malformed_version_fails_before_any_call(stubs, run):
    result = run(module, dict(TO_V2, launch_template_version="two"), fails=True)

    assert result["msg"] == "launch_template_version must be a version number, $Default or $Latest, got 'two'"


def test_refused_update_fails_naming_the_group(stubs, run):
    expect_group(stubs, ON_LC)
    expect_template(stubs, r.launch_template(TEMPLATE_ID, latest=2))
    stubs.stub("autoscaling").error("update_auto_scaling_group", "ValidationError", "You are not authorized to use launch template")

    result = run(module, TO_V2, fails=True)

    assert result["msg"].startswith("failed to switch the launch source of Auto Scaling group asg-web")
    assert "You are not authorized to use launch template" in result["msg"]
