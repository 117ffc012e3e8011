"""EC2.24 remediation (role hubfix.aws.pv_to_hvm, playbook hubfix.aws.remediate_ec2_24) on the demo estate in the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.harness import REPO_ROOT, VENV_BIN, ansible_env, refuse_attach_once, report_file, run_playbook
from tests.simulator.seed import seed

PLAYBOOK = "hubfix.aws.remediate_ec2_24"
REGIONS = ["us-east-1", "eu-west-1"]
TYPE_MAP = {"m1.small": "t3.small", "m1.medium": "t3.medium", "m1.large": "m5.large", "t1.micro": "t3.micro"}
MIGRATED = ["pv-plain", "pv-data", "pv-stopped", "pv-tagged", "pv-eu"]
BLOCKED = {"pv-asg-member": "autoscaling_group", "pv-protected": "termination_protection", "pv-ephemeral": "instance_store_data"}
LIVE = ["pending", "running", "stopping", "stopped"]


# --- helpers -------------------------------------------------------------------------------------------


def image_map(estate, names=None):
    """Instance id -> the demo HVM AMI of its region (the image_map also accepts instance ids)."""
    return {
        estate["instances"][n]["id"]: estate["images"]["hvm"][estate["instances"][n]["region"]] for n in (names or estate["instances"]) if n.startswith("pv-")
    }


def extra_vars(estate, tmp_path, **more):
    # prepare and cutover in one run, the originals moved: the whole path these tests follow (test_pv_to_hvm_stages: copy)
    out = {
        "pv_to_hvm_regions": REGIONS,
        "pv_to_hvm_image_map": image_map(estate),
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_stage": "all",
        "pv_to_hvm_volume_strategy": "move",
    }
    out.update(more)
    return out


def report(tmp_path):
    data = json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())
    return {r["name"] or r["instance_id"]: r for r in data["instances"]}, data


def instance(ec2, instance_id):
    res = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return res[0]["Instances"][0]


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def replacements(ec2, source_id, states=None):
    filters = [{"Name": "tag:hubfix:replaces", "Values": [source_id]}]
    if states:
        filters.append({"Name": "instance-state-name", "Values": states})
    return [i for r in ec2.describe_instances(Filters=filters)["Reservations"] for i in r["Instances"]]


def devices(inst):
    return {m["DeviceName"]: (m["Ebs"]["VolumeId"], m["Ebs"]["DeleteOnTermination"]) for m in inst.get("BlockDeviceMappings", []) if "Ebs" in m}


def original_volumes(estate, name):
    """device -> volume id of a demo instance before the migration."""
    return {v["device"]: v["id"] for v in estate["volumes"].values() if v["instance"] == name}


def migration_snapshots(ec2, volume_id):
    return ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:hubfix:source-volume", "Values": [volume_id]}])["Snapshots"]


def snapshot_purpose(snapshot):
    """``backup`` (prepare) or ``final`` (cutover); backups carry no purpose tag."""
    return tags_of(snapshot).get("hubfix:snapshot-purpose", "backup")


def assert_migrated(simulator, estate, name):
    """The final state of one migrated demo instance, whatever path (one run, interrupted runs) led there."""
    region = estate["instances"][name]["region"]
    ec2 = simulator.client("ec2", region)
    source_id = estate["instances"][name]["id"]
    source = instance(ec2, source_id)
    every = replacements(ec2, source_id)
    assert len(every) == 1, f"{name}: expected exactly one replacement ever launched, got {[i['InstanceId'] for i in every]}"
    repl = every[0]
    assert repl["State"]["Name"] == "running"
    assert repl["VirtualizationType"] == "hvm"
    assert repl["MetadataOptions"]["HttpTokens"] == "required"
    assert repl["SubnetId"] == source["SubnetId"]
    assert sorted(g["GroupId"] for g in repl["SecurityGroups"]) == sorted(g["GroupId"] for g in source["SecurityGroups"])
    assert repl.get("KeyName") == source.get("KeyName")
    assert repl["InstanceType"] == TYPE_MAP[source["InstanceType"]]
    # carried over: placement group, SourceDestCheck (off on a NAT instance); IMDSv2 hop limit 1; T-type CPU credits standard
    assert repl["Placement"].get("GroupName") == source["Placement"].get("GroupName")
    assert repl["SourceDestCheck"] == source["SourceDestCheck"]
    assert repl["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    if repl["InstanceType"].startswith("t3."):
        spec = ec2.describe_instance_credit_specifications(InstanceIds=[repl["InstanceId"]])["InstanceCreditSpecifications"][0]
        assert spec["CpuCredits"] == "standard", f"{name}: {spec}"
    repl_tags, source_tags = tags_of(repl), tags_of(source)
    assert repl_tags["hubfix:replaces"] == source_id
    for k, v in source_tags.items():
        if not k.startswith("hubfix:") and not k.startswith("aws:"):
            assert repl_tags.get(k) == v, f"{name}: tag {k} not copied"
    # the source: stopped, tagged, no volume left on it, not terminated
    assert source["State"]["Name"] == "stopped"
    assert source_tags["hubfix:replaced-by"] == repl["InstanceId"]
    assert source_tags["hubfix:migration-phase"] == "completed"
    assert devices(source) == {}
    # every original volume on the replacement: data at its device, the old root at /dev/sdo, never deleted with it
    on_repl = devices(repl)
    for device, vol in original_volumes(estate, name).items():
        target = "/dev/sdo" if device == source["RootDeviceName"] else device
        assert on_repl.get(target) == (vol, False), f"{name}: {vol} not at {target} on the replacement: {on_repl}"
        # one backup while it ran (prepare) and one of the stopped source before its volumes moved (cutover), never more
        snaps = migration_snapshots(ec2, vol)
        assert sorted(snapshot_purpose(s) for s in snaps) == ["backup", "final"], f"{name}: snapshots of {vol}: {snaps}"
        for snap in snaps:
            assert snap["State"] == "completed"
            assert tags_of(snap)["hubfix:source-instance"] == source_id
            assert tags_of(snap)["hubfix:source-device"] == device
        vol_now = ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]
        assert vol_now["State"] == "in-use"
    # Elastic IPs moved, and the replacement answers on them
    for eip in (e for e in estate["elastic_ips"].values() if e["instance"] == name):
        addr = ec2.describe_addresses(AllocationIds=[eip["allocation_id"]])["Addresses"][0]
        assert addr["InstanceId"] == repl["InstanceId"]
        assert repl["PublicIpAddress"] == eip["public_ip"]
    return repl


def assert_untouched(simulator, estate, name):
    region = estate["instances"][name]["region"]
    ec2 = simulator.client("ec2", region)
    source_id = estate["instances"][name]["id"]
    source = instance(ec2, source_id)
    assert source["State"]["Name"] == ("stopped" if name == "pv-stopped" else "running")
    assert not [k for k in tags_of(source) if k.startswith("hubfix:")]
    assert replacements(ec2, source_id) == []
    assert {d: v for d, (v, _dot) in devices(source).items()} == original_volumes(estate, name)
    for vol in original_volumes(estate, name).values():
        assert migration_snapshots(ec2, vol) == []


# --- the demo estate -------------------------------------------------------------------------------------


@pytest.mark.slow(140)
def test_demo_estate_check_mode_then_migration_then_idempotent_rerun_then_audit(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    ev = extra_vars(estate, tmp_path)

    # a dry run first: a plan per instance, DryRun probes only, zero mutating calls
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev, check=True, diff=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    assert any(c.dry_run and c.operation == "RunInstances" for c in simulator.calls())
    by_name, _unused = report(tmp_path)
    assert {n: by_name[n]["status"] for n in MIGRATED} == {n: "planned" for n in MIGRATED}
    assert "hubfix:migration-phase" in result.stdout  # --diff shows the tags it would write
    for name in MIGRATED + list(BLOCKED):
        assert_untouched(simulator, estate, name)

    # the migration
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    for name in MIGRATED:
        assert_migrated(simulator, estate, name)
    for name in BLOCKED:
        assert_untouched(simulator, estate, name)
    ec2 = simulator.client("ec2")
    assert instance(ec2, estate["instances"]["pv-stopped"]["id"])["State"]["Name"] == "stopped"

    by_name, data = report(tmp_path)
    assert data["failed"] == []
    assert {n: by_name[n]["status"] for n in MIGRATED} == {n: "migrated" for n in MIGRATED}
    for name, code in BLOCKED.items():
        assert by_name[name]["status"] == "blocked"
        assert [b["code"] for b in by_name[name]["blockers"]] == [code]
    data_result = by_name["pv-data"]
    assert data_result["replacement_id"] == replacements(ec2, estate["instances"]["pv-data"]["id"])[0]["InstanceId"]
    # a backup at prepare and a final snapshot at cutover of each volume
    assert sorted(s["volume_id"] for s in data_result["snapshots"]) == sorted(list(original_volumes(estate, "pv-data").values()) * 2)
    assert [e["public_ip"] for e in data_result["elastic_ips"]] == [estate["elastic_ips"]["pv-data-eip"]["public_ip"]]
    assert any("old root volume" in t for t in data_result["follow_ups"])
    md = report_file(tmp_path / "reports", "pv_to_hvm.md").read_text()
    assert "pv-protected) — blocked" in md and "pv-data) — migrated" in md

    # a second run changes nothing and launches nothing
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    assert result.changed == 0, result
    assert simulator.mutating_calls() == []
    for name in MIGRATED:
        assert_migrated(simulator, estate, name)

    # the audit reports the migrated sources as remediated (pending termination), not as failing
    audit = run_playbook(
        "hubfix.aws.audit",
        simulator.env(),
        {"audit_regions": REGIONS, "audit_controls": ["EC2.24"], "audit_report_dir": str(tmp_path / "audit")},
    )
    assert audit.rc == 0, audit
    findings = json.loads(report_file(tmp_path / "audit", "audit.json").read_text())["findings"]
    status = {f["resource_name"]: f["status"] for f in findings if f["control"] == "EC2.24"}
    assert {n: status.get(n) for n in MIGRATED} == {n: "remediated_pending_termination" for n in MIGRATED}
    assert {n: status.get(n) for n in BLOCKED} == {n: "failed" for n in BLOCKED}


# --- rollback ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_attach_failure_rolls_that_instance_back_and_the_others_complete(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    ec2 = simulator.client("ec2")
    data_id, plain_id = estate["instances"]["pv-data"]["id"], estate["instances"]["pv-plain"]["id"]
    before = instance(ec2, data_id)
    eip = estate["elastic_ips"]["pv-data-eip"]
    eip_before = ec2.describe_addresses(AllocationIds=[eip["allocation_id"]])["Addresses"][0]
    sdf = estate["volumes"]["pv-data-sdf"]["id"]
    # AWS refuses the attachment of /dev/sdf to the replacement (once: the rollback re-attaches it to the source)
    refuse_attach_once(simulator, sdf, "/dev/sdf")

    ev = extra_vars(estate, tmp_path, pv_to_hvm_instance_ids=[data_id, plain_id], pv_to_hvm_regions=["us-east-1"], pv_to_hvm_parallel=2)
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc != 0, result  # the report play fails because one instance was rolled back
    assert "rolled_back" in result.stdout
    assert [r["hits"] for r in simulator.faults()] == [1]

    after = instance(ec2, data_id)
    assert after["State"]["Name"] == "running"
    assert devices(after) == devices(before)  # every volume at its device with its DeleteOnTermination
    addr = ec2.describe_addresses(AllocationIds=[eip["allocation_id"]])["Addresses"][0]
    assert (addr["InstanceId"], addr["PrivateIpAddress"]) == (data_id, eip_before["PrivateIpAddress"])
    assert replacements(ec2, data_id, LIVE) == []  # the replacement it launched is terminated
    assert len(replacements(ec2, data_id)) == 1
    for vol in original_volumes(estate, "pv-data").values():
        snaps = migration_snapshots(ec2, vol)  # snapshots are kept
        assert sorted((snapshot_purpose(s), s["State"]) for s in snaps) == [("backup", "completed"), ("final", "completed")]
    tags = tags_of(after)
    assert tags["hubfix:migration-phase"] == "rolled-back"
    assert "injected" in tags["hubfix:migration-error"]

    assert_migrated(simulator, estate, "pv-plain")
    by_name, data = report(tmp_path)
    assert data["failed"] == [data_id]
    assert by_name["pv-data"]["status"] == "rolled_back"
    assert any("injected" in e for e in by_name["pv-data"]["errors"])
    assert by_name["pv-plain"]["status"] == "migrated"


# --- resume after a kill ---------------------------------------------------------------------------------------

PHASE_ORDER = ["started", "stopped", "snapshotted", "launched", "volumes-moved", "ips-moved", "completed"]


def run_and_kill_after(simulator, extra, source_id, phase, timeout=600):
    """Start the playbook, SIGKILL its whole process group as soon as the source records ``phase``."""
    cmd = [str(VENV_BIN / "ansible-playbook"), PLAYBOOK, "-e", json.dumps(extra)]
    proc = subprocess.Popen(
        cmd, env=ansible_env(simulator.env()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=str(REPO_ROOT)
    )
    ec2 = simulator.client("ec2")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            recorded = tags_of(instance(ec2, source_id)).get("hubfix:migration-phase")
            if recorded in PHASE_ORDER and PHASE_ORDER.index(recorded) >= PHASE_ORDER.index(phase):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return recorded
            if proc.poll() is not None:
                pytest.fail(f"the playbook ended (rc {proc.returncode}) before phase {phase} was recorded")
            time.sleep(0.05)
        pytest.fail(f"phase {phase} not reached")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


KILL_PHASES = ["started", "snapshotted", "launched", "volumes-moved"]


@pytest.mark.slow(200)
def test_killed_runs_resume_to_the_same_final_state(simulator, tmp_path):
    """One migration killed again and again: after each phase of KILL_PHASES (or the first one after the phase the last
    kill left behind) a new run with its own run id resumes it; the dry run of an interrupted migration changes nothing;
    the last run completes it and a rerun changes nothing."""
    estate = seed("demo", simulator.endpoint)
    source_id = estate["instances"]["pv-data"]["id"]
    ev = extra_vars(estate, tmp_path, pv_to_hvm_instance_ids=[source_id], pv_to_hvm_regions=["us-east-1"], pv_to_hvm_run_id="kill-0")
    reached, kills = None, []
    for phase in KILL_PHASES:
        if reached is not None and PHASE_ORDER.index(reached) >= PHASE_ORDER.index(phase):
            continue  # the last kill came after this phase already
        ev["pv_to_hvm_run_id"] = f"kill-{len(kills)}"
        reached = run_and_kill_after(simulator, ev, source_id, phase)
        assert reached != "completed"
        kills.append(reached)

        if PHASE_ORDER.index(reached) >= PHASE_ORDER.index("launched") and "dry run" not in kills:
            # a dry run of the interrupted migration plans the rest and changes nothing
            simulator.reset_recording()
            check = run_playbook(PLAYBOOK, simulator.env(), ev, check=True, diff=True)
            assert check.rc == 0, check
            assert simulator.mutating_calls() == []
            kills.append("dry run")
    assert len(kills) >= 3, kills  # at least two kills at different phases and the dry run

    # started again with another run id: the interrupted migration continues under the run that started it
    ev["pv_to_hvm_run_id"] = "last"
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    repl = assert_migrated(simulator, estate, "pv-data")
    assert tags_of(repl)["hubfix:migration-run"] == "kill-0"
    ec2 = simulator.client("ec2")
    assert ec2.describe_volumes(Filters=[{"Name": "status", "Values": ["available"]}])["Volumes"] == []  # nothing left detached

    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0 and result.changed == 0, result


# --- bad input ---------------------------------------------------------------------------------------------------


def test_bad_input_is_refused_per_instance_with_a_clear_message_and_no_change(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    ec2 = simulator.client("ec2")
    ids = {n: estate["instances"][n]["id"] for n in ("pv-plain", "pv-tagged", "pv-stopped", "hvm-web-1")}
    arm = ec2.describe_images(Filters=[{"Name": "architecture", "Values": ["arm64"]}, {"Name": "virtualization-type", "Values": ["hvm"]}])["Images"][0]
    unknown = "i-0123456789abcdef0"
    ev = {
        "pv_to_hvm_regions": ["us-east-1"],
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_instance_ids": [unknown, ids["hvm-web-1"], ids["pv-plain"], ids["pv-tagged"], ids["pv-stopped"]],
        "pv_to_hvm_image_map": {
            ids["pv-plain"]: estate["images"]["pv"]["us-east-1"],  # a PV AMI as the target
            ids["pv-tagged"]: arm["ImageId"],  # arm64 for an x86_64 instance
            # pv-stopped: no mapping for it or its AMI, and no pv_to_hvm_image_id
        },
    }
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc != 0, result
    assert simulator.mutating_calls() == []
    by_id = {r["instance_id"]: r for r in report(tmp_path)[1]["instances"]}
    expected = {
        unknown: "instance not found in region us-east-1",
        ids["pv-plain"]: "is paravirtual, not hvm; give an HVM AMI",
        ids["pv-tagged"]: "architecture mismatch: the instance is x86_64 but image %s is arm64" % arm["ImageId"],
        ids["pv-stopped"]: "no HVM image for source AMI %s" % estate["images"]["pv"]["us-east-1"],
    }
    for iid, message in expected.items():
        assert by_id[iid]["status"] == "invalid"
        errors = " | ".join(by_id[iid]["errors"])
        assert message in errors and errors.startswith(iid + ": "), errors
        assert iid in result.stdout and message in result.stdout
    # an HVM instance passes EC2.24: nothing to do, not an error
    assert by_id[ids["hvm-web-1"]]["status"] == "compliant" and not by_id[ids["hvm-web-1"]]["errors"]


def test_missing_image_and_malformed_id_fail_before_anything_runs(simulator, tmp_path):
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), {"pv_to_hvm_report_dir": str(tmp_path)})
    assert result.rc != 0 and "pv_to_hvm_image_id and pv_to_hvm_image_map are both empty: set pv_to_hvm_image_id" in result.stdout, result
    result = run_playbook(PLAYBOOK, simulator.env(), {"pv_to_hvm_image_id": "ami-760aaa0f", "pv_to_hvm_instance_ids": ["i-xyz"]})
    assert result.rc != 0 and "pv_to_hvm_instance_ids: i-xyz are not instance ids" in result.stdout, result
    # an AWX survey string; the launch would refuse it only after the source had stopped
    result = run_playbook(PLAYBOOK, simulator.env(), {"pv_to_hvm_image_id": "ami-760aaa0f", "pv_to_hvm_metadata_hop_limit": "65"})
    assert result.rc != 0 and "pv_to_hvm_metadata_hop_limit must be 1 to 64, not 65" in result.stdout, result
    assert simulator.calls() == [], "refused before any AWS call"


def test_instance_store_data_is_refused_until_acknowledged_then_migrated(simulator, tmp_path):
    # pv-ephemeral's AMI maps /dev/sdb -> ephemeral0 (DescribeImages shows it): its instance-store data is lost when it
    # stops, so the audit blocks it (instance_store_data) and nothing changes until the loss is acknowledged.
    estate = seed("demo", simulator.endpoint)
    eph = estate["instances"]["pv-ephemeral"]["id"]
    ev = extra_vars(estate, tmp_path, pv_to_hvm_instance_ids=[eph], pv_to_hvm_regions=["us-east-1"])
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result  # a blocked instance is reported, not an error
    assert simulator.mutating_calls() == []
    by_name, _unused = report(tmp_path)
    assert by_name["pv-ephemeral"]["status"] == "blocked"
    assert [b["code"] for b in by_name["pv-ephemeral"]["blockers"]] == ["instance_store_data"]
    assert "/dev/sdb" in " ".join(b["message"] for b in by_name["pv-ephemeral"]["blockers"])
    assert_untouched(simulator, estate, "pv-ephemeral")

    # the check mode of the acknowledged run plans the migration
    acknowledged = dict(ev, pv_to_hvm_acknowledge_instance_store_loss=True)
    result = run_playbook(PLAYBOOK, simulator.env(), acknowledged, check=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    assert report(tmp_path)[0]["pv-ephemeral"]["status"] == "planned"

    # the acknowledged run migrates it (the EBS root moves; the instance-store volume is not an EBS volume and is gone)
    result = run_playbook(PLAYBOOK, simulator.env(), acknowledged)
    assert result.rc == 0, result
    assert report(tmp_path)[0]["pv-ephemeral"]["status"] == "migrated"
    repl = assert_migrated(simulator, estate, "pv-ephemeral")
    assert "/dev/sdb" not in devices(repl)


def test_unverifiable_instance_store_can_be_made_to_refuse_until_acknowledged(simulator, tmp_path):
    # pv-plain is an m1.small (it offers instance store) from an AMI that maps none: a mapping added at launch would be
    # invisible to the EC2 API, so the audit can only warn (instance_store_unverified). pv_to_hvm_refuse_warnings turns
    # that warning into a refusal; nothing changes.
    estate = seed("demo", simulator.endpoint)
    plain = estate["instances"]["pv-plain"]["id"]
    ev = extra_vars(estate, tmp_path, pv_to_hvm_instance_ids=[plain], pv_to_hvm_regions=["us-east-1"], pv_to_hvm_refuse_warnings=["instance_store_unverified"])
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result  # a blocked instance is reported, not an error
    assert simulator.mutating_calls() == []
    by_name, _unused = report(tmp_path)
    assert by_name["pv-plain"]["status"] == "blocked"
    assert [b["code"] for b in by_name["pv-plain"]["blockers"]] == ["instance_store_unverified"]
    assert_untouched(simulator, estate, "pv-plain")

    # the check mode of the acknowledged run plans the migration
    result = run_playbook(PLAYBOOK, simulator.env(), dict(ev, pv_to_hvm_acknowledge_instance_store_loss=True), check=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    assert report(tmp_path)[0]["pv-plain"]["status"] == "planned"
