"""Many accounts: every playbook takes hubfix_accounts and runs in each account through STS role assumption.

The simulator (moto) keeps state per account and maps the credentials AssumeRole returns to the role's account, so a
second account is seeded by assuming a role into it. A third account's role cannot be assumed: AWS answers AccessDenied
(injected at the simulator's edge, as AWS does when the role's trust policy does not name the caller).
"""

from __future__ import annotations

import json

import pytest

from tests.harness import report_file, run_playbook
from tests.simulator import ACCOUNT_ID

OTHER = "111111111111"
DENIED = "333333333333"
REGION = "us-east-1"
HVM_AMI = "ami-760aaa0f"
PV_AMI = "ami-8104a4f8"


def role(account):
    return f"arn:aws:iam::{account}:role/hubfix-remediation"


ACCOUNTS = [
    {"account_id": ACCOUNT_ID, "role_arn": role(ACCOUNT_ID)},
    {"account_id": OTHER, "role_arn": role(OTHER), "external_id": "hubfix-ext"},
    {"account_id": DENIED, "role_arn": role(DENIED)},
]


def clients_in(simulator, account, service, region=REGION):
    """A boto3 client acting in ``account`` (credentials from AssumeRole, like the playbooks use)."""
    creds = simulator.client("sts").assume_role(RoleArn=role(account), RoleSessionName="test")["Credentials"]
    return simulator.client(
        service,
        region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def deny_assume_role(simulator, account=DENIED):
    simulator.inject_fault(
        service="sts",
        operation="AssumeRole",
        match={"RoleArn": role(account)},
        error_code="AccessDenied",
        message=f"User: arn:aws:iam::{ACCOUNT_ID}:user/ci is not authorized to perform: sts:AssumeRole on resource: {role(account)}",
        status=403,
    )


def create_organization(simulator, units, accounts):
    """An organization with ``units`` ({name: parent unit name or None for the root}, parents first) and ``accounts``
    ({name: unit name}), created with their e-mail; ``({unit name: id}, {account name: id})``."""
    orgs = simulator.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ids = {}
    for name, parent in units.items():
        ids[name] = orgs.create_organizational_unit(ParentId=ids[parent] if parent else root, Name=name)["OrganizationalUnit"]["Id"]
    accounts_ids = {}
    for name, unit in accounts.items():
        accounts_ids[name] = orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        orgs.move_account(AccountId=accounts_ids[name], SourceParentId=root, DestinationParentId=ids[unit])
    return ids, accounts_ids


def seed_account(simulator, account):
    """One paravirtual instance and one launch configuration without IMDSv2 (used by a group) in ``account``."""
    ec2 = clients_in(simulator, account, "ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    pv = ec2.run_instances(
        ImageId=PV_AMI,
        InstanceType="m1.small",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"pv-{account}"}]}],
    )["Instances"][0]
    assert pv["VirtualizationType"] == "paravirtual"
    hvm = ec2.run_instances(ImageId=HVM_AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
    asg = clients_in(simulator, account, "autoscaling")
    asg.create_launch_configuration(
        LaunchConfigurationName="lc-other",
        ImageId=HVM_AMI,
        InstanceType="t3.micro",
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="asg-other", LaunchConfigurationName="lc-other", MinSize=0, MaxSize=1, DesiredCapacity=0, VPCZoneIdentifier=subnet
    )
    return {"pv": pv["InstanceId"], "hvm": hvm["InstanceId"], "subnet": subnet}


@pytest.fixture
def estate(simulator):
    out = {account: seed_account(simulator, account) for account in (ACCOUNT_ID, OTHER)}
    deny_assume_role(simulator)
    simulator.reset_recording()
    return out


def assert_denied_account_named(result):
    assert result.rc != 0, result
    assert "1 account(s) not" in result.stdout, result
    assert f"{DENIED}: sts:AssumeRole {role(DENIED)}" in result.stdout, result
    assert "AccessDenied" in result.stdout


def test_audit_of_three_accounts_one_denied(simulator, estate, tmp_path):
    result = run_playbook("hubfix.aws.audit", simulator.env(), {"audit_regions": [REGION], "audit_report_dir": str(tmp_path), "hubfix_accounts": ACCOUNTS})
    assert result.rc != 0, result
    assert "The audit is incomplete (hubfix_allow_partial is false)" in result.stdout, result
    assert f"account {DENIED} not audited: sts:AssumeRole {role(DENIED)}" in result.stdout and "AccessDenied" in result.stdout, result
    assert simulator.mutating_calls() == []  # AssumeRole included: it changes nothing

    report = json.loads(report_file(tmp_path, "audit.json").read_text())
    assert report["accounts"] == [ACCOUNT_ID, OTHER]
    status = {a["account_id"]: a for a in report["account_status"]}
    assert {a: s["status"] for a, s in status.items()} == {ACCOUNT_ID: "ok", OTHER: "ok", DENIED: "failed"}
    assert "AccessDenied" in status[DENIED]["error"] and status[OTHER]["error"] is None
    assert [e["source"] for e in report["scan_errors"]] == ["sts_assume_role"]
    assert DENIED in report["scan_errors"][0]["error"]
    # per-account results: every finding names its account, and the totals are per account and region
    by_account = {}
    for f in report["findings"]:
        by_account.setdefault(f["account_id"], set()).add((f["control"], f["resource_id"]))
    for account in (ACCOUNT_ID, OTHER):
        assert by_account[account] == {("EC2.24", estate[account]["pv"]), ("AutoScaling.3", "lc-other"), ("AutoScaling.9", "asg-other")}
        assert f"EC2.24/{account}/{REGION}/{estate[account]['pv']}" in {f["id"] for f in report["findings"]}
    scope = {(r["control"], r["account_id"]): r["failed"] for r in report["totals"]["by_scope"]}
    assert scope == {(c, a): 1 for c in ("EC2.24", "AutoScaling.3", "AutoScaling.9") for a in (ACCOUNT_ID, OTHER)}
    assert report["totals"]["failed"] == 6
    assert report["status"] == "partial" and report["problems"] == [report["scan_errors"][0]["error"]]
    assert not (tmp_path / "latest").exists(), "an incomplete audit does not replace the last trusted one"

    # Accepted as partial (a survey's "true"): the job passes and latest/ is this audit.
    allowed = run_playbook(
        "hubfix.aws.audit",
        simulator.env(),
        {"audit_regions": [REGION], "audit_report_dir": str(tmp_path), "hubfix_accounts": ACCOUNTS, "hubfix_allow_partial": "true"},
    )
    assert allowed.rc == 0, allowed
    latest = json.loads((tmp_path / "latest" / "audit.json").read_text())
    assert latest["status"] == "partial" and latest["run_id"] != report["run_id"]
    assert "AUDIT INCOMPLETE" in (tmp_path / "latest" / "audit.md").read_text()


def test_autoscaling_3_in_two_accounts_one_denied(simulator, estate, tmp_path):
    extra = {
        "autoscaling_imdsv2_regions": [REGION],
        "autoscaling_imdsv2_report_dir": str(tmp_path / "reports"),
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
        "autoscaling_imdsv2_imdsv1_usage_check": False,
        "autoscaling_imdsv2_delete_launch_configurations": "immediately",  # proof before retirement: test_autoscaling_owners
        "hubfix_accounts": ACCOUNTS,
    }
    dry = run_playbook("hubfix.aws.remediate_autoscaling_3", simulator.env(), extra, check=True, diff=True)
    assert_denied_account_named(dry)
    assert simulator.mutating_calls() == []

    result = run_playbook("hubfix.aws.remediate_autoscaling_3", simulator.env(), extra)
    assert_denied_account_named(result)
    for account in (ACCOUNT_ID, OTHER):
        asg = clients_in(simulator, account, "autoscaling")
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["asg-other"])["AutoScalingGroups"][0]
        assert group["LaunchTemplate"]["LaunchTemplateName"] == "lc-other", account
        assert asg.describe_launch_configurations()["LaunchConfigurations"] == [], account
        version = clients_in(simulator, account, "ec2").describe_launch_template_versions(LaunchTemplateName="lc-other")["LaunchTemplateVersions"][0]
        assert version["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
        # the backup of each account's launch configuration lands under its own account id
        assert (tmp_path / "backups" / account / REGION / "lc-other.json").exists()

    report = json.loads(report_file(tmp_path / "reports", "autoscaling_imdsv2.json").read_text())
    rows = {a["account_id"]: a for a in report["accounts"]}
    assert {a: (r["status"], r["launch_configurations_deleted"], r["groups_migrated"]) for a, r in rows.items()} == {
        ACCOUNT_ID: ("ok", 1, 1),
        OTHER: ("ok", 1, 1),
        DENIED: ("failed", 0, 0),
    }
    assert "AccessDenied" in rows[DENIED]["error"]
    assert sorted(lc["account_id"] for lc in report["launch_configurations"]) == sorted([ACCOUNT_ID, OTHER])
    assert {g["account_id"] for g in report["groups"]} == {ACCOUNT_ID, OTHER}
    markdown = report_file(tmp_path / "reports", "autoscaling_imdsv2.md").read_text()
    assert "## Accounts" in markdown and DENIED in markdown

    # idempotent per account: the second run changes nothing (it still fails for the denied account)
    again = run_playbook("hubfix.aws.remediate_autoscaling_3", simulator.env(), extra)
    assert_denied_account_named(again)
    assert again.changed == 0, again


def test_ec2_24_in_another_account_with_a_denied_one(simulator, estate, tmp_path):
    accounts = [a for a in ACCOUNTS if a["account_id"] != ACCOUNT_ID]
    extra = {
        "pv_to_hvm_regions": [REGION],
        "pv_to_hvm_image_id": HVM_AMI,
        "pv_to_hvm_report_dir": str(tmp_path),
        "pv_to_hvm_stage": "all",
        "hubfix_accounts": accounts,
    }
    dry = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra, check=True)
    assert_denied_account_named(dry)
    assert simulator.mutating_calls() == []

    result = run_playbook("hubfix.aws.remediate_ec2_24", simulator.env(), extra)
    assert_denied_account_named(result)
    ec2 = clients_in(simulator, OTHER, "ec2")
    source = estate[OTHER]["pv"]
    replacements = [i for r in ec2.describe_instances(Filters=[{"Name": "tag:hubfix:replaces", "Values": [source]}])["Reservations"] for i in r["Instances"]]
    assert len(replacements) == 1 and replacements[0]["VirtualizationType"] == "hvm"
    assert replacements[0]["SubnetId"] == estate[OTHER]["subnet"]
    tags = {t["Key"]: t["Value"] for t in ec2.describe_instances(InstanceIds=[source])["Reservations"][0]["Instances"][0]["Tags"]}
    assert tags["hubfix:replaced-by"] == replacements[0]["InstanceId"]
    # the caller's own account was not in hubfix_accounts: untouched
    own = simulator.client("ec2").describe_instances(InstanceIds=[estate[ACCOUNT_ID]["pv"]])["Reservations"][0]["Instances"][0]
    assert own["State"]["Name"] == "running" and not [t for t in own.get("Tags", []) if t["Key"].startswith("hubfix:")]

    report = json.loads(report_file(tmp_path, "pv_to_hvm.json").read_text())
    assert [(i["instance_id"], i["account_id"], i["status"]) for i in report["instances"]] == [(source, OTHER, "migrated")]
    rows = {a["account_id"]: a for a in report["accounts"]}
    assert (rows[OTHER]["status"], rows[OTHER]["migrated"]) == ("ok", 1)
    assert rows[DENIED]["status"] == "failed" and "AccessDenied" in rows[DENIED]["error"]


@pytest.mark.parametrize(
    "accounts, message",
    [
        ([{"account_id": OTHER, "role_arn": role(DENIED)}], f"hubfix_accounts[0]: the role {role(DENIED)} is in account {DENIED}, not in account_id {OTHER}"),
        ([{"account_id": "1234", "role_arn": role(OTHER)}], "hubfix_accounts[0].account_id '1234' is not a 12-digit account id"),
        (
            [{"account_id": OTHER, "role_arn": role(OTHER)}, {"account_id": OTHER, "role_arn": role(OTHER)}],
            f"hubfix_accounts[1]: account {OTHER} is listed twice",
        ),
    ],
)
def test_bad_accounts_are_refused_before_any_call(simulator, tmp_path, accounts, message):
    result = run_playbook("hubfix.aws.audit", simulator.env(), {"audit_report_dir": str(tmp_path), "hubfix_accounts": accounts})
    assert result.rc != 0, result
    assert message in result.stdout, result
    assert simulator.calls() == []
    assert not report_file(tmp_path, "audit.json").exists()


@pytest.mark.slow(60)
def test_audit_of_an_organization_with_only_hubfix_organization(simulator, tmp_path):
    """AWS Organizations lists the accounts (units nested, an excluded one left out, the management account in); each is
    audited through its role, read-only. The exclusion comes as an AWX survey string."""
    units, ids = create_organization(
        simulator, {"prod": None, "prod-eu": "prod", "dev": None}, {"prod": "prod", "prod-eu": "prod-eu", "dev": "dev", "sandbox": "dev"}
    )
    prod = units["prod"]
    seeded = {account: seed_account(simulator, account) for account in (ACCOUNT_ID, ids["prod-eu"], ids["dev"], ids["sandbox"])}
    simulator.reset_recording()

    organization = {"role_name": "hubfix-remediation", "exclude_accounts": ids["sandbox"] + "\n"}
    result = run_playbook(
        "hubfix.aws.audit", simulator.env(), {"audit_regions": [REGION], "audit_report_dir": str(tmp_path), "hubfix_organization": json.dumps(organization)}
    )
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    report = json.loads(report_file(tmp_path, "audit.json").read_text())
    audited = sorted([ACCOUNT_ID, ids["prod"], ids["prod-eu"], ids["dev"]])
    assert report["accounts"] == audited
    assert {a["account_id"]: a["status"] for a in report["account_status"]} == dict.fromkeys(audited, "ok")
    pv_findings = {(f["account_id"], f["resource_id"]) for f in report["findings"] if f["control"] == "EC2.24"}
    assert pv_findings == {(account, seeded[account]["pv"]) for account in (ACCOUNT_ID, ids["prod-eu"], ids["dev"])}
    assert f"{ids['sandbox']}: excluded (exclude_accounts)" in result.stdout

    # Only some units (nested ones included), in check mode: the same accounts are found without ListAccounts.
    simulator.reset_recording()
    units = run_playbook(
        "hubfix.aws.audit",
        simulator.env(),
        {
            "audit_regions": [REGION],
            "audit_report_dir": str(tmp_path / "units"),
            "hubfix_organization": {"role_name": "hubfix-remediation", "include_ous": [prod]},
        },
        check=True,
    )
    assert units.rc == 0, units
    assert json.loads(report_file(tmp_path / "units", "audit.json").read_text())["accounts"] == sorted([ids["prod"], ids["prod-eu"]])
    operations = {c.operation for c in simulator.calls() if c.service == "organizations"}
    assert operations == {"DescribeOrganization", "ListAccountsForParent", "ListOrganizationalUnitsForParent"}

    # Both ways of naming accounts at once is refused before any AWS call.
    simulator.reset_recording()
    both = run_playbook("hubfix.aws.audit", simulator.env(), {"audit_regions": [REGION], "hubfix_organization": organization, "hubfix_accounts": ACCOUNTS[:1]})
    assert both.rc != 0 and "give hubfix_organization or hubfix_accounts, not both" in both.stdout, both
    assert simulator.calls() == []
