"""Audit benchmark: our audit against the obvious amazon.aws/community.aws alternative, on one simulated estate.

Seeds a fresh simulator (moto server, tests/simulator) with N instances per region (1 % paravirtual, in reservations of
many instances, some paravirtual ones with data volumes, Elastic IPs and termination protection, one terminated
paravirtual instance per region that must NOT be reported), launch configurations (a third each: HttpTokens required,
optional, no MetadataOptions) and a few Auto Scaling groups on them, then runs, one after the other on the same estate:

  (a)  ansible-playbook hubfix.aws.audit                       the real audit playbook (detection + report rendering)
  (a') benchmarks/playbooks/detect_only.yml                    the same two detection modules without the report
  (b)  benchmarks/playbooks/alternative_audit.yml              amazon.aws.ec2_instance_info + community.aws.autoscaling_launch_config_info
                                                               looped over the regions, failing ones picked with Jinja selectattr

For each: wall time (median of --repeat runs for (a) and (a'), --repeat-b for (b), interleaved) and the AWS API calls by
operation from the simulator's request log; and the minimum number of calls (see minimum_calls()). Exits 1 when a
playbook fails or the contenders disagree on the failing resources (EC2.24 paravirtual instances, AutoScaling.3 launch
configurations), 0 otherwise; the targets are reported, not enforced.

    .venv/bin/python benchmarks/audit.py                          # the issue's sizes: 4 x 2,500 instances, 400 LCs
    .venv/bin/python benchmarks/audit.py --quick                  # 200 instances per region, 40 LCs: smoke use
    .venv/bin/python benchmarks/audit.py --json benchmarks/results/full.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

_COLLECTIONS = REPO_ROOT / ".venv" / "collections"
if str(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS))

# Page and batch sizes of the AWS APIs (the largest each accepts), as the collection uses them.
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import AUTOSCALING_PAGE  # noqa: E402
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import FILTER_VALUES_MAX as FILTER_VALUES  # noqa: E402
from ansible_collections.hubfix.aws.plugins.module_utils.paravirtual import DESCRIBE_INSTANCES_PAGE  # noqa: E402
from tests.harness import run_playbook  # noqa: E402
from tests.simulator import ACCOUNT_ID, Simulator  # noqa: E402

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
PV_AMI = "ami-8104a4f8"  # moto built-in paravirtual AMI (amzn-ami-pv), EBS root
HVM_AMI = "ami-760aaa0f"  # moto built-in HVM AMI
PV_TYPE = "m1.small"
HVM_TYPE = "t3.micro"

DEFAULT_REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-northeast-1"]
FULL = {"instances_per_region": 2500, "launch_configurations": 400, "reservations_per_region": 150, "groups_per_region": 5, "repeat": 2}
QUICK = {"instances_per_region": 200, "launch_configurations": 40, "reservations_per_region": 20, "groups_per_region": 2, "repeat": 1}

PV_RESERVATION = 5  # paravirtual instances per reservation

# Targets from the issue.
CALLS_TARGET = 1.05
SPEEDUP_TARGET = 5.0


# -- seeding ------------------------------------------------------------------------------------------------------------


def split(total, parts):
    """``total`` split into ``parts`` near-equal positive integers (fewer parts when total < parts)."""
    parts = max(1, min(parts, total))
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_region(instances, pv_percent, reservations, launch_configurations, groups):
    """How many of each resource one region gets."""
    pv = max(1, round(instances * pv_percent / 100.0)) if instances else 0
    pv_reservations = math.ceil(pv / PV_RESERVATION) if pv else 0
    hvm = instances - pv
    hvm_reservations = max(1, reservations - pv_reservations) if hvm else 0
    return {
        "instances": instances,
        "pv": pv,
        "pv_batches": split(pv, pv_reservations) if pv else [],
        "hvm": hvm,
        "hvm_batches": split(hvm, hvm_reservations) if hvm else [],
        "launch_configurations": launch_configurations,
        "groups": min(groups, launch_configurations),
    }


def seed_region(sim, region, plan):
    """Create the region's estate with boto3; return what the benchmark needs to know about it."""
    ec2 = sim.client("ec2", region)
    autoscaling = sim.client("autoscaling", region)
    az = region + "a"
    placement = {"AvailabilityZone": az}

    hvm_ids = []
    for count in plan["hvm_batches"]:
        r = ec2.run_instances(ImageId=HVM_AMI, InstanceType=HVM_TYPE, MinCount=count, MaxCount=count, Placement=placement)
        hvm_ids += [i["InstanceId"] for i in r["Instances"]]
    pv_ids = []
    for count in plan["pv_batches"]:
        r = ec2.run_instances(ImageId=PV_AMI, InstanceType=PV_TYPE, MinCount=count, MaxCount=count, Placement=placement)
        pv_ids += [i["InstanceId"] for i in r["Instances"]]

    # Enrichment the migration needs: every 2nd PV instance has a data volume, every 3rd an Elastic IP, every 5th
    # termination protection, every 4th (from the 2nd) is stopped (still failing EC2.24).
    data_volumes = eips = protected = 0
    for n, instance_id in enumerate(pv_ids):
        if n % 2 == 0:
            volume = ec2.create_volume(AvailabilityZone=az, Size=8, VolumeType="gp3")
            ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance_id, Device="/dev/sdf")
            data_volumes += 1
        if n % 3 == 0:
            allocation = ec2.allocate_address(Domain="vpc")
            ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=instance_id)
            eips += 1
        if n % 5 == 0:
            ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
            protected += 1
    stopped = pv_ids[1::4]
    if stopped:
        ec2.stop_instances(InstanceIds=stopped)
    # A terminated paravirtual instance passes EC2.24: both contenders must leave it out.
    terminated = ec2.run_instances(ImageId=PV_AMI, InstanceType=PV_TYPE, MinCount=1, MaxCount=1, Placement=placement)["Instances"][0]["InstanceId"]
    ec2.terminate_instances(InstanceIds=[terminated])

    failing_lcs = []
    lc_names = []
    for n in range(plan["launch_configurations"]):
        name = "bench-lc-%04d" % n
        kwargs = {"LaunchConfigurationName": name, "ImageId": HVM_AMI, "InstanceType": HVM_TYPE}
        kind = n % 3
        if kind == 0:
            kwargs["MetadataOptions"] = {"HttpTokens": "required", "HttpEndpoint": "enabled"}
        elif kind == 1:
            kwargs["MetadataOptions"] = {"HttpTokens": "optional", "HttpEndpoint": "enabled"}
        autoscaling.create_launch_configuration(**kwargs)
        lc_names.append(name)
        if kind != 0:
            failing_lcs.append(name)
    for n in range(plan["groups"]):
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName="bench-asg-%03d" % n,
            LaunchConfigurationName=lc_names[n],
            MinSize=0,
            MaxSize=0,
            DesiredCapacity=0,
            AvailabilityZones=[az],
        )

    return {
        "instances": len(hvm_ids) + len(pv_ids) + 1,
        "reservations": len(plan["hvm_batches"]) + len(plan["pv_batches"]) + 1,
        "pv": len(pv_ids),
        "pv_ebs_volumes": len(pv_ids) + data_volumes,  # root + data volumes of the failing PV instances
        "pv_images": 1,
        "data_volumes": data_volumes,
        "elastic_ips": eips,
        "termination_protected": protected,
        "stopped_pv": len(stopped),
        "terminated_pv": 1,
        "launch_configurations": len(lc_names),
        "groups": plan["groups"],
        "expected": {
            "paravirtual_instances": sorted("%s/%s" % (region, i) for i in pv_ids),
            "launch_configurations": sorted("%s/%s" % (region, n) for n in failing_lcs),
        },
    }


def seed(sim, regions, args):
    lcs = split(args.launch_configurations, len(regions)) if args.launch_configurations else [0] * len(regions)
    lcs += [0] * (len(regions) - len(lcs))
    plans = {
        region: plan_region(args.instances_per_region, args.pv_percent, args.reservations_per_region, lcs[n], args.groups_per_region)
        for n, region in enumerate(regions)
    }
    with ThreadPoolExecutor(max_workers=len(regions)) as pool:
        seeded = dict(zip(regions, pool.map(lambda r: seed_region(sim, r, plans[r]), regions), strict=True))
    return seeded


# -- the minimum ----------------------------------------------------------------------------------------------------------


def minimum_calls(estate):
    """The fewest AWS calls an audit returning what ours returns can make, by operation; and the same for bare detection.

    Per region:
      ec2:DescribeInstances                 ceil(PV / 1000), at least 1: server-side filters virtualization-type=paravirtual and
                                            instance-state-name, MaxResults 1000 (only failing instances are transferred)
      only when the region has PV instances (batched enrichment of those instances only):
      ec2:DescribeVolumes                   ceil(their EBS volumes / 200) (volume-id filter, 200 values a filter)
      ec2:DescribeAddresses                 1 (not paginated; every Elastic IP of the region)
      ec2:DescribeImages                    ceil(their distinct AMIs / 200) (instance-store mappings of the AMI)
      autoscaling:DescribeLaunchConfigurations  ceil(LCs / 100), at least 1 (MaxRecords 100)
      autoscaling:DescribeAutoScalingGroups     ceil(groups / 100), at least 1 (MaxRecords 100)
      cloudformation:ListStacks             1 when the region has failing launch configurations no group tag already ties
                                            to a stack (launch configurations carry no tags: could a stack own one?); the
                                            benchmark estate has no stacks, so no ListStackResources follows
    Once: sts:GetCallerIdentity (account id for the ARNs), ec2:DescribeRegions (checks the region names).

    ec2:DescribeInstanceAttribute (termination protection) has no batched form - EC2 returns DisableApiTermination
    only one instance at a time, and DescribeInstances neither returns nor filters on it - so it is listed
    separately ("with termination protection": + 1 per PV instance).

    Bare detection (only the failing set, what contender (b) computes): DescribeInstances and DescribeLaunchConfigurations
    as above, nothing else.
    """
    audit, detection = {}, {}

    def add(counts, key, n):
        if n:
            counts[key] = counts.get(key, 0) + n

    add(audit, "ec2:DescribeRegions", 1)
    add(audit, "sts:GetCallerIdentity", 1)
    for e in estate.values():
        di = max(1, math.ceil(e["pv"] / DESCRIBE_INSTANCES_PAGE))
        dlc = max(1, math.ceil(e["launch_configurations"] / AUTOSCALING_PAGE))
        for counts in (audit, detection):
            add(counts, "ec2:DescribeInstances", di)
            add(counts, "autoscaling:DescribeLaunchConfigurations", dlc)
        if e["pv"]:
            add(audit, "ec2:DescribeVolumes", math.ceil(e["pv_ebs_volumes"] / FILTER_VALUES))
            add(audit, "ec2:DescribeAddresses", 1)
            add(audit, "ec2:DescribeImages", math.ceil(e["pv_images"] / FILTER_VALUES))
        add(audit, "autoscaling:DescribeAutoScalingGroups", max(1, math.ceil(e["groups"] / AUTOSCALING_PAGE)))
        if e["expected"]["launch_configurations"]:
            add(audit, "cloudformation:ListStacks", 1)
    with_tp = dict(audit)
    add(with_tp, "ec2:DescribeInstanceAttribute", sum(e["pv"] for e in estate.values()))
    return {
        "audit": dict(sorted(audit.items())),
        "audit_with_termination_protection": dict(sorted(with_tp.items())),
        "detection": dict(sorted(detection.items())),
    }


# -- contenders -----------------------------------------------------------------------------------------------------------


def failing_from_audit_json(path):
    report = json.loads(Path(path).read_text())
    findings = report.get("findings") or []
    return {
        "paravirtual_instances": sorted("%s/%s" % (f["region"], f["resource_id"]) for f in findings if f["control"] == "EC2.24"),
        "launch_configurations": sorted("%s/%s" % (f["region"], f["resource_id"]) for f in findings if f["control"] == "AutoScaling.3"),
    }


def run_contender(sim, name, playbook, extra_vars, read_failing, output, workdir):
    sim.reset_recording()
    start = time.monotonic()
    result = run_playbook(
        playbook, sim.env(extra_vars["_region"]), extra_vars={k: v for k, v in extra_vars.items() if k != "_region"}, cwd=workdir, timeout=1800
    )
    wall = time.monotonic() - start
    calls = sim.calls()
    counts = {}
    for c in calls:
        key = "%s:%s" % (c.service, c.operation)
        counts[key] = counts.get(key, 0) + 1
    if result.rc != 0:
        print(str(result), file=sys.stderr)
        raise SystemExit("contender %s failed (rc=%d)" % (name, result.rc))
    return {
        "name": name,
        "playbook": playbook,
        "wall_seconds": round(wall, 2),
        "calls": dict(sorted(counts.items())),
        "total_calls": len(calls),
        "mutating_calls": sum(1 for c in calls if c.mutating),
        "failing": read_failing(output),
    }


def run_contenders(sim, regions, workdir, which):
    """Run the contenders ``which`` names (a, d = a', b) once each; each writes its failing set where it is read back."""
    work = Path(workdir)
    report_dir = work / "audit-report"
    contenders = {
        # letter: (result key, playbook, its variables, the file with its failing set, how to read it)
        "a": (
            "a",
            "hubfix.aws.audit",
            {"audit_regions": regions, "audit_report_dir": str(report_dir)},
            report_dir / "latest" / "audit.json",
            failing_from_audit_json,
        ),
        "d": (
            "a_modules_only",
            str(PLAYBOOKS / "detect_only.yml"),
            {"detect_regions": regions, "detect_output": str(work / "detect.json")},
            work / "detect.json",
            read_json,
        ),
        "b": (
            "b",
            str(PLAYBOOKS / "alternative_audit.yml"),
            {"alt_regions": regions, "alt_output": str(work / "alternative.json")},
            work / "alternative.json",
            read_json,
        ),
    }
    out = {}
    for letter in "adb":
        if letter in which:
            key, playbook, extra_vars, output, read_failing = contenders[letter]
            out[key] = run_contender(sim, key, playbook, dict(extra_vars, _region=regions[0]), read_failing, output, workdir)
    return out


def read_json(path):
    return json.loads(Path(path).read_text())


def schedule(contenders, repeat, repeat_b=1):
    """The order of the runs: (a) and (a') ``repeat`` times and (b) ``repeat_b`` times, interleaved (a, a', b, a, a', b,
    ... while both have runs left), so that a change in the machine's load hits every
    contender alike; each median is reported. (b) once by default: it is the long run."""
    cheap = [c for c in contenders if c in "ad"]
    slow = [c for c in contenders if c == "b"]
    order = []
    for n in range(max(1, repeat, repeat_b if slow else 1)):
        order += (cheap if n < max(1, repeat) else []) + (slow if n < max(1, repeat_b) else [])
    return order


def merge_run(previous, run):
    """Keep every wall time of a contender run several times; its calls must be the same each time."""
    run = dict(run, wall_samples=[run["wall_seconds"]])
    if previous is None:
        return run
    if (previous["calls"], previous["failing"]) != (run["calls"], run["failing"]):
        raise SystemExit(
            "contender %s made different calls or found different resources on a second run: %s vs %s" % (run["name"], previous["calls"], run["calls"])
        )
    samples = previous["wall_samples"] + run["wall_samples"]
    return dict(previous, wall_samples=samples, wall_seconds=round(statistics.median(samples), 2))


# -- report ---------------------------------------------------------------------------------------------------------------


def ratio(n, m):
    return round(n / m, 3) if m else None


def table(results, minimum):
    names = [n for n in ("a", "a_modules_only", "b") if n in results]
    titles = {"a": "(a) hubfix.aws.audit", "a_modules_only": "(a') modules only", "b": "(b) alternative"}
    minima = [
        ("minimum (audit)", minimum["audit"]),
        ("minimum + TP", minimum["audit_with_termination_protection"]),
        ("minimum (detection)", minimum["detection"]),
    ]
    ops = sorted(set().union(*(results[n]["calls"] for n in names), *(m for _unused, m in minima)))
    head = ["operation"] + [titles[n] for n in names] + [t for t, _unused in minima]
    rows = [[op] + [str(results[n]["calls"].get(op, 0)) for n in names] + [str(m.get(op, 0)) for _unused, m in minima] for op in ops]
    rows.append(["**total calls**"] + [str(results[n]["total_calls"]) for n in names] + [str(sum(m.values())) for _unused, m in minima])
    rows.append(["**wall time (s)**"] + ["%.1f" % results[n]["wall_seconds"] for n in names] + [""] * len(minima))
    rows.append(["wall time of each run (s)"] + [" / ".join("%.1f" % w for w in results[n]["wall_samples"]) for n in names] + [""] * len(minima))
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _unused in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def verdicts(results, minimum):
    out = {}
    a = results.get("a")
    if a:
        total_min = sum(minimum["audit"].values())
        total_tp = sum(minimum["audit_with_termination_protection"].values())
        out["calls_vs_minimum"] = ratio(a["total_calls"], total_min)
        out["calls_vs_minimum_with_termination_protection"] = ratio(a["total_calls"], total_tp)
        out["calls_target_met"] = a["total_calls"] <= CALLS_TARGET * total_min
        out["calls_target_met_with_termination_protection"] = a["total_calls"] <= CALLS_TARGET * total_tp
    if a and results.get("b"):
        out["speedup_b_over_a"] = ratio(results["b"]["wall_seconds"], a["wall_seconds"])
        out["speedup_target_met"] = results["b"]["wall_seconds"] >= SPEEDUP_TARGET * a["wall_seconds"]
    if results.get("a_modules_only") and results.get("b"):
        out["speedup_b_over_a_modules_only"] = ratio(results["b"]["wall_seconds"], results["a_modules_only"]["wall_seconds"])
    return out


def agreement(results, expected):
    """Whether every contender found exactly the seeded failing set; the per-contender counts."""
    counts = {n: {k: len(v) for k, v in r["failing"].items()} for n, r in results.items()}
    agree = all(r["failing"] == expected for r in results.values())
    return agree, counts


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small estate for smoke use (%s)" % ", ".join("%s=%s" % kv for kv in QUICK.items()))
    p.add_argument("--regions", default=",".join(DEFAULT_REGIONS), help="comma-separated regions (default: %(default)s)")
    p.add_argument(
        "--instances-per-region", type=int, help="instances per region (default %d, --quick %d)" % (FULL["instances_per_region"], QUICK["instances_per_region"])
    )
    p.add_argument("--pv-percent", type=float, default=1.0, help="share of paravirtual instances, %% (default %(default)s, at least one per region)")
    p.add_argument(
        "--reservations-per-region",
        type=int,
        help="reservations per region (default %d, --quick %d)" % (FULL["reservations_per_region"], QUICK["reservations_per_region"]),
    )
    p.add_argument(
        "--launch-configurations",
        type=int,
        help="launch configurations in all (default %d, --quick %d)" % (FULL["launch_configurations"], QUICK["launch_configurations"]),
    )
    p.add_argument("--groups-per-region", type=int, help="Auto Scaling groups on launch configurations per region (default %d)" % FULL["groups_per_region"])
    p.add_argument("--contenders", default="adb", help="which to run: a (audit playbook), d (modules only), b (alternative); default %(default)s")
    p.add_argument("--repeat", type=int, help="runs of (a) and (a'), their median is reported (default 2, --quick 1)")
    p.add_argument("--repeat-b", type=int, default=1, help="runs of (b), interleaved with those of (a) and (a'); their median is reported (default 1)")
    p.add_argument("--json", dest="json_out", help="write the results as JSON to this file")
    args = p.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if not args.regions or args.instances_per_region < 1 or args.launch_configurations < 0:
        p.error("need at least one region and one instance per region")
    return args


def main(argv=None):
    args = parse_args(argv)
    # SIGTERM ends the run through the Simulator's context manager, so the simulator server does not outlive it.
    signal.signal(signal.SIGTERM, lambda *_unused: sys.exit(143))
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(REPO_ROOT / ".venv" / "collections"))
    sizes = {
        "regions": args.regions,
        "instances_per_region": args.instances_per_region,
        "pv_percent": args.pv_percent,
        "reservations_per_region": args.reservations_per_region,
        "launch_configurations": args.launch_configurations,
        "groups_per_region": args.groups_per_region,
        "repeat": args.repeat,
        "repeat_b": args.repeat_b,
    }
    print("sizes: %s" % json.dumps(sizes), flush=True)
    with Simulator() as sim, tempfile.TemporaryDirectory(prefix="hubfix-bench-") as workdir:
        start = time.monotonic()
        estate = seed(sim, args.regions, args)
        seed_seconds = time.monotonic() - start
        totals = {k: sum(e[k] for e in estate.values()) for k in ("instances", "reservations", "pv", "pv_ebs_volumes", "launch_configurations", "groups")}
        print("seeded in %.1f s: %s" % (seed_seconds, json.dumps(totals)), flush=True)
        expected = {
            "paravirtual_instances": sorted(x for e in estate.values() for x in e["expected"]["paravirtual_instances"]),
            "launch_configurations": sorted(x for e in estate.values() for x in e["expected"]["launch_configurations"]),
        }
        results = {}
        for which in schedule(args.contenders, args.repeat, args.repeat_b):
            run = run_contenders(sim, args.regions, workdir, which)
            for name, r in run.items():
                print("%-15s %6.1f s  %4d calls  %s" % (name, r["wall_seconds"], r["total_calls"], json.dumps(r["calls"])), flush=True)
                results[name] = merge_run(results.get(name), r)

    minimum = minimum_calls(estate)
    agree, counts = agreement(results, expected)
    summary = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "command": " ".join([Path(sys.executable).name, "benchmarks/audit.py"] + (sys.argv[1:] if argv is None else list(argv))),
        "sizes": sizes,
        "estate": {
            "seed_seconds": round(seed_seconds, 1),
            "totals": totals,
            "per_region": {r: {k: v for k, v in e.items() if k != "expected"} for r, e in estate.items()},
        },
        "expected_failing": {k: len(v) for k, v in expected.items()},
        "failing_counts": counts,
        "agree": agree,
        "minimum": minimum,
        "results": {n: {k: v for k, v in r.items() if k != "failing"} for n, r in results.items()},
        "verdicts": verdicts(results, minimum),
        "account_id": ACCOUNT_ID,
    }
    print()
    print(table(results, minimum))
    print()
    print("failing resources found (expected %s): %s" % (json.dumps(summary["expected_failing"]), json.dumps(counts)))
    print("verdicts: %s" % json.dumps(summary["verdicts"]))
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(summary, indent=2) + "\n")
    if not agree:
        for n, r in results.items():
            for k in expected:
                missing, extra = set(expected[k]) - set(r["failing"][k]), set(r["failing"][k]) - set(expected[k])
                if missing or extra:
                    print("%s %s: missing %s, extra %s" % (n, k, sorted(missing)[:10], sorted(extra)[:10]), file=sys.stderr)
        print("FAIL: the contenders disagree on the failing resources", file=sys.stderr)
        return 1
    print("OK: every contender found the same %d paravirtual instance(s) and %d launch configuration(s)" % tuple(summary["expected_failing"].values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
