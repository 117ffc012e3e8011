"""The playbooks as AWX / Automation Platform job templates: run through ansible-runner (the engine AWX uses) with the
extra vars and the environment AWX passes - the "Amazon Web Services" credential injects AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SECURITY_TOKEN (older AWX / Tower: not AWS_SESSION_TOKEN) - against the simulator.

The project is this repository (job template playbooks ``playbooks/*.yml``); the collection comes from the execution
environment, here ``ANSIBLE_COLLECTIONS_PATH``. A check-mode job template is the dry run (``--check --diff``).
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from pathlib import Path

import ansible_runner
import pytest

from tests.harness import COLLECTIONS, REPO_ROOT, VENV_BIN, report_file
from tests.simulator import ACCOUNT_ID
from tests.simulator.seed import seed

REGIONS = ["us-east-1", "eu-west-1"]

# ansible-runner starts the job with pexpect (forkpty) from this multi-threaded test process, as AWX's runner does.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@pytest.fixture
def demo(simulator):
    return seed("demo", simulator.endpoint)


@pytest.fixture
def awx_credential(simulator, monkeypatch):
    """Temporary credentials as an AWX "Amazon Web Services" credential holds them (access key, secret, security token)."""
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    creds = simulator.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/awx-hubfix", RoleSessionName="awx")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"], "AWS_SECURITY_TOKEN": creds["SessionToken"]}


def job(simulator, tmp_path, credential, playbook, extravars, check=False):
    """Run one job the way AWX does: private data dir with the project, extra vars file, injected environment."""
    # AWX gives every job a fresh private data dir (ansible-runner would otherwise reuse env/cmdline and artifacts).
    private = Path(tempfile.mkdtemp(prefix="job-", dir=tmp_path))
    (private / "project").symlink_to(REPO_ROOT)
    envvars = {
        **credential,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": simulator.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        # The execution environment has ansible-playbook on PATH; here it is the .venv's.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    simulator.reset_recording()
    run = ansible_runner.run(
        private_data_dir=str(private),
        playbook=playbook,
        extravars=extravars,
        envvars=envvars,
        cmdline="--check --diff" if check else None,
        quiet=True,
    )
    return run


def output(run):
    return run.stdout.read()[-12000:]


def artifacts(run):
    """What the job returned with set_stats: AWX keeps it as the job's artifacts (the playbook_on_stats event's artifact_data)."""
    stats = [e for e in run.events if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"].get("artifact_data") or {}


def without_run(data):
    """A report without what differs from run to run (run id, times, where it was written)."""
    volatile = {"run_id", "generated_at", "started_at", "finished_at", "report_dir", "run_dir", "start_time", "end_time"}
    if isinstance(data, dict):
        return {k: without_run(v) for k, v in data.items() if k not in volatile}
    if isinstance(data, list):
        return [without_run(v) for v in data]
    return data


def run_dirs(report_dir):
    return sorted(d for d in Path(report_dir).iterdir() if d.is_dir() and d.name != "latest")


def assert_signed_with(simulator, credential):
    """Every request of the job used the credential's session token (amazon.aws alone reads only AWS_SESSION_TOKEN)."""
    recording = simulator._request("GET", "/moto-api/recorder/download-recording").decode().splitlines()
    entries = [json.loads(line) for line in recording if line.strip()]
    aws = [e for e in entries if "Authorization" in (e.get("headers") or {})]
    assert aws, "no AWS request recorded"
    for entry in aws:
        headers = entry["headers"]
        assert f"Credential={credential['AWS_ACCESS_KEY_ID']}/" in headers["Authorization"]
        assert headers.get("X-Amz-Security-Token") == credential["AWS_SECURITY_TOKEN"], headers.get("User-Agent")


def test_audit_job_template(simulator, demo, tmp_path, awx_credential):
    reports = tmp_path / "reports"
    run = job(simulator, tmp_path, awx_credential, "playbooks/audit.yml", {"audit_regions": REGIONS, "audit_report_dir": str(reports)})
    assert run.status == "successful", output(run)
    assert run.rc == 0
    assert run.stats["failures"] == {} and run.stats["dark"] == {}
    assert run.stats["ok"]["localhost"] > 0
    assert run.stats["changed"].get("localhost", 0) == 0
    assert simulator.mutating_calls() == []
    assert_signed_with(simulator, awx_credential)
    report = json.loads(report_file(reports, "audit.json").read_text())
    assert report["accounts"] == [ACCOUNT_ID]
    assert report["account_status"] == [{"account_id": ACCOUNT_ID, "role_arn": None, "status": "ok", "error": None}]
    assert {c: report["totals"]["by_control"][c]["failed"] for c in ("EC2.24", "AutoScaling.3", "AutoScaling.9")} == {
        "EC2.24": 8,
        "AutoScaling.3": 6,
        "AutoScaling.9": 7,
    }
    assert artifacts(run)["hubfix_audit"] == report

    # The same job from a survey: every answer a string (list as lines, booleans as words).
    survey = {
        "audit_regions": "us-east-1\neu-west-1",
        "audit_report_dir": str(reports),
        "audit_controls": "EC2.24, AutoScaling.3,AutoScaling.9",
        "audit_fail_on_findings": "false",
        "audit_import_findings": "no",
        "hubfix_allow_partial": "False",
    }
    strings = job(simulator, tmp_path, awx_credential, "playbooks/audit.yml", survey)
    assert strings.status == "successful", output(strings)
    assert without_run(json.loads(report_file(reports, "audit.json").read_text())) == without_run(report)
    assert len(run_dirs(reports)) == 2, "each run keeps its own report"
    # "true" is true: the gate fails the job, after the reports are written
    gate = job(simulator, tmp_path, awx_credential, "playbooks/audit.yml", dict(survey, audit_fail_on_findings="true"))
    assert gate.status == "failed" and "resource(s) fail the audited controls" in output(gate)


def imdsv1_used_by(simulator, group):
    """CloudWatch shows token-less (IMDSv1) metadata calls from the group's instance two hours ago; returns its id."""
    instance = simulator.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"][0]
    simulator.client("cloudwatch").put_metric_data(
        Namespace="AWS/EC2",
        MetricData=[
            {
                "MetricName": "MetadataNoToken",
                "Dimensions": [{"Name": "InstanceId", "Value": instance["InstanceId"]}],
                "Value": 3.0,
                "Timestamp": datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2),
            }
        ],
    )
    return instance["InstanceId"]


# A failing launch configuration per case: asg-web's instance used IMDSv1 (gate), asg-api's did not, asg-eu in the other region.
AS3_LAUNCH_CONFIGURATIONS = ["lc-tokens-optional", "lc-no-metadata", "lc-eu-optional"]


@pytest.mark.slow(150)
def test_autoscaling_3_dry_run_then_remediation_job_templates(simulator, demo, tmp_path, awx_credential):
    web_instance = imdsv1_used_by(simulator, "asg-web")
    reports = tmp_path / "reports"
    typed = {
        "autoscaling_imdsv2_regions": REGIONS,
        "autoscaling_imdsv2_launch_configuration_names": AS3_LAUNCH_CONFIGURATIONS,
        "autoscaling_imdsv2_report_dir": str(reports),
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
        "autoscaling_imdsv2_force": False,
        "autoscaling_imdsv2_instance_refresh": False,
        "autoscaling_imdsv2_delete_launch_configurations": True,
        "autoscaling_imdsv2_imdsv1_usage_days": 14,
    }
    # What an AWX survey sends for the same answers: every value a string.
    survey = dict(
        typed,
        autoscaling_imdsv2_regions="us-east-1,eu-west-1",
        autoscaling_imdsv2_launch_configuration_names="\n".join(AS3_LAUNCH_CONFIGURATIONS) + "\n",
        autoscaling_imdsv2_force="false",
        autoscaling_imdsv2_instance_refresh="false",
        autoscaling_imdsv2_delete_launch_configurations="yes",
        autoscaling_imdsv2_imdsv1_usage_days="14",
    )
    dry = job(simulator, tmp_path, awx_credential, "playbooks/remediate_autoscaling_3.yml", typed, check=True)
    assert dry.status == "successful", output(dry)
    assert dry.stats["failures"] == {}
    assert dry.stats["changed"]["localhost"] > 0  # what a real run would change
    assert simulator.mutating_calls() == []
    assert_signed_with(simulator, awx_credential)
    assert "launch configuration lc-tokens-optional (us-east-1): deleted" not in output(dry)  # IMDSv1 in use: kept
    planned = json.loads(report_file(reports, "autoscaling_imdsv2.json").read_text())
    assert planned["check_mode"] is True and planned["title"] == "AutoScaling.3 plan"
    assert {g["name"]: g["status"] for g in planned["groups"]} == {"asg-web": "skipped_imdsv1_in_use", "asg-api": "planned", "asg-eu": "planned"}
    (skipped,) = [g for g in planned["groups"] if g["status"] == "skipped_imdsv1_in_use"]
    assert skipped["imdsv1_evidence"]["metadata_no_token"] == 3 and skipped["imdsv1_evidence"]["instances"] == [web_instance]
    assert "would be deleted" in report_file(reports, "autoscaling_imdsv2.md").read_text()
    assert artifacts(dry)["hubfix_autoscaling_imdsv2"] == planned

    dry_strings = job(simulator, tmp_path, awx_credential, "playbooks/remediate_autoscaling_3.yml", survey, check=True)
    assert dry_strings.status == "successful", output(dry_strings)
    assert simulator.mutating_calls() == []
    assert without_run(json.loads(report_file(reports, "autoscaling_imdsv2.json").read_text())) == without_run(planned)

    real = job(simulator, tmp_path, awx_credential, "playbooks/remediate_autoscaling_3.yml", survey)
    assert real.status == "successful", output(real)
    assert real.stats["failures"] == {} and real.stats["changed"]["localhost"] > 0
    assert_signed_with(simulator, awx_credential)
    expected = {"us-east-1": {"asg-api": "lc-no-metadata"}, "eu-west-1": {"asg-eu": "lc-eu-optional"}}
    for region, templates in expected.items():
        found = simulator.client("autoscaling", region).describe_auto_scaling_groups(AutoScalingGroupNames=list(templates))["AutoScalingGroups"]
        assert {g["AutoScalingGroupName"]: g.get("LaunchTemplate", {}).get("LaunchTemplateName") for g in found} == templates
        assert all("LaunchConfigurationName" not in g for g in found), region
    # the IMDSv1 gate held with force "false": asg-web still on its launch configuration, which is kept
    web = simulator.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["asg-web"])["AutoScalingGroups"][0]
    assert web["LaunchConfigurationName"] == "lc-tokens-optional"
    remaining = {lc["LaunchConfigurationName"] for lc in simulator.client("autoscaling").describe_launch_configurations()["LaunchConfigurations"]}
    assert remaining == {"lc-tokens-optional", "lc-tokens-required", "lc-pv", "lc-unused", "lc-endpoint-disabled", "lc-full"}  # out of scope
    done = json.loads(report_file(reports, "autoscaling_imdsv2.json").read_text())
    assert artifacts(real)["hubfix_autoscaling_imdsv2"] == done
    retired = sorted(lc["name"] for lc in done["launch_configurations"] if lc["status"] == "retired")
    assert retired == ["lc-eu-optional", "lc-no-metadata"]
    kept = next(lc for lc in done["launch_configurations"] if lc["name"] == "lc-tokens-optional")
    assert kept["deleted"] is False and "asg-web" in kept["kept_because"]

    again = job(simulator, tmp_path, awx_credential, "playbooks/remediate_autoscaling_3.yml", survey)
    assert again.status == "successful", output(again)
    assert again.stats["changed"].get("localhost", 0) == 0
    # every run kept its report: the record of the four retired launch configurations is still there
    assert len(run_dirs(reports)) == 4
    kept = json.loads((run_dirs(reports)[2] / "autoscaling_imdsv2.json").read_text())
    assert kept["run_id"] == done["run_id"] and sorted(lc["name"] for lc in kept["launch_configurations"] if lc["status"] == "retired") == retired

    # force "true" lifts the gate: asg-web moves although its instance used IMDSv1, and the report keeps the evidence
    forced = job(
        simulator,
        tmp_path,
        awx_credential,
        "playbooks/remediate_autoscaling_3.yml",
        dict(survey, autoscaling_imdsv2_launch_configuration_names="lc-tokens-optional", autoscaling_imdsv2_force="true"),
    )
    assert forced.status == "successful", output(forced)
    web = simulator.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["asg-web"])["AutoScalingGroups"][0]
    assert web["LaunchTemplate"]["LaunchTemplateName"] == "lc-tokens-optional"
    (moved,) = json.loads(report_file(reports, "autoscaling_imdsv2.json").read_text())["groups"]
    assert moved["status"] == "migrated" and moved["imdsv1_evidence"]["metadata_no_token"] == 3


@pytest.mark.slow
def test_ec2_24_dry_run_then_remediation_job_templates(simulator, demo, tmp_path, awx_credential):
    source = demo["instances"]["pv-plain"]["id"]
    extravars = {
        "pv_to_hvm_regions": ["us-east-1"],
        "pv_to_hvm_instance_ids": [source],
        "pv_to_hvm_image_id": demo["images"]["hvm"]["us-east-1"],
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_stage": "all",
    }
    dry = job(simulator, tmp_path, awx_credential, "playbooks/remediate_ec2_24.yml", extravars, check=True)
    assert dry.status == "successful", output(dry)
    assert dry.stats["failures"] == {}
    assert source in dry.stats["ok"]  # the instance is a host of the migration play
    assert simulator.mutating_calls() == []
    assert_signed_with(simulator, awx_credential)
    planned = json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())
    assert planned["totals"] == {"planned": 1}
    assert artifacts(dry)["hubfix_pv_to_hvm"] == planned
    assert report_file(tmp_path / "reports", "pv_to_hvm.md").read_text().startswith("# EC2.24 paravirtual → HVM plan")

    # The survey's strings (one instance id per line, booleans and numbers as text) plan the same.
    survey = dict(
        extravars,
        pv_to_hvm_regions="us-east-1",
        pv_to_hvm_instance_ids=source + "\n",
        pv_to_hvm_parallel="2",
        pv_to_hvm_terminate_source="false",
        pv_to_hvm_move_elastic_ips="yes",
        pv_to_hvm_fail_on_error="true",
    )
    dry_strings = job(simulator, tmp_path, awx_credential, "playbooks/remediate_ec2_24.yml", survey, check=True)
    assert dry_strings.status == "successful", output(dry_strings)
    assert simulator.mutating_calls() == []
    assert without_run(json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())) == without_run(planned)
    extravars = survey

    real = job(simulator, tmp_path, awx_credential, "playbooks/remediate_ec2_24.yml", extravars)
    assert real.status == "successful", output(real)
    assert real.stats["failures"] == {} and real.stats["changed"][source] > 0
    assert_signed_with(simulator, awx_credential)
    ec2 = simulator.client("ec2")
    replacements = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:hubfix:replaces", "Values": [source]}])["Reservations"] for i in r["Instances"]]
    assert len(replacements) == 1
    assert replacements[0]["State"]["Name"] == "running" and replacements[0]["VirtualizationType"] == "hvm"
    assert replacements[0]["MetadataOptions"]["HttpTokens"] == "required"
    report = json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())
    assert [(i["instance_id"], i["status"], i["replacement_id"]) for i in report["instances"]] == [(source, "migrated", replacements[0]["InstanceId"])]
    assert artifacts(real)["hubfix_pv_to_hvm"] == report
    assert source in {i["InstanceId"] for r in ec2.describe_instances(InstanceIds=[source])["Reservations"] for i in r["Instances"]}  # kept ("false")
