"""`make demo`: the whole hubfix.aws workflow on the local simulator, nothing touches real AWS.

Starts the simulator on a free loopback port, seeds the demo estate (tests/simulator/seed.py), then runs the stages
below in order with ansible-playbook, prints what each found or did, and stops the simulator:

    audit -> check-mode plan (--check --diff) -> remediate -> terminate the replaced sources -> audit again

The EC2.24 remediation runs in its stages as an AWX workflow would: ``prepare`` (the default: each paravirtual source
keeps serving while its replacement gets copies of the volumes and passes the health gate), then ``cutover`` (stop, final
sync, Elastic IPs; the source is kept stopped so you can check the replacement first). The source still fails EC2.24
until it is gone, so the demo then re-runs the cutover with ``pv_to_hvm_terminate_source: true``, as you would after
checking. The AutoScaling.3 stage also deletes the failing
launch configuration that no group uses (``autoscaling_imdsv2_delete_unused: true``, after its backup), and a second
one moves the groups whose launch configuration already requires IMDSv2 (AutoScaling.9 only). What is left
failing at the end is blocked by design (termination protection, an Auto Scaling group member) and printed with the
reason and the next action.

A stage whose playbook does not exist (yet) is skipped with a line saying so. A check-mode stage reports the number
of mutating AWS calls it made (from the simulator's request log), which must be 0.

    .venv/bin/python -m tests.demo [--report-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import COLLECTIONS, REPO_ROOT, report_file, run_playbook
from tests.simulator import Simulator
from tests.simulator.seed import seed

if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

from ansible_collections.hubfix.aws.plugins.module_utils.audit_report import audit_summary  # noqa: E402

DEMO_REGIONS = ["us-east-1", "eu-west-1"]


@dataclass
class Stage:
    """One step of the demo: a collection playbook run with some extra vars."""

    title: str
    playbook: str  # name under playbooks/, without .yml
    check: bool = False
    diff: bool = False
    extra_vars: Callable[[Context], dict] = lambda ctx: {}
    report: str | None = None  # audit stages: sub-directory of the report dir

    @property
    def path(self) -> Path:
        return REPO_ROOT / "playbooks" / (self.playbook + ".yml")


@dataclass
class Context:
    sim: Simulator
    estate: dict
    report_dir: Path
    audits: dict = field(default_factory=dict)  # report name -> audit.json content


def _audit_vars(name: str) -> Callable[[Context], dict]:
    return lambda ctx: {"audit_regions": DEMO_REGIONS, "audit_report_dir": str(ctx.report_dir / name)}


def _autoscaling_vars(ctx: Context) -> dict:
    # the instance refresh replaces the instances from the template, which proves it: the launch configurations retire in the same run
    return {
        "autoscaling_imdsv2_regions": DEMO_REGIONS,
        "autoscaling_imdsv2_backup_dir": str(ctx.report_dir / "backups"),
        "autoscaling_imdsv2_instance_refresh": True,
        "autoscaling_imdsv2_refresh_poll_interval": 1,
    }


def _autoscaling_fix_vars(ctx: Context) -> dict:
    return {**_autoscaling_vars(ctx), "autoscaling_imdsv2_delete_unused": True}


def _autoscaling_9_vars(ctx: Context) -> dict:
    """The groups still on a launch configuration after the AutoScaling.3 stage: their launch configurations already require
    IMDSv2, so only AutoScaling.9 fails; naming the groups converts those launch configurations too."""
    names = []
    for region in DEMO_REGIONS:
        pages = ctx.sim.client("autoscaling", region).get_paginator("describe_auto_scaling_groups").paginate()
        names += [g["AutoScalingGroupName"] for page in pages for g in page["AutoScalingGroups"] if g.get("LaunchConfigurationName")]
    return {**_autoscaling_vars(ctx), "autoscaling_imdsv2_group_names": sorted(names)}


def _pv_to_hvm_vars(ctx: Context) -> dict:
    images = ctx.estate.get("images") or {}
    # every PV AMI of the estate (the built-in one, and the registered one with instance store pv-ephemeral runs) -> the HVM AMI
    image_map = {
        images[kind][r]: images["hvm"][r]
        for kind in ("pv", "pv_instance_store")
        for r in DEMO_REGIONS
        if r in images.get(kind, {}) and r in images.get("hvm", {})
    }
    # members of asg-pv are migrated through their group: an instance refresh, followed every second
    return {"pv_to_hvm_regions": DEMO_REGIONS, "pv_to_hvm_image_map": image_map, "pv_to_hvm_refresh_poll_interval": 1}


def _pv_to_hvm_cutover_vars(ctx: Context) -> dict:
    return {**_pv_to_hvm_vars(ctx), "pv_to_hvm_stage": "cutover"}


def _pv_to_hvm_terminate_vars(ctx: Context) -> dict:
    return {**_pv_to_hvm_cutover_vars(ctx), "pv_to_hvm_terminate_source": True}


STAGES: list[Stage] = [
    Stage("audit", "audit", extra_vars=_audit_vars("before"), report="before"),
    Stage("plan AutoScaling.3 / AutoScaling.9 fixes (check mode)", "remediate_autoscaling_3", check=True, diff=True, extra_vars=_autoscaling_vars),
    Stage("plan EC2.24 fixes (check mode)", "remediate_ec2_24", check=True, diff=True, extra_vars=_pv_to_hvm_vars),
    Stage("remediate AutoScaling.3 / AutoScaling.9", "remediate_autoscaling_3", extra_vars=_autoscaling_fix_vars),
    Stage("move the remaining groups to launch templates (AutoScaling.9)", "remediate_autoscaling_3", extra_vars=_autoscaling_9_vars),
    Stage("prepare the EC2.24 replacements (pv_to_hvm_stage prepare: the sources keep serving)", "remediate_ec2_24", extra_vars=_pv_to_hvm_vars),
    Stage(
        "cut over to the replacements after approval (pv_to_hvm_stage cutover: sources kept stopped)", "remediate_ec2_24", extra_vars=_pv_to_hvm_cutover_vars
    ),
    Stage("terminate the replaced EC2.24 sources (pv_to_hvm_terminate_source)", "remediate_ec2_24", extra_vars=_pv_to_hvm_terminate_vars),
    Stage("audit again", "audit", extra_vars=_audit_vars("after"), report="after"),
]


def run_stage(number: int, stage: Stage, ctx: Context) -> bool:
    """Run one stage and print its outcome; False when it failed."""
    head = f"[{number}/{len(STAGES)}] {stage.title}"
    if not stage.path.exists():
        print(f"{head}: skipped, playbooks/{stage.path.name} does not exist yet")
        return True
    cmd = f"ansible-playbook hubfix.aws.{stage.playbook}" + (" --check" if stage.check else "") + (" --diff" if stage.diff else "")
    print(f"{head}: {cmd}", flush=True)
    ctx.sim.reset_recording()
    started = time.monotonic()
    result = run_playbook(f"hubfix.aws.{stage.playbook}", ctx.sim.env(), extra_vars=stage.extra_vars(ctx), check=stage.check, diff=stage.diff)
    elapsed = time.monotonic() - started
    calls = ctx.sim.calls()
    mutating = [c for c in calls if c.mutating]
    status = "ok" if result.rc == 0 else f"FAILED (rc {result.rc})"
    print(f"    {status} in {elapsed:.1f}s: {len(calls)} AWS calls, changed={result.changed}")
    if stage.check:
        print(f"    mutating calls in check mode: {len(mutating)}")
        for c in mutating:
            print(f"      ! {c.service} {c.region} {c.operation}")
    if result.rc != 0:
        print("    --- last lines of the playbook output ---")
        for line in (result.stdout + result.stderr).strip().splitlines()[-30:]:
            print("    " + line)
        return False
    if stage.report:
        report_dir = ctx.report_dir / stage.report
        report = json.loads(report_file(report_dir, "audit.json").read_text())
        ctx.audits[stage.report] = report
        for line in audit_summary(report, str(report_dir)):
            print("    " + line)
    return True


def compare(before: dict, after: dict) -> list[str]:
    lines = []
    for control in before["controls"]:
        b = before["totals"]["by_control"][control]
        a = after["totals"]["by_control"].get(control, {})
        line = f"{control:<14} failing {b['failed']} -> {a.get('failed', '?')}"
        if a.get("pending_termination"):
            line += f" ({a['pending_termination']} replaced, their stopped sources still count until terminated)"
        lines.append(line)
    left = [f for f in after.get("findings", []) if f.get("status") == "failed"]
    if left:
        lines.append(f"still failing ({len(left)}):")
        for f in left:
            action = f.get("next_action") or {}
            lines.append(f"  {f['control']} {f.get('resource_name') or f['resource_id']} ({f['region']}): {action.get('kind', '?')} - {action.get('text', '')}")
    else:
        lines.append("no failures left")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report-dir", default=str(REPO_ROOT / "hubfix-reports" / "demo"), help="where the audit reports go (default: %(default)s)")
    args = parser.parse_args(argv)
    report_dir = Path(args.report_dir).resolve()

    print("hubfix.aws demo: local AWS simulator (moto) with the demo estate; nothing touches real AWS")
    with Simulator() as sim:
        print(f"simulator on {sim.endpoint}")
        estate = seed("demo", sim.endpoint)
        print(
            "seeded: %d instances, %d launch configurations, %d groups in %s"
            % (len(estate.get("instances", {})), len(estate.get("launch_configurations", {})), len(estate.get("groups", {})), ", ".join(DEMO_REGIONS))
        )
        ctx = Context(sim=sim, estate=estate, report_dir=report_dir)
        ok = True
        for number, stage in enumerate(STAGES, 1):
            if not run_stage(number, stage, ctx):
                ok = False
                print("stopping: a stage failed")
                break
    print("simulator stopped")
    if "before" in ctx.audits and "after" in ctx.audits:
        print("before -> after:")
        for line in compare(ctx.audits["before"], ctx.audits["after"]):
            print("    " + line)
    for name in ctx.audits:
        print(f"{name} report: {report_dir / name / 'audit.html'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
