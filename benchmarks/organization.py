"""Benchmark: the audit of an AWS organization (issue 14), side by side with the hand-built loop.

    .venv/bin/python benchmarks/organization.py                 # 30 accounts x 4 regions (a few minutes)
    .venv/bin/python benchmarks/organization.py --quick         # 4 accounts x 2 regions
    .venv/bin/python benchmarks/organization.py --json benchmarks/results/organization.json

A fresh simulator gets an organization of ``--accounts`` accounts (the management account and the others, created with
AWS Organizations) and, in every account and region, a small estate (``benchmarks/audit.py``'s seeding: some paravirtual
instances, launch configurations a third of which require IMDSv2). On that estate:

- **(a)** ``ansible-playbook hubfix.aws.audit`` with only ``hubfix_organization`` (the accounts come from Organizations,
  each role assumed, every account scanned in one ``accounts_detection_info`` run, ``hubfix_account_concurrency`` 8);
- **(b)** ``benchmarks/playbooks/alternative_org_audit.yml``: for each account ``amazon.aws.sts_assume_role``, then
  ``amazon.aws.ec2_instance_info`` (``virtualization-type`` filter) and ``community.aws.autoscaling_launch_config_info`` in
  each region - given the account list, so it makes no Organizations call.

Both must find the same failing resources; their wall time and AWS calls (from the simulator's request log) are printed
with the minimum: per account what ``benchmarks/audit.py`` counts for one account, plus one ``sts:AssumeRole``, plus
``organizations:DescribeOrganization`` and ``organizations:ListAccounts`` once. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.audit import PLAYBOOKS, minimum_calls, plan_region, read_json, seed_region  # noqa: E402
from tests.harness import run_playbook  # noqa: E402
from tests.simulator import ACCOUNT_ID, Simulator  # noqa: E402

ROLE_NAME = "hubfix-audit"
REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-northeast-1"]
FULL = {"accounts": 30, "regions": 4, "instances_per_region": 40, "launch_configurations": 6}
QUICK = {"accounts": 4, "regions": 2, "instances_per_region": 10, "launch_configurations": 3}
SPEEDUP_TARGET = 5.0
CALLS_TARGET = 1.05


def role_arn(account):
    return "arn:aws:iam::%s:role/%s" % (account, ROLE_NAME)


class InAccount:
    """The simulator as seen from ``account``: clients with the credentials AssumeRole gives (seed_region takes it)."""

    def __init__(self, sim, account):
        creds = sim.client("sts").assume_role(RoleArn=role_arn(account), RoleSessionName="seed")["Credentials"]
        self.sim = sim
        self.creds = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def client(self, service, region):
        return self.sim.client(service, region, **self.creds)


def organization(sim, count):
    """The management account (the simulator's own) and ``count - 1`` member accounts."""
    orgs = sim.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    members = []
    for n in range(1, count):
        members.append(orgs.create_account(AccountName="member-%02d" % n, Email="member-%02d@example.com" % n)["CreateAccountStatus"]["AccountId"])
    return [ACCOUNT_ID] + members


def seed(sim, accounts, regions, size):
    plan = plan_region(size["instances_per_region"], 5, 4, size["launch_configurations"], 1)

    def one(account):
        view = InAccount(sim, account)
        return account, {region: seed_region(view, region, plan) for region in regions}

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, accounts))


def expected(estate):
    out = {"paravirtual_instances": [], "launch_configurations": []}
    for account, regions in estate.items():
        for seeded in regions.values():
            for kind in out:
                out[kind] += ["%s/%s" % (account, item) for item in seeded["expected"][kind]]
    return {kind: sorted(items) for kind, items in out.items()}


def minimum(estate):
    total = {"organizations:DescribeOrganization": 1, "organizations:ListAccounts": 1}
    for regions in estate.values():
        one = dict(minimum_calls(regions)["audit_with_termination_protection"])
        one["sts:AssumeRole"] = 1
        for key, n in one.items():
            total[key] = total.get(key, 0) + n
    return dict(sorted(total.items()))


def failing_of_audit(path):
    findings = json.loads(Path(path).read_text()).get("findings") or []
    pick = {"EC2.24": "paravirtual_instances", "AutoScaling.3": "launch_configurations"}
    out = {"paravirtual_instances": [], "launch_configurations": []}
    for f in findings:
        if f["control"] in pick:
            out[pick[f["control"]]].append("%s/%s/%s" % (f["account_id"], f["region"], f["resource_id"]))
    return {kind: sorted(items) for kind, items in out.items()}


def run(sim, name, playbook, extra_vars, output, read_failing, workdir):
    sim.reset_recording()
    start = time.monotonic()
    result = run_playbook(playbook, sim.env(REGIONS[0]), extra_vars=extra_vars, cwd=workdir, timeout=3600)
    wall = time.monotonic() - start
    if result.rc != 0:
        print(str(result), file=sys.stderr)
        raise SystemExit("contender %s failed (rc=%d)" % (name, result.rc))
    counts = {}
    for c in sim.calls():
        key = "%s:%s" % (c.service, c.operation)
        counts[key] = counts.get(key, 0) + 1
    return {"wall_seconds": round(wall, 2), "calls": dict(sorted(counts.items())), "total_calls": sum(counts.values()), "failing": read_failing(output)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="4 accounts x 2 regions")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    regions = REGIONS[: size["regions"]]

    with Simulator() as sim, tempfile.TemporaryDirectory() as workdir:
        accounts = organization(sim, size["accounts"])
        started = time.monotonic()
        estate = seed(sim, accounts, regions, size)
        print("seeded %d accounts x %d regions in %.0f s" % (len(accounts), len(regions), time.monotonic() - started))
        work = Path(workdir)
        results = {
            "a": run(
                sim,
                "a",
                "hubfix.aws.audit",
                {"audit_regions": regions, "audit_report_dir": str(work / "report"), "hubfix_organization": {"role_name": ROLE_NAME}},
                work / "report" / "latest" / "audit.json",
                failing_of_audit,
                workdir,
            ),
            "b": run(
                sim,
                "b",
                str(PLAYBOOKS / "alternative_org_audit.yml"),
                {"alt_accounts": [{"account_id": a, "role_arn": role_arn(a)} for a in accounts], "alt_regions": regions, "alt_output": str(work / "b.json")},
                work / "b.json",
                read_json,
                workdir,
            ),
        }
    want = expected(estate)
    least = minimum(estate)
    agree = all(r["failing"] == want for r in results.values())
    speedup = results["b"]["wall_seconds"] / results["a"]["wall_seconds"]
    calls_ratio = results["a"]["total_calls"] / sum(least.values())
    keys = sorted(set(least) | {k for r in results.values() for k in r["calls"]})
    print("| operation | (a) hubfix.aws.audit | (b) hand-built loop | minimum |")
    print("|---|---|---|---|")
    for key in keys:
        print("| %s | %s | %s | %s |" % (key, results["a"]["calls"].get(key, 0), results["b"]["calls"].get(key, 0), least.get(key, 0)))
    print("| **total calls** | **%d** | %d | %d |" % (results["a"]["total_calls"], results["b"]["total_calls"], sum(least.values())))
    print("| **wall time (s)** | **%.1f** | %.1f | |" % (results["a"]["wall_seconds"], results["b"]["wall_seconds"]))
    print(
        "%s: %d accounts x %d regions, %d paravirtual instances and %d launch configurations failing; speed-up %.1fx (target %.0fx), "
        "calls %.2fx the minimum (target %.2fx)"
        % (
            "OK" if agree else "DISAGREE",
            len(accounts),
            len(regions),
            len(want["paravirtual_instances"]),
            len(want["launch_configurations"]),
            speedup,
            SPEEDUP_TARGET,
            calls_ratio,
            CALLS_TARGET,
        )
    )
    if args.json:
        data = {"size": size, "accounts": len(accounts), "regions": regions, "results": results, "minimum": least, "agree": agree, "speedup": speedup}
        Path(args.json).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
