"""hubfix.aws.ec2_instance_replacement: launch the HVM replacement of a paravirtual instance exactly once, or terminate it."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_instance_replacement as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

SOURCE = "i-0123456789abcdef0"
NEW = "i-0fedcba9876543210"
RUN = "run-1"
ARGS = {"source_instance_id": SOURCE, "run_id": RUN, "image_id": "ami-0b0b0b0b0b0b0b0b0", "instance_type": "t3.small", "wait": False}
SOURCE_TAGS = {"Name": "web", "aws:cloudformation:stack-name": "ignored", "hubfix:migration-phase": "snapshotted", "team": "a"}
LIVE_FILTERS = [{"Name": "tag:hubfix:replaces", "Values": [SOURCE]}, {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]
RUN_FILTER = {"Name": "tag:hubfix:migration-run", "Values": [RUN]}
LAUNCH = {
    "ImageId": "ami-0b0b0b0b0b0b0b0b0",
    "InstanceType": "t3.small",
    "MinCount": 1,
    "MaxCount": 1,
    "ClientToken": None,  # see launch()
    "SubnetId": "subnet-0123456789abcdef0",
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "EbsOptimized": False,
    "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
    "TagSpecifications": [
        {
            "ResourceType": "instance",
            "Tags": [
                {"Key": "Name", "Value": "web"},
                {"Key": "team", "Value": "a"},
                {"Key": "hubfix:replaces", "Value": SOURCE},
                {"Key": "hubfix:migration-run", "Value": RUN},
            ],
        }
    ],
    "KeyName": "ops",
    # t3 launches "unlimited" by default on AWS: the replacement of a paravirtual instance asks for "standard"
    "CreditSpecification": {"CpuCredits": "standard"},
}


def launch(**changes):
    """RunInstances parameters expected for the replacement; the ClientToken is captured (``params["ClientToken"].value``)."""
    return dict(LAUNCH, ClientToken=r.Capture(), **changes)


def replacement(state="running", run=RUN, instance_id=NEW, volumes=(), **extra):
    return r.instance(
        instance_id,
        state=state,
        virtualization="hvm",
        instance_type="t3.small",
        tags={"Name": "web", "hubfix:replaces": SOURCE, "hubfix:migration-run": run},
        volumes=volumes,
        ImageId="ami-0b0b0b0b0b0b0b0b0",
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
        **extra,
    )


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_source(ec2, **extra):
    ec2.add("describe_instances", r.reservations(r.instance(SOURCE, state="stopped", tags=SOURCE_TAGS, **extra)), {"InstanceIds": [SOURCE]})


def expect_live(ec2, *instances, run_filter=False):
    ec2.add("describe_instances", r.reservations(*instances), {"Filters": LIVE_FILTERS + ([RUN_FILTER] if run_filter else [])})


def expect_by_id(ec2, instance, throttle=None):
    ec2.add("describe_instances", r.reservations(instance), {"InstanceIds": [instance["InstanceId"]]}, throttle=throttle)


def test_launches_the_replacement_with_the_sources_settings_and_a_client_token(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    params = launch()
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, params)

    result = run(module, ARGS, diff=True)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["launched"] is True
    assert result["terminated"] == []
    assert result["instance"]["instance_id"] == NEW
    assert result["instance"]["metadata_http_tokens"] == "required"
    assert result["instance"]["virtualization_type"] == "hvm"
    token = params["ClientToken"].value
    assert token.startswith("hubfix-pv2hvm-") and len(token) <= 64
    assert result["diff"]["after"]["client_token"] == token


def test_every_launch_for_the_same_source_and_attempt_sends_the_same_client_token(ec2, run):
    tokens = []
    for run_id in ("run-1", "run-1", "run-2"):
        expect_source(ec2)
        ec2.add("describe_instances", r.reservations(), {"Filters": LIVE_FILTERS})
        params = launch(TagSpecifications=r.Capture())
        ec2.add("run_instances", {"Instances": [replacement("pending", run=run_id)]}, params)
        run(module, dict(ARGS, run_id=run_id))
        tokens.append(params["ClientToken"].value)

    assert len(set(tokens)) == 1


def test_waits_until_the_replacement_runs(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, launch())
    expect_by_id(ec2, replacement("pending"))  # the waiter polls
    expect_by_id(ec2, replacement("running"))
    expect_by_id(ec2, replacement("running"))  # then the final read

    result = run(module, dict(ARGS, wait=True))

    assert result["instance"]["state"] == "running"


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_source(ec2)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, launch())
    expect_by_id(ec2, replacement("running"), throttle=False)  # botocore waiters do not retry a throttling error
    expect_by_id(ec2, replacement("running"))

    assert run(module, dict(ARGS, wait=True))["launched"] is True


def test_extra_tags_win_over_the_copied_ones(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    tags = [
        {"Key": "Name", "Value": "web-hvm"},
        {"Key": "team", "Value": "a"},
        {"Key": "hubfix:replaces", "Value": SOURCE},
        {"Key": "hubfix:migration-run", "Value": RUN},
    ]
    ec2.add("run_instances", {"Instances": [replacement()]}, launch(TagSpecifications=[{"ResourceType": "instance", "Tags": tags}]))

    run(module, dict(ARGS, tags={"Name": "web-hvm"}))


def test_an_existing_replacement_of_the_run_is_reused(ec2, run):
    expect_source(ec2)
    expect_live(ec2, replacement())

    result = run(module, ARGS)

    assert result["changed"] is False
    assert result["launched"] is False
    assert result["instance"]["instance_id"] == NEW
    assert "warnings" not in result


def test_a_reused_replacement_that_differs_from_the_request_is_warned_about(ec2, run):
    expect_source(ec2)
    expect_live(ec2, replacement())

    result = run(module, dict(ARGS, instance_type="m5.large"))

    assert result["changed"] is False
    assert any("existing replacement %s differs from the request" % NEW in w and "m5.large" in w for w in result["warnings"])


def test_check_mode_reports_the_launch_without_launching(ec2, run):
    expect_source(ec2)
    expect_live(ec2)

    result = run(module, ARGS, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["launched"] is True
    assert result["instance"] is None
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["instance_type"] == "t3.small"
    assert result["diff"]["after"]["client_token"].startswith("hubfix-pv2hvm-")


def test_a_replacement_from_another_run_is_refused(ec2, run):
    expect_source(ec2)
    expect_live(ec2, replacement(run="run-0"))

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: live replacement(s) %s from another migration run exist; terminate them or resume that run" % (SOURCE, NEW)


def test_two_replacements_of_the_run_are_refused(ec2, run):
    expect_source(ec2)
    expect_live(ec2, replacement(), replacement(instance_id="i-0aaaaaaaaaaaaaaaa"))

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "%s: more than one live replacement for run %s: %s, i-0aaaaaaaaaaaaaaaa" % (SOURCE, RUN, NEW)


def test_unknown_source_fails_naming_it(ec2, run):
    ec2.error("describe_instances", "InvalidInstanceID.NotFound", "does not exist", {"InstanceIds": [SOURCE]})

    assert run(module, ARGS, fails=True)["msg"] == "%s: source instance not found in region us-east-1" % SOURCE


def test_replacement_that_never_runs_fails_with_the_waiter_reason(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, launch())
    expect_by_id(ec2, replacement("terminated"))

    result = run(module, dict(ARGS, wait=True), fails=True)

    assert result["msg"].startswith("%s: %s to be running failed: " % (SOURCE, NEW))


def test_replacement_still_pending_at_the_timeout_fails(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, launch())
    for _poll in range(3):  # wait_timeout 10 with the 5 s delay: 3 attempts
        expect_by_id(ec2, replacement("pending"))

    result = run(module, dict(ARGS, wait=True, wait_timeout=10), fails=True)

    assert result["msg"] == "%s: timed out after 10s waiting for %s to be running" % (SOURCE, NEW)


def test_a_launched_replacement_that_times_out_is_reported_as_changed(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, launch())
    for _poll in range(3):
        expect_by_id(ec2, replacement("pending"))

    result = run(module, dict(ARGS, wait=True, wait_timeout=10), fails=True)

    assert result.get("changed") is True
    assert (result.get("instance") or {}).get("instance_id") == NEW


def test_refused_launch_fails_naming_the_source(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    ec2.error("run_instances", "InvalidParameterCombination", "The instance type t3.small does not support paravirtual")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("%s: failed to launch the replacement" % SOURCE)
    assert "does not support paravirtual" in result["msg"]


def test_malformed_run_id_fails_before_any_call(ec2, run):
    result = run(module, dict(ARGS, run_id="run 1!"), fails=True)

    assert result["msg"] == "run id 'run 1!' must be 1-64 characters of letters, digits and . _ : - (not starting with a dot)"


# -- state=absent ----------------------------------------------------------------------------------------------------


ABSENT = {"source_instance_id": SOURCE, "run_id": RUN, "state": "absent", "protect_volume_ids": ["vol-0000000000000000a"]}


def test_absent_terminates_the_runs_replacement_and_waits(ec2, run):
    expect_live(ec2, replacement(volumes=[("/dev/xvda", "vol-0000000000000000f", True)]), run_filter=True)
    ec2.add("terminate_instances", {"TerminatingInstances": [{"InstanceId": NEW}]}, {"InstanceIds": [NEW]})
    expect_by_id(ec2, replacement("terminated"))

    result = run(module, ABSENT)

    assert result["changed"] is True
    assert result["terminated"] == [NEW]
    assert result["instance"] is None
    assert result["diff"] == {"before": {"replacements": [NEW]}, "after": {"replacements": []}}


def test_absent_with_no_replacement_is_unchanged(ec2, run):
    expect_live(ec2, run_filter=True)

    result = run(module, ABSENT)

    assert result["changed"] is False
    assert result["terminated"] == []


def test_absent_in_check_mode_terminates_nothing(ec2, run):
    expect_live(ec2, replacement(), run_filter=True)

    result = run(module, ABSENT, check_mode=True)

    assert result["changed"] is True
    assert result["terminated"] == [NEW]


def test_absent_refuses_while_a_protected_volume_is_attached(ec2, run):
    expect_live(ec2, replacement(volumes=[("/dev/sdo", "vol-0000000000000000a", False)]), run_filter=True)

    result = run(module, ABSENT, fails=True)

    assert result["msg"] == "%s: replacement %s still has the source's volume(s) vol-0000000000000000a attached; not terminating it" % (SOURCE, NEW)


def test_placement_group_tenancy_cpu_credits_and_hop_limit_are_given_at_launch(ec2, run):
    placement = {"AvailabilityZone": "us-east-1a", "Tenancy": "dedicated", "GroupName": "pg-app", "PartitionNumber": 2}
    expect_source(ec2, Placement=placement)
    expect_live(ec2)
    params = launch(
        Placement={"Tenancy": "dedicated", "GroupName": "pg-app", "PartitionNumber": 2},
        CreditSpecification={"CpuCredits": "unlimited"},
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2},
    )
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, params)

    result = run(module, dict(ARGS, cpu_credits="unlimited", metadata_hop_limit=2), diff=True)

    after = result["diff"]["after"]
    assert (after["placement_group"], after["cpu_credits"], after["metadata_hop_limit"], after["source_dest_check"]) == ("pg-app", "unlimited", 2, True)


def test_a_type_without_cpu_credits_gets_no_credit_specification(ec2, run):
    expect_source(ec2)
    expect_live(ec2)
    params = {k: v for k, v in launch(InstanceType="m5.large").items() if k != "CreditSpecification"}
    ec2.add("run_instances", {"Instances": [replacement("pending")]}, params)

    result = run(module, dict(ARGS, instance_type="m5.large"), diff=True)

    assert result["diff"]["after"]["cpu_credits"] is None


def test_source_dest_check_is_copied_once_the_replacement_runs(ec2, run):
    # a NAT instance: traffic through it is not addressed to it
    expect_source(ec2, SourceDestCheck=False)
    expect_live(ec2)
    ec2.add("run_instances", {"Instances": [replacement("pending", SourceDestCheck=True)]}, launch())
    ec2.add("modify_instance_attribute", {}, {"InstanceId": NEW, "SourceDestCheck": {"Value": False}})
    expect_by_id(ec2, replacement("pending", SourceDestCheck=False))

    result = run(module, ARGS, diff=True)

    assert result["instance"]["source_dest_check"] is False
    assert result["diff"]["after"]["source_dest_check"] is False


def test_a_replacement_found_again_gets_the_source_dest_check_it_missed(ec2, run):
    # an earlier run was interrupted between the launch and the copy
    expect_source(ec2, SourceDestCheck=False)
    expect_live(ec2, replacement(SourceDestCheck=True))
    ec2.add("modify_instance_attribute", {}, {"InstanceId": NEW, "SourceDestCheck": {"Value": False}})
    expect_by_id(ec2, replacement(SourceDestCheck=False))

    result = run(module, ARGS, diff=True)

    assert (result["changed"], result["launched"]) == (True, False)
    assert result["diff"] == {"before": {"source_dest_check": True}, "after": {"source_dest_check": False}}
    assert result["instance"]["source_dest_check"] is False

    # done: the next run changes nothing
    expect_source(ec2, SourceDestCheck=False)
    expect_live(ec2, replacement(SourceDestCheck=False))
    assert run(module, ARGS)["changed"] is False


def test_check_mode_reports_the_source_dest_check_without_changing_it(ec2, run):
    expect_source(ec2, SourceDestCheck=False)
    expect_live(ec2, replacement(SourceDestCheck=True))

    result = run(module, ARGS, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["instance"]["source_dest_check"] is False  # what it would be


@pytest.mark.parametrize("hop_limit", [0, 65])
def test_a_hop_limit_out_of_range_fails_before_any_call(ec2, run, hop_limit):
    result = run(module, dict(ARGS, metadata_hop_limit=hop_limit), fails=True)

    assert result["msg"] == "metadata_hop_limit must be 1 to 64, not %d" % hop_limit
