"""Records and report of the hubfix.aws.autoscaling_imdsv2 role (plugins/module_utils/autoscaling_remediation.py), with
inputs shaped like the ones the role's tasks pass to its filters."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as r

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "eu-west-1"
HEAD = "hubfix.aws remediate_autoscaling_3: "


def group(name, live=(), lc_name="web-lc"):
    """A group of a plan record (module_utils/autoscaling.py group_summary)."""
    return {
        "name": name,
        "region": REGION,
        "launch_configuration_name": lc_name,
        "launch_template": None,
        "mixed_instances_policy": False,
        "min_size": 1,
        "max_size": 4,
        "desired_capacity": len(live),
        "instances": list(live),
        "live_instances": list(live),
    }


def lc(name="web-lc", action="convert", groups=(), other_groups=(), region=REGION, account=ACCOUNT):
    """A launch configuration record of autoscaling_imdsv2_plan_info."""
    return {
        "name": name,
        "arn": "arn:aws:autoscaling:%s:%s:launchConfiguration:x:launchConfigurationName/%s" % (region, account, name),
        "region": region,
        "account_id": account,
        "compliant": False,
        "reason": "http_tokens_optional",
        "action": action,
        "groups": list(groups),
        "other_groups": list(other_groups),
        "user_data_present": True,
    }


def template(name="web-lc", version=3, action="created"):
    """The registered result of launch_template_from_config."""
    return {
        "changed": True,
        "action": action,
        "claimed_by": None,
        "launch_configuration_name": name,
        "launch_template": {"launch_template_id": "lt-0abc", "launch_template_name": name, "version_number": version},
    }


def usage(group_name, used, total=0, instances=()):
    """One looped imdsv1_usage_info result."""
    return {
        "changed": False,
        "imdsv1_used": used,
        "metadata_no_token_total": total,
        "instances_using_imdsv1": list(instances),
        "start_time": "2024-05-01T00:00:00Z",
        "end_time": "2024-05-15T00:00:00Z",
        "autoscaling_imdsv2__item": group(group_name),
        "ansible_loop_var": "autoscaling_imdsv2__item",
    }


GROUP_TEMPLATE = {"launch_template_id": "lt-0abc", "launch_template_name": "web-lc", "version": "3"}


# -- plan -----------------------------------------------------------------------------------------------------------------


def test_account_plan_scan_handles_everything_planned():
    plan = {"account_id": ACCOUNT, "launch_configurations": [lc("a"), lc("b")], "errors": [], "regions": [REGION]}
    out = r.account_plan(ACCOUNT, plan)
    assert out == {"plan": plan, "targets": [], "todo": [lc("a"), lc("b")], "already_compliant": []}


def test_account_plan_skipped_plan_is_an_empty_plan():
    out = r.account_plan(ACCOUNT, {"skipped": True, "changed": False}, [], "securityhub")
    assert out == {
        "plan": {"account_id": ACCOUNT, "launch_configurations": [], "errors": [], "regions": []},
        "targets": [],
        "todo": [],
        "already_compliant": [],
    }


def test_account_plan_securityhub_keeps_targets_and_reports_the_compliant_ones():
    plan = {"account_id": ACCOUNT, "launch_configurations": [lc("a"), lc("b"), lc("a", region="us-east-1")], "errors": [], "regions": [REGION]}
    targets = [
        {"kind": "launch_configuration", "region": REGION, "id": "a"},
        {"kind": "launch_configuration", "region": REGION, "id": "gone-lc"},
    ]
    out = r.account_plan(ACCOUNT, plan, targets, "securityhub")
    assert [(x["region"], x["name"]) for x in out["todo"]] == [(REGION, "a")]
    assert out["already_compliant"] == [targets[1]]
    assert out["targets"] == targets


def test_account_plan_inventory_keeps_the_hosts_launch_configurations():
    plan = {"account_id": ACCOUNT, "launch_configurations": [lc("a"), lc("b"), lc("a", region="us-east-1")], "errors": [], "regions": [REGION]}
    targets = [{"kind": "launch_configuration", "region": REGION, "id": "b"}, {"kind": "launch_configuration", "region": REGION, "id": "deleted"}]
    out = r.account_plan(ACCOUNT, plan, targets, "inventory")
    assert [(x["region"], x["name"]) for x in out["todo"]] == [(REGION, "b")]
    assert out["already_compliant"] == [targets[1]]
    assert r.plan_summary(ACCOUNT, out, "inventory").endswith("; from the inventory's hosts: 2 launch configuration(s), 1 no longer failing")


def test_plan_errors_of_every_account():
    plans = {
        ACCOUNT: {"plan": {"errors": ["group asg-x is not found (region eu-west-1)"]}},
        OTHER: {"plan": {"errors": []}},
        "333333333333": {"plan": None},
    }
    assert r.plan_errors(plans) == ["group asg-x is not found (region eu-west-1)"]
    assert r.plan_errors(None) == []


def test_plan_summary_lines():
    todo = [lc("a"), lc("b", action="delete_unused")]
    plan = {"todo": todo, "targets": [{"id": "a"}, {"id": "b"}, {"id": "c"}], "already_compliant": [{"id": "c"}]}
    assert r.plan_summary(ACCOUNT, plan, "scan") == (
        "Account 123456789012: 2 launch configuration(s) to handle: eu-west-1/a/convert, eu-west-1/b/delete_unused"
    )
    assert r.plan_summary(ACCOUNT, plan, "securityhub").endswith("; from 3 Security Hub finding(s), 1 no longer failing")
    empty = {"todo": [], "targets": [], "already_compliant": []}
    assert r.plan_summary(ACCOUNT, empty, "scan") == "Account 123456789012: 0 launch configuration(s) to handle: none"


# -- IMDSv1 gate -----------------------------------------------------------------------------------------------------------


def test_imdsv1_evidence_only_of_groups_with_imdsv1_calls():
    results = [usage("asg-a", True, 7, ["i-1", "i-2"]), usage("asg-b", False), {"skipped": True, "autoscaling_imdsv2__item": group("asg-c")}]
    assert r.imdsv1_evidence(results, 14) == [
        {
            "name": "asg-a",
            "metadata_no_token": 7,
            "instances": ["i-1", "i-2"],
            "days": 14,
            "start_time": "2024-05-01T00:00:00Z",
            "end_time": "2024-05-15T00:00:00Z",
        }
    ]
    assert r.imdsv1_evidence(None, 14) == []


def test_groups_to_switch_gate_and_force():
    groups = [group("asg-a", ["i-1"]), group("asg-b")]
    evidence = r.imdsv1_evidence([usage("asg-a", True, 2, ["i-1"])], 14)
    assert [g["name"] for g in r.groups_to_switch(groups, evidence)] == ["asg-b"]
    assert [g["name"] for g in r.groups_to_switch(groups, evidence, force=True)] == ["asg-a", "asg-b"]
    assert r.evidence_of(evidence, "asg-a") is evidence[0]
    assert r.evidence_of(evidence, "asg-b") is None


def test_skipped_groups_records_the_gate():
    item = lc(groups=[group("asg-a", ["i-1", "i-2"])])
    evidence = r.imdsv1_evidence([usage("asg-a", True, 5, ["i-1", "i-2"])], 14)
    assert r.skipped_groups(item, evidence) == [
        {
            "name": "asg-a",
            "region": REGION,
            "account_id": ACCOUNT,
            "launch_configuration_name": "web-lc",
            "status": "skipped_imdsv1_in_use",
            "message": "IMDSv1 calls seen (MetadataNoToken 5 over 14 days on i-1, i-2); update the software to IMDSv2 or set autoscaling_imdsv2_force",
            "imdsv1_evidence": evidence[0],
        }
    ]
    assert r.skipped_groups(item, evidence, force=True) == []


# -- group records ---------------------------------------------------------------------------------------------------------


def test_group_record_check_mode_is_planned():
    rec = r.group_record(lc(), group("asg-a"), GROUP_TEMPLATE, "3", True, {"changed": False}, None, {}, None, True)
    assert rec["status"] == "planned"
    assert rec["message"] == "would switch to web-lc version 3; would replace its instances with an instance refresh"
    assert rec["changed"] is True
    assert rec["launch_template"] == dict(GROUP_TEMPLATE, version="3")
    assert rec["instance_refresh"] is None
    assert rec["instances_replaced"] == []


def test_group_record_real_run_is_migrated():
    refresh = {"changed": True, "instance_refresh": {"instance_refresh_id": "r-1", "status": "Pending"}, "instances_to_replace": ["i-1"]}
    status = {"instance_refresh": {"instance_refresh_id": "r-1", "status": "Successful"}}
    evidence = {"name": "asg-a", "metadata_no_token": 0}
    rec = r.group_record(lc(), group("asg-a", ["i-1"]), GROUP_TEMPLATE, "3", False, {"changed": False}, refresh, status, evidence, True)
    assert rec["status"] == "migrated"
    assert rec["message"] == "switched to web-lc version 3; replaced its instances with an instance refresh"
    assert rec["changed"] is True
    assert rec["instance_refresh"] == {"instance_refresh_id": "r-1", "status": "Successful"}
    assert rec["instances_replaced"] == ["i-1"]
    assert rec["imdsv1_evidence"] is evidence
    assert (rec["name"], rec["account_id"], rec["launch_configuration_name"]) == ("asg-a", ACCOUNT, "web-lc")


def test_group_record_without_refresh_unchanged_when_already_switched():
    rec = r.group_record(lc(), group("asg-a"), GROUP_TEMPLATE, "3", False, {"changed": False})
    assert rec["message"] == "switched to web-lc version 3; running instances keep their metadata settings until replaced"
    assert rec["changed"] is False


def test_failed_group_rolled_back_or_not():
    status = {"instance_refresh": {"instance_refresh_id": "r-1", "status": "RollbackSuccessful"}}
    back = r.failed_group(lc(), group("asg-a"), "refresh failed", None, status)
    assert back["status"] == "failed_rolled_back"
    assert back["message"] == "refresh failed; back on launch configuration web-lc"
    assert (back["changed"], back["launch_template"], back["instance_refresh"]) == (True, None, status["instance_refresh"])
    stuck = r.failed_group(lc(), group("asg-a"), None, "AccessDenied")
    assert stuck["status"] == "failed_rollback_failed"
    assert stuck["message"] == "failed; ROLLBACK FAILED: AccessDenied"
    assert stuck["instance_refresh"] is None


def test_refresh_helpers():
    assert r.refresh_done({"status": "Successful"}) is True
    assert r.refresh_done({"status": "RollbackFailed"}) is True
    assert r.refresh_done({"status": "InProgress"}) is False
    assert r.refresh_done(None) is False
    assert r.refresh_failure(None, "asg-a") is None
    assert r.refresh_failure({"status": "Successful"}, "asg-a") is None
    assert r.refresh_failure({"instance_refresh_id": "r-1", "status": "Failed"}, "asg-a") == (
        "instance refresh r-1 of group asg-a ended Failed: no reason given"
    )
    assert r.refresh_failure({"instance_refresh_id": "r-1", "status": "Cancelled", "status_reason": "by hand"}, "asg-a") == (
        "instance refresh r-1 of group asg-a ended Cancelled: by hand"
    )


def test_refresh_progress_line():
    refresh = {"instance_refresh_id": "r-1", "status": "InProgress", "percentage_complete": 50, "instances_to_update": 2, "status_reason": "Waiting"}
    assert r.refresh_progress_line("asg-a", refresh, 61.9) == (
        "asg-a: instance refresh r-1 InProgress, 50 % complete, 2 instance(s) to update (after 61s) - Waiting"
    )
    assert r.refresh_progress_line("asg-a", None) == "asg-a: instance refresh None None, 0 % complete"


# -- launch configuration records -------------------------------------------------------------------------------------------


def test_should_delete():
    assert r.should_delete(lc(), True, True) is True
    assert r.should_delete(lc(), True, False) is False
    assert r.should_delete(lc(), False, True) is False  # no backup, no deletion
    assert r.should_delete(lc(action="delete_unused"), True, False) is True
    assert r.should_delete(lc(action="keep_unused"), True, True) is False


def test_still_used_and_kept_because():
    item = lc(groups=[group("asg-a"), group("asg-b")], other_groups=["asg-z"])
    assert r.still_used(item, ["asg-a"]) == ["asg-b", "asg-z"]
    assert r.still_used(lc(groups=[group("asg-a")]), ["asg-a"]) == []
    assert r.kept_because(item, ["asg-b", "asg-z"], "", True) == "still used by asg-b, asg-z"
    assert r.kept_because(item, [], "ResourceInUse", True) == "deletion refused: ResourceInUse"
    assert r.kept_because(item, [], "", False) == "autoscaling_imdsv2_delete_launch_configurations is never"
    assert r.kept_because(lc(action="keep_unused"), [], "", True) == "unused: set autoscaling_imdsv2_delete_unused to delete it"
    assert r.kept_because(item, [], "", True) is None


def test_lc_record_retired():
    item = lc(groups=[group("asg-a")])
    backup = {"found": True, "backup_file": "/r/backups/eu-west-1/web-lc.json"}
    rec = r.lc_record(item, backup, template(), ["asg-a"], True, "", True, False)
    assert rec == {
        "name": "web-lc",
        "region": REGION,
        "account_id": ACCOUNT,
        "reason": "http_tokens_optional",
        "action": "convert",
        "status": "retired",
        "backup_file": "/r/backups/eu-west-1/web-lc.json",
        "launch_template": template()["launch_template"],
        "template_action": "created",
        "paravirtual_image": None,
        "groups": ["asg-a"],
        "switched_groups": ["asg-a"],
        "deleted": True,
        "kept_because": None,
        "proof": None,
        "owner": None,
        "owned_groups": [],
        "error": None,
    }


def test_lc_record_kept_and_planned():
    item = lc(groups=[group("asg-a"), group("asg-b")])
    kept = r.lc_record(item, {"backup_file": "/b.json"}, None, ["asg-a"], False, "", True, False)
    assert (kept["status"], kept["deleted"], kept["kept_because"], kept["launch_template"]) == ("kept", False, "still used by asg-b", None)
    planned = r.lc_record(item, {"backup_file": "/b.json"}, template(), ["asg-a", "asg-b"], True, "", True, True)
    assert (planned["status"], planned["deleted"], planned["kept_because"]) == ("planned", True, None)
    # delete_unused without a deletion (no backup): no specific reason, still says why
    unused = r.lc_record(lc(action="delete_unused"), None, None, [], False, "", True, False)
    assert unused["kept_because"] == "not deleted"


def test_lc_failed():
    rec = r.lc_failed(lc(groups=[group("asg-a")]), "Convert: throttled")
    assert rec["status"] == "failed"
    assert rec["error"] == "Convert: throttled"
    assert rec["kept_because"] == "failed: Convert: throttled"
    assert (rec["groups"], rec["switched_groups"], rec["deleted"], rec["launch_template"]) == (["asg-a"], [], False, None)
    report = {"launch_configurations": [rec, r.lc_record(lc("b"), None, None, [], True, "", True, False)]}
    assert r.failed_launch_configurations(report) == [rec]


def test_lc_elsewhere():
    claim = {"id": "20240501T000000Z-abc123", "host": "awx-1", "pid": 4242, "pid_start": "1", "heartbeat": "x"}
    rec = r.lc_elsewhere(lc(), claim)
    assert rec["status"] == "in_progress_other_run"
    assert rec["error"] is None
    assert rec["claimed_by"] is claim
    assert rec["kept_because"] == "in progress by run 20240501T000000Z-abc123 (awx-1, pid 4242): left to it"


def test_lc_gone():
    rec = r.lc_gone(lc())
    assert (rec["status"], rec["error"], rec["deleted"], rec["kept_because"], rec["launch_template"]) == ("gone", None, False, None, None)
    assert rec["note"] == "deleted since it was planned (by another run or by hand); nothing left to do"
    made = r.lc_gone(lc(), template(action="source_gone"))
    assert made["template_action"] == "source_gone"
    assert made["note"] == "deleted since it was planned (by another run or by hand): its launch template is web-lc; nothing left to do"


# -- Security Hub note -------------------------------------------------------------------------------------------------------


def _retired(account=ACCOUNT):
    item = lc(groups=[group("asg-a")], account=account)
    return r.lc_record(item, {"backup_file": "/r/backups/eu-west-1/web-lc.json"}, template(), ["asg-a"], True, "", True, False)


def test_finding_note_resolved_only_when_deleted_and_verified():
    groups = [r.group_record(lc(), group("asg-a"), GROUP_TEMPLATE, "3", False, {"changed": True})]
    assert r.finding_note(_retired(), groups, True, False) == (
        "RESOLVED",
        HEAD + "resolved - replaced by launch template web-lc version 3 (IMDSv2 required); groups switched: asg-a; "
        "launch configuration deleted (backup web-lc.json); re-check passed",
    )
    status, note = r.finding_note(_retired(), groups, True, True)
    assert (status, note.endswith("; would be re-checked")) == ("RESOLVED", True)
    assert r.finding_note(_retired(), groups, False, False) == (
        "NOTIFIED",
        HEAD + "not resolved - launch template web-lc version 3; launch configuration kept (re-check still finds it failing)",
    )


def test_finding_note_notified_with_the_reason():
    kept = r.lc_record(lc(groups=[group("asg-a")]), {"backup_file": "/b.json"}, None, [], False, "", True, False)
    assert r.finding_note(kept, [], True, False) == (
        "NOTIFIED",
        HEAD + "not resolved - launch template none; launch configuration kept (still used by asg-a)",
    )
    failed = r.failed_group(lc(), group("asg-a"), "refresh failed")
    assert r.finding_note(_retired(), [failed], True, False) == (
        "NOTIFIED",
        HEAD + "FAILED - asg-a: failed_rolled_back (refresh failed; back on launch configuration web-lc); launch configuration kept",
    )
    # a failure of a same-named launch configuration in another region is not this one's
    elsewhere = r.failed_group(lc(region="us-east-1"), group("asg-a"), "refresh failed")
    assert r.finding_note(_retired(), [elsewhere], True, False)[0] == "RESOLVED"


def test_finding_note_ignores_failures_of_another_account():
    failed_elsewhere = r.failed_group(lc(account=OTHER), group("asg-a"), "refresh failed")
    assert r.finding_note(_retired(ACCOUNT), [failed_elsewhere], True, False)[0] == "RESOLVED"


# -- report ----------------------------------------------------------------------------------------------------------------


def _run(check_mode):
    accounts = [
        {"account_id": ACCOUNT, "role_arn": None, "status": "ok", "error": None},
        {"account_id": OTHER, "role_arn": "arn:aws:iam::210987654321:role/Hub", "status": "failed", "error": "sts:AssumeRole denied"},
    ]
    plans = {
        ACCOUNT: {
            "plan": {"regions": [{"region": REGION, "status": "ok"}, "us-east-1", REGION], "errors": []},
            "targets": [{"region": REGION, "id": "web-lc"}, {"region": REGION, "id": "old-lc"}],
            "already_compliant": [{"region": REGION, "id": "old-lc"}],
        }
    }
    groups = [
        r.group_record(lc(), group("asg-a"), GROUP_TEMPLATE, "3", check_mode, {"changed": True}),
        r.skipped_groups(lc(), [{"name": "asg-b", "metadata_no_token": 1, "days": 14, "instances": ["i-9"]}])[0],
        r.failed_group(lc("api-lc"), group("asg-c"), "boom", "denied"),
    ]
    lcs = [
        r.lc_record(lc(groups=[group("asg-a")]), {"backup_file": "/b.json"}, template(), ["asg-a"], True, "", True, check_mode),
        r.lc_record(lc(groups=[group("asg-b")]), {"backup_file": "/b.json"}, template(), [], False, "", True, check_mode),
        r.lc_gone(lc("gone-lc")),
        r.lc_failed(lc("api-lc"), "Switch: boom"),
    ]
    return r.remediation_report(lcs, groups, plans, accounts, "securityhub", True, "/r/backups", check_mode, "run-1")


def test_remediation_report_real_run():
    report = _run(False)
    assert report["title"] == "AutoScaling.3 remediation"
    assert (report["check_mode"], report["run_id"], report["account_id"], report["source"]) == (False, "run-1", ACCOUNT, "securityhub")
    assert report["regions"] == [REGION, "us-east-1"]
    assert report["securityhub"] == {"updates": True, "targets": ["web-lc", "old-lc"], "already_compliant": [ACCOUNT + "/eu-west-1/old-lc"]}
    assert report["summary"] == {
        "launch_configurations": 4,
        "templates": 2,
        "groups_migrated": 1,
        "groups_planned": 0,
        "groups_skipped": 1,
        "groups_failed": 1,
        "launch_configurations_deleted": 1,
        "launch_configurations_to_delete": 0,
        "launch_configurations_to_delete_after_refresh": 0,
        "findings_still_open": 2,  # kept + failed; the gone one closes
        "launch_configurations_owned": 0,
        "groups_owned": 0,
        "launch_configurations_waiting_for_proof": 0,
    }
    assert report["accounts"] == [
        {
            "account_id": ACCOUNT,
            "role_arn": None,
            "status": "ok",
            "error": None,
            "launch_configurations": 4,
            "launch_configurations_deleted": 1,
            "groups_migrated": 1,
            "groups_failed": 1,
        },
        {
            "account_id": OTHER,
            "role_arn": "arn:aws:iam::210987654321:role/Hub",
            "status": "failed",
            "error": "sts:AssumeRole denied",
            "launch_configurations": 0,
            "launch_configurations_deleted": 0,
            "groups_migrated": 0,
            "groups_failed": 0,
        },
    ]
    assert [g["name"] for g in r.failed_groups(report)] == ["asg-c"]
    assert r.summary_lines(report) == [
        "AutoScaling.3 remediation done.",
        "Launch configurations handled: 4, deleted: 1, AutoScaling.3 findings still open: 2",
        "Groups migrated: 1, skipped (IMDSv1 in use): 1, failed: 1",
    ]


def test_remediation_report_check_mode_is_a_plan():
    report = _run(True)
    assert report["title"] == "AutoScaling.3 plan"
    assert report["check_mode"] is True
    s = report["summary"]
    assert (s["groups_migrated"], s["groups_planned"], s["launch_configurations_deleted"], s["launch_configurations_to_delete"]) == (0, 1, 0, 1)
    assert r.summary_lines(report) == [
        "Check mode: nothing was changed; this is the plan a real run carries out.",
        "Launch configurations handled: 4, would be deleted: 1, AutoScaling.3 findings still open: 2",
        "Groups planned: 1, skipped (IMDSv1 in use): 1, failed: 1",
    ]


def test_remediation_report_of_nothing():
    report = r.remediation_report([], [], {}, [])
    assert (report["account_id"], report["regions"], report["accounts"], report["schema_version"]) == (None, [], [], 1)
    assert report["control_ids"] == ["AutoScaling.3", "AutoScaling.9"]
    assert set(report["summary"].values()) == {0}


def test_every_account_is_planned_in_one_request_with_its_credentials_and_inventory_scope():
    from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as rem

    creds = {"111122223333": {"access_key": "A", "secret_key": "s", "session_token": "t"}, "444455556666": {}}
    assert rem.plan_request(["111122223333", "444455556666"], creds) == [
        {"account_id": "111122223333", "credentials": creds["111122223333"]},
        {"account_id": "444455556666", "credentials": {}},
    ]
    inventory = {
        "targets": {"111122223333": [{"region": "eu-west-1", "id": "lc-a"}, {"region": "us-east-1", "id": "lc-b"}, {"region": "eu-west-1", "id": "lc-c"}]},
        "also_launch_configuration_names": {"111122223333": ["lc-c"]},
    }
    (item,) = rem.plan_request(["111122223333"], creds, inventory, "inventory")
    assert (item["regions"], item["also_launch_configuration_names"]) == (["eu-west-1", "us-east-1"], ["lc-c"])
    assert rem.plan_request(["111122223333"], creds, inventory, "inventory", ["ap-northeast-1"])[0]["regions"] == ["ap-northeast-1"]


def test_an_account_that_could_not_be_planned_stops_the_run_with_its_error():
    from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as rem

    lc = {"region": "us-east-1", "name": "lc-a", "action": "convert"}
    results = [
        {"account_id": "111122223333", "plan": {"account_id": "111122223333", "launch_configurations": [lc], "errors": [], "regions": []}, "error": None},
        {"account_id": "444455556666", "plan": None, "error": "every region failed: AccessDenied"},
    ]
    plans = rem.account_plans(results)
    assert plans["111122223333"]["todo"] == [lc]
    assert rem.plan_errors(plans) == ["account 444455556666 could not be planned: every region failed: AccessDenied"]
    inventory = {"targets": {"111122223333": [{"region": "us-east-1", "id": "lc-a"}, {"region": "us-east-1", "id": "lc-gone"}]}}
    scoped = rem.account_plans(results[:1], inventory, "inventory")["111122223333"]
    assert scoped["todo"] == [lc] and [t["id"] for t in scoped["already_compliant"]] == ["lc-gone"]
