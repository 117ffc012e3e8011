"""hubfix_source: securityhub - both remediations take their targets from Security Hub findings and update them:
NOTIFIED when work starts, RESOLVED (note naming the replacement / template, only after our own re-check) when done,
NOTIFIED with the failure when a resource fails; a finding whose resource no longer fails is left to Security Hub."""

from __future__ import annotations

import json

import pytest

from tests.harness import refuse_attach_once, report_file, run_playbook
from tests.simulator.seed import seed

REGIONS = ["us-east-1", "eu-west-1"]


@pytest.fixture
def demo(simulator):
    return seed("demo", simulator.endpoint)


def findings(simulator, control):
    """resource id (instance id / launch configuration name) -> finding, over both regions."""
    out = {}
    for region in REGIONS:
        for f in simulator.client("securityhub", region).get_findings(MaxResults=100)["Findings"]:
            if (f.get("Compliance") or {}).get("SecurityControlId") == control:
                out[f["Resources"][0]["Id"].rsplit("/", 1)[-1]] = f
    return out


def workflow(finding):
    return finding["Workflow"]["Status"], (finding.get("Note") or {}).get("Text", "")


@pytest.mark.slow(100)
def test_autoscaling_3_from_security_hub(simulator, demo, tmp_path):
    # lc-unused was deleted since Security Hub last evaluated it: the finding still says FAILED, our detection knows better
    simulator.client("autoscaling").delete_launch_configuration(LaunchConfigurationName="lc-unused")
    # asg-eu's instance refresh fails (its image is gone): that launch configuration must stay NOTIFIED with the failure
    eu_image = simulator.client("autoscaling", "eu-west-1").describe_launch_configurations(LaunchConfigurationNames=["lc-eu-optional"])["LaunchConfigurations"][
        0
    ]["ImageId"]
    simulator.client("ec2", "eu-west-1").deregister_image(ImageId=eu_image)
    before = findings(simulator, "AutoScaling.3")
    extra = {
        "hubfix_source": "securityhub",
        "autoscaling_imdsv2_regions": REGIONS,
        "autoscaling_imdsv2_instance_refresh": True,
        "autoscaling_imdsv2_refresh_poll_interval": 0,
        "autoscaling_imdsv2_report_dir": str(tmp_path / "reports"),
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
    }

    simulator.reset_recording()
    dry = run_playbook("hubfix.aws.remediate_autoscaling_3", simulator.env(), extra, check=True, diff=True)
    assert dry.rc == 0, dry
    assert simulator.mutating_calls() == []
    assert {k: workflow(f) for k, f in findings(simulator, "AutoScaling.3").items()} == {k: workflow(f) for k, f in before.items()}
    # after_proof with an instance refresh: the plan shows the deletion, on the condition the real run enforces
    assert "lc-tokens-optional (us-east-1): deleted" in dry.stdout, dry
    assert "only once their groups' instance refresh ends Successful" in dry.stdout, dry

    result = run_playbook("hubfix.aws.remediate_autoscaling_3", simulator.env(), extra)
    assert result.rc != 0, result  # asg-eu failed and was rolled back
    assert "1 group(s) failed and were rolled back: asg-eu" in result.stdout, result
    after = findings(simulator, "AutoScaling.3")
    for lc in ("lc-tokens-optional", "lc-no-metadata", "lc-endpoint-disabled", "lc-full"):
        status, note = workflow(after[lc])
        assert status == "RESOLVED", (lc, note)
        assert f"replaced by launch template {lc} version 1" in note and "re-check passed" in note, note
    status, note = workflow(after["lc-eu-optional"])
    assert status == "NOTIFIED"
    assert "FAILED" in note and "asg-eu" in note and "failed_rolled_back" in note, note
    assert "lc-eu-optional" in {
        lc["LaunchConfigurationName"] for lc in simulator.client("autoscaling", "eu-west-1").describe_launch_configurations()["LaunchConfigurations"]
    }
    # named by a finding but gone: reported, finding left for Security Hub to archive
    assert workflow(after["lc-unused"]) == workflow(before["lc-unused"]) == ("NEW", "")
    # the PASSED finding is not a target and never touched
    assert workflow(after["lc-tokens-required"]) == workflow(before["lc-tokens-required"])

    report = json.loads(report_file(tmp_path / "reports", "autoscaling_imdsv2.json").read_text())
    assert report["source"] == "securityhub"
    assert report["securityhub"]["already_compliant"] == ["123456789012/us-east-1/lc-unused"]
    by_lc = {lc["name"]: lc for lc in report["launch_configurations"]}
    assert by_lc["lc-full"]["securityhub"]["workflow_status"] == "RESOLVED"
    assert by_lc["lc-eu-optional"]["securityhub"]["workflow_status"] == "NOTIFIED"
    assert "lc-unused" not in by_lc


@pytest.mark.slow(100)
def test_ec2_24_from_security_hub(simulator, demo, tmp_path):
    ids = {name: i["id"] for name, i in demo["instances"].items()}
    # pv-tagged, pv-stopped and pv-ephemeral were terminated since Security Hub last evaluated them: named by a finding, no
    # longer failing (the migration of those two is tested in test_pv_to_hvm)
    gone = ["pv-tagged", "pv-stopped", "pv-ephemeral"]
    simulator.client("ec2").terminate_instances(InstanceIds=[ids[n] for n in gone])
    # AWS refuses to attach pv-data's /dev/sdf to the replacement once: pv-data is rolled back
    sdf = demo["volumes"]["pv-data-sdf"]["id"]
    refuse_attach_once(simulator, sdf, "/dev/sdf")
    before = findings(simulator, "EC2.24")
    image_map = {i["id"]: demo["images"]["hvm"][i["region"]] for n, i in demo["instances"].items() if n.startswith("pv-")}
    extra = {
        "hubfix_source": "securityhub",
        "pv_to_hvm_regions": REGIONS,
        "pv_to_hvm_image_map": image_map,
        "pv_to_hvm_terminate_source": True,
        "pv_to_hvm_acknowledge_instance_store_loss": True,
        "pv_to_hvm_report_dir": str(tmp_path),
        "pv_to_hvm_stage": "all",
        "pv_to_hvm_volume_strategy": "move",  # the refused attachment is of the original volume
    }

    simulator.reset_recording()
    dry = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra, check=True)
    assert dry.rc == 0, dry
    assert simulator.mutating_calls() == []
    assert {k: workflow(f) for k, f in findings(simulator, "EC2.24").items()} == {k: workflow(f) for k, f in before.items()}

    result = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra)
    assert result.rc != 0, result  # pv-data was rolled back
    after = findings(simulator, "EC2.24")
    report = json.loads(report_file(tmp_path, "pv_to_hvm.json").read_text())
    by_id = {i["instance_id"]: i for i in report["instances"]}
    for name in ("pv-plain", "pv-eu"):
        status, note = workflow(after[ids[name]])
        replacement = by_id[ids[name]]["replacement_id"]
        assert by_id[ids[name]]["status"] == "migrated" and by_id[ids[name]]["source_terminated"] is True
        assert status == "RESOLVED", (name, note)
        assert f"replaced by {replacement}" in note and "re-check passed" in note, note
    status, note = workflow(after[ids["pv-data"]])
    assert status == "NOTIFIED" and "FAILED (rolled_back)" in note and "injected" in note, note
    for name, blocker in (("pv-asg-member", "Auto Scaling group asg-pv"), ("pv-protected", "termination protection")):
        status, note = workflow(after[ids[name]])
        assert status == "NOTIFIED" and "blocked" in note and blocker in note, (name, note)
    for name in gone:
        assert workflow(after[ids[name]]) == ("NEW", "")
        assert ids[name] not in by_id
    assert sorted(report["securityhub"]["already_compliant"]) == sorted(ids[n] for n in gone)
    assert {f["instance_id"]: f["workflow_status"] for f in report["securityhub"]["findings"]} == {
        ids["pv-plain"]: "RESOLVED",
        ids["pv-eu"]: "RESOLVED",
        ids["pv-data"]: "NOTIFIED",
        ids["pv-asg-member"]: "NOTIFIED",
        ids["pv-protected"]: "NOTIFIED",
    }
    assert "## Security Hub" in report_file(tmp_path, "pv_to_hvm.md").read_text()


def test_scan_source_with_updates_and_a_kept_source(simulator, demo, tmp_path):
    """hubfix_source scan + hubfix_securityhub_update: findings looked up by resource; a replaced source that is not
    terminated still fails EC2.24, so its finding stays NOTIFIED naming the replacement and what is left to do."""
    source = demo["instances"]["pv-plain"]["id"]
    extra = {
        "hubfix_securityhub_update": True,
        "pv_to_hvm_regions": ["us-east-1"],
        "pv_to_hvm_instance_ids": [source],
        "pv_to_hvm_image_id": demo["images"]["hvm"]["us-east-1"],
        "pv_to_hvm_report_dir": str(tmp_path),
        "pv_to_hvm_stage": "all",
    }
    result = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra)
    assert result.rc == 0, result
    status, note = workflow(findings(simulator, "EC2.24")[source])
    replacement = json.loads(report_file(tmp_path, "pv_to_hvm.json").read_text())["instances"][0]["replacement_id"]
    assert status == "NOTIFIED"
    assert f"replaced by {replacement}" in note and "pv_to_hvm_terminate_source" in note, note

    again = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra)
    assert again.rc == 0, again
    assert again.changed == 0, again
    assert workflow(findings(simulator, "EC2.24")[source]) == (status, note)
