"""The hubfix.aws.findings inventory plugin against the simulator: one host per failing resource (exactly the audit's
findings), the documented names and groups, read-only, cached like amazon.aws's inventories; Security Hub as the
source; an organization with an excluded account and one whose role cannot be assumed."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from tests.harness import VENV_BIN, ansible_env, report_file, run_playbook
from tests.integration.test_accounts import create_organization, deny_assume_role, seed_account
from tests.simulator import ACCOUNT_ID
from tests.simulator.seed import seed

REGIONS = ["us-east-1", "eu-west-1"]
GROUP_OF = {"EC2.24": "ec2_24", "AutoScaling.3": "autoscaling_3", "AutoScaling.9": "autoscaling_9"}


def inventory(simulator, tmp_path, config, name="hubfix.findings.yml", *extra):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-inventory"), "-i", str(path), "--list", *extra],
        # as AWX inventory sources do: a source that cannot be parsed fails the listing instead of giving no hosts
        env=ansible_env(simulator.env(), ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="True"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc, (plain(json.loads(proc.stdout)) if proc.returncode == 0 else None)


def plain(value):
    """ansible-inventory --list marks strings that came from an inventory plugin as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def members(listing, group):
    return set((listing.get(group) or {}).get("hosts") or [])


def host_name(finding):
    if finding["control"] == "EC2.24":
        return finding["resource_id"]
    prefix = "lc" if finding["control"] == "AutoScaling.3" else "asg"
    return f"{prefix}/{finding['account_id']}/{finding['region']}/{finding['resource_id']}"


@pytest.mark.slow(60)
def test_one_host_per_failing_resource_of_the_audit(simulator, tmp_path):
    seed("demo", simulator.endpoint)
    audit = run_playbook("hubfix.aws.audit", simulator.env(), {"audit_regions": REGIONS, "audit_report_dir": str(tmp_path / "audit")})
    assert audit.rc == 0, audit
    findings = json.loads(report_file(tmp_path / "audit", "audit.json").read_text())["findings"]
    expected = {host_name(f): f for f in findings}
    assert len(expected) == len(findings) == 8 + 6 + 7

    simulator.reset_recording()
    proc, listing = inventory(simulator, tmp_path, {"plugin": "hubfix.aws.findings", "regions": REGIONS})
    assert proc.returncode == 0, proc.stderr
    assert simulator.mutating_calls() == []
    hostvars = listing["_meta"]["hostvars"]
    assert set(hostvars) == set(expected)
    for control, group in GROUP_OF.items():
        assert members(listing, group) == {n for n, f in expected.items() if f["control"] == control}
    assert members(listing, f"account_{ACCOUNT_ID}") == set(expected)
    assert members(listing, "region_eu_west_1") == {n for n, f in expected.items() if f["region"] == "eu-west-1"}
    assert members(listing, "region_us_east_1") == {n for n, f in expected.items() if f["region"] == "us-east-1"}
    blocked = {n for n, f in expected.items() if f["next_action"]["kind"] == "blocked" or f["blockers"] or f["details"].get("owner")}
    assert len(blocked) == 3  # pv-asg-member, pv-protected, pv-ephemeral
    assert members(listing, "blocked") == blocked
    assert members(listing, "actionable") == set(expected) - blocked

    lc_full = hostvars[f"lc/{ACCOUNT_ID}/us-east-1/lc-full"]
    assert lc_full["ansible_connection"] == "local"
    resource = lc_full["hubfix_resource"]
    assert (resource["control"], resource["account_id"], resource["region"], resource["id"], resource["name"]) == (
        "AutoScaling.3",
        ACCOUNT_ID,
        "us-east-1",
        "lc-full",
        "lc-full",
    )
    assert resource["owner"] is None and resource["blockers"] == [] and resource["blocked"] is False
    protected = next(f for f in findings if f["resource_name"] == "pv-protected")
    assert hostvars[protected["resource_id"]]["hubfix_resource"]["blockers"] == protected["blockers"] != []

    # cached: the second listing makes no AWS call
    cached = {
        "plugin": "hubfix.aws.findings",
        "regions": REGIONS,
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(tmp_path / "cache"),
    }
    first, listed = inventory(simulator, tmp_path, cached, "cached.findings.yml")
    assert first.returncode == 0, first.stderr
    simulator.reset_recording()
    again, relisted = inventory(simulator, tmp_path, cached, "cached.findings.yml")
    assert again.returncode == 0, again.stderr
    assert simulator.calls() == []
    assert relisted["_meta"]["hostvars"] == listed["_meta"]["hostvars"]
    simulator.reset_recording()
    flushed, _listing = inventory(simulator, tmp_path, cached, "cached.findings.yml", "--flush-cache")
    assert flushed.returncode == 0 and simulator.calls() != []

    # Security Hub as the source: lc-unused is gone since its finding was written - not a host
    simulator.client("autoscaling").delete_launch_configuration(LaunchConfigurationName="lc-unused")
    proc, from_hub = inventory(simulator, tmp_path, {"plugin": "hubfix.aws.findings", "regions": REGIONS, "source": "securityhub"}, "hub.findings.yml")
    assert proc.returncode == 0, proc.stderr
    named = set()
    for region in REGIONS:
        for f in simulator.client("securityhub", region).get_findings(MaxResults=100)["Findings"]:
            control = (f.get("Compliance") or {}).get("SecurityControlId")
            if control in GROUP_OF and f["Compliance"]["Status"] == "FAILED" and f["Workflow"]["Status"] in ("NEW", "NOTIFIED"):
                named.add((control, f["Resources"][0]["Id"].rsplit("/", 1)[-1].split(":")[-1]))
    hub_hosts = set(from_hub["_meta"]["hostvars"])
    assert hub_hosts == {n for n, f in expected.items() if (f["control"], f["resource_id"]) in named and f["resource_id"] != "lc-unused"}
    assert f"lc/{ACCOUNT_ID}/us-east-1/lc-unused" not in hub_hosts and hub_hosts

    # wrong input - a typo in a key, an unknown control - fails before any AWS call, naming it
    simulator.reset_recording()
    bad, _listing = inventory(simulator, tmp_path, {"plugin": "hubfix.aws.findings", "controls": ["EC2.42"], "regoins": REGIONS}, "bad.findings.yml")
    assert bad.returncode != 0
    assert "unknown option regoins (did you mean regions?)" in bad.stderr and "unknown control(s): EC2.42" in bad.stderr, bad.stderr
    assert simulator.calls() == []
    both = {
        "plugin": "hubfix.aws.findings",
        "accounts": [{"account_id": ACCOUNT_ID, "role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/r"}],
        "organization": {"role_name": "r"},
    }
    refused, _listing = inventory(simulator, tmp_path, both, "both.findings.yml")
    assert refused.returncode != 0 and "give organization or accounts, not both" in refused.stderr, refused.stderr
    assert simulator.calls() == []


@pytest.mark.slow(40)
def test_an_organization_with_an_excluded_account_and_one_that_fails(simulator, tmp_path):
    _units, ids = create_organization(simulator, {"prod": None, "dev": None}, {"prod": "prod", "dev": "dev", "sandbox": "dev", "locked": "prod"})
    seeded = {account: seed_account(simulator, account) for account in (ACCOUNT_ID, ids["prod"], ids["dev"], ids["sandbox"])}
    deny_assume_role(simulator, ids["locked"])
    simulator.reset_recording()

    config = {
        "plugin": "hubfix.aws.findings",
        "regions": ["us-east-1"],
        "controls": ["EC2.24"],
        "organization": {"role_name": "hubfix-remediation", "exclude_accounts": ids["sandbox"]},
        "account_concurrency": 3,
    }
    proc, listing = inventory(simulator, tmp_path, config)
    assert proc.returncode == 0, proc.stderr
    assert simulator.mutating_calls() == []
    scanned = (ACCOUNT_ID, ids["prod"], ids["dev"])
    assert set(listing["_meta"]["hostvars"]) == {seeded[a]["pv"] for a in scanned}
    for account in scanned:
        assert members(listing, f"account_{account}") == {seeded[account]["pv"]}
    assert f"account_{ids['sandbox']}" not in listing and seeded[ids["sandbox"]]["pv"] not in listing["_meta"]["hostvars"]
    # the account whose role cannot be assumed is named; the others still give their hosts
    assert f"account {ids['locked']} not scanned" in proc.stderr and "AccessDenied" in proc.stderr


def run_slice(simulator, tmp_path, playbook, limit, extra):
    """One slice of a job: the playbook on the inventory's hosts within ``limit`` (what AWX job slicing gives each slice)."""
    env = {"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "True"}
    return run_playbook(playbook, simulator.env(), extra, args=["-i", str(tmp_path / "hubfix.findings.yml"), "--limit", limit], env=env)


@pytest.mark.slow(200)
def test_two_slices_remediate_disjoint_halves_and_together_everything(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    (tmp_path / "hubfix.findings.yml").write_text(yaml.safe_dump({"plugin": "hubfix.aws.findings", "regions": REGIONS}))
    proc, listing = inventory(simulator, tmp_path, {"plugin": "hubfix.aws.findings", "regions": REGIONS})
    assert proc.returncode == 0, proc.stderr
    actionable = sorted(members(listing, "ec2_24") & members(listing, "actionable"))
    assert len(actionable) == 5
    halves = [actionable[:2], actionable[2:]]

    # EC2.24: no *_regions and no instance ids - the hosts within the limit say what to migrate
    images = {i["id"]: estate["images"]["hvm"][i["region"]] for n, i in estate["instances"].items() if n.startswith("pv-")}
    reports = []
    for n, half in enumerate(halves):
        extra = {"pv_to_hvm_image_map": images, "pv_to_hvm_report_dir": str(tmp_path / f"pv{n}"), "pv_to_hvm_stage": "all"}
        result = run_slice(simulator, tmp_path, "hubfix.aws.remediate_ec2_24", ",".join(half), extra)
        assert result.rc == 0, result
        reports.append(json.loads(report_file(tmp_path / f"pv{n}", "pv_to_hvm.json").read_text()))
    handled = [sorted(r["instance_id"] for r in report["instances"]) for report in reports]
    assert handled == [sorted(h) for h in halves]
    assert all(r["status"] == "migrated" for report in reports for r in report["instances"]), reports
    ec2 = [simulator.client("ec2", region) for region in REGIONS]
    replacements = {}
    for client in ec2:
        for page in client.get_paginator("describe_instances").paginate():
            for res in page["Reservations"]:
                for i in res["Instances"]:
                    tags = {t["Key"]: t["Value"] for t in i.get("Tags") or []}
                    if tags.get("hubfix:replaces") and i["State"]["Name"] != "terminated":
                        replacements.setdefault(tags["hubfix:replaces"], []).append(i["InstanceId"])
    # each instance of either half replaced exactly once, nothing else touched
    assert {k: len(v) for k, v in replacements.items()} == dict.fromkeys(actionable, 1)

    # AutoScaling.3 / .9: one slice per region
    as_reports = []
    for n, region in enumerate(("us_east_1", "eu_west_1")):
        extra = {"autoscaling_imdsv2_report_dir": str(tmp_path / f"as{n}"), "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups")}
        result = run_slice(simulator, tmp_path, "hubfix.aws.remediate_autoscaling_3", f"autoscaling_3:autoscaling_9:&region_{region}", extra)
        assert result.rc == 0, result
        as_reports.append(json.loads(report_file(tmp_path / f"as{n}", "autoscaling_imdsv2.json").read_text()))
    assert [r["source"] for r in as_reports] == ["inventory", "inventory"]
    lcs = [{(lc["region"], lc["name"]) for lc in r["launch_configurations"]} for r in as_reports]
    assert not lcs[0] & lcs[1]
    assert {region for region, _name in lcs[0]} == {"us-east-1"} and {region for region, _name in lcs[1]} == {"eu-west-1"}
    hosts = {n: f for n, f in listing["_meta"]["hostvars"].items() if f["hubfix_resource"]["control"] != "EC2.24"}
    expected = set()
    for host in hosts.values():
        resource = host["hubfix_resource"]
        expected.add((resource["region"], resource["id"] if resource["control"] == "AutoScaling.3" else resource["details"]["launch_configuration_name"]))
    assert lcs[0] | lcs[1] == expected
    for region in REGIONS:
        templates = simulator.client("ec2", region).describe_launch_templates()["LaunchTemplates"]
        names = [t["LaunchTemplateName"] for t in templates if any(tag["Key"] == "hubfix:source-launch-configuration" for tag in t.get("Tags") or [])]
        assert sorted(names) == sorted(set(names))  # one template per launch configuration, none made twice
    # every AutoScaling.9 group of the inventory now launches from a template
    for name, host in hosts.items():
        resource = host["hubfix_resource"]
        if resource["control"] == "AutoScaling.9":
            group = simulator.client("autoscaling", resource["region"]).describe_auto_scaling_groups(AutoScalingGroupNames=[resource["id"]])
            assert "LaunchConfigurationName" not in group["AutoScalingGroups"][0], name
