"""Unit tests of the EC2.24 remediation report (plugins/module_utils/pv_report.py)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import pv_migration as pm
from ansible_collections.hubfix.aws.plugins.module_utils import pv_report


def dev(device, vol, dot):
    return {"device_name": device, "volume_id": vol, "delete_on_termination": dot}


# --- report -----------------------------------------------------------------------------------------------

QUERY = {
    "instance": {"instance_id": "i-1", "state": "stopped", "instance_type": "m1.large", "root_device_name": "/dev/sda1", "tags": {"Name": "pv-data"}},
    "migration": {
        "phase": "completed",
        "run_id": "r1",
        "original_devices": [dev("/dev/sda1", "vol-r", True), dev("/dev/sdf", "vol-d", False)],
        "original_eips": [{"allocation_id": "eipalloc-1", "private_ip_address": "10.0.0.5"}],
        "replaced_by": "i-2",
        "replacement_id": "i-2",
    },
    "replacement": {"instance_id": "i-2", "state": "running", "public_ip_address": "1.2.3.4", "metadata_http_tokens": "required"},
    "elastic_ips": [{"allocation_id": "eipalloc-1", "public_ip": "1.2.3.4", "instance_id": "i-2"}],
    "snapshots": [
        {"snapshot_id": "snap-1", "volume_id": "vol-r", "device_name": "/dev/sda1", "state": "completed", "tags": {pm.TAG_RUN: "r1"}},
        {"snapshot_id": "snap-0", "volume_id": "vol-r", "device_name": "/dev/sda1", "state": "completed", "tags": {pm.TAG_RUN: "r0"}},
    ],
}
PREFLIGHT = {"target_image_id": "ami-hvm", "target_instance_type": "m5.large", "blockers": [], "errors": [], "audit_warnings": []}


def test_result_of_a_migrated_instance():
    r = pv_report.build_result("i-1", "us-east-1", "migrated", preflight=PREFLIGHT, query=QUERY, public_ip_without_eip=None)
    assert r["name"] == "pv-data" and r["replacement_id"] == "i-2" and r["target_instance_type"] == "m5.large"
    assert [s["snapshot_id"] for s in r["snapshots"]] == ["snap-1"]  # this run's only
    assert [(m["volume_id"], m["target_device"]) for m in r["volumes"]] == [("vol-r", "/dev/sdo"), ("vol-d", "/dev/sdf")]
    assert r["elastic_ips"] == [{"allocation_id": "eipalloc-1", "private_ip_address": "10.0.0.5", "public_ip": "1.2.3.4"}]
    todo = " | ".join(r["follow_ups"])
    assert "restore application data and configuration from the old root volume vol-r" in todo
    assert "load balancer" in todo and "terminate the stopped source i-1" in todo
    assert "DNS" not in todo


def test_a_nitro_replacement_gets_the_nvme_names_and_the_relabel_warning():
    r = pv_report.build_result("i-1", "us-east-1", "migrated", preflight=PREFLIGHT, query=QUERY)  # m5.large: Nitro
    nvme = {m["volume_id"]: m["nvme_device"] for m in r["volumes"]}
    assert nvme == {"vol-r": "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_volr", "vol-d": "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vold"}
    todo = " | ".join(r["follow_ups"])
    assert "at /dev/sdo (on this Nitro instance /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_volr)" in todo
    assert "vol-d at /dev/sdf (on this Nitro instance /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vold)" in todo
    assert "relabel the old root volume vol-r" in todo and "e2label" in todo and "xfs_admin -L" in todo
    md = pv_report.render_markdown({"instances": [r]})
    assert "- volume vol-r: /dev/sda1 → /dev/sdo (NVMe: /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_volr)" in md


def test_a_xen_replacement_keeps_the_requested_device_names():
    r = pv_report.build_result("i-1", "us-east-1", "migrated", preflight=dict(PREFLIGHT, target_instance_type="m4.large"), query=QUERY)
    assert {m["nvme_device"] for m in r["volumes"]} == {None}
    todo = " | ".join(r["follow_ups"])
    assert "Nitro" not in todo and "vol-d at /dev/sdf" in todo
    assert "relabel the old root volume vol-r" in todo  # the label clash does not depend on the hypervisor


def test_follow_ups_mention_dns_for_a_plain_public_ip_and_not_termination_when_terminated():
    r = pv_report.build_result("i-1", "us-east-1", "migrated", preflight=PREFLIGHT, query=QUERY, public_ip_without_eip="5.6.7.8", source_terminated=True)
    todo = " | ".join(r["follow_ups"])
    assert "update DNS records" in todo and "5.6.7.8" in todo
    assert "terminate the stopped source" not in todo


def test_result_of_a_blocked_and_a_rolled_back_instance():
    pre = dict(
        PREFLIGHT, blockers=[{"code": "spot", "message": "spot"}, {"code": "x", "message": "y"}], refusing_blockers=[{"code": "spot", "message": "spot"}]
    )
    blocked = pv_report.build_result("i-1", "us-east-1", "blocked", preflight=pre)
    assert blocked["blockers"] == [{"code": "spot", "message": "spot"}] and blocked["follow_ups"] == []
    rolled = pv_report.build_result("i-1", "us-east-1", "rolled_back", preflight=PREFLIGHT, query=QUERY, errors=["attach failed"], rollback="restored")
    assert rolled["errors"] == ["attach failed"] and rolled["volumes"] == [] and rolled["rollback"] == "restored"


def test_report_and_markdown():
    results = [
        pv_report.build_result("i-1", "us-east-1", "migrated", preflight=PREFLIGHT, query=QUERY),
        pv_report.build_result("i-3", "eu-west-1", "invalid", preflight=dict(PREFLIGHT, errors=["i-3: instance not found in region eu-west-1"])),
        None,
    ]
    report = pv_report.build_report(results, run_id="r1", generated_at="2026-01-01T00:00:00Z")
    assert report["totals"] == {"migrated": 1, "invalid": 1}
    assert report["failed"] == ["i-3"]
    assert [r["instance_id"] for r in report["instances"]] == ["i-3", "i-1"]
    md = pv_report.render_markdown(report)
    assert "## i-1 (pv-data) — migrated" in md
    assert "- error: i-3: instance not found in region eu-west-1" in md
    assert "- [ ] restore application data" in md


OWNED = [{"kind": "target_group", "id": "arn:tg", "name": "web", "owner_change": "register i-2 and deregister i-1 in CloudFormation stack web"}]


def test_a_prepared_plan_says_the_cutover_will_refuse_owned_traffic():
    refusal = "i-1: the cutover would change what someone else manages: target group web"
    r = pv_report.build_result("i-1", "us-east-1", "prepared", preflight=PREFLIGHT, query=QUERY, traffic_plan=[], traffic_refusal=refusal)
    assert r["cutover_plan"] == ["the cutover will refuse to start (pv_to_hvm_owned_traffic refuse): " + refusal]

    moved = pv_report.build_result("i-1", "us-east-1", "prepared", preflight=PREFLIGHT, query=QUERY, traffic_plan=["register i-2"], owned_traffic=OWNED)
    assert moved["cutover_plan"][-1] == "then, in its owner: register i-2 and deregister i-1 in CloudFormation stack web"


def test_a_cutover_that_moved_owned_traffic_leaves_the_owners_change_to_do():
    r = pv_report.build_result("i-1", "us-east-1", "migrated", preflight=PREFLIGHT, query=QUERY, traffic=["register i-2"], owned_traffic=OWNED)
    assert "make the cutover's change in the owner, or its next update puts the source back: register i-2" in " | ".join(r["follow_ups"])
