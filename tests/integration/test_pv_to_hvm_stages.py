"""EC2.24 in stages (pv_to_hvm_stage prepare, then cutover) with the default volume strategy copy, on the demo estate.

One scenario, as an AWX workflow runs it: a failing health gate stops the prepare (the sources keep serving), a second
prepare resumes with the same replacements, a third changes nothing; the cutover moves pv-data's traffic, rolls pv-plain
back when its health check fails, and refuses to stop pv-ephemeral (instance store) without the acknowledgement.
"""

from __future__ import annotations

import json

import pytest

from tests.harness import report_file, run_playbook
from tests.simulator.seed import seed

PLAYBOOK = "hubfix.aws.remediate_ec2_24"
NAMES = ("pv-data", "pv-plain", "pv-ephemeral")


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def instance(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def devices(inst):
    return {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if "Ebs" in m}


def replacements(ec2, source_id):
    found = ec2.describe_instances(Filters=[{"Name": "tag:hubfix:replaces", "Values": [source_id]}])["Reservations"]
    return [i for r in found for i in r["Instances"]]


def report(tmp_path):
    data = json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())
    return {r["name"]: r for r in data["instances"]}


def originals(estate, name):
    return {v["device"]: v["id"] for v in estate["volumes"].values() if v["instance"] == name}


def assert_serving(ec2, estate, name):
    """The source runs on its own volumes and keeps its Elastic IPs."""
    source_id = estate["instances"][name]["id"]
    source = instance(ec2, source_id)
    assert source["State"]["Name"] == "running", name
    assert devices(source) == originals(estate, name), name
    for eip in (e for e in estate["elastic_ips"].values() if e["instance"] == name):
        assert ec2.describe_addresses(AllocationIds=[eip["allocation_id"]])["Addresses"][0]["InstanceId"] == source_id


def assert_prepared(ec2, estate, name):
    """One running replacement with a copy of each source volume at its planned device; phase prepared, no claim left."""
    source_id = estate["instances"][name]["id"]
    source = instance(ec2, source_id)
    (repl,) = replacements(ec2, source_id)
    assert repl["State"]["Name"] == "running" and repl["MetadataOptions"]["HttpTokens"] == "required"
    on_repl = devices(repl)
    for device, vol in originals(estate, name).items():
        target = "/dev/sdo" if device == source["RootDeviceName"] else device
        copy = ec2.describe_volumes(VolumeIds=[on_repl[target]])["Volumes"][0]
        assert tags_of(copy)["hubfix:source-volume"] == vol and tags_of(copy)["hubfix:copied-from-snapshot"] == copy["SnapshotId"], (name, target)
    assert tags_of(source)["hubfix:migration-phase"] == "prepared" and "hubfix:migration-claim" not in tags_of(source)
    return repl


@pytest.mark.slow(200)
def test_prepare_then_cutover_with_health_gate_rollback_and_instance_store(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    ec2 = simulator.client("ec2")
    ids = {n: estate["instances"][n]["id"] for n in NAMES}
    flag = tmp_path / "app-is-up"
    bring_up = tmp_path / "bring-up.json"
    tasks = tmp_path / "bring_up.yml"
    tasks.write_text(
        "- name: bring the application up (the operator's tasks)\n"
        "  ansible.builtin.shell: echo '{{ pv_to_hvm_replacement | to_json }}' >> " + str(bring_up) + "\n"
        "  changed_when: false\n"
    )
    ev = {
        "pv_to_hvm_regions": "us-east-1",  # AWX survey strings
        "pv_to_hvm_instance_ids": "\n".join(ids.values()),
        "pv_to_hvm_image_id": estate["images"]["hvm"]["us-east-1"],
        "pv_to_hvm_image_map": {estate["images"]["pv_instance_store"]["us-east-1"]: estate["images"]["hvm"]["us-east-1"]},
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_prepare_tasks": str(tasks),
        # a list of dicts comes as YAML/JSON extra vars (job template, not a survey); numbers as text still work
        "pv_to_hvm_health_checks": [{"command": f'test -e {flag} && test -n "$HUBFIX_REPLACEMENT_PRIVATE_IP"', "retries": "1", "delay": "0"}],
    }

    # the dry run of prepare: zero mutating calls, a plan per instance
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev, check=True, diff=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    assert {n: r["status"] for n, r in report(tmp_path).items()} == {n: "planned" for n in NAMES}

    # prepare while the application is not up: the health gate stops it, nothing that serves moved
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc != 0, result  # unhealthy is a failure of the run (after the report)
    by_name = report(tmp_path)
    assert {n: r["status"] for n, r in by_name.items()} == {n: "unhealthy" for n in NAMES}, by_name
    assert "failed the health gate before cutover" in " ".join(by_name["pv-data"]["errors"])
    assert [h["ok"] for h in by_name["pv-data"]["health"]] == [True, False]  # EC2 status checks passed, the command did not
    for name in NAMES:
        assert_serving(ec2, estate, name)
        assert "hubfix:migration-claim" not in tags_of(instance(ec2, ids[name]))  # handed on: the next run resumes at once
    first = {n: replacements(ec2, ids[n])[0]["InstanceId"] for n in NAMES}

    # the operator fixed the application: prepare again resumes with the same replacements (pv-ephemeral keeps running:
    # its instance store is not lost by a prepare that copies)
    flag.write_text("up")
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    by_name = report(tmp_path)
    assert {n: r["status"] for n, r in by_name.items()} == {n: "prepared" for n in NAMES}, by_name
    for name in NAMES:
        assert_serving(ec2, estate, name)
        assert assert_prepared(ec2, estate, name)["InstanceId"] == first[name]
    plan = by_name["pv-data"]["cutover_plan"]
    assert plan[0].startswith("stop the source " + ids["pv-data"]) and any(estate["elastic_ips"]["pv-data-eip"]["allocation_id"] in s for s in plan)
    seen = [json.loads(line) for line in bring_up.read_text().splitlines()]
    data_seen = [s for s in seen if s["instance_id"] == first["pv-data"]]
    assert data_seen and {v["device_name"] for v in data_seen[-1]["volumes"]} == {"/dev/sdo", "/dev/sdf", "/dev/sdg"}
    assert all(v["nvme_device"].startswith("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol") for v in data_seen[-1]["volumes"])

    # a third prepare changes nothing
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0 and result.changed == 0, result
    assert simulator.mutating_calls() == []

    # the dry run of the cutover: zero mutating calls
    cutover = dict(ev, pv_to_hvm_stage="cutover")
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), cutover, check=True, diff=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    assert_serving(ec2, estate, "pv-data")

    # the cutover: pv-plain's replacement fails its health check once the traffic moved, and is rolled back
    failing = dict(
        cutover,
        pv_to_hvm_health_checks=[{"command": f'test -e {flag} && test "$HUBFIX_REPLACEMENT_ID" != {first["pv-plain"]}', "retries": 1, "delay": 0}],
    )
    result = run_playbook(PLAYBOOK, simulator.env(), failing)
    assert result.rc != 0, result  # pv-plain was rolled back
    by_name = report(tmp_path)
    assert {n: r["status"] for n, r in by_name.items()} == {"pv-data": "migrated", "pv-plain": "rolled_back", "pv-ephemeral": "blocked"}, by_name

    # pv-data: stopped with its own volumes (kept), the Elastic IP on the replacement, which has copies from the final snapshots
    source = instance(ec2, ids["pv-data"])
    repl = instance(ec2, first["pv-data"])
    assert source["State"]["Name"] == "stopped" and devices(source) == originals(estate, "pv-data")
    assert tags_of(source)["hubfix:migration-phase"] == "completed" and tags_of(source)["hubfix:replaced-by"] == first["pv-data"]
    eip = estate["elastic_ips"]["pv-data-eip"]
    assert ec2.describe_addresses(AllocationIds=[eip["allocation_id"]])["Addresses"][0]["InstanceId"] == first["pv-data"]
    for device, vol in originals(estate, "pv-data").items():
        target = "/dev/sdo" if device == source["RootDeviceName"] else device
        copy = ec2.describe_volumes(VolumeIds=[devices(repl)[target]])["Volumes"][0]
        snap = ec2.describe_snapshots(SnapshotIds=[copy["SnapshotId"]])["Snapshots"][0]
        assert tags_of(snap)["hubfix:snapshot-purpose"] == "final" and tags_of(snap)["hubfix:source-volume"] == vol
    copies = ec2.describe_volumes(
        Filters=[{"Name": "tag:hubfix:source-instance", "Values": [ids["pv-data"]]}, {"Name": "tag-key", "Values": ["hubfix:copied-from-snapshot"]}]
    )
    assert len(copies["Volumes"]) == 3  # the prepare-time copies the final sync replaced are deleted
    snaps = ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:hubfix:source-instance", "Values": [ids["pv-data"]]}])["Snapshots"]
    assert len(snaps) == 6  # backup and final snapshot of each volume, kept

    # pv-plain: everything back - running on its volumes, replacement terminated, its copies deleted
    assert_serving(ec2, estate, "pv-plain")
    assert tags_of(instance(ec2, ids["pv-plain"]))["hubfix:migration-phase"] == "rolled-back"
    assert instance(ec2, first["pv-plain"])["State"]["Name"] in ("shutting-down", "terminated")
    left = ec2.describe_volumes(
        Filters=[{"Name": "tag:hubfix:source-instance", "Values": [ids["pv-plain"]]}, {"Name": "tag-key", "Values": ["hubfix:copied-from-snapshot"]}]
    )
    assert left["Volumes"] == []

    # pv-ephemeral: not stopped, its prepared replacement kept, blocked with what to do
    assert_serving(ec2, estate, "pv-ephemeral")
    assert_prepared(ec2, estate, "pv-ephemeral")
    assert [b["code"] for b in by_name["pv-ephemeral"]["blockers"]] == ["instance_store_data"]

    # run again: pv-data changes nothing; a cutover of the rolled-back pv-plain is refused (prepare it again first)
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), cutover)
    assert result.rc != 0, result
    by_name = report(tmp_path)
    assert by_name["pv-data"]["status"] == "migrated" and by_name["pv-plain"]["status"] == "invalid"
    assert "not prepared (phase rolled-back); run pv_to_hvm_stage prepare first" in " ".join(by_name["pv-plain"]["errors"])
    assert simulator.mutating_calls() == []
    assert result.stats[ids["pv-data"]]["changed"] == 0
