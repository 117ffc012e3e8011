"""hubfix.aws.securityhub_finding_info and hubfix.aws.securityhub_finding on the simulator's demo estate."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.harness import run_playbook
from tests.simulator.seed import seed

PLAYBOOKS = Path(__file__).parent / "playbooks"
INFO = str(PLAYBOOKS / "securityhub_info.yml")
FINDING = str(PLAYBOOKS / "securityhub_finding.yml")
REGIONS = ["us-east-1", "eu-west-1"]
ACCOUNT = "123456789012"

EC2_24 = {
    "us-east-1": {"pv-plain", "pv-data", "pv-stopped", "pv-ephemeral", "pv-asg-member", "pv-protected", "pv-tagged"},
    "eu-west-1": {"pv-eu"},
}
AS_3 = {
    "us-east-1": {"lc-tokens-optional", "lc-no-metadata", "lc-endpoint-disabled", "lc-full", "lc-unused"},
    "eu-west-1": {"lc-eu-optional"},
}


def run(simulator, playbook, tmp_path, check=False, diff=False, **extra):
    out = tmp_path / "result.json"
    if out.exists():
        out.unlink()
    result = run_playbook(playbook, simulator.env(), extra_vars={"sh_output": str(out), **extra}, check=check, diff=diff)
    data = json.loads(out.read_text()) if out.exists() else None
    return result, data


def info(simulator, tmp_path, **extra):
    result, data = run(simulator, INFO, tmp_path, **extra)
    assert result.rc == 0, result
    return data


def update(simulator, tmp_path, state, findings, check=False, **extra):
    return run(simulator, FINDING, tmp_path, check=check, diff=check, sh_state=state, sh_findings=findings, **extra)


def finding(simulator, region, finding_id):
    sh = simulator.client("securityhub", region)
    found = sh.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})["Findings"]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def demo(simulator):
    estate = seed("demo", simulator.endpoint)
    simulator.reset_recording()
    return estate


def by_name(data, name):
    matches = [t for t in data["targets"] if t["name"] == name]
    assert len(matches) == 1, [t["name"] for t in data["targets"]]
    return matches[0]


# -- reading ----------------------------------------------------------------------------------------------------------------


def test_targets_on_the_demo_estate(simulator, demo, tmp_path):
    data = info(simulator, tmp_path, sh_regions=REGIONS)
    assert simulator.mutating_calls() == []
    assert {c.operation for c in simulator.calls() if c.service == "securityhub"} == {"GetFindings"}
    assert data["changed"] is False and data["truncated"] is False and data["unmapped"] == []

    targets = data["targets"]
    for region in REGIONS:
        assert {t["name"] for t in targets if t["control"] == "EC2.24" and t["region"] == region} == EC2_24[region]
        assert {t["id"] for t in targets if t["control"] == "AutoScaling.3" and t["region"] == region} == AS_3[region]
    assert len(targets) == 14 and len(data["findings"]) == 14
    # the PASSED finding of the compliant launch configuration is not a target
    assert "lc-tokens-required" not in {t["id"] for t in targets}

    plain = by_name(data, "pv-plain")
    assert plain["kind"] == "instance"
    assert plain["id"] == demo["instances"]["pv-plain"]["id"]
    assert plain["resource_arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{plain['id']}"
    assert (plain["account_id"], plain["region"], plain["workflow_status"], plain["compliance_status"]) == (ACCOUNT, "us-east-1", "NEW", "FAILED")
    assert plain["finding_id"] == demo["findings_by_resource"]["pv-plain"]["id"]
    assert plain["product_arn"] == "arn:aws:securityhub:us-east-1::product/aws/securityhub"

    lc = by_name(data, "lc-eu-optional")
    assert (lc["kind"], lc["region"], lc["resource_type"]) == ("launch_configuration", "eu-west-1", "AwsAutoScalingLaunchConfiguration")
    asg = simulator.client("autoscaling", "eu-west-1")
    described = asg.describe_launch_configurations(LaunchConfigurationNames=["lc-eu-optional"])["LaunchConfigurations"]
    assert lc["resource_arn"] == described[0]["LaunchConfigurationARN"]
    assert data["regions"] == [
        {"region": "us-east-1", "scanned": True, "failed": 12, "evaluated": 12, "error": None},
        {"region": "eu-west-1", "scanned": True, "failed": 2, "evaluated": 2, "error": None},
    ]


def test_connection_region_and_control_filter(simulator, demo, tmp_path):
    data = info(simulator, tmp_path, sh_controls=["AutoScaling.3"])
    assert {t["id"] for t in data["targets"]} == AS_3["us-east-1"]
    assert {f["control_id"] for f in data["findings"]} == {"AutoScaling.3"}
    assert {f["region"] for f in data["findings"]} == {"us-east-1"}
    passed = info(simulator, tmp_path, sh_controls=["AutoScaling.3"], sh_compliance_status=["PASSED"], sh_workflow_status=[])
    assert [t["id"] for t in passed["targets"]] == ["lc-tokens-required"]


def test_findings_are_read_page_by_page(simulator, demo, tmp_path):
    sh = simulator.client("securityhub", "us-east-1")
    template = finding(simulator, "us-east-1", demo["findings_by_resource"]["pv-plain"]["id"])
    extra = []
    for n in range(150):
        f = copy.deepcopy(template)
        instance_id = "i-%017x" % (0xABC000 + n)
        f["Id"] = template["Id"].rsplit("/", 1)[0] + "/paging-%03d" % n
        f["Resources"][0]["Id"] = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance_id}"
        f["Resources"][0]["Tags"] = {"Name": "paging-%03d" % n}
        for key in ("Workflow", "WorkflowState", "Note"):
            f.pop(key, None)
        extra.append(f)
    for i in range(0, len(extra), 100):
        assert sh.batch_import_findings(Findings=extra[i : i + 100])["FailedCount"] == 0
    simulator.reset_recording()

    data = info(simulator, tmp_path, sh_controls=["EC2.24"])
    assert len(data["targets"]) == 150 + 7
    assert len({t["id"] for t in data["targets"]}) == 157
    pages = [c for c in simulator.calls() if c.operation == "GetFindings"]
    assert len(pages) == 2  # 157 findings, 100 a page (the recorder does not keep JSON request bodies)

    limited = info(simulator, tmp_path, sh_controls=["EC2.24"], sh_max_results=5)
    assert len(limited["targets"]) == 5 and limited["truncated"] is True


def test_region_without_security_hub_is_reported(simulator, demo, tmp_path):
    data = info(simulator, tmp_path, sh_regions=["us-east-1", "ap-southeast-2"])
    rows = {r["region"]: r for r in data["regions"]}
    assert rows["us-east-1"]["scanned"] is True
    assert rows["ap-southeast-2"]["scanned"] is False and "InvalidAccessException" in rows["ap-southeast-2"]["error"]
    assert len(data["targets"]) == 12


# -- NOTIFIED / RESOLVED round trip -------------------------------------------------------------------------------------------


def test_notified_then_resolved_round_trip(simulator, demo, tmp_path):
    targets = info(simulator, tmp_path, sh_regions=REGIONS)["targets"]
    chosen = [t for t in targets if t["name"] in ("pv-plain", "pv-eu", "lc-unused")]
    assert len(chosen) == 3

    # check mode: what would change, no mutating call
    simulator.reset_recording()
    result, data = update(simulator, tmp_path, "notified", chosen, check=True, sh_note="hubfix.aws: work started")
    assert result.rc == 0, result
    assert result.changed == 1 and simulator.mutating_calls() == []
    assert sorted(data["updated"]) == sorted(t["finding_id"] for t in chosen)
    assert data["diff"]["after"][chosen[0]["finding_id"]] == {"workflow_status": "NOTIFIED", "note": "hubfix.aws: work started"}
    assert "NOTIFIED" in result.stdout  # --diff shows it
    assert all(finding(simulator, t["finding_region"], t["finding_id"])["Workflow"]["Status"] == "NEW" for t in chosen)

    simulator.reset_recording()
    result, data = update(simulator, tmp_path, "notified", chosen, sh_note="hubfix.aws: work started")
    assert result.rc == 0, result
    assert result.changed == 1
    calls = simulator.mutating_calls()
    assert sorted((c.operation, c.region) for c in calls) == [("BatchUpdateFindings", "eu-west-1"), ("BatchUpdateFindings", "us-east-1")]
    for t in chosen:
        f = finding(simulator, t["finding_region"], t["finding_id"])
        assert f["Workflow"]["Status"] == "NOTIFIED"
        assert f["Note"]["Text"] == "hubfix.aws: work started" and f["Note"]["UpdatedBy"] == "hubfix.aws"
    # untouched findings stay NEW
    other = by_name(info(simulator, tmp_path), "pv-data")
    assert other["workflow_status"] == "NEW"

    # idempotent
    simulator.reset_recording()
    result, data = update(simulator, tmp_path, "notified", chosen, sh_note="hubfix.aws: work started")
    assert result.rc == 0 and result.changed == 0, result
    assert simulator.mutating_calls() == []
    assert sorted(data["unchanged"]) == sorted(t["finding_id"] for t in chosen)

    # Security Hub still says FAILED: not resolved without our own re-check
    plain = [t for t in chosen if t["name"] == "pv-plain"]
    simulator.reset_recording()
    result, data = update(simulator, tmp_path, "resolved", plain, sh_note="hubfix.aws: replaced by i-0new")
    assert result.rc == 0 and result.changed == 0, result
    assert simulator.mutating_calls() == []
    assert data["skipped_findings"][0]["reason"].startswith("still_failing")
    assert finding(simulator, "us-east-1", plain[0]["finding_id"])["Workflow"]["Status"] == "NOTIFIED"

    # re-check passed: resolve, naming the replacement; check mode first
    simulator.reset_recording()
    result, data = update(simulator, tmp_path, "resolved", plain, check=True, sh_note="hubfix.aws: replaced by i-0new", sh_verified=True)
    assert result.rc == 0 and result.changed == 1, result
    assert simulator.mutating_calls() == []
    assert data["diff"]["before"][plain[0]["finding_id"]] == {"workflow_status": "NOTIFIED", "note": "hubfix.aws: work started"}
    result, data = update(simulator, tmp_path, "resolved", plain, sh_note="hubfix.aws: replaced by i-0new", sh_verified=True)
    assert result.rc == 0 and result.changed == 1, result
    f = finding(simulator, "us-east-1", plain[0]["finding_id"])
    assert (f["Workflow"]["Status"], f["Note"]["Text"]) == ("RESOLVED", "hubfix.aws: replaced by i-0new")
    result, _unused = update(simulator, tmp_path, "resolved", plain, sh_note="hubfix.aws: replaced by i-0new", sh_verified=True)
    assert result.rc == 0 and result.changed == 0, result

    # the resolved finding is no longer a target; the NOTIFIED ones still are
    names = {t["name"] for t in info(simulator, tmp_path, sh_regions=REGIONS)["targets"]}
    assert "pv-plain" not in names and {"pv-eu", "lc-unused"} <= names

    # Security Hub reopens it itself when compliance flips back (PASSED -> FAILED): it is a target again
    sh = simulator.client("securityhub", "us-east-1")
    for status in ("PASSED", "FAILED"):
        f = finding(simulator, "us-east-1", plain[0]["finding_id"])
        f["Compliance"]["Status"] = status
        assert sh.batch_import_findings(Findings=[f])["FailedCount"] == 0
    reopened = by_name(info(simulator, tmp_path), "pv-plain")
    assert reopened["workflow_status"] == "NEW"


def test_failure_note_keeps_notified(simulator, demo, tmp_path):
    target = by_name(info(simulator, tmp_path), "lc-full")
    result, _unused = update(simulator, tmp_path, "notified", [target], sh_note="hubfix.aws: started")
    assert result.rc == 0, result
    result, data = update(simulator, tmp_path, "notified", [target], sh_note="hubfix.aws: failed and rolled back: no space")
    assert result.rc == 0 and result.changed == 1, result
    f = finding(simulator, "us-east-1", target["finding_id"])
    assert (f["Workflow"]["Status"], f["Note"]["Text"]) == ("NOTIFIED", "hubfix.aws: failed and rolled back: no space")


def test_suppressed_finding_is_never_touched(simulator, demo, tmp_path):
    target = by_name(info(simulator, tmp_path), "pv-tagged")
    sh = simulator.client("securityhub", "us-east-1")
    sh.batch_update_findings(
        FindingIdentifiers=[{"Id": target["finding_id"], "ProductArn": target["product_arn"]}],
        Workflow={"Status": "SUPPRESSED"},
        Note={"Text": "accepted risk", "UpdatedBy": "security-team"},
    )
    simulator.reset_recording()
    for state in ("notified", "resolved"):
        result, data = update(simulator, tmp_path, state, [target], sh_note="hubfix.aws: x", sh_verified=True)
        assert result.rc == 0 and result.changed == 0, result
        assert data["skipped_findings"][0]["reason"].startswith("suppressed")
    assert simulator.mutating_calls() == []
    f = finding(simulator, "us-east-1", target["finding_id"])
    assert (f["Workflow"]["Status"], f["Note"]["Text"]) == ("SUPPRESSED", "accepted risk")


def test_lookup_by_resource_and_unprocessed(simulator, demo, tmp_path):
    instance_id = demo["instances"]["pv-stopped"]["id"]
    items = [
        {"resource_id": instance_id, "control": "EC2.24"},
        {"resource_id": "lc-no-metadata", "control": "AutoScaling.3"},
        {"resource_id": "lc-eu-optional", "control": "AutoScaling.3", "region": "eu-west-1"},
    ]
    result, data = update(simulator, tmp_path, "notified", items, sh_note="hubfix.aws: started")
    assert result.rc == 0 and result.changed == 1, result
    assert sorted(e["resource_id"] for e in data["findings"]) == sorted([instance_id, "lc-no-metadata", "lc-eu-optional"])
    f = finding(simulator, "us-east-1", demo["findings_by_resource"]["lc-no-metadata"]["id"])
    assert f["Workflow"]["Status"] == "NOTIFIED"

    missing = [
        {"resource_id": "lc-tokens-required-nope", "control": "AutoScaling.3"},
        {"id": demo["findings_by_resource"]["pv-data"]["id"][:-4] + "0000", "product_arn": "arn:aws:securityhub:us-east-1::product/aws/securityhub"},
        {"resource_id": demo["instances"]["pv-data"]["id"], "control": "EC2.24"},
    ]
    result, data = update(simulator, tmp_path, "notified", missing, sh_note="hubfix.aws: started")
    assert result.rc != 0
    assert "2 finding(s) not processed" in result.stdout
    assert sorted(u["error_code"] for u in data["unprocessed"]) == ["FindingNotFound", "FindingNotFound"]
    # the one that exists was still updated
    assert data["changed"] is True
    assert finding(simulator, "us-east-1", demo["findings_by_resource"]["pv-data"]["id"])["Workflow"]["Status"] == "NOTIFIED"

    result, data = update(simulator, tmp_path, "notified", missing, sh_note="hubfix.aws: started", sh_fail_on_unprocessed=False)
    assert result.rc == 0 and result.changed == 0, result
    assert len(data["unprocessed"]) == 2 and data["warnings"]


def test_bad_findings_item_fails_clearly(simulator, demo, tmp_path):
    result, _unused = update(simulator, tmp_path, "notified", [{"control": "EC2.24"}], sh_note="x")
    assert result.rc != 0
    assert "findings[0]: give id and product_arn, or resource_id and control" in result.stdout


# -- importing our audit ---------------------------------------------------------------------------------------------------


def ours(simulator, region):
    sh = simulator.client("securityhub", region)
    found = sh.get_findings(Filters={"GeneratorId": [{"Value": "hubfix.aws/", "Comparison": "PREFIX"}]}, MaxResults=100)["Findings"]
    return {f["Id"]: f for f in found}


def test_import_audit_results(simulator, demo, tmp_path):
    report_dir = tmp_path / "reports"
    result = run_playbook("hubfix.aws.audit", simulator.env(), extra_vars={"audit_regions": REGIONS, "audit_report_dir": str(report_dir)})
    assert result.rc == 0, result
    audit_file = report_dir / "latest" / "audit.json"
    audit = json.loads(audit_file.read_text())
    expected = {f"hubfix.aws/{f['control']}/{f['account_id']}/{f['region']}/{f['resource_id']}" for f in audit["findings"]}
    assert len(expected) == len(audit["findings"]) == 21

    simulator.reset_recording()
    result, data = run(simulator, FINDING, tmp_path, check=True, sh_state="imported", sh_audit_file=str(audit_file))
    assert result.rc == 0 and result.changed == 1, result
    assert simulator.mutating_calls() == []
    assert set(data["updated"]) == expected and all(e["action"] == "created" for e in data["findings"])
    assert ours(simulator, "us-east-1") == {}

    result, data = run(simulator, FINDING, tmp_path, sh_state="imported", sh_audit_file=str(audit_file))
    assert result.rc == 0 and result.changed == 1, result
    assert data["unprocessed"] == []
    stored = {**ours(simulator, "us-east-1"), **ours(simulator, "eu-west-1")}
    assert set(stored) == expected
    pv_plain = stored[f"hubfix.aws/EC2.24/{ACCOUNT}/us-east-1/{demo['instances']['pv-plain']['id']}"]
    assert pv_plain["ProductArn"] == f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default"
    assert pv_plain["GeneratorId"] == "hubfix.aws/EC2.24"
    assert pv_plain["Compliance"] == {"Status": "FAILED", "SecurityControlId": "EC2.24"}
    assert pv_plain["Types"] == ["Software and Configuration Checks/AWS Security Best Practices"]
    assert pv_plain["Resources"][0]["Type"] == "AwsEc2Instance"
    assert pv_plain["Resources"][0]["Id"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{demo['instances']['pv-plain']['id']}"
    assert (pv_plain["Workflow"]["Status"], pv_plain["RecordState"]) == ("NEW", "ACTIVE")
    lc_eu = stored[f"hubfix.aws/AutoScaling.3/{ACCOUNT}/eu-west-1/lc-eu-optional"]
    assert (lc_eu["Region"], lc_eu["Severity"]["Label"]) == ("eu-west-1", "HIGH")

    # re-import of the same audit: no call
    simulator.reset_recording()
    result, data = run(simulator, FINDING, tmp_path, sh_state="imported", sh_audit_file=str(audit_file))
    assert result.rc == 0 and result.changed == 0, result
    assert simulator.mutating_calls() == []
    assert set(data["unchanged"]) == expected

    # our imported findings do not double the targets
    targets = info(simulator, tmp_path, sh_regions=REGIONS)["targets"]
    assert len(targets) == 14 + 7  # Security Hub's 14 + our AutoScaling.9 groups (no AWS finding for them in the demo)
    assert all(not t["generator_id"].startswith("hubfix.aws/") for t in targets if t["control"] != "AutoScaling.9")

    # a resource fixed since: the next audit no longer reports it -> archived; a changed one -> updated, the rest untouched
    fixed_id = f"hubfix.aws/AutoScaling.3/{ACCOUNT}/us-east-1/lc-unused"
    later = copy.deepcopy(audit)
    later["findings"] = [f for f in later["findings"] if not (f["control"] == "AutoScaling.3" and f["resource_id"] == "lc-unused")]
    changed = next(f for f in later["findings"] if f["resource_id"] == "lc-full")
    changed["next_action"]["text"] = "run remediate_autoscaling_3 now"
    later_file = tmp_path / "later.json"
    later_file.write_text(json.dumps(later))
    simulator.reset_recording()
    result, data = run(simulator, FINDING, tmp_path, sh_state="imported", sh_audit_file=str(later_file))
    assert result.rc == 0 and result.changed == 1, result
    actions = {e["id"]: e["action"] for e in data["findings"]}
    assert actions.pop(fixed_id) == "archived"
    assert actions.pop(f"hubfix.aws/AutoScaling.3/{ACCOUNT}/us-east-1/lc-full") == "updated"
    assert set(actions.values()) == {"unchanged"}
    assert [(c.operation, c.region) for c in simulator.mutating_calls()] == [("BatchImportFindings", "us-east-1")]
    archived = ours(simulator, "us-east-1")[fixed_id]
    assert (archived["RecordState"], archived["Compliance"]["Status"]) == ("ARCHIVED", "PASSED")
    updated = ours(simulator, "us-east-1")[f"hubfix.aws/AutoScaling.3/{ACCOUNT}/us-east-1/lc-full"]
    assert updated["Remediation"]["Recommendation"]["Text"] == "run remediate_autoscaling_3 now"
    result, _unused = run(simulator, FINDING, tmp_path, sh_state="imported", sh_audit_file=str(later_file))
    assert result.rc == 0 and result.changed == 0, result
