"""The pv_to_hvm role's run-level decisions (module_utils/pv_to_hvm_run.py)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import pv_to_hvm_run as run

US, EU = "us-east-1", "eu-west-1"
INSTANCES = [
    {"instance_id": "i-00000001", "region": US, "image_id": "ami-pv1"},
    {"instance_id": "i-00000002", "region": US, "image_id": "ami-pv2"},
    {"instance_id": "i-00000003", "region": EU, "image_id": "ami-pv1"},
]


def test_region_wide_images_are_checked_once_per_region():
    assert run.image_targets(INSTANCES, "ami-hvm", {}) == {US: ["ami-hvm"], EU: ["ami-hvm"]}
    by_region = {US: "ami-us", EU: "ami-eu"}
    assert run.image_targets(INSTANCES, None, by_region) == {US: ["ami-us"], EU: ["ami-eu"]}
    # the region key wins over the one image id; a region without either has nothing to check up front
    assert run.image_targets(INSTANCES, "ami-hvm", {EU: "ami-eu"}) == {US: ["ami-hvm"], EU: ["ami-eu"]}
    assert run.image_targets(INSTANCES, None, {EU: "ami-eu"}) == {EU: ["ami-eu"]}


def test_images_of_one_instance_or_source_ami_are_left_to_the_per_instance_check():
    image_map = {"i-00000001": "ami-just-one", "ami-pv1": "ami-for-pv1", US: "ami-us"}
    # i-1 has its own image, i-3 (eu) its source AMI's; only i-2 uses the region-wide one
    assert run.image_targets(INSTANCES, None, image_map) == {US: ["ami-us"]}


def test_image_problems_name_the_region_the_image_and_the_fix():
    targets = {US: ["ami-gone", "ami-pv", "ami-ok"], EU: ["ami-pending"]}
    found = {
        US: [{"image_id": "ami-pv", "virtualization_type": "paravirtual", "state": "available"}, {"image_id": "ami-ok", "virtualization_type": "hvm"}],
        EU: [{"image_id": "ami-pending", "virtualization_type": "hvm", "state": "pending"}],
    }
    assert run.image_problems(targets, found) == [
        "region eu-west-1: target image ami-pending is pending, not available",
        "region us-east-1: target image ami-gone does not exist or is not visible to this account (AMI ids are per region)",
        "region us-east-1: target image ami-pv is paravirtual, not hvm; give an HVM AMI",
    ]


def test_image_problems_read_looped_ec2_ami_info_results():
    looped = [
        {"item": {"key": US, "value": ["ami-ok"]}, "images": [{"image_id": "ami-ok", "virtualization_type": "hvm"}]},
        {"item": {"key": EU, "value": ["ami-x"]}, "skipped": True},
    ]
    assert run.image_problems({US: ["ami-ok"]}, looped) == []
    assert run.image_problems({EU: ["ami-x"]}, looped) == [
        "region eu-west-1: target image ami-x does not exist or is not visible to this account (AMI ids are per region)"
    ]


def final_state(**replacement):
    base = {
        "instance_id": "i-new",
        "state": "running",
        "virtualization_type": "hvm",
        "metadata_http_tokens": "required",
        "subnet_id": "subnet-1",
        "security_group_ids": ["sg-1"],
        "ebs_volumes": [{"volume_id": "vol-data", "device_name": "/dev/sdf"}],
    }
    base.update(replacement)
    return {
        "replacement": base,
        "instance": {"subnet_id": "subnet-1", "security_group_ids": ["sg-1"], "ebs_volumes": []},
        "elastic_ips": [{"allocation_id": "eipalloc-1", "instance_id": "i-new"}],
    }


MOVES = [{"volume_id": "vol-data", "target_device": "/dev/sdf"}]
EIPS = [{"allocation_id": "eipalloc-1"}]


def test_a_good_migration_verifies():
    assert run.verify(final_state(), "i-new", MOVES, EIPS, True) == []


def test_verify_names_each_problem():
    bad = final_state(state="stopped", metadata_http_tokens="optional", ebs_volumes=[])
    bad["elastic_ips"] = []
    assert run.verify(bad, "i-new", MOVES, EIPS, True) == [
        "state stopped, not running",
        "IMDS tokens optional, not required",
        "volumes missing on the replacement: vol-data@/dev/sdf",
        "Elastic IPs not moved: eipalloc-1",
    ]
    # Elastic IPs left where they were on purpose are not a problem
    assert run.verify(dict(final_state(), elastic_ips=[]), "i-new", MOVES, EIPS, False) == []
    assert run.verify(final_state(), "i-other", MOVES, EIPS, True) == ["the replacement i-other is gone or not the one recorded (i-new)"]


def test_finding_notes_resolve_only_a_verified_migration():
    result = {"instance_id": "i-old", "status": "migrated", "replacement_id": "i-new", "target_instance_type": "t3.small", "target_image_id": "ami-hvm"}
    status, note = run.finding_note(result, True, False)
    assert status == "RESOLVED" and "replaced by i-new" in note and "re-check passed" in note
    status, note = run.finding_note(result, False, False)
    assert status == "NOTIFIED" and "still paravirtual" in note
    status, note = run.finding_note(dict(result, status="planned"), False, True)
    assert status == "NOTIFIED" and "dry run - would be replaced" in note
    status, note = run.finding_note({"instance_id": "i-old", "status": "rolled_back", "errors": ["boom"], "rollback": "done"}, False, False)
    assert status == "NOTIFIED" and note.endswith("FAILED (rolled_back) - boom; rollback: done")


def test_verified_means_the_source_is_gone():
    migrated = {"instance_id": "i-old", "status": "migrated"}
    assert run.verified(migrated, ["i-other"], False) is True
    assert run.verified(migrated, ["i-old"], False) is False
    assert run.verified(dict(migrated, source_terminated=True), [], True) is True
    assert run.verified({"instance_id": "i-old", "status": "blocked"}, [], False) is False


def test_run_report_counts_per_account():
    results = [
        {"instance_id": "i-1", "status": "migrated", "account_id": "111111111111"},
        {"instance_id": "i-2", "status": "rolled_back", "account_id": "111111111111"},
        {"instance_id": "i-3", "status": "in_progress_other_run", "account_id": "222222222222"},
    ]
    accounts = [{"account_id": "111111111111", "status": "ok"}, {"account_id": "222222222222", "status": "ok"}]
    report = run.run_report(results, accounts, run_id="r1")
    rows = {r["account_id"]: r for r in report["accounts"]}
    assert (rows["111111111111"]["migrated"], rows["111111111111"]["failed"], rows["111111111111"]["instances"]) == (1, 1, 2)
    assert (rows["222222222222"]["failed"], rows["222222222222"]["instances"]) == (0, 1), "another run's instance is not a failure"
    assert report["securityhub"]["updates"] is False and report["source"] == "scan"
    assert run.with_account([{"instance_id": "i-1"}, "111111111111"]) == {"instance_id": "i-1", "account_id": "111111111111"}
