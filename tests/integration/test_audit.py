"""`ansible-playbook hubfix.aws.audit` on the simulator: findings on the demo estate, reports, check mode, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.harness import REPO_ROOT, report_file, run_playbook
from tests.simulator import ACCOUNT_ID
from tests.simulator.seed import DEMO_AS_3_FAILING, DEMO_AS_3_PASSING, DEMO_EC2_24_FAILING, DEMO_GROUPS, seed

REGIONS = ["us-east-1", "eu-west-1"]
CONTROLS = ["EC2.24", "AutoScaling.3", "AutoScaling.9"]

ASG_MEMBER_NEXT = (
    'blocked: member of Auto Scaling group asg-pv — run remediate_ec2_24 with pv_to_hvm_image_map {"<paravirtual AMI>": "<HVM AMI>"}: it '
    "gives the group's launch template an HVM version (prepare) and replaces the members with an instance refresh (cutover); a group "
    "still on a launch configuration first needs remediate_autoscaling_3 with autoscaling_imdsv2_group_names [asg-pv] and the same "
    "pv_to_hvm_image_map"
)


def documented_schema() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", (REPO_ROOT / "docs" / "audit-report.md").read_text(), re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def audit(simulator, report_dir: Path, check=False, **extra_vars):
    extra = {"audit_regions": REGIONS, "audit_report_dir": str(report_dir)}
    extra.update(extra_vars)
    return run_playbook("hubfix.aws.audit", simulator.env(), extra_vars=extra, check=check)


def load(report_dir: Path) -> dict:
    return json.loads(report_file(report_dir, "audit.json").read_text())


def names(report: dict, control: str, region: str | None = None) -> list[str]:
    return sorted(f["resource_name"] for f in report["findings"] if f["control"] == control and (region is None or f["region"] == region))


def finding(report: dict, control: str, name: str) -> dict:
    (match,) = [f for f in report["findings"] if f["control"] == control and f["resource_name"] == name]
    return match


def without_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("generated_at", "run_id")}


@pytest.fixture
def demo(simulator):
    return seed("demo", simulator.endpoint)


def test_audit_of_the_demo_estate(simulator, demo, tmp_path):
    simulator.reset_recording()
    result = audit(simulator, tmp_path / "run")
    assert result.rc == 0, result
    assert result.changed == 0, result
    assert simulator.mutating_calls() == []

    report = load(tmp_path / "run")
    jsonschema.Draft202012Validator(documented_schema()).validate(report)
    assert report["accounts"] == [ACCOUNT_ID]
    assert report["regions"] == REGIONS
    assert report["controls"] == CONTROLS
    assert report["scan_errors"] == []

    # exactly the failing resources of the estate, per region
    for region in REGIONS:
        assert names(report, "EC2.24", region) == sorted(DEMO_EC2_24_FAILING.get(region, []))
        assert names(report, "AutoScaling.3", region) == sorted(DEMO_AS_3_FAILING.get(region, []))
        assert names(report, "AutoScaling.9", region) == sorted(g for g, (r, _lc, _d) in DEMO_GROUPS.items() if r == region)
    assert "asg-template" not in names(report, "AutoScaling.9")
    for passing in DEMO_AS_3_PASSING["us-east-1"]:
        assert passing not in names(report, "AutoScaling.3")

    # reasons
    reasons = {f["resource_name"]: f["reason"] for f in report["findings"] if f["control"] == "AutoScaling.3"}
    assert reasons == {
        "lc-tokens-optional": "http_tokens_optional",
        "lc-no-metadata": "metadata_options_absent",
        "lc-endpoint-disabled": "http_endpoint_disabled_tokens_optional",
        "lc-full": "http_tokens_optional",
        "lc-unused": "http_tokens_optional",
        "lc-eu-optional": "http_tokens_optional",
    }
    assert {f["reason"] for f in report["findings"] if f["control"] == "EC2.24"} == {"paravirtual"}
    assert finding(report, "AutoScaling.3", "lc-tokens-optional")["details"]["autoscaling_groups"] == ["asg-web"]
    assert finding(report, "AutoScaling.3", "lc-unused")["details"]["autoscaling_groups"] == []
    assert "autoscaling_imdsv2_delete_unused: true" in finding(report, "AutoScaling.3", "lc-unused")["next_action"]["text"]
    pv_group = finding(report, "AutoScaling.9", "asg-pv")
    assert pv_group["details"]["launch_configuration_name"] == "lc-pv"
    assert pv_group["details"]["launch_configuration_compliant"] is True
    assert finding(report, "AutoScaling.9", "asg-web")["details"]["desired_capacity"] == 2

    # blockers and next actions
    blockers = {f["resource_name"]: sorted(b["code"] for b in f["blockers"]) for f in report["findings"] if f["control"] == "EC2.24"}
    assert blockers == {
        "pv-plain": [],
        "pv-data": [],
        "pv-stopped": [],
        # its AMI maps /dev/sdb -> ephemeral0 (DescribeImages shows it): instance-store data is lost on stop
        "pv-ephemeral": ["instance_store_data"],
        "pv-asg-member": ["autoscaling_group"],
        "pv-protected": ["termination_protection"],
        "pv-tagged": [],
        "pv-eu": [],
    }
    asg_member = finding(report, "EC2.24", "pv-asg-member")
    assert asg_member["next_action"]["text"] == ASG_MEMBER_NEXT
    assert asg_member["resource_id"] == demo["instances"]["pv-asg-member"]["id"]
    for name in ("pv-plain", "pv-data", "pv-stopped", "pv-tagged", "pv-eu"):
        action = finding(report, "EC2.24", name)["next_action"]
        assert (action["kind"], action["playbook"]) == ("remediate", "remediate_ec2_24"), name
        assert action["text"].startswith("run remediate_ec2_24 (pv_to_hvm)")
    ephemeral = finding(report, "EC2.24", "pv-ephemeral")
    assert (ephemeral["next_action"]["kind"], ephemeral["next_action"]["playbook"]) == ("blocked", None)
    assert ephemeral["next_action"]["text"] == (
        "blocked: instance-store data on /dev/sdb (ephemeral0) is lost when the instance stops — copy it to EBS, then run remediate_ec2_24 "
        "with pv_to_hvm_acknowledge_instance_store_loss: true"
    )
    assert ephemeral["details"]["instance_store_devices"] == ["/dev/sdb"]
    assert "instance_store_unverified" not in [w["code"] for w in ephemeral["details"]["warnings"]]
    # pv-plain (m1.small offers instance store, its AMI maps none): only a warning, a launch-time mapping would be invisible
    plain = finding(report, "EC2.24", "pv-plain")
    assert "instance_store_unverified" in [w["code"] for w in plain["details"]["warnings"]]
    assert "check first: instance-store volumes mapped at launch are not visible" in plain["next_action"]["text"]
    assert "instance_store_unverified" in report_file(tmp_path / "run", "audit.md").read_text()
    assert not [w for w in finding(report, "EC2.24", "pv-eu")["details"]["warnings"] if w["code"] != "instance_store_unverified"]
    pv_data = finding(report, "EC2.24", "pv-data")["details"]
    assert pv_data["elastic_ips"] == [demo["elastic_ips"]["pv-data-eip"]["public_ip"]]
    assert len(pv_data["ebs_volume_ids"]) == 3
    assert pv_data["state"] == "running" and finding(report, "EC2.24", "pv-stopped")["details"]["state"] == "stopped"

    # totals
    totals = report["totals"]
    assert totals["by_control"]["EC2.24"]["failed"] == 8
    assert (totals["by_control"]["EC2.24"]["blocked"], totals["by_control"]["EC2.24"]["actionable"]) == (3, 5)
    assert totals["by_control"]["AutoScaling.3"]["failed"] == 6
    assert totals["by_control"]["AutoScaling.3"]["passed"] == 2  # lc-tokens-required, lc-pv
    assert totals["by_control"]["AutoScaling.9"]["failed"] == len(DEMO_GROUPS)
    scope = {(s["control"], s["region"]): s["failed"] for s in totals["by_scope"]}
    assert scope[("EC2.24", "us-east-1")] == 7 and scope[("EC2.24", "eu-west-1")] == 1

    # the people's reports
    md = report_file(tmp_path / "run", "audit.md").read_text()
    html = report_file(tmp_path / "run", "audit.html").read_text()
    for f in report["findings"]:
        assert f["resource_name"] in md and f["resource_name"] in html
    assert ASG_MEMBER_NEXT in md
    assert html.lstrip().startswith("<!DOCTYPE html>") and "<style>" in html
    assert not re.search(r"<script|<link|<img|src=|url\(|@import|href=\"http", html), "audit.html must be self-contained"

    # the one-screen summary
    assert "EC2.24         failing 8 (actionable 5, blocked 3)" in result.stdout
    assert "AutoScaling.3  failing 6 (actionable 6, blocked 0) of 8 evaluated" in result.stdout

    # check mode: same report, no mutating call
    simulator.reset_recording()
    checked = audit(simulator, tmp_path / "check", check=True)
    assert checked.rc == 0, checked
    assert checked.changed == 0, checked
    assert simulator.mutating_calls() == []
    assert without_time(load(tmp_path / "check")) == without_time(report)


def test_controls_selection_fact_and_ci_gate(simulator, demo, tmp_path):
    playbook = tmp_path / "use_result.yml"
    playbook.write_text(
        """
- name: Audit AutoScaling.3 only
  hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: hubfix.aws.audit
- name: Use audit_result in a later play
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Save the fact
      ansible.builtin.copy:
        content: "{{ audit_result | to_json }}"
        dest: "{{ fact_file }}"
        mode: "0644"
"""
    )
    simulator.reset_recording()
    result = run_playbook(
        str(playbook),
        simulator.env(),
        extra_vars={
            "audit_regions": REGIONS,
            "audit_controls": ["AutoScaling.3"],
            "audit_report_dir": str(tmp_path / "r"),
            "fact_file": str(tmp_path / "fact.json"),
        },
    )
    assert result.rc == 0, result
    fact = json.loads((tmp_path / "fact.json").read_text())
    assert without_time(fact) == without_time(load(tmp_path / "r"))
    assert fact["controls"] == ["AutoScaling.3"]
    assert {f["control"] for f in fact["findings"]} == {"AutoScaling.3"}
    assert len(fact["findings"]) == 6
    assert "DescribeInstances" not in {c.operation for c in simulator.calls()}, "EC2.24 not audited: no instance scan"

    gate = audit(simulator, tmp_path / "gate", audit_fail_on_findings=True)
    assert gate.rc != 0, gate
    assert "resource(s) fail the audited controls" in gate.stdout
    assert load(tmp_path / "gate")["totals"]["failed"] == 8 + 6 + len(DEMO_GROUPS), "the reports are written before the gate fails"


def test_clean_account_passes_the_gate(simulator, tmp_path):
    result = audit(simulator, tmp_path, audit_fail_on_findings=True)
    assert result.rc == 0, result
    report = load(tmp_path)
    assert report["findings"] == []
    assert report["totals"]["failed"] == 0
    assert {(s["control"], s["region"]) for s in report["totals"]["by_scope"]} == {(c, r) for c in CONTROLS for r in REGIONS}
    assert "No failing resources." in report_file(tmp_path, "audit.md").read_text()


@pytest.mark.parametrize(
    "regions, named",
    [
        (["us-east-1", "mars-north-1"], "audit_regions: unknown region name(s): mars-north-1"),
        (["us-east-1", "not a region"], "audit_regions: unknown region name(s): not a region"),
        ("us-east-1, us-eats-1", "audit_regions: unknown region name(s): us-eats-1"),
    ],
)
def test_bad_regions_are_named(simulator, tmp_path, regions, named):
    result = audit(simulator, tmp_path, audit_regions=regions)
    assert result.rc != 0, result
    assert named in result.stdout, result
    assert simulator.calls() == []  # refused before any AWS call
    assert not report_file(tmp_path, "audit.json").exists()
