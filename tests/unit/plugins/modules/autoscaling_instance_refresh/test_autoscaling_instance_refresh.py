"""hubfix.aws.autoscaling_instance_refresh: start (or follow) an instance refresh to a launch template version."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import autoscaling_instance_refresh as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

TEMPLATE_ID = "lt-0123456789abcdef0"
REFRESH_ID = "08b91cf7-8fa6-48af-b6a6-d227f40f1b9b"
ARGS = {"name": "asg-web", "launch_template_name": "lc-web", "launch_template_version": "2"}
OLD_AND_NEW = [r.group_instance("i-0000000000000000a", lc="lc-web"), r.group_instance("i-0000000000000000b", template=(TEMPLATE_ID, 2))]
START = {
    "AutoScalingGroupName": "asg-web",
    "Strategy": "Rolling",
    "DesiredConfiguration": {"LaunchTemplate": {"LaunchTemplateId": TEMPLATE_ID, "Version": "2"}},
    "Preferences": {"MinHealthyPercentage": 90, "SkipMatching": True, "AutoRollback": True},
}


@pytest.fixture
def stubs(aws):
    aws.stub("autoscaling")
    aws.stub("ec2")
    return aws


def expect_group(aws, instances=None, found=True):
    instances = OLD_AND_NEW if instances is None else instances
    answer = r.groups(r.group("asg-web", instances=instances)) if found else r.groups()
    aws.stub("autoscaling").add("describe_auto_scaling_groups", answer, {"AutoScalingGroupNames": ["asg-web"]})


def expect_template(aws, found=True):
    answer = r.launch_templates(r.launch_template(TEMPLATE_ID, latest=2)) if found else r.launch_templates()
    aws.stub("ec2").add("describe_launch_templates", answer, {"LaunchTemplateNames": ["lc-web"]})


def expect_refreshes(aws, *items, refresh_id=None):
    params = {"AutoScalingGroupName": "asg-web"}
    if refresh_id:
        params["InstanceRefreshIds"] = [refresh_id]
    aws.stub("autoscaling").add("describe_instance_refreshes", {"InstanceRefreshes": list(items)}, params)


def expect_start(aws, request=None):
    aws.stub("autoscaling").add("start_instance_refresh", {"InstanceRefreshId": REFRESH_ID}, request or START)


def test_starts_a_refresh_replacing_the_instances_not_on_the_version(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)
    expect_start(stubs)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, to_update=1), refresh_id=REFRESH_ID)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["instances_to_replace"] == ["i-0000000000000000a"]
    assert result["instance_refresh"]["instance_refresh_id"] == REFRESH_ID
    assert result["instance_refresh"]["status"] == "Pending"
    assert result["instance_refresh"]["percentage_complete"] == 0
    assert result["progress"] == []


def test_every_call_is_retried_when_throttled(stubs, run):
    stubs.throttle_first = True
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)
    expect_start(stubs)
    expect_refreshes(stubs, r.refresh(REFRESH_ID), refresh_id=REFRESH_ID)

    assert run(module, ARGS)["changed"] is True


def test_preferences_carry_the_options(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)
    preferences = {"MinHealthyPercentage": 50, "SkipMatching": False, "AutoRollback": False, "InstanceWarmup": 120}
    expect_start(stubs, dict(START, Preferences=preferences))
    expect_refreshes(stubs, r.refresh(REFRESH_ID), refresh_id=REFRESH_ID)

    run(module, dict(ARGS, min_healthy_percentage=50, skip_matching=False, auto_rollback=False, instance_warmup=120))


def test_no_refresh_when_every_instance_runs_the_version(stubs, run):
    expect_group(stubs, [r.group_instance("i-0000000000000000b", template=(TEMPLATE_ID, 2))])
    expect_template(stubs)
    expect_refreshes(stubs, r.refresh("old-one", status="Successful"))

    result = run(module, ARGS)

    assert result["changed"] is False
    assert result["instance_refresh"] is None
    assert result["instances_to_replace"] == []


def test_a_running_refresh_is_followed_instead_of_starting_another(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress", percentage=50))

    result = run(module, ARGS)

    assert result["changed"] is False
    assert result["instance_refresh"]["instance_refresh_id"] == REFRESH_ID
    assert any("already running for group asg-web" in w for w in result["warnings"])


def test_check_mode_reports_the_refresh_without_starting_it(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)

    result = run(module, dict(ARGS, wait=True), check_mode=True)

    assert result["changed"] is True
    assert result["instance_refresh"] == {"instance_refresh_id": None, "status": "Pending", "percentage_complete": 0, "instances_to_update": 1}
    assert result["instances_to_replace"] == ["i-0000000000000000a"]


def test_check_mode_with_a_template_still_to_create_replaces_every_instance(stubs, run):
    expect_group(stubs)
    expect_template(stubs, found=False)
    expect_refreshes(stubs)

    result = run(module, ARGS, check_mode=True)

    assert result["instances_to_replace"] == ["i-0000000000000000a", "i-0000000000000000b"]
    assert any("launch template lc-web not found in region us-east-1" in w for w in result["warnings"])


def test_diff_lists_the_instances_to_replace(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)

    diff = run(module, ARGS, check_mode=True, diff=True)["diff"]

    assert diff["before_header"] == "Auto Scaling group asg-web (us-east-1) instances"
    assert diff["after_header"] == "instance refresh to lc-web version 2"
    assert diff["before"] == "i-0000000000000000a\n"
    assert diff["after"] == "1 instance(s) replaced\n"


def test_wait_polls_until_the_refresh_succeeds(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)
    expect_start(stubs)
    expect_refreshes(stubs, r.refresh(REFRESH_ID), refresh_id=REFRESH_ID)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress", percentage=50), refresh_id=REFRESH_ID)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="Successful", percentage=100, to_update=0), refresh_id=REFRESH_ID)

    result = run(module, dict(ARGS, wait=True, poll_interval=20))

    assert result["instance_refresh"]["status"] == "Successful"
    assert [p["status"] for p in result["progress"]] == ["InProgress", "Successful"]
    assert result["progress"][0]["percentage_complete"] == 50
    assert stubs.clock.slept == [20]


def test_wait_fails_when_the_refresh_ends_rolled_back(stubs, run):
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress"), refresh_id=REFRESH_ID)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="RollbackSuccessful", reason="instances failed health checks"), refresh_id=REFRESH_ID)

    result = run(module, {"name": "asg-web", "instance_refresh_id": REFRESH_ID, "wait": True}, fails=True)

    assert result["msg"] == "instance refresh %s of group asg-web ended RollbackSuccessful: instances failed health checks" % REFRESH_ID
    assert result["instance_refresh"]["status"] == "RollbackSuccessful"


def test_wait_times_out_naming_the_refresh_with_its_latest_status(stubs, run):
    for _poll in range(4):  # the read, then polls at 0, 15 and 30 s of a 30 s timeout
        expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress"), refresh_id=REFRESH_ID)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress", percentage=60), refresh_id=REFRESH_ID)

    result = run(module, {"name": "asg-web", "instance_refresh_id": REFRESH_ID, "wait": True, "wait_timeout": 30, "poll_interval": 15}, fails=True)

    assert result["msg"] == "timed out after 30s waiting for instance refresh %s of group asg-web" % REFRESH_ID
    assert result["instance_refresh"]["percentage_complete"] == 60
    assert len(result["progress"]) == 3


def test_wait_timeout_returns_the_latest_status_when_asked_not_to_fail(stubs, run):
    for _poll in range(4):
        expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress"), refresh_id=REFRESH_ID)
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress", percentage=60), refresh_id=REFRESH_ID)
    args = {"name": "asg-web", "instance_refresh_id": REFRESH_ID, "wait": True, "wait_timeout": 30, "poll_interval": 15, "fail_on_wait_timeout": False}

    result = run(module, args)

    assert (result["changed"], result["instance_refresh"]["status"], result["instance_refresh"]["percentage_complete"]) == (False, "InProgress", 60)


def test_follows_a_given_refresh_without_starting_one(stubs, run):
    expect_refreshes(stubs, r.refresh(REFRESH_ID, status="InProgress", percentage=30), refresh_id=REFRESH_ID)

    result = run(module, {"name": "asg-web", "instance_refresh_id": REFRESH_ID})

    assert result["changed"] is False
    assert result["instance_refresh"]["percentage_complete"] == 30


def test_unknown_refresh_id_fails_naming_it(stubs, run):
    expect_refreshes(stubs, refresh_id="nope")

    result = run(module, {"name": "asg-web", "instance_refresh_id": "nope"}, fails=True)

    assert result["msg"] == "instance refresh nope of group asg-web not found"


def test_unknown_group_fails_naming_it(stubs, run):
    expect_group(stubs, found=False)

    assert run(module, ARGS, fails=True)["msg"] == "Auto Scaling group asg-web not found in region us-east-1"


def test_missing_template_fails_outside_check_mode(stubs, run):
    expect_group(stubs)
    expect_template(stubs, found=False)

    assert run(module, ARGS, fails=True)["msg"] == "launch template lc-web not found in region us-east-1"


def test_min_healthy_percentage_above_100_is_refused(stubs, run):
    assert run(module, dict(ARGS, min_healthy_percentage=101), fails=True)["msg"] == "min_healthy_percentage must be between 0 and 100"


def test_refused_start_fails_naming_the_group(stubs, run):
    expect_group(stubs)
    expect_template(stubs)
    expect_refreshes(stubs)
    stubs.stub("autoscaling").error("start_instance_refresh", "InstanceRefreshInProgress", "An Instance Refresh is already in progress")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("instance refresh of Auto Scaling group asg-web failed")
    assert "already in progress" in result["msg"]
