"""The IAM policies in docs/iam/ are enough for each playbook, name exactly what it calls, and a missing action is named.

moto enforces IAM when the server runs with ``INITIAL_NO_AUTH_ACTION_COUNT`` (requests after that many are authenticated
with the caller's access key and authorised against the IAM user's policies, ``moto/core/authorization.py`` and
``moto/iam/access_control.py``). This test starts its own simulator with the count at 0 and lifts enforcement only while
it seeds the demo estate and creates the IAM users (moto's ``POST /moto-api/reset-auth``, what moto's own
``set_initial_no_auth_action_count`` decorator uses in server mode). The playbooks then run with the access keys of an
IAM user that has only the policy under test.

What moto evaluates: identity policies of the user, Action / NotAction with wildcards, Effect, explicit Deny; every
Resource is ``*`` and conditions see no request context (see docs/iam/README.md). ``sts:GetCallerIdentity`` is always
allowed (as on AWS). CloudWatch actions are checked as ``cloudwatch:*`` thanks to the simulator patch
``iam_action_service_prefix`` (moto uses the signing name ``monitoring``).
"""

from __future__ import annotations

import copy
import json
import re
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.harness import REPO_ROOT, report_file, run_playbook
from tests.simulator import Simulator
from tests.simulator.seed import seed

POLICY_DIR = REPO_ROOT / "docs" / "iam"
REGIONS = ["us-east-1", "eu-west-1"]
# SigV4 signing name -> IAM service prefix where they differ
IAM_PREFIX = {"monitoring": "cloudwatch"}
# statements whose actions the playbook calls on the demo estate; the others are for options, resumed runs and AWS-side checks
CALLED_SIDS = {
    "audit": {"HubfixAuditRead"},
    "remediate_autoscaling_3": {"HubfixAutoScaling3Read", "HubfixAutoScaling3Remediate"},
    "remediate_ec2_24": {"HubfixEC224Read", "HubfixEC224Migrate"},
}
ROLE_README = {"audit": "audit", "remediate_autoscaling_3": "autoscaling_imdsv2", "remediate_ec2_24": "pv_to_hvm"}
# Actions AWS checks itself when the playbook's call uses them (the code never calls them): Auto Scaling checks
# ec2:RunInstances and iam:PassRole on the caller when a group is switched to a launch template; RunInstances checks
# iam:PassRole for an instance profile.
AWS_SIDE_CHECKS = {"ec2:RunInstances", "iam:PassRole"}
# Actions our code calls through an amazon.aws helper or module (the operation's name is not in our source).
VIA_AMAZON_AWS = {
    "ec2:DescribeSecurityGroups": [r"\bget_ec2_security_group_ids_from_names\b"],
    "ec2:CreateTags": [r"\bensure_ec2_tags\b", r"\badd_ec2_tags\b", r"\bboto3_tag_specifications\b"],
    "ec2:DeleteTags": [r"\bamazon\.aws\.ec2_tag\b", r"\bensure_ec2_tags\b"],
    "ec2:DescribeTags": [r"\bensure_ec2_tags\b", r"\bamazon\.aws\.ec2_tag\b"],
}
# Calls a module tries and does without when denied: not granted (amazon.aws.aws_caller_info, used by the accounts role for
# the ambient account, asks for the account alias, which no report uses).
TOLERATED_DENIALS = {"iam:ListAccountAliases"}


# --- helpers ------------------------------------------------------------------------------------------------


def load_policy(name: str) -> dict:
    return json.loads((POLICY_DIR / f"{name}.json").read_text())


def statement_actions(policy: dict, sids=None) -> set[str]:
    out = set()
    for statement in policy["Statement"]:
        if sids is None or statement["Sid"] in sids:
            actions = statement["Action"]
            out.update([actions] if isinstance(actions, str) else actions)
    return out


def without(policy: dict, action: str) -> dict:
    """The policy with one action removed (a statement left empty is dropped)."""
    out = copy.deepcopy(policy)
    for statement in out["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    out["Statement"] = [s for s in out["Statement"] if s["Action"]]
    assert statement_actions(out) == statement_actions(policy) - {action}
    return out


def iam_action(call) -> str:
    return f"{IAM_PREFIX.get(call.service, call.service)}:{call.operation}"


def called_actions(sim: Simulator) -> set[str]:
    """IAM actions of every request in the log (the log has the requests, denied ones too), less the tolerated denials."""
    return {iam_action(c) for c in sim.calls()} - TOLERATED_DENIALS


def reset_auth(sim: Simulator, count: str) -> None:
    req = urllib.request.Request(sim.endpoint + "/moto-api/reset-auth", data=count.encode(), method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert json.loads(resp.read())["status"] == "ok"


@contextmanager
def unauthenticated(sim: Simulator):
    """Admin work (seeding, IAM users) without IAM enforcement; enforcement is back on afterwards."""
    reset_auth(sim, "inf")
    try:
        yield
    finally:
        reset_auth(sim, "0")


def user_env(sim: Simulator, name: str, policy: dict) -> dict:
    """Environment for ansible-playbook acting as a new IAM user whose only permissions are ``policy``."""
    with unauthenticated(sim):
        iam = sim.client("iam")
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="hubfix", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
    env = sim.env()
    env.update(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    return env


def image_map(estate, names=None) -> dict:
    return {
        estate["instances"][n]["id"]: estate["images"]["hvm"][estate["instances"][n]["region"]] for n in (names or estate["instances"]) if n.startswith("pv-")
    }


def audit_vars(tmp_path: Path) -> dict:
    return {"audit_regions": REGIONS, "audit_report_dir": str(tmp_path / "audit")}


def as3_vars(tmp_path: Path, **more) -> dict:
    out = {
        "autoscaling_imdsv2_regions": REGIONS,
        "autoscaling_imdsv2_refresh_poll_interval": 0,
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
        "autoscaling_imdsv2_report_dir": str(tmp_path / "as3"),
    }
    out.update(more)
    return out


def ec2_24_vars(estate, tmp_path: Path, **more) -> dict:
    out = {"pv_to_hvm_regions": REGIONS, "pv_to_hvm_image_map": image_map(estate), "pv_to_hvm_report_dir": str(tmp_path / "ec2_24"), "pv_to_hvm_stage": "all"}
    out.update(more)
    return out


def assert_denied(result, action: str) -> None:
    """The run failed and says which action was denied."""
    text = result.stdout + result.stderr
    assert re.search(r"AccessDenied|UnauthorizedOperation|not authorized|may not call", text), result
    assert action in text, result


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iam_simulator():
    with Simulator(extra_env={"INITIAL_NO_AUTH_ACTION_COUNT": "0"}) as sim:
        yield sim


@pytest.fixture
def enforced(iam_simulator):
    """The IAM-enforcing simulator with the demo estate (seeded as admin)."""
    with unauthenticated(iam_simulator):
        iam_simulator.reset()
        estate = seed("demo", iam_simulator.endpoint)
    return iam_simulator, estate


# --- the policy documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALLED_SIDS))
def test_policy_documents_are_well_formed_and_documented(name):
    policy = load_policy(name)
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids)) and CALLED_SIDS[name] <= set(sids)
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == "*"
        assert statement["Action"] == sorted(set(statement["Action"])), f"{statement['Sid']}: sorted, no duplicates"
        assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", a) for a in statement["Action"]), "no wildcards"
        assert not TOLERATED_DENIALS & set(statement["Action"])
    readme = (POLICY_DIR / "README.md").read_text()
    role_readme = (REPO_ROOT / "roles" / ROLE_README[name] / "README.md").read_text()
    for action in statement_actions(policy):
        assert action in readme, f"docs/iam/README.md does not explain {action}"
        assert action in role_readme, f"roles/{ROLE_README[name]}/README.md does not list {action}"


@pytest.mark.parametrize("name", sorted(CALLED_SIDS))
def test_actions_not_seen_on_the_demo_estate_are_called_by_the_code_or_checked_by_aws(name):
    """The optional statements hold nothing the collection cannot call: each action is an operation our plugins call
    (or a DryRun probe / amazon.aws.ec2_instance call of the role), or one AWS checks on the caller."""
    code = "\n".join(p.read_text() for p in (REPO_ROOT / "plugins").rglob("*.py"))
    code += "\n".join(p.read_text() for p in (REPO_ROOT / "roles").rglob("tasks/*.yml"))
    policy = load_policy(name)
    for action in statement_actions(policy) - statement_actions(policy, CALLED_SIDS[name]):
        if action in AWS_SIDE_CHECKS:
            continue
        operation = action.split(":")[1]
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        callers = [rf"\b{snake}\b"] + VIA_AMAZON_AWS.get(action, [])
        assert any(re.search(c, code) for c in callers), f"{action}: no {snake} call in plugins/ or roles/ (nor {VIA_AMAZON_AWS.get(action)})"


# --- each playbook with its policy alone --------------------------------------------------------------------


@pytest.mark.slow
def test_audit_with_its_policy_then_without_ec2_describe_instances(enforced, tmp_path):
    sim, estate = enforced
    policy = load_policy("audit")
    env = user_env(sim, "auditor", policy)
    sim.reset_recording()
    result = run_playbook("hubfix.aws.audit", env, audit_vars(tmp_path))
    assert result.rc == 0, result
    report = json.loads(report_file(tmp_path / "audit", "audit.json").read_text())
    assert report["scan_errors"] == []
    assert {f["resource_name"] for f in report["findings"] if f["control"] == "EC2.24"} >= {"pv-plain", "pv-data", "pv-eu"}
    assert statement_actions(policy, CALLED_SIDS["audit"]) == called_actions(sim)

    # without ec2:DescribeInstances no region can be scanned for EC2.24: the audit fails and says why
    result = run_playbook("hubfix.aws.audit", user_env(sim, "auditor-2", without(policy, "ec2:DescribeInstances")), audit_vars(tmp_path / "denied"))
    assert result.rc != 0, result
    assert_denied(result, "ec2:DescribeInstances")
    for region in REGIONS:
        assert f"access denied in region {region}" in result.stdout, result


@pytest.mark.slow
def test_remediate_autoscaling_3_with_its_policy_then_without_update_auto_scaling_group(enforced, tmp_path):
    sim, _estate = enforced
    policy = load_policy("remediate_autoscaling_3")
    env = user_env(sim, "as3", policy)
    sim.reset_recording()
    result = run_playbook("hubfix.aws.remediate_autoscaling_3", env, as3_vars(tmp_path))
    assert result.rc == 0, result
    assert statement_actions(policy, CALLED_SIDS["remediate_autoscaling_3"]) == called_actions(sim)
    with unauthenticated(sim):
        groups = {g["AutoScalingGroupName"]: g for g in sim.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]}
    assert groups["asg-web"]["LaunchTemplate"]["LaunchTemplateName"] == "lc-tokens-optional"

    # a fresh estate: the same run without autoscaling:UpdateAutoScalingGroup fails on it and leaves the group alone
    with unauthenticated(sim):
        sim.reset()
        seed("demo", sim.endpoint)
    env = user_env(sim, "as3-2", without(policy, "autoscaling:UpdateAutoScalingGroup"))
    result = run_playbook("hubfix.aws.remediate_autoscaling_3", env, as3_vars(tmp_path / "denied", autoscaling_imdsv2_group_names=["asg-web"]))
    assert result.rc != 0, result
    assert_denied(result, "autoscaling:UpdateAutoScalingGroup")
    (group_result,) = json.loads(report_file(tmp_path / "denied" / "as3", "autoscaling_imdsv2.json").read_text())["groups"]
    assert group_result["status"] == "failed_rolled_back"
    assert "AccessDenied" in group_result["message"] and "autoscaling:UpdateAutoScalingGroup" in group_result["message"]
    with unauthenticated(sim):
        group = sim.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["asg-web"])["AutoScalingGroups"][0]
        lcs = {lc["LaunchConfigurationName"] for lc in sim.client("autoscaling").describe_launch_configurations()["LaunchConfigurations"]}
    assert group["LaunchConfigurationName"] == "lc-tokens-optional" and "LaunchTemplate" not in group
    assert "lc-tokens-optional" in lcs


@pytest.mark.slow
def test_remediate_ec2_24_with_its_policy_then_without_create_snapshot(enforced, tmp_path):
    sim, estate = enforced
    policy = load_policy("remediate_ec2_24")
    env = user_env(sim, "ec2-24", policy)
    sim.reset_recording()
    # one migration per region (pv-data: data volume, Elastic IP) and a blocked instance call every action of the policy
    scope = [estate["instances"][n]["id"] for n in ("pv-data", "pv-eu", "pv-protected")]
    result = run_playbook("hubfix.aws.remediate_ec2_24", env, ec2_24_vars(estate, tmp_path, pv_to_hvm_instance_ids=scope))
    assert result.rc == 0, result
    report = json.loads(report_file(tmp_path / "ec2_24", "pv_to_hvm.json").read_text())
    statuses = {r["name"]: r["status"] for r in report["instances"]}
    assert statuses["pv-data"] == statuses["pv-eu"] == "migrated", statuses
    assert report["failed"] == [] and all(not r["missing_permissions"] for r in report["instances"])
    assert statement_actions(policy, CALLED_SIDS["remediate_ec2_24"]) == called_actions(sim)

    # without ec2:CreateSnapshot the DryRun pre-flight names it and nothing is changed
    with unauthenticated(sim):
        sim.reset()
        estate = seed("demo", sim.endpoint)
    plain = estate["instances"]["pv-plain"]["id"]
    env = user_env(sim, "ec2-24-2", without(policy, "ec2:CreateSnapshot"))
    sim.reset_recording()
    result = run_playbook(
        "hubfix.aws.remediate_ec2_24",
        env,
        ec2_24_vars(estate, tmp_path / "denied", pv_to_hvm_regions=["us-east-1"], pv_to_hvm_instance_ids=[plain]),
    )
    assert result.rc != 0, result
    assert_denied(result, "ec2:CreateSnapshot")
    report = json.loads(report_file(tmp_path / "denied" / "ec2_24", "pv_to_hvm.json").read_text())
    (entry,) = report["instances"]
    assert entry["missing_permissions"] == ["ec2:CreateSnapshot"], entry
    assert entry["status"] == "invalid"
    assert sim.mutating_calls() == []  # the DryRun probes found it before the first change
