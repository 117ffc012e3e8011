"""Event-driven remediation with the real ansible-rulebook (Java, drools) against the simulator's SQS: the EventBridge
events of Security Hub findings make the rulebook remediate exactly their resources - once each, in check mode by
default (no mutating call outside SQS), for real with hubfix_eda_apply."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from tests.asff import finding
from tests.harness import VENV_BIN, ansible_env
from tests.simulator.seed import seed

QUEUE = "hubfix-findings"
RUN_LINE = re.compile(r"Run the control's playbook on the resource \| (hubfix\.aws\.\S+) on (\S+)\]")


def event_of(*findings):
    """What the EventBridge rule on "Security Hub Findings - Imported" delivers to the queue."""
    return json.dumps(
        {
            "version": "0",
            "id": "6f6a1a9c-0000-4000-8000-000000000000",
            "detail-type": "Security Hub Findings - Imported",
            "source": "aws.securityhub",
            "account": findings[0]["AwsAccountId"],
            "region": findings[0]["Region"],
            "resources": [f["Id"] for f in findings],
            "detail": {"findings": list(findings)},
        }
    )


def finding_of(findings, name):
    """Security Hub's own finding of the resource named ``name`` (instance Name tag or launch configuration name)."""
    for f in findings:
        resource = f["Resources"][0]
        if resource.get("Tags", {}).get("Name") == name or resource["Id"].endswith("/" + name):
            return f
    raise AssertionError(f"no finding for {name}")


def rulebook(simulator, tmp_path, queue_url, rulebook_name="hubfix.aws.securityhub_findings", args=(), env=None, **variables):
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}))
    rb_vars = {"hubfix_eda_queue_url": queue_url, "hubfix_eda_stop_when_empty": True, "hubfix_eda_wait_time": 1, **variables}
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(rb_vars))
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-rulebook"), "-i", str(tmp_path / "inventory.yml"), "--rulebook", rulebook_name]
        + ["--vars", str(tmp_path / "vars.yml"), "--shutdown-delay", "600", *args],
        cwd=str(tmp_path),
        env=ansible_env(simulator.env(), **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc, sorted(RUN_LINE.findall(proc.stdout))


@pytest.mark.slow(80)
def test_a_finding_event_remediates_exactly_its_resource(simulator, tmp_path):
    created = seed("demo", simulator.endpoint)
    sqs = simulator.client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    findings = simulator.client("securityhub").get_findings(MaxResults=100)["Findings"]
    lc_finding, passed = finding_of(findings, "lc-tokens-optional"), finding_of(findings, "lc-tokens-required")
    pv_finding = finding_of(findings, "pv-plain")
    suppressed = dict(finding_of(findings, "lc-full"), Workflow={"Status": "SUPPRESSED"})
    for body in (event_of(lc_finding, passed), event_of(lc_finding), event_of(pv_finding, suppressed), "not an event"):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    extra = {
        "pv_to_hvm_image_id": created["images"]["hvm"]["us-east-1"],
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "autoscaling_imdsv2_report_dir": str(tmp_path / "reports"),
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
    }
    asg = simulator.client("autoscaling")
    groups_before = {g["AutoScalingGroupName"]: g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]}
    simulator.reset_recording()

    # 1. the default is a dry run: each failing resource once (the duplicate event throttled, the PASSED and
    #    SUPPRESSED findings and the junk message dropped), nothing changed but the queue
    proc, runs = rulebook(simulator, tmp_path, queue_url, hubfix_eda_extra_vars=extra)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    pv_id = pv_finding["Resources"][0]["Id"].rsplit("/", 1)[1]
    assert runs == [
        ("hubfix.aws.remediate_autoscaling_3", "lc/123456789012/us-east-1/lc-tokens-optional"),
        ("hubfix.aws.remediate_ec2_24", pv_id),
    ], proc.stdout[-6000:]
    assert proc.stdout.count("Check mode: nothing was changed") == 1, proc.stdout[-6000:]
    assert "failed=1" not in proc.stdout
    assert [c for c in simulator.mutating_calls() if c.service != "sqs"] == []
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)

    # 2. hubfix_eda_apply: the launch configuration's groups move to its template, no other launch configuration's
    sqs.send_message(QueueUrl=queue_url, MessageBody=event_of(lc_finding))
    templates_before = {t["LaunchTemplateName"] for t in simulator.client("ec2").describe_launch_templates()["LaunchTemplates"]}
    proc, runs = rulebook(simulator, tmp_path, queue_url, hubfix_eda_extra_vars=extra, hubfix_eda_apply=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert runs == [("hubfix.aws.remediate_autoscaling_3", "lc/123456789012/us-east-1/lc-tokens-optional")]
    templates = {t["LaunchTemplateName"] for t in simulator.client("ec2").describe_launch_templates()["LaunchTemplates"]}
    assert templates - templates_before == {"lc-tokens-optional"}
    groups = {g["AutoScalingGroupName"]: g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]}
    assert groups["asg-web"]["LaunchTemplate"]["LaunchTemplateName"] == "lc-tokens-optional"
    for name, group in groups_before.items():
        if name != "asg-web":
            assert groups[name].get("LaunchConfigurationName") == group.get("LaunchConfigurationName"), name


class FakeController(ThreadingHTTPServer):
    """The few AWX / Automation Controller API calls ansible-rulebook's run_job_template makes; launches are recorded
    and every job succeeds at once."""

    TEMPLATES = {"hubfix EC2.24": 11, "hubfix AutoScaling.3": 12}

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeControllerHandler)
        self.launches = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/"


class FakeControllerHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def job(self, number):
        launch = self.server.launches[number - 1]
        return {"id": number, "status": "successful", "url": f"/api/v2/jobs/{number}/", "name": launch["template"], "artifacts": {}, "failed": False}

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/api/v2/config/":
            return self.reply({"version": "4.6.0"})
        if url.path == "/api/v2/unified_job_templates/":
            name = query.get("name", [""])[0]
            results = [
                {
                    "id": jt_id,
                    "type": "job_template",
                    "name": jt_name,
                    "summary_fields": {"organization": {"name": "Default"}},
                    "related": {"launch": f"/api/v2/job_templates/{jt_id}/launch/"},
                    "ask_limit_on_launch": True,
                    "ask_labels_on_launch": False,
                    "ask_inventory_on_launch": False,
                    "ask_variables_on_launch": True,
                }
                for jt_name, jt_id in self.server.TEMPLATES.items()
                if jt_name == name
            ]
            return self.reply({"count": len(results), "next": None, "results": results})
        if url.path == "/api/v2/jobs/":
            ids = [int(i) for i in query.get("id__in", [""])[0].split(",") if i]
            return self.reply({"count": len(ids), "next": None, "results": [self.job(i) for i in ids]})
        if url.path.startswith("/api/v2/jobs/"):
            return self.reply(self.job(int(url.path.rstrip("/").rsplit("/", 1)[1])))
        return self.reply({"detail": "Not found."}, 404)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        jt_id = int(self.path.rstrip("/").split("/")[-2])
        template = next(name for name, i in self.server.TEMPLATES.items() if i == jt_id)
        self.server.launches.append({"template": template, **body})
        number = len(self.server.launches)
        return self.reply({"id": number, "job": number, "url": f"/api/v2/jobs/{number}/", "status": "pending"}, 201)


@pytest.mark.slow(30)
def test_with_awx_a_finding_event_launches_its_job_template_limited_to_its_host(simulator, tmp_path):
    sqs = simulator.client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE + "-awx")["QueueUrl"]
    lc = finding(name="lc-web")
    pv = finding(control="EC2.24", name="i-0123456789abcdef0")
    controller = FakeController()
    threading.Thread(target=controller.serve_forever, daemon=True).start()
    try:
        launched = {}
        for apply in ("", "true"):  # as AWX sends survey answers: text
            for body in (event_of(lc), event_of(lc, pv)):
                sqs.send_message(QueueUrl=queue_url, MessageBody=body)
            variables = {"hubfix_eda_extra_vars": {"autoscaling_imdsv2_instance_refresh": True}}
            if apply:
                variables["hubfix_eda_apply"] = apply
            controller.launches.clear()
            proc = rulebook(
                simulator,
                tmp_path,
                queue_url,
                rulebook_name="hubfix.aws.securityhub_findings_awx",
                args=["--controller-url", controller.url, "--controller-token", "token"],
                env={"EDA_JOB_TEMPLATE_REFRESH_DELAY": "0.5"},  # the fake jobs end at once; do not poll them every 10 s
                **variables,
            )[0]
            assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
            launched[apply] = sorted((j["template"], j["job_type"], j["limit"]) for j in controller.launches)
            for job in controller.launches:
                assert job["extra_vars"]["autoscaling_imdsv2_instance_refresh"] is True
                assert job["extra_vars"]["ansible_eda"]["event"]["hubfix"]["host"] == job["limit"]
    finally:
        controller.shutdown()
    host = "lc/123456789012/us-east-1/lc-web"
    assert launched[""] == [("hubfix AutoScaling.3", "check", host), ("hubfix EC2.24", "check", "i-0123456789abcdef0")]
    assert launched["true"] == [("hubfix AutoScaling.3", "run", host), ("hubfix EC2.24", "run", "i-0123456789abcdef0")]
