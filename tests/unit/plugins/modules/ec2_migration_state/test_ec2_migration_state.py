"""hubfix.aws.ec2_migration_state: record the phases of a migration in tags on the source instance."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hubfix.aws.plugins.modules import ec2_migration_state as module
from ansible_collections.hubfix.aws.plugins.modules import ec2_migration_state_info as info_module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

SOURCE, NEW = r.MIGRATION_SOURCE, r.MIGRATION_REPLACEMENT
ALLOC = "eipalloc-0123456789abcdef0"
VOLUMES = [("/dev/sda1", "vol-0000000000000000a", True), ("/dev/sdf", "vol-0000000000000000b", False)]
STARTED = {
    "hubfix:migration-phase": "started",
    "hubfix:migration-run": "run-1",
    "hubfix:migration-attempt": "1",
    "hubfix:was-running": "true",
    "hubfix:original-devices": "/dev/sda1=vol-0000000000000000a:1 /dev/sdf=vol-0000000000000000b:0",
    "hubfix:original-eips": "%s@10.0.0.12" % ALLOC,
}
START = {"instance_id": SOURCE, "phase": "started", "run_id": "run-1"}


def source(state="running", **tags):
    return r.instance(SOURCE, state=state, tags=dict({"Name": "web"}, **tags), volumes=VOLUMES)


@pytest.fixture
def ec2(aws):
    return aws.stub("ec2")


def expect_source(ec2, instance):
    ec2.add("describe_instances", r.reservations(instance), {"InstanceIds": [SOURCE]})


def expect_addresses(ec2, *found):
    ec2.add("describe_addresses", r.addresses(*found), {"Filters": [{"Name": "instance-id", "Values": [SOURCE]}]})


def expect_create_tags(ec2, tags):
    ec2.add("create_tags", {}, {"Resources": [SOURCE], "Tags": r.tag_list(tags)})


def test_started_captures_the_live_state_in_one_create_tags(ec2, run):
    expect_source(ec2, source())
    expect_addresses(ec2, r.address(ALLOC, "203.0.113.10", SOURCE, "10.0.0.12"))
    expect_create_tags(ec2, STARTED)

    result = run(module, START)

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["migration"]["phase"] == "started"
    assert result["migration"]["was_running"] is True
    assert result["migration"]["original_devices"][0] == {"device_name": "/dev/sda1", "volume_id": "vol-0000000000000000a", "delete_on_termination": True}
    assert result["migration"]["original_eips"] == [{"allocation_id": ALLOC, "private_ip_address": "10.0.0.12"}]
    assert result["instance"]["tags"] == dict(STARTED, Name="web")
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == STARTED
    assert result["diff"]["before_header"] == "%s tags" % SOURCE
    assert result["deprecations"] == []


def test_every_call_is_retried_when_throttled(aws, ec2, run):
    aws.throttle_first = True
    expect_source(ec2, source())
    expect_addresses(ec2, r.address(ALLOC, "203.0.113.10", SOURCE, "10.0.0.12"))
    expect_create_tags(ec2, STARTED)

    assert run(module, START)["changed"] is True


def test_started_again_by_the_same_run_changes_nothing(ec2, run):
    expect_source(ec2, source(state="stopped", **STARTED))
    expect_addresses(ec2)

    result = run(module, START)

    assert result["changed"] is False
    assert result["migration"]["was_running"] is True


def test_started_by_another_run_is_refused(ec2, run):
    expect_source(ec2, source(**STARTED))
    expect_addresses(ec2)

    result = run(module, dict(START, run_id="run-2"), fails=True)

    assert result["msg"] == "%s: a migration is in progress under run run-1 (phase started); resume it with that run id" % SOURCE
    assert result["migration"]["run_id"] == "run-1"


RUN = {"id": "run-1", "host": "ctl-1", "pid": 4242, "pid_start": "777"}


def claim_of(run, age=datetime.timedelta(0)):
    """The ``hubfix:migration-claim`` value of ``run`` with a heartbeat ``age`` ago."""
    beat = (datetime.datetime.now(datetime.timezone.utc) - age).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017
    return "%s|%s|%s|%s|%s" % (run["id"], run["host"], run["pid"], run["pid_start"], beat)


def test_started_by_a_run_records_its_claim_and_reads_it_back_after_settling(aws, ec2, run):
    expect_source(ec2, source())
    expect_addresses(ec2)
    written = r.Capture()
    ec2.add("create_tags", {}, {"Resources": [SOURCE], "Tags": written})
    expect_source(ec2, source(**{"hubfix:migration-claim": claim_of(RUN)}))  # the read back

    result = run(module, dict(START, run=RUN, settle_seconds=3))

    claim = {t["Key"]: t["Value"] for t in written.value}["hubfix:migration-claim"]
    assert claim.startswith("run-1|ctl-1|4242|777|")
    assert (result["changed"], result["claimed_by"]) == (True, None)
    assert result["migration"]["claim"] == claim
    assert aws.clock.slept == [3]


def test_started_when_another_run_wrote_last_names_that_run(ec2, run):
    other = {"id": "run-9", "host": "ctl-2", "pid": 99, "pid_start": "5"}
    expect_source(ec2, source())
    expect_addresses(ec2)
    ec2.add("create_tags", {}, {"Resources": [SOURCE], "Tags": r.Capture()})
    expect_source(ec2, source(**{"hubfix:migration-claim": claim_of(other)}))

    result = run(module, dict(START, run=RUN, settle_seconds=0))

    assert (result["claimed_by"]["id"], result["claimed_by"]["host"]) == ("run-9", "ctl-2")


def test_a_migration_claimed_by_another_live_run_is_left_alone(ec2, run):
    other = {"id": "run-9", "host": "ctl-2", "pid": 99, "pid_start": "5"}
    expect_source(ec2, source(**{"hubfix:migration-claim": claim_of(other, datetime.timedelta(minutes=5))}))

    result = run(module, dict(START, run=RUN))

    assert result["changed"] is False
    assert result["claimed_by"]["id"] == "run-9"


def test_a_stale_claim_of_another_host_is_taken_over(ec2, run):
    other = {"id": "run-9", "host": "ctl-2", "pid": 99, "pid_start": "5"}
    expect_source(ec2, source(**{"hubfix:migration-claim": claim_of(other, datetime.timedelta(hours=2))}))
    expect_addresses(ec2)
    ec2.add("create_tags", {}, {"Resources": [SOURCE], "Tags": r.Capture()})
    expect_source(ec2, source(**{"hubfix:migration-claim": claim_of(RUN)}))

    result = run(module, dict(START, run=RUN, settle_seconds=0))

    assert (result["changed"], result["claimed_by"]) == (True, None)


def test_a_new_attempt_after_a_rollback_forgets_the_last_attempts_record(ec2, run):
    rolled_back = {**STARTED, "hubfix:migration-phase": "rolled-back", "hubfix:migration-error": "boom", "hubfix:replacement-id": NEW}
    expect_source(ec2, source(state="stopped", **rolled_back))
    expect_addresses(ec2)
    expect_create_tags(ec2, {"hubfix:migration-phase": "started", "hubfix:migration-attempt": "2", "hubfix:was-running": "false", "hubfix:original-eips": ""})
    ec2.add("delete_tags", {}, {"Resources": [SOURCE], "Tags": [{"Key": "hubfix:migration-error"}, {"Key": "hubfix:replacement-id"}]})

    result = run(module, START)

    assert (result["migration"]["phase"], result["migration"]["attempt"], result["migration"]["error"]) == ("started", 2, None)
    assert (result["migration"]["replacement_id"], result["migration"]["original_eips"]) == (None, [])


def test_launched_records_the_replacement(ec2, run):
    expect_source(ec2, source(state="stopped", **{**STARTED, "hubfix:migration-phase": "snapshotted"}))
    expect_create_tags(ec2, {"hubfix:migration-phase": "launched", "hubfix:replacement-id": NEW})

    result = run(module, {"instance_id": SOURCE, "phase": "launched", "replacement_id": NEW})

    assert (result["migration"]["phase"], result["migration"]["replacement_id"]) == ("launched", NEW)
    assert result["diff"]["before"] == {"hubfix:migration-phase": "snapshotted"}


def test_an_earlier_phase_never_rewinds_the_record(ec2, run):
    expect_source(ec2, source(state="stopped", **{**STARTED, "hubfix:migration-phase": "launched"}))

    result = run(module, {"instance_id": SOURCE, "phase": "snapshotted"})

    assert result["changed"] is False
    assert result["migration"]["phase"] == "launched"


def test_completed_records_replaced_by(ec2, run):
    tags = {**STARTED, "hubfix:migration-phase": "ips-moved", "hubfix:replacement-id": NEW}
    expect_source(ec2, source(state="stopped", **tags))
    expect_create_tags(ec2, {"hubfix:migration-phase": "completed", "hubfix:replaced-by": NEW})

    result = run(module, {"instance_id": SOURCE, "phase": "completed"})

    assert result["migration"]["replaced_by"] == NEW


def test_rolled_back_records_the_error_and_forgets_the_replacement(ec2, run):
    tags = {**STARTED, "hubfix:migration-phase": "launched", "hubfix:replacement-id": NEW}
    expect_source(ec2, source(state="stopped", **tags))
    expect_create_tags(ec2, {"hubfix:migration-phase": "rolled-back", "hubfix:migration-error": "attach failed: vol busy"})
    ec2.add("delete_tags", {}, {"Resources": [SOURCE], "Tags": [{"Key": "hubfix:replacement-id"}]})

    result = run(module, {"instance_id": SOURCE, "phase": "rolled-back", "error": "attach failed: vol busy!"})

    assert result["changed"] is True
    assert (result["migration"]["phase"], result["migration"]["replacement_id"]) == ("rolled-back", None)
    assert result["migration"]["error"] == "attach failed: vol busy"


def test_check_mode_reports_the_tags_without_writing_them(ec2, run):
    expect_source(ec2, source())
    expect_addresses(ec2)

    result = run(module, START, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["migration"]["phase"] == "started"
    assert result["diff"]["after"]["hubfix:migration-phase"] == "started"


def test_a_phase_before_started_is_refused(ec2, run):
    expect_source(ec2, source())

    result = run(module, {"instance_id": SOURCE, "phase": "stopped"}, fails=True)

    assert result["msg"] == "%s: no migration in progress (phase none); record 'started' first" % SOURCE


def test_unknown_instance_fails_naming_it(ec2, run):
    ec2.error("describe_instances", "InvalidInstanceID.NotFound", "does not exist", {"InstanceIds": [SOURCE]})

    assert run(module, START, fails=True)["msg"] == "%s: instance not found in region us-east-1" % SOURCE


def test_refused_tagging_fails_naming_the_instance(ec2, run):
    expect_source(ec2, source(state="stopped", **{**STARTED, "hubfix:migration-phase": "snapshotted"}))
    ec2.error("create_tags", "UnauthorizedOperation", "not authorized")

    result = run(module, {"instance_id": SOURCE, "phase": "launched"}, fails=True)

    assert result["msg"].startswith("Unable to add tags {'hubfix:migration-phase': 'launched'} to %s" % SOURCE)


def test_malformed_run_id_fails_before_any_call(ec2, run):
    result = run(module, dict(START, run_id="a b"), fails=True)

    assert result["msg"] == "run id 'a b' must be 1-64 characters of letters, digits and . _ : - (not starting with a dot)"


# -- state=query (deprecated) ----------------------------------------------------------------------------------------


def expect_view(ec2):
    tags = {**STARTED, "hubfix:migration-phase": "launched", "hubfix:replacement-id": NEW}
    expect_source(ec2, source(state="stopped", **tags))
    replacement = r.instance(NEW, virtualization="hvm", tags={"hubfix:replaces": SOURCE})
    r.expect_migration_view(ec2, source(**tags), replacement, addresses_found=[r.address(ALLOC, "203.0.113.10", NEW, "10.0.0.99")])


def test_query_is_deprecated_and_returns_what_ec2_migration_state_info_returns(ec2, run):
    expect_view(ec2)
    info = run(info_module, {"instance_id": SOURCE})
    expect_view(ec2)

    result = run(module, {"instance_id": SOURCE, "state": "query"})

    assert result["deprecations"] == [
        {
            "msg": "state=query is deprecated: read the migration state with hubfix.aws.ec2_migration_state_info",
            "date": "2027-06-01",
            "collection_name": "hubfix.aws",
        }
    ]
    assert {k: v for k, v in result.items() if k != "deprecations"} == {k: v for k, v in info.items() if k != "deprecations"}
    assert result["replacement"]["instance_id"] == NEW


def test_query_is_the_deprecated_default_without_a_phase(ec2, run):
    expect_view(ec2)

    result = run(module, {"instance_id": SOURCE}, check_mode=True)

    assert result["changed"] is False
    assert len(result["deprecations"]) == 1
    assert result["migration"]["phase"] == "launched"
