"""Hosts, names and groups of the hubfix.aws.findings inventory (plugins/module_utils/findings_inventory.py) and the
account fan-out of findings_scan.py."""

from __future__ import annotations

import threading
import time

from ansible_collections.hubfix.aws.plugins.module_utils import findings_inventory as fi
from ansible_collections.hubfix.aws.plugins.module_utils.audit_report import audit_report
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import AccountScope, ScopeFailure, scan_accounts

ACCOUNT = "123456789012"


def finding(control, resource_id, region="us-east-1", kind="remediate", blockers=(), owner=None):
    return {
        "id": "%s/%s/%s/%s" % (control, ACCOUNT, region, resource_id),
        "control": control,
        "status": "failed",
        "resource_id": resource_id,
        "resource_name": resource_id,
        "resource_arn": None,
        "resource_type": "x",
        "account_id": ACCOUNT,
        "region": region,
        "reason": "r",
        "blockers": list(blockers),
        "next_action": {"kind": kind, "playbook": None, "text": "t"},
        "details": {"owner": owner},
    }


def test_names_and_groups():
    hosts = fi.hosts_of(
        [
            finding("EC2.24", "i-0abc"),
            finding("EC2.24", "i-0def", blockers=[{"code": "autoscaling_group", "message": "m"}], kind="blocked"),
            finding("AutoScaling.3", "web-lc", region="eu-west-1"),
            finding("AutoScaling.9", "web-asg", owner={"type": "cloudformation", "name": "web"}),
        ]
    )
    assert [(h["name"], h["groups"]) for h in hosts] == [
        ("i-0abc", ["ec2_24", "account_123456789012", "region_us_east_1", "actionable"]),
        ("i-0def", ["ec2_24", "account_123456789012", "region_us_east_1", "blocked"]),
        ("lc/123456789012/eu-west-1/web-lc", ["autoscaling_3", "account_123456789012", "region_eu_west_1", "actionable"]),
        ("asg/123456789012/us-east-1/web-asg", ["autoscaling_9", "account_123456789012", "region_us_east_1", "blocked"]),
    ]
    record = hosts[3]["vars"]["hubfix_resource"]
    assert (record["control"], record["id"], record["owner"], record["blocked"]) == (
        "AutoScaling.9",
        "web-asg",
        {"type": "cloudformation", "name": "web"},
        True,
    )
    assert [h["name"] for h in fi.hosts_of([finding("EC2.24", "i-1"), finding("AutoScaling.3", "lc")], controls=["AutoScaling.3"])] == [
        "lc/123456789012/us-east-1/lc"
    ]


def test_hosts_of_an_audit_report_are_its_failing_resources():
    pv = {
        "account_id": ACCOUNT,
        "instances": [{"instance_id": "i-1", "region": "us-east-1", "account_id": ACCOUNT, "virtualization_type": "paravirtual", "tags": {}}],
        "regions": [{"region": "us-east-1", "scanned": True}],
    }
    lcs = {
        "account_id": ACCOUNT,
        "launch_configurations": [
            {"name": "ok-lc", "region": "us-east-1", "account_id": ACCOUNT, "compliant": True},
            {"name": "bad-lc", "region": "us-east-1", "account_id": ACCOUNT, "compliant": False, "autoscaling_groups": ["g"]},
        ],
        "autoscaling_groups_on_launch_configurations": [{"name": "g", "region": "us-east-1", "launch_configuration_name": "bad-lc"}],
        "regions": [{"region": "us-east-1", "scanned": True}],
    }
    report = audit_report(paravirtual=pv, launch_configs=lcs)
    assert [h["name"] for h in fi.hosts_of(report["findings"])] == ["i-1", "lc/123456789012/us-east-1/bad-lc", "asg/123456789012/us-east-1/g"]


def test_config_problems():
    assert fi.config_problems({"source": "scan", "controls": ["EC2.24"], "account_concurrency": 8}) == []
    assert fi.config_problems({"source": "hub", "controls": ["EC2.42"], "account_concurrency": 0}) == [
        "source must be one of scan, securityhub, not 'hub'",
        "controls: unknown control(s): EC2.42 (expected some of EC2.24, AutoScaling.3, AutoScaling.9)",
        "account_concurrency must be a whole number of 1 or more, not 0",
    ]


def test_inventory_scope_of_the_play_hosts():
    role = "arn:aws:iam::111122223333:role/hubfix"
    found = [
        finding("EC2.24", "i-1"),
        finding("EC2.24", "i-2", region="eu-west-1"),
        finding("AutoScaling.3", "lc-a"),
        dict(finding("AutoScaling.9", "asg-b"), details={"owner": None, "launch_configuration_name": "lc-b"}),
        dict(finding("AutoScaling.9", "asg-a"), details={"owner": None, "launch_configuration_name": "lc-a"}),
    ]
    hosts = fi.hosts_of(found, accounts={ACCOUNT: {"account_id": ACCOUNT, "role_arn": role, "external_id": None}})
    resources = [h["vars"]["hubfix_resource"] for h in hosts] + [None]
    autoscaling = fi.inventory_scope(resources, ["AutoScaling.3", "AutoScaling.9"])
    assert autoscaling == {
        "active": True,
        "regions": ["us-east-1"],
        "account_ids": [ACCOUNT],
        "accounts": [{"account_id": ACCOUNT, "role_arn": role}],
        "instance_ids": [],
        "targets": {
            ACCOUNT: [
                {"region": "us-east-1", "id": "lc-a", "kind": "launch_configuration"},
                {"region": "us-east-1", "id": "lc-b", "kind": "launch_configuration"},
            ]
        },
        "also_launch_configuration_names": {ACCOUNT: ["lc-b", "lc-a"]},
    }
    ec2 = fi.inventory_scope(resources, ["EC2.24"])
    assert (ec2["active"], ec2["regions"], ec2["instance_ids"], ec2["targets"]) == (True, ["eu-west-1", "us-east-1"], ["i-1", "i-2"], {})
    # the credentials' own account: no role to assume
    assert fi.inventory_scope([h["vars"]["hubfix_resource"] for h in fi.hosts_of(found)], ["EC2.24"])["accounts"] == []
    assert fi.inventory_scope([], ["EC2.24"])["active"] is False


def test_scan_accounts_runs_concurrently_and_keeps_each_failure_apart():
    running, peak, lock = [0], [0], threading.Lock()

    def scan_one(account):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        if account == "b":
            raise ScopeFailure("every region failed: denied")
        return {"account": account}

    out = scan_accounts(["a", "b", "c", "d"], scan_one, concurrency=3)
    assert out == [
        ("a", {"account": "a"}, None),
        ("b", None, "every region failed: denied"),
        ("c", {"account": "c"}, None),
        ("d", {"account": "d"}, None),
    ]
    assert 1 < peak[0] <= 3
    peak[0] = 0
    scan_accounts(["a", "c"], scan_one, concurrency=1)
    assert peak[0] == 1


def test_account_scope_passes_its_credentials_and_raises_failures():
    made = []
    scope = AccountScope(lambda service, **kw: made.append((service, kw)) or "client", "eu-west-1", {"aws_session_token": "t"}, {"regions": None})
    assert scope.client("ec2", retry_decorator="r") == "client"
    assert made == [("ec2", {"retry_decorator": "r", "region": "eu-west-1", "aws_session_token": "t"})]
    scope.client("sts", region="us-east-1")
    assert made[-1][1]["region"] == "us-east-1"
    try:
        scope.fail_json(msg="cannot identify the account")
    except ScopeFailure as e:
        assert str(e) == "cannot identify the account"
    else:
        raise AssertionError("fail_json must raise")
