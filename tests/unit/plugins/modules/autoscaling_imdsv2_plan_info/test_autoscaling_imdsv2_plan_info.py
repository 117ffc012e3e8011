"""hubfix.aws.autoscaling_imdsv2_plan_info: what the AutoScaling.3 remediation would do, region by region (read-only)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.modules import autoscaling_imdsv2_plan_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

PAGE = {"MaxRecords": 100}
OPTIONAL = {"HttpTokens": "optional", "HttpEndpoint": "enabled"}
REQUIRED = {"HttpTokens": "required", "HttpEndpoint": "enabled"}


def expect_region(stub, lcs=(), groups=(), lc_names=None, templates=(), lookups=True):
    """The region's two reads, then (``lookups``) the owner lookup of its candidates and hubfix's templates when one is unused."""
    lc_params = {"LaunchConfigurationNames": lc_names} if lc_names else PAGE
    stub.add("describe_launch_configurations", r.launch_configurations(*lcs), lc_params)
    stub.add("describe_auto_scaling_groups", r.groups(*groups), PAGE)
    candidates = [lc for lc in lcs if (lc["LaunchConfigurationName"] in lc_names if lc_names else r.failing(lc))] if lookups else []
    r.expect_owner_lookups(stub, candidates)
    used = {g.get("LaunchConfigurationName") for g in groups}
    if any(lc["LaunchConfigurationName"] not in used for lc in candidates):
        r.expect_hubfix_templates(stub, templates)


def test_plans_converting_a_failing_launch_configuration_and_switching_its_group(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    instances = [r.group_instance("i-0000000000000000a", lc="lc-web"), r.group_instance("i-0000000000000000b", lc="lc-web", state="Terminating")]
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL, UserData="IyEvYmluL3No")], [r.group("asg-web", instances=instances)])

    result = run(module, {})

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["account_id"] == r.ACCOUNT
    assert result["errors"] == []
    (item,) = result["launch_configurations"]
    assert item["name"] == "lc-web"
    assert item["compliant"] is False
    assert item["reason"] == "http_tokens_optional"
    assert item["action"] == "convert"
    assert item["user_data_present"] is True
    assert item["other_groups"] == []
    (switched,) = item["groups"]
    assert switched["name"] == "asg-web"
    assert switched["instances"] == ["i-0000000000000000a", "i-0000000000000000b"]
    assert switched["live_instances"] == ["i-0000000000000000a"]
    assert result["regions"] == [{"region": "us-east-1", "scanned": True, "failed": 1, "evaluated": 1, "error": None}]


def test_every_call_is_retried_when_throttled(aws, run):
    aws.throttle_first = True
    (autoscaling,) = aws.expect_region_scan("autoscaling", regions=["us-east-1"])
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL)], [r.group("asg-web")])

    assert len(run(module, {"regions": ["us-east-1"]})["launch_configurations"]) == 1


def test_compliant_launch_configurations_are_left_out(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-ok", REQUIRED)], [r.group("asg-web", lc="lc-ok")])

    assert run(module, {})["launch_configurations"] == []


def test_unused_failing_launch_configurations_are_kept_unless_delete_unused(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-old")])
    assert run(module, {})["launch_configurations"][0]["action"] == "keep_unused"

    aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-old")])
    assert run(module, {"delete_unused": True})["launch_configurations"][0]["action"] == "delete_unused"


def test_named_launch_configurations_are_read_by_name_and_handled_even_when_compliant(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-ok", REQUIRED)], [r.group("asg-web", lc="lc-ok")], lc_names=["lc-ok"])

    (item,) = run(module, {"launch_configuration_names": ["lc-ok"]})["launch_configurations"]

    assert (item["name"], item["compliant"], item["action"]) == ("lc-ok", True, "convert")


def test_scans_each_region_with_its_own_client(aws, run):
    east, west = aws.expect_region_scan("autoscaling", regions=["us-east-1", "eu-west-1"])
    expect_region(east, [r.launch_configuration("lc-east", OPTIONAL)], [r.group("asg-east", lc="lc-east")])
    expect_region(west, [r.launch_configuration("lc-west", region="eu-west-1")], [r.group("asg-west", lc="lc-west", region="eu-west-1")])

    result = run(module, {"regions": "us-east-1, eu-west-1"})

    assert [(i["name"], i["region"]) for i in result["launch_configurations"]] == [("lc-east", "us-east-1"), ("lc-west", "eu-west-1")]
    assert [row["region"] for row in result["regions"]] == ["us-east-1", "eu-west-1"]


def test_a_region_that_cannot_be_read_is_an_error_while_the_others_report(aws, run):
    east, west = aws.expect_region_scan("autoscaling", regions=["us-east-1", "eu-west-1"])
    expect_region(east, [r.launch_configuration("lc-east", OPTIONAL)], [r.group("asg-east", lc="lc-east")])
    west.error("describe_launch_configurations", "AccessDenied", "not allowed", PAGE)

    result = run(module, {"regions": ["us-east-1", "eu-west-1"]})

    assert [i["name"] for i in result["launch_configurations"]] == ["lc-east"]
    assert result["errors"] == ["access denied in region eu-west-1 (check the IAM policy): AccessDenied: not allowed"]
    assert result["regions"][1] == {"region": "eu-west-1", "scanned": False, "failed": None, "evaluated": None, "error": result["errors"][0]}


def test_fails_when_every_region_fails(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    autoscaling.error("describe_launch_configurations", "InvalidClientTokenId", "bad token", PAGE)

    result = run(module, {}, fails=True)

    assert result["msg"] == "every region failed: AWS rejected the credentials in region us-east-1: InvalidClientTokenId: bad token"
    assert result["launch_configurations"] == []
    assert result["account_id"] == r.ACCOUNT


def retired_lookup(stub, names, templates=()):
    """The one DescribeLaunchTemplates by source tag that a named but missing launch configuration costs."""
    stub.add(
        "describe_launch_templates", {"LaunchTemplates": list(templates)}, {"Filters": [{"Name": "tag:hubfix:source-launch-configuration", "Values": names}]}
    )


def test_unknown_names_are_reported_as_errors(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [], [r.group("asg-web")], lc_names=["lc-x"])
    retired_lookup(aws.stub("ec2"), ["lc-x"])

    result = run(module, {"launch_configuration_names": ["lc-x"], "group_names": ["asg-x"]})

    assert result["errors"] == [
        "Auto Scaling group(s) not found in region(s) us-east-1: asg-x",
        "launch configuration(s) not found in region(s) us-east-1: lc-x",
    ]


def template_lookup(stub, ids, templates):
    """The one DescribeLaunchTemplates by id that named groups on launch templates cost (to recognise hubfix's)."""
    stub.add("describe_launch_templates", {"LaunchTemplates": list(templates)}, {"LaunchTemplateIds": ids})


def test_named_group_already_on_a_template_is_an_error(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    # lc-web is used by no named group: not a candidate, no owner lookup
    expect_region(autoscaling, [r.launch_configuration("lc-web")], [r.group("asg-web", lc=None, template=("lt-1", "lt-web", 3))], lookups=False)
    template_lookup(aws.stub("ec2"), ["lt-1"], [{"LaunchTemplateName": "lt-web", "LaunchTemplateId": "lt-1", "Tags": [{"Key": "team", "Value": "web"}]}])

    result = run(module, {"group_names": ["asg-web"]})

    assert result["errors"] == [
        "Auto Scaling group asg-web already uses launch template lt-web version 3; it has no launch configuration to convert (region us-east-1)"
    ]
    assert result["launch_configurations"] == []


def test_check_mode_returns_the_same_plan(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL)], [r.group("asg-web")])

    result = run(module, {}, check_mode=True)

    assert result["changed"] is False
    assert result["launch_configurations"][0]["action"] == "convert"


def test_unknown_region_fails_naming_it(aws, run):
    aws.stub("ec2").add("describe_regions", r.regions("us-east-1", "eu-west-1"), {"AllRegions": True})

    result = run(module, {"regions": ["eu-nowhere-9"]}, fails=True)

    assert result["msg"] == "unknown region name(s): eu-nowhere-9; known regions: eu-west-1, us-east-1"


def test_malformed_region_fails_before_any_call(aws, run):
    result = run(module, {"regions": ["useast1"]}, fails=True)

    assert result["msg"] == "unknown region name(s): useast1 (expected names like us-east-1, or 'all')"


def test_a_named_launch_configuration_hubfix_retired_is_not_an_error(aws, run):
    """A rerun of a job that names the launch configurations it converted and retired finds nothing to do and succeeds."""
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL)], [r.group("asg-web", lc="lc-web")], lc_names=["lc-web", "lc-api", "lc-x"])
    made = {
        "LaunchTemplateName": "lc-api",
        "LaunchTemplateId": "lt-0123456789abcdef0",
        "Tags": [{"Key": "hubfix:source-launch-configuration", "Value": "lc-api"}],
    }
    retired_lookup(aws.stub("ec2"), ["lc-api", "lc-x"], [made])

    result = run(module, {"launch_configuration_names": ["lc-web", "lc-api", "lc-x"]})

    assert_documented_result(module, result)
    assert result["retired"] == [{"region": "us-east-1", "name": "lc-api", "launch_template_name": "lc-api", "launch_template_id": "lt-0123456789abcdef0"}]
    assert result["errors"] == ["launch configuration(s) not found in region(s) us-east-1: lc-x"]
    assert [i["name"] for i in result["launch_configurations"]] == ["lc-web"]


def test_a_named_group_on_the_template_hubfix_made_is_not_an_error(aws, run):
    """A rerun of a job that names its groups finds them on hubfix's templates: nothing to do, no error; a group on a
    template someone else made is still refused."""
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    on_ours, on_theirs = r.group("asg-web", lc=None, template=("lt-1", "lc-web", 1)), r.group("asg-api", lc=None, template=("lt-2", "lt-api", 4))
    expect_region(autoscaling, [], [on_ours, on_theirs])
    ours = {"LaunchTemplateName": "lc-web", "LaunchTemplateId": "lt-1", "Tags": [{"Key": "hubfix:source-launch-configuration", "Value": "lc-web"}]}
    template_lookup(aws.stub("ec2"), ["lt-1", "lt-2"], [ours, {"LaunchTemplateName": "lt-api", "LaunchTemplateId": "lt-2"}])

    result = run(module, {"group_names": ["asg-web", "asg-api"]})

    assert_documented_result(module, result)
    assert result["migrated_groups"] == [
        {"region": "us-east-1", "name": "asg-web", "launch_configuration_name": "lc-web", "launch_template_name": "lc-web", "launch_template_id": "lt-1"}
    ]
    assert result["errors"] == [
        "Auto Scaling group asg-api already uses launch template lt-api version 4; it has no launch configuration to convert (region us-east-1)"
    ]
    assert result["launch_configurations"] == []


def test_accounts_are_planned_in_one_run_and_one_that_fails_is_named(aws, run):
    (autoscaling,) = aws.expect_region_scan("autoscaling")
    expect_region(autoscaling, [r.launch_configuration("lc-web", OPTIONAL)], [r.group("asg-web", lc="lc-web")])
    # the second account: its credentials are refused in every region (the stubs stand for each account's clients)
    aws.expect_region_scan("autoscaling")
    autoscaling.error("describe_launch_configurations", "InvalidClientTokenId", "bad token", PAGE)
    accounts = [
        {"account_id": r.ACCOUNT, "credentials": {"access_key": "AKIA1", "secret_key": "s", "session_token": "t"}},
        {"account_id": "210987654321", "credentials": {"access_key": "AKIA2", "secret_key": "s"}, "also_launch_configuration_names": ["lc-x"]},
    ]

    # one account at a time: the stubbed answers are queued in order
    result = run(module, {"accounts": accounts, "account_concurrency": 1}, check_mode=True)

    assert_documented_result(module, result)
    first, second = result["accounts"]
    assert first["account_id"] == r.ACCOUNT and first["error"] is None
    assert [lc["name"] for lc in first["plan"]["launch_configurations"]] == ["lc-web"]
    refused = "every region failed: AWS rejected the credentials in region us-east-1: InvalidClientTokenId: bad token"
    assert second == {"account_id": "210987654321", "plan": None, "error": refused}
    assert "launch_configurations" not in result


def test_account_concurrency_below_one_is_refused(run):
    assert "account_concurrency must be 1 or more" in run(module, {"accounts": [], "account_concurrency": 0}, fails=True)["msg"]
