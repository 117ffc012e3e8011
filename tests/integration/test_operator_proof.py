"""Operator-proof inputs and reports (issue 12), through real ansible-playbook runs against the simulator:

* a misspelled variable with one of our prefixes, an unknown region, a wrong type at any entry point: the play fails
  before any AWS call, naming the input (and the closest known name);
* a failed audit says so first and keeps ``latest/`` on the last complete audit; the HTML puts failing resources first;
* two remediation runs started at the same moment leave one replacement per instance and one launch template per
  launch configuration.

The AWX survey-string runs (strings compared with typed values, set_stats artifacts) are in test_awx_runner.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import VENV_BIN, ansible_env, report_file, run_playbook
from tests.simulator.seed import seed

ENTRY_POINT = str(Path(__file__).parent / "playbooks" / "entry_point.yml")
AUDIT, AS3, EC2_24 = "hubfix.aws.audit", "hubfix.aws.remediate_autoscaling_3", "hubfix.aws.remediate_ec2_24"


@pytest.mark.parametrize(
    "playbook, extra_vars, message",
    [
        # typos, one per prefix: named with the closest variable
        (AUDIT, {"audit_region": ["us-east-1"]}, "audit_region is not a hubfix.aws variable; did you mean audit_regions?"),
        (AS3, {"autoscaling_imdsv2_region": ["eu-west-1"]}, "did you mean autoscaling_imdsv2_regions?"),
        (EC2_24, {"pv_to_hvm_region": ["eu-west-1"]}, "did you mean pv_to_hvm_regions?"),
        (AS3, {"hubfix_acounts": []}, "hubfix_acounts is not a hubfix.aws variable; did you mean hubfix_accounts?"),
        # one region rule: every playbook checks the names against the partition's regions before any call
        (AUDIT, {"audit_regions": "us-east-1,us-eats-1"}, "audit_regions: unknown region name(s): us-eats-1"),
        (AS3, {"autoscaling_imdsv2_regions": "us-east-1\nus-eats-1"}, "autoscaling_imdsv2_regions: unknown region name(s): us-eats-1"),
        (EC2_24, {"pv_to_hvm_regions": ["us-eats-1"], "pv_to_hvm_image_id": "ami-12345678"}, "pv_to_hvm_regions: unknown region name(s): us-eats-1"),
        # survey strings that are not what the spec wants: refused up front, naming the input and the value
        (AS3, {"autoscaling_imdsv2_force": "maybe"}, "autoscaling_imdsv2_force"),
        (EC2_24, {"pv_to_hvm_fail_on_error": "maybe", "pv_to_hvm_image_id": "ami-12345678"}, "pv_to_hvm_fail_on_error"),
        (EC2_24, {"pv_to_hvm_parallel": "five", "pv_to_hvm_image_id": "ami-12345678"}, "pv_to_hvm_parallel"),
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("hubfix.aws") else None,
)
def test_bad_input_fails_before_any_aws_call(simulator, tmp_path, playbook, extra_vars, message):
    extra = {"audit_report_dir": str(tmp_path)} if playbook == AUDIT else {}
    result = run_playbook(playbook, simulator.env(), dict(extra, **extra_vars))
    assert result.rc != 0, result
    assert message in result.stdout, result
    assert "Traceback" not in result.stdout + result.stderr, result
    assert simulator.calls() == [], "refused before any AWS call"


@pytest.mark.parametrize(
    "role, entry, extra_vars, name",
    [
        ("accounts", "main", {"accounts_duration_seconds": "an hour"}, "accounts_duration_seconds"),
        ("audit", "main", {"audit_fail_on_findings": "maybe"}, "audit_fail_on_findings"),
        ("autoscaling_imdsv2", "main", {"autoscaling_imdsv2_imdsv1_usage_days": "two weeks"}, "autoscaling_imdsv2_imdsv1_usage_days"),
        ("pv_to_hvm", "discover", {"pv_to_hvm_parallel": "many"}, "pv_to_hvm_parallel"),
        ("pv_to_hvm", "main", {"pv_to_hvm_terminate_source": "maybe"}, "pv_to_hvm_terminate_source"),
        ("pv_to_hvm", "report", {"pv_to_hvm_fail_on_error": "maybe"}, "pv_to_hvm_fail_on_error"),
    ],
)
def test_every_entry_point_checks_its_argument_spec(simulator, role, entry, extra_vars, name):
    result = run_playbook(ENTRY_POINT, simulator.env(), dict(extra_vars, ep_role=role, ep_entry=entry))
    assert result.rc != 0, result
    assert "Validation of arguments failed" in result.stdout and name in result.stdout, result
    assert simulator.calls() == []


def html_positions(html: str, *markers: str) -> list[int]:
    positions = [html.find(m) for m in markers]
    assert -1 not in positions, dict(zip(markers, positions, strict=True))
    return positions


@pytest.mark.slow(40)
def test_a_failed_audit_says_so_and_keeps_the_last_complete_one(simulator, tmp_path):
    seed("demo", simulator.endpoint)
    reports = tmp_path / "reports"
    # us-west-2 has nothing: its rows in the totals are all zero, folded away
    extra = {"audit_regions": ["us-east-1", "eu-west-1", "us-west-2"], "audit_report_dir": str(reports)}
    good = run_playbook(AUDIT, simulator.env(), extra)
    assert good.rc == 0, good
    first = json.loads((reports / "latest" / "audit.json").read_text())
    assert first["status"] == "complete" and first["totals"]["failed"] > 0

    # The HTML: contents first, then the failing resources, the grouped warnings, the totals; zero rows folded.
    html = (reports / "latest" / "audit.html").read_text()
    toc, failing, warnings, per_control, per_scope, folded = html_positions(
        html, 'id="contents"', 'id="failing"', 'id="warnings"', 'id="per-control"', 'id="per-scope"', '<details id="zero-scopes"'
    )
    assert toc < failing < warnings < per_control < per_scope < folded
    assert 'id="not-scanned"' not in html
    # a warning shared by several instances is one group naming them all, not one line per instance
    groups = re.findall(r'<h3 id="warning-([a-z_]+)">', html)
    assert groups and len(groups) == len(set(groups))

    # Nothing reachable: the run fails, says why first, and latest/ still holds the complete audit.
    env = dict(simulator.env(), AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
    bad = run_playbook(AUDIT, env, extra)
    assert bad.rc != 0, bad
    assert "Nothing was audited" in bad.stdout and "Could not connect to the endpoint URL" in bad.stdout, bad
    assert "Traceback" not in bad.stdout + bad.stderr
    latest = json.loads((reports / "latest" / "audit.json").read_text())
    assert latest["run_id"] == first["run_id"]
    failed = json.loads(report_file(reports, "audit.json").read_text())
    assert failed["status"] == "failed" and failed["run_id"] != first["run_id"] and failed["problems"]
    runs = sorted(d.name for d in reports.iterdir() if d.name != "latest")
    assert runs == sorted([first["run_id"], failed["run_id"]]), "both runs keep their reports"
    md = report_file(reports, "audit.md").read_text()
    assert md.index("AUDIT FAILED") < md.index("Failing resources") and "**0**" not in md
    failed_html = report_file(reports, "audit.html").read_text()
    alarm, contents = html_positions(failed_html, 'class="alarm" id="not-scanned"', 'id="contents"')
    assert alarm < contents and 'class="card ok"' not in failed_html


def start(playbook, simulator, extra_vars, cwd):
    """Start ansible-playbook without waiting (two runs at once, as two AWX launches)."""
    return subprocess.Popen(
        [str(VENV_BIN / "ansible-playbook"), playbook, "-e", json.dumps(extra_vars)],
        env=ansible_env(simulator.env()),
        cwd=str(cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(procs, timeout=900):
    deadline = time.monotonic() + timeout
    out = []
    for proc in procs:
        stdout, _unused = proc.communicate(timeout=max(1, deadline - time.monotonic()))
        out.append((proc.returncode, stdout))
    return out


def live_replacements(simulator, source):
    ec2 = simulator.client("ec2")
    found = ec2.describe_instances(Filters=[{"Name": "tag:hubfix:replaces", "Values": [source]}])["Reservations"]
    return [i["InstanceId"] for r in found for i in r["Instances"] if i["State"]["Name"] not in ("shutting-down", "terminated")]


@pytest.mark.slow(200)
def test_two_runs_at_once_do_each_thing_once(simulator, tmp_path):
    estate = seed("demo", simulator.endpoint)
    sources = [estate["instances"][n]["id"] for n in ("pv-plain", "pv-data")]
    ec2_vars = {
        "pv_to_hvm_regions": ["us-east-1"],
        "pv_to_hvm_instance_ids": sources,
        "pv_to_hvm_image_id": estate["images"]["hvm"]["us-east-1"],
        "pv_to_hvm_stage": "all",
    }
    as3_vars = {
        "autoscaling_imdsv2_regions": ["us-east-1"],
        "autoscaling_imdsv2_refresh_poll_interval": 0,
        "autoscaling_imdsv2_delete_launch_configurations": "immediately",  # both runs race to retire; proof: test_autoscaling_owners
    }
    procs = []
    for n in (1, 2):
        work = tmp_path / f"run{n}"
        work.mkdir()
        procs.append(start(EC2_24, simulator, dict(ec2_vars, pv_to_hvm_report_dir=str(work / "ec2")), work))
        procs.append(
            start(AS3, simulator, dict(as3_vars, autoscaling_imdsv2_report_dir=str(work / "as3"), autoscaling_imdsv2_backup_dir=str(work / "b")), work)
        )
    results = finish(procs)
    for _rc, stdout in results:
        assert "Traceback" not in stdout, stdout[-6000:]

    # EC2.24: one replacement per instance; each instance migrated by one run, the other run left it (or found it done).
    for source in sources:
        assert len(live_replacements(simulator, source)) == 1, source
    statuses = {}
    for n in (1, 2):
        for instance in json.loads(report_file(tmp_path / f"run{n}" / "ec2", "pv_to_hvm.json").read_text())["instances"]:
            statuses.setdefault(instance["instance_id"], []).append(instance)
    for source in sources:
        (replacement,) = live_replacements(simulator, source)
        seen = statuses[source]
        assert len(seen) == 2 and {i["status"] for i in seen} <= {"migrated", "in_progress_other_run"}, (source, seen)
        migrated = [i for i in seen if i["status"] == "migrated"]
        # a run that found the migration done reports it as migrated too: by the same run, with the same replacement
        assert migrated and {(i["run_id"], i["replacement_id"]) for i in migrated} == {(migrated[0]["run_id"], replacement)}, seen
        for other in (i for i in seen if i["status"] == "in_progress_other_run"):
            assert other["claimed_by"]["id"] == migrated[0]["run_id"], other
    for rc, stdout in (results[0], results[2]):
        assert rc == 0, stdout[-4000:]

    # AutoScaling.3: one template per launch configuration (no "-imdsv2" second copy), each group switched once.
    ec2 = simulator.client("ec2")
    templates = sorted(t["LaunchTemplateName"] for t in ec2.describe_launch_templates()["LaunchTemplates"])
    assert templates == ["lc-endpoint-disabled", "lc-full", "lc-no-metadata", "lc-tokens-optional", "lt-imdsv2"], templates  # lt-imdsv2: the estate's
    for name in templates[:-1]:
        versions = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"]
        assert len(versions) == 1, (name, [v["VersionNumber"] for v in versions])
    groups = simulator.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["asg-web", "asg-api", "asg-legacy", "asg-full"])
    assert all(g.get("LaunchTemplate") for g in groups["AutoScalingGroups"])
    for rc, stdout in (results[1], results[3]):
        assert rc == 0, stdout[-4000:]
    # each launch configuration retired by exactly one run; the other left it (in progress) or found it gone
    lcs = {}
    for n in (1, 2):
        for lc in json.loads(report_file(tmp_path / f"run{n}" / "as3", "autoscaling_imdsv2.json").read_text())["launch_configurations"]:
            lcs.setdefault(lc["name"], []).append(lc["status"])
    for name in templates[:-1]:
        assert sorted(lcs[name]) in (["in_progress_other_run", "retired"], ["gone", "retired"]), (name, lcs[name])
    assert simulator.client("autoscaling").describe_launch_configurations(LaunchConfigurationNames=templates[:-1])["LaunchConfigurations"] == []
