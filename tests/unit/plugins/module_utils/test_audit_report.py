"""The audit report shaping (plugins/filter/audit.py): findings, next actions, totals, summary."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import audit_report as audit

ACCOUNT = "123456789012"

ASG_MEMBER_NEXT = (
    'blocked: member of Auto Scaling group asg-pv — run remediate_ec2_24 with pv_to_hvm_image_map {"<paravirtual AMI>": "<HVM AMI>"}: it '
    "gives the group's launch template an HVM version (prepare) and replaces the members with an instance refresh (cutover); a group "
    "still on a launch configuration first needs remediate_autoscaling_3 with autoscaling_imdsv2_group_names [asg-pv] and the same "
    "pv_to_hvm_image_map"
)


def instance(name, instance_id, region="us-east-1", blockers=None, tags=None, **extra):
    data = {
        "instance_id": instance_id,
        "region": region,
        "account_id": ACCOUNT,
        "state": "running",
        "instance_type": "m1.small",
        "image_id": "ami-8104a4f8",
        "virtualization_type": "paravirtual",
        "root_device_type": "ebs",
        "root_device_name": "/dev/sda1",
        "availability_zone": region + "a",
        "subnet_id": "subnet-1",
        "vpc_id": "vpc-1",
        "security_group_ids": ["sg-1"],
        "key_name": None,
        "iam_instance_profile_arn": None,
        "ebs_optimized": False,
        "tags": dict({"Name": name}, **(tags or {})),
        "ebs_volumes": [{"volume_id": "vol-root-" + name, "device_name": "/dev/sda1", "is_root": True}],
        "instance_store_devices": [],
        "elastic_ips": [],
        "network_interfaces": [],
        "autoscaling_group_name": None,
        "termination_protection": False,
        "owner": None,
        "suggested_instance_type": "t3.small",
        "blockers": blockers or [],
        "security_hub_evaluated": True,
    }
    data.update(extra)
    return data


def launch_configuration(name, compliant, reason, groups=(), region="us-east-1"):
    return {
        "name": name,
        "arn": "arn:aws:autoscaling:%s:%s:launchConfiguration:uuid:launchConfigurationName/%s" % (region, ACCOUNT, name),
        "region": region,
        "account_id": ACCOUNT,
        "compliant": compliant,
        "reason": reason,
        "metadata_options": None if reason == "metadata_options_absent" else {"http_tokens": "required" if compliant else "optional"},
        "image_id": "ami-760aaa0f",
        "instance_type": "t3.micro",
        "created_time": "2026-11-23T09:00:00+00:00",
        "autoscaling_groups": list(groups),
    }


def group(name, lc_name, region="us-east-1", desired=1, instances=()):
    return {"name": name, "region": region, "launch_configuration_name": lc_name, "desired_capacity": desired, "instances": list(instances)}


@pytest.fixture
def pv_result():
    return {
        "changed": False,
        "instances": [
            instance("pv-plain", "i-0000000000000001"),
            instance(
                "pv-asg-member",
                "i-0000000000000002",
                autoscaling_group_name="asg-pv",
                blockers=[{"code": "autoscaling_group", "message": "member of Auto Scaling group asg-pv"}],
            ),
            instance(
                "pv-protected",
                "i-0000000000000003",
                termination_protection=True,
                blockers=[{"code": "termination_protection", "message": "termination protection is enabled"}],
            ),
            instance("pv-eu", "i-0000000000000004", region="eu-west-1", suggested_instance_type=None),
        ],
        "regions": [
            {"region": "us-east-1", "scanned": True, "failed": 3, "error": None},
            {"region": "eu-west-1", "scanned": True, "failed": 1, "error": None},
        ],
    }


@pytest.fixture
def lc_result():
    return {
        "changed": False,
        "launch_configurations": [
            launch_configuration("lc-tokens-optional", False, "http_tokens_optional", ["asg-web"]),
            launch_configuration("lc-unused", False, "http_tokens_optional"),
            launch_configuration("lc-endpoint-disabled", False, "http_endpoint_disabled_tokens_optional", ["asg-legacy"]),
            launch_configuration("lc-pv", True, None, ["asg-pv"]),
            launch_configuration("lc-eu-optional", False, "metadata_options_absent", ["asg-eu"], region="eu-west-1"),
        ],
        "autoscaling_groups_on_launch_configurations": [
            group("asg-web", "lc-tokens-optional", desired=2, instances=["i-a", "i-b"]),
            group("asg-legacy", "lc-endpoint-disabled", desired=0),
            group("asg-pv", "lc-pv", instances=["i-0000000000000002"]),
            group("asg-eu", "lc-eu-optional", region="eu-west-1"),
        ],
        "regions": [
            {"region": "us-east-1", "scanned": True, "failed": 3, "error": None},
            {"region": "eu-west-1", "scanned": True, "failed": 1, "error": None},
        ],
    }


def report(pv, lc, **kwargs):
    kwargs.setdefault("accounts", [ACCOUNT])
    kwargs.setdefault("generated_at", "2026-11-23T10:00:00Z")
    return audit.audit_report(pv, lc, **kwargs)


def by_id(r):
    return {(f["control"], f["resource_id"]): f for f in r["findings"]}


def test_one_finding_per_failing_resource_and_control(pv_result, lc_result):
    r = report(pv_result, lc_result)
    assert sorted(by_id(r)) == sorted(
        [("EC2.24", i["instance_id"]) for i in pv_result["instances"]]
        + [("AutoScaling.3", n) for n in ("lc-tokens-optional", "lc-unused", "lc-endpoint-disabled", "lc-eu-optional")]
        + [("AutoScaling.9", n) for n in ("asg-web", "asg-legacy", "asg-pv", "asg-eu")]
    )
    assert r["schema_version"] == audit.SCHEMA_VERSION
    assert r["accounts"] == [ACCOUNT]
    assert r["regions"] == ["us-east-1", "eu-west-1"]
    assert r["scan_errors"] == []


def test_findings_are_ordered_by_control_then_region_then_name(pv_result, lc_result):
    r = report(pv_result, lc_result)
    keys = [(f["control"], f["region"], f["resource_name"]) for f in r["findings"]]
    controls = [k[0] for k in keys]
    assert controls == sorted(controls, key=audit.CONTROLS.index)
    ec2 = [k for k in keys if k[0] == "EC2.24"]
    assert ec2 == [
        ("EC2.24", "eu-west-1", "pv-eu"),
        ("EC2.24", "us-east-1", "pv-asg-member"),
        ("EC2.24", "us-east-1", "pv-plain"),
        ("EC2.24", "us-east-1", "pv-protected"),
    ]


def test_ec2_24_next_actions(pv_result, lc_result):
    f = by_id(report(pv_result, lc_result))
    plain = f[("EC2.24", "i-0000000000000001")]
    assert plain["next_action"] == {"kind": "remediate", "playbook": "remediate_ec2_24", "text": "run remediate_ec2_24 (pv_to_hvm) — replacement type t3.small"}
    assert plain["resource_name"] == "pv-plain"
    assert plain["resource_arn"] == "arn:aws:ec2:us-east-1:%s:instance/i-0000000000000001" % ACCOUNT
    assert plain["status"] == "failed"
    asg = f[("EC2.24", "i-0000000000000002")]
    assert asg["next_action"]["kind"] == "blocked"
    assert asg["next_action"]["playbook"] is None
    assert asg["next_action"]["text"] == ASG_MEMBER_NEXT
    assert asg["blockers"] == [{"code": "autoscaling_group", "message": "member of Auto Scaling group asg-pv"}]
    protected = f[("EC2.24", "i-0000000000000003")]
    assert protected["next_action"]["text"].startswith("blocked: termination protection is on")
    assert f[("EC2.24", "i-0000000000000004")]["next_action"]["text"] == "run remediate_ec2_24 (pv_to_hvm)"


def test_several_blockers_are_all_named_most_restrictive_first():
    inst = instance(
        "x",
        "i-0000000000000009",
        owner={"type": "cloudformation", "name": "stack-a"},
        instance_store_devices=[{"device_name": "/dev/sdb", "virtual_name": "ephemeral0"}],
        blockers=[
            {"code": "termination_protection", "message": "tp"},
            {"code": "instance_store_data", "message": "isd"},
            {"code": "cloudformation", "message": "cfn"},
            {"code": "something_new", "message": "a blocker this filter does not know"},
        ],
    )
    text = audit.ec2_24_finding(inst)["next_action"]["text"]
    assert text.startswith("blocked: managed by CloudFormation stack stack-a")
    assert text.index("CloudFormation") < text.index("/dev/sdb") < text.index("termination protection") < text.index("a blocker this filter does not know")
    assert "pv_to_hvm_acknowledge_instance_store_loss: true" in text


def test_replaced_source_is_pending_termination_not_actionable(pv_result, lc_result):
    pv_result["instances"][0]["tags"]["hubfix:replaced-by"] = "i-0fffffffffffffff0"
    pv_result["instances"][0]["state"] = "stopped"
    r = report(pv_result, lc_result)
    f = by_id(r)[("EC2.24", "i-0000000000000001")]
    assert f["status"] == "remediated_pending_termination"
    assert f["next_action"]["kind"] == "terminate_source"
    assert "i-0fffffffffffffff0" in f["next_action"]["text"]
    assert f["details"]["replaced_by"] == "i-0fffffffffffffff0"
    ec2 = r["totals"]["by_control"]["EC2.24"]
    assert (ec2["failed"], ec2["actionable"], ec2["blocked"], ec2["pending_termination"]) == (4, 1, 2, 1)


def test_autoscaling_3_reasons_and_actions(pv_result, lc_result):
    f = by_id(report(pv_result, lc_result))
    used = f[("AutoScaling.3", "lc-tokens-optional")]
    assert used["reason"] == "http_tokens_optional"
    assert used["next_action"]["playbook"] == "remediate_autoscaling_3"
    assert "switches asg-web" in used["next_action"]["text"]
    assert used["resource_arn"].endswith("launchConfigurationName/lc-tokens-optional")
    unused = f[("AutoScaling.3", "lc-unused")]
    assert "autoscaling_imdsv2_delete_unused: true" in unused["next_action"]["text"]
    disabled = f[("AutoScaling.3", "lc-endpoint-disabled")]
    assert disabled["reason"] == "http_endpoint_disabled_tokens_optional"
    assert disabled["next_action"]["text"].endswith("the metadata endpoint stays disabled")
    assert f[("AutoScaling.3", "lc-eu-optional")]["reason_text"].startswith("no MetadataOptions")
    assert ("AutoScaling.3", "lc-pv") not in f


def test_autoscaling_9_covers_groups_on_compliant_launch_configurations(pv_result, lc_result):
    f = by_id(report(pv_result, lc_result))
    pv_group = f[("AutoScaling.9", "asg-pv")]
    assert pv_group["details"]["launch_configuration_name"] == "lc-pv"
    assert pv_group["details"]["launch_configuration_compliant"] is True
    assert pv_group["next_action"]["text"].startswith("run remediate_autoscaling_3 with autoscaling_imdsv2_group_names: [asg-pv] (")
    assert "already requires IMDSv2" in pv_group["next_action"]["text"]
    assert f[("AutoScaling.9", "asg-web")]["next_action"]["text"] == (
        "run remediate_autoscaling_3 (switches asg-web to a launch template converted from lc-tokens-optional)"
    )
    assert f[("AutoScaling.9", "asg-web")]["details"]["instances"] == ["i-a", "i-b"]
    assert f[("AutoScaling.9", "asg-web")]["account_id"] == ACCOUNT


def test_totals_per_control_and_scope(pv_result, lc_result):
    t = report(pv_result, lc_result)["totals"]
    assert (t["failed"], t["actionable"], t["blocked"], t["pending_termination"]) == (12, 10, 2, 0)
    assert t["by_control"]["AutoScaling.3"]["evaluated"] == 5
    assert t["by_control"]["AutoScaling.3"]["passed"] == 1
    assert t["by_control"]["EC2.24"]["evaluated"] is None
    scope = {(s["control"], s["region"]): s["failed"] for s in t["by_scope"]}
    assert scope == {
        ("EC2.24", "us-east-1"): 3,
        ("EC2.24", "eu-west-1"): 1,
        ("AutoScaling.3", "us-east-1"): 3,
        ("AutoScaling.3", "eu-west-1"): 1,
        ("AutoScaling.9", "us-east-1"): 3,
        ("AutoScaling.9", "eu-west-1"): 1,
    }
    assert all(s["account_id"] == ACCOUNT for s in t["by_scope"])


def test_clean_region_still_gets_a_zero_row(pv_result, lc_result):
    pv_result["instances"] = [i for i in pv_result["instances"] if i["region"] == "us-east-1"]
    t = report(pv_result, lc_result)["totals"]
    row = [s for s in t["by_scope"] if s["control"] == "EC2.24" and s["region"] == "eu-west-1"]
    assert row == [{"control": "EC2.24", "account_id": ACCOUNT, "region": "eu-west-1", "failed": 0, "actionable": 0, "blocked": 0, "pending_termination": 0}]


def test_controls_select_what_is_reported(pv_result, lc_result):
    r = report(pv_result, lc_result, controls=["AutoScaling.9"])
    assert r["controls"] == ["AutoScaling.9"]
    assert {f["control"] for f in r["findings"]} == {"AutoScaling.9"}
    assert list(r["totals"]["by_control"]) == ["AutoScaling.9"]
    # a skipped scan task (control not audited) is a registered result with skipped: true
    r = report({"skipped": True, "changed": False}, lc_result, controls=["AutoScaling.3", "AutoScaling.9"])
    assert {f["control"] for f in r["findings"]} == {"AutoScaling.3", "AutoScaling.9"}
    assert [s["source"] for s in r["scans"]] == ["launch_config_imdsv2_info", "launch_config_imdsv2_info"]


def test_unknown_control_is_named():
    with pytest.raises(ValueError, match="EC2.99"):
        audit.audit_report({}, {}, controls=["EC2.24", "EC2.99"])


def test_region_errors_are_reported_not_hidden(pv_result, lc_result):
    pv_result["regions"][1] = {"region": "eu-west-1", "scanned": False, "failed": 0, "error": "AuthFailure: not enabled"}
    pv_result["instances"] = pv_result["instances"][:3]
    r = report(pv_result, lc_result)
    assert r["scan_errors"] == [{"source": "paravirtual_instance_info", "region": "eu-west-1", "error": "AuthFailure: not enabled"}]
    assert not [s for s in r["totals"]["by_scope"] if s["control"] == "EC2.24" and s["region"] == "eu-west-1"]
    lines = audit.audit_summary(r)
    assert "region eu-west-1 not scanned (paravirtual_instance_info): AuthFailure: not enabled" in lines


def test_report_does_not_modify_its_input(pv_result, lc_result):
    before = copy.deepcopy((pv_result, lc_result))
    report(pv_result, lc_result)
    assert (pv_result, lc_result) == before


def test_same_input_same_report(pv_result, lc_result):
    assert report(pv_result, lc_result) == report(copy.deepcopy(pv_result), copy.deepcopy(lc_result))


def test_generated_at_defaults_to_utc_now(pv_result, lc_result):
    r = audit.audit_report(pv_result, lc_result, accounts=ACCOUNT)
    assert r["generated_at"].endswith("Z") and r["generated_at"][:2] == "20"
    assert r["accounts"] == [ACCOUNT]


def test_partitions_in_arns():
    assert audit.ec2_24_finding(instance("c", "i-0000000000000005", region="cn-north-1"))["resource_arn"].startswith("arn:aws-cn:ec2:cn-north-1:")
    assert audit.ec2_24_finding(instance("g", "i-0000000000000006", region="us-gov-west-1"))["resource_arn"].startswith("arn:aws-us-gov:")


def test_summary_lines(pv_result, lc_result):
    lines = audit.audit_summary(report(pv_result, lc_result), "/tmp/reports/")
    assert lines[0] == "hubfix.aws audit: account 123456789012, regions us-east-1, eu-west-1"
    assert lines[1] == "EC2.24         failing 4 (actionable 2, blocked 2)"
    assert lines[2] == "AutoScaling.3  failing 4 (actionable 4, blocked 0) of 5 evaluated"
    assert lines[3] == "AutoScaling.9  failing 4 (actionable 4, blocked 0)"
    assert "every region scanned" in lines
    assert "blocked: pv-asg-member (autoscaling_group), pv-protected (termination_protection)" in lines
    assert lines[-1] == "reports: /tmp/reports/audit.html, /tmp/reports/audit.md, /tmp/reports/audit.json"
    assert len(lines) <= 20


def test_filter_module_exposes_filters():
    from ansible_collections.hubfix.aws.plugins.filter.audit import FilterModule

    filters = FilterModule().filters()
    assert filters["audit_report"].__name__ == "audit_report"
    report = audit.audit_report(paravirtual={"account_id": "123456789012", "instances": [], "regions": []}, controls=["EC2.24"])
    assert filters["audit_report"](paravirtual={"account_id": "123456789012", "instances": [], "regions": []}, controls=["EC2.24"]) == report
    assert filters["audit_summary"](report, "/tmp/reports") == audit.audit_summary(report, "/tmp/reports")


def test_warnings_become_checks_in_the_next_action():
    inst = instance(
        "w",
        "i-0000000000000007",
        warnings=[
            {"code": "instance_store_unverified", "message": "m1.small offers 1 instance-store volume(s) ..."},
            {"code": "brand_new", "message": "something to look at"},
        ],
    )
    f = audit.ec2_24_finding(inst)
    assert f["next_action"]["kind"] == "remediate"
    assert f["next_action"]["text"] == (
        "run remediate_ec2_24 (pv_to_hvm) — replacement type t3.small; check first: "
        "instance-store volumes mapped at launch are not visible through the EC2 API, look on the instance; something to look at"
    )
    assert [w["code"] for w in f["details"]["warnings"]] == ["instance_store_unverified", "brand_new"]


def test_accounts_come_from_the_module_results(pv_result, lc_result):
    pv_result["account_id"] = ACCOUNT
    lc_result["account_id"] = ACCOUNT
    assert audit.audit_report(pv_result, lc_result)["accounts"] == [ACCOUNT]
    empty = audit.audit_report({"account_id": ACCOUNT, "instances": [], "regions": [{"region": "us-east-1", "scanned": True, "error": None}]}, None)
    assert empty["accounts"] == [ACCOUNT]
    assert empty["totals"]["by_scope"][0]["account_id"] == ACCOUNT


def test_summary_keeps_control_order_after_a_json_round_trip(pv_result, lc_result):
    import json

    r = json.loads(json.dumps(report(pv_result, lc_result), sort_keys=True))
    assert [line.split()[0] for line in audit.audit_summary(r)[1:4]] == ["EC2.24", "AutoScaling.3", "AutoScaling.9"]
