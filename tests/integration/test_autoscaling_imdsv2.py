"""AutoScaling.3 remediation (role hubfix.aws.autoscaling_imdsv2, playbook remediate_autoscaling_3.yml) on the demo estate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.harness import report_file, run_playbook
from tests.simulator.seed import seed

PLAYBOOK = "hubfix.aws.remediate_autoscaling_3"
AUDIT = str(Path(__file__).parent / "playbooks" / "asg_audit_lc.yml")
REGIONS = ["us-east-1", "eu-west-1"]
HANDLED = {
    ("us-east-1", "lc-tokens-optional"): ["asg-web"],
    ("us-east-1", "lc-no-metadata"): ["asg-api"],
    ("us-east-1", "lc-endpoint-disabled"): ["asg-legacy"],
    ("us-east-1", "lc-full"): ["asg-full"],
    ("eu-west-1", "lc-eu-optional"): ["asg-eu"],
}
UNTOUCHED_LCS = {"lc-tokens-required", "lc-pv", "lc-unused"}
GROUP_FIELDS = ("MinSize", "MaxSize", "DesiredCapacity", "AvailabilityZones", "VPCZoneIdentifier", "HealthCheckType", "HealthCheckGracePeriod", "Tags")


@pytest.fixture
def estate(simulator):
    return seed("demo", simulator.endpoint)


@pytest.fixture
def dirs(tmp_path):
    return {"autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"), "autoscaling_imdsv2_report_dir": str(tmp_path / "reports")}


def remediate(simulator, dirs, check=False, diff=False, **extra):
    # retirement right after the switch (the pre-0.3.0 behaviour): proof before retirement is test_autoscaling_owners'
    extra_vars = {
        "autoscaling_imdsv2_regions": REGIONS,
        "autoscaling_imdsv2_refresh_poll_interval": 0,
        "autoscaling_imdsv2_delete_launch_configurations": "immediately",
    }
    extra_vars.update(dirs)
    extra_vars.update(extra)
    return run_playbook(PLAYBOOK, simulator.env(), extra_vars, check=check, diff=diff)


def report(dirs):
    return json.loads(report_file(Path(dirs["autoscaling_imdsv2_report_dir"]), "autoscaling_imdsv2.json").read_text())


def groups(simulator, region):
    out = simulator.client("autoscaling", region).describe_auto_scaling_groups()["AutoScalingGroups"]
    return {g["AutoScalingGroupName"]: g for g in out}


def launch_configurations(simulator, region):
    return {lc["LaunchConfigurationName"] for lc in simulator.client("autoscaling", region).describe_launch_configurations()["LaunchConfigurations"]}


def template_data(simulator, region, name):
    ec2 = simulator.client("ec2", region)
    version = ec2.describe_launch_template_versions(LaunchTemplateName=name, Versions=["$Default"])["LaunchTemplateVersions"][0]
    return version["VersionNumber"], version["LaunchTemplateData"]


def template_names(simulator, region):
    return {t["LaunchTemplateName"] for t in simulator.client("ec2", region).describe_launch_templates()["LaunchTemplates"]}


def security_group_id(simulator, region, name):
    sgs = simulator.client("ec2", region).describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    return sgs[0]["GroupId"]


@pytest.mark.slow
def test_check_mode_then_remediation_then_idempotent(simulator, estate, dirs, tmp_path):
    before_groups = {region: groups(simulator, region) for region in REGIONS}
    full_lc = simulator.client("autoscaling").describe_launch_configurations(LaunchConfigurationNames=["lc-full"])["LaunchConfigurations"][0]

    # --check --diff: no mutating call, and the diff names everything the real run changes.
    simulator.reset_recording()
    dry = remediate(simulator, dirs, check=True, diff=True)
    assert dry.rc == 0, dry
    assert simulator.mutating_calls() == []
    for (region, lc_name), group_names in HANDLED.items():
        assert f"launch template {lc_name} ({region}): absent" in dry.stdout, lc_name
        assert f"launch configuration {lc_name} ({region}): deleted" in dry.stdout, lc_name
        for group in group_names:
            assert f"Auto Scaling group {group} ({region})" in dry.stdout, group
    assert "lc-unused (us-east-1): deleted" not in dry.stdout
    assert not Path(dirs["autoscaling_imdsv2_backup_dir"]).exists()
    assert report(dirs)["check_mode"] is True
    assert full_lc["UserData"] not in dry.stdout

    real = remediate(simulator, dirs, diff=True)
    assert real.rc == 0, real
    assert full_lc["UserData"] not in real.stdout

    for region in REGIONS:
        after = groups(simulator, region)
        lcs = launch_configurations(simulator, region)
        for (lc_region, lc_name), group_names in HANDLED.items():
            if lc_region != region:
                continue
            assert lc_name not in lcs
            number, data = template_data(simulator, region, lc_name)
            assert data["MetadataOptions"]["HttpTokens"] == "required"
            for group in group_names:
                g = after[group]
                assert "LaunchConfigurationName" not in g
                assert g["LaunchTemplate"]["LaunchTemplateName"] == lc_name
                assert g["LaunchTemplate"]["Version"] == str(number)  # pinned to the number, not $Default
                for field in GROUP_FIELDS:  # nothing else about the group changed
                    assert g.get(field) == before_groups[region][group].get(field), (group, field)
            backup = Path(dirs["autoscaling_imdsv2_backup_dir"]) / "123456789012" / region / f"{lc_name}.json"
            saved = json.loads(backup.read_text())
            assert saved["launch_configuration"]["LaunchConfigurationName"] == lc_name
            assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert UNTOUCHED_LCS <= launch_configurations(simulator, "us-east-1")
    assert groups(simulator, "us-east-1")["asg-secure"]["LaunchConfigurationName"] == "lc-tokens-required"
    assert template_names(simulator, "us-east-1") == {"lt-imdsv2", "lc-tokens-optional", "lc-no-metadata", "lc-endpoint-disabled", "lc-full"}

    # Field by field.
    _unused, legacy = template_data(simulator, "us-east-1", "lc-endpoint-disabled")
    assert legacy["MetadataOptions"] == {"HttpTokens": "required", "HttpEndpoint": "disabled", "HttpPutResponseHopLimit": 1}
    _unused, api = template_data(simulator, "us-east-1", "lc-no-metadata")
    assert api["MetadataOptions"] == {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
    _unused, full = template_data(simulator, "us-east-1", "lc-full")
    web_sg = security_group_id(simulator, "us-east-1", "demo-web")
    assert full["MetadataOptions"] == {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 3}
    assert full["ImageId"] == full_lc["ImageId"] and full["InstanceType"] == full_lc["InstanceType"]
    assert full["KeyName"] == "demo-key"
    assert full["UserData"] == full_lc["UserData"]
    assert full["IamInstanceProfile"] == {"Name": full_lc["IamInstanceProfile"]}
    assert full["NetworkInterfaces"] == [{"AssociatePublicIpAddress": False, "DeleteOnTermination": True, "DeviceIndex": 0, "Groups": [web_sg]}]
    assert "SecurityGroupIds" not in full
    assert full["Monitoring"] == {"Enabled": False}
    assert full["InstanceMarketOptions"] == {"MarketType": "spot", "SpotOptions": {"MaxPrice": "0.05"}}
    assert full["EbsOptimized"] is True
    assert full["Placement"] == {"Tenancy": "default"}
    devices = {m["DeviceName"]: m for m in full["BlockDeviceMappings"]}
    assert devices["/dev/xvda"]["Ebs"] == {"VolumeSize": 30, "VolumeType": "gp3", "Iops": 3000, "Throughput": 125, "DeleteOnTermination": True}
    source_sdf = next(m for m in full_lc["BlockDeviceMappings"] if m["DeviceName"] == "/dev/sdf")["Ebs"]
    assert devices["/dev/sdf"]["Ebs"]["SnapshotId"] == source_sdf["SnapshotId"]
    assert devices["/dev/sdf"]["Ebs"]["Encrypted"] is True
    assert devices["/dev/sdb"] == {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}
    assert devices["/dev/sdc"] == {"DeviceName": "/dev/sdc", "NoDevice": ""}

    # The report says what happened, and that lc-unused keeps its finding open.
    result = report(dirs)
    by_lc = {(lc["region"], lc["name"]): lc for lc in result["launch_configurations"]}
    assert all(by_lc[key]["deleted"] for key in HANDLED)
    assert by_lc[("us-east-1", "lc-unused")]["deleted"] is False
    assert "delete_unused" in by_lc[("us-east-1", "lc-unused")]["kept_because"]
    assert {g["name"] for g in result["groups"] if g["status"] == "migrated"} == {g for names in HANDLED.values() for g in names}
    markdown = report_file(Path(dirs["autoscaling_imdsv2_report_dir"]), "autoscaling_imdsv2.md").read_text()
    assert "finding stays open" in markdown and "lc-unused" in markdown

    # The audit: no AutoScaling.3 / AutoScaling.9 failure left for the handled resources.
    audit_file = tmp_path / "audit.json"
    audit = run_playbook(AUDIT, simulator.env(), {"asg_regions": REGIONS, "asg_output": str(audit_file)})
    assert audit.rc == 0, audit
    audited = json.loads(audit_file.read_text())
    failing = {(lc["region"], lc["name"]) for lc in audited["launch_configurations"]}
    assert failing == {("us-east-1", "lc-unused")}
    on_lc = {g["name"] for g in audited["autoscaling_groups_on_launch_configurations"]}
    assert not on_lc & {g for names in HANDLED.values() for g in names}

    # Second run: nothing to change, no new template version.
    again = remediate(simulator, dirs)
    assert again.rc == 0, again
    assert again.changed == 0, again
    assert template_data(simulator, "us-east-1", "lc-full")[0] == 1


def test_instance_refresh_gives_instances_imdsv2(simulator, estate, dirs):
    old = [i["InstanceId"] for i in groups(simulator, "us-east-1")["asg-web"]["Instances"]]
    assert len(old) == 2
    result = remediate(simulator, dirs, autoscaling_imdsv2_group_names=["asg-web"], autoscaling_imdsv2_instance_refresh=True)
    assert result.rc == 0, result
    assert re.search(r"asg-web: instance refresh \S+ Successful", result.stdout), result
    group = groups(simulator, "us-east-1")["asg-web"]
    new = [i["InstanceId"] for i in group["Instances"]]
    assert len(new) == 2 and not set(new) & set(old)
    reservations = simulator.client("ec2").describe_instances(InstanceIds=new)["Reservations"]
    for instance in (i for r in reservations for i in r["Instances"]):
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
    assert "lc-tokens-optional" not in launch_configurations(simulator, "us-east-1")
    # Only asg-web was in scope.
    assert groups(simulator, "us-east-1")["asg-api"]["LaunchConfigurationName"] == "lc-no-metadata"
    # the same job again: asg-web is on the template hubfix made for it, so there is nothing to do
    again = remediate(simulator, dirs, autoscaling_imdsv2_group_names=["asg-web"], autoscaling_imdsv2_instance_refresh=True)
    assert again.rc == 0 and again.changed == 0, again


def test_failed_refresh_rolls_back_that_group_and_others_complete(simulator, estate, dirs):
    # Failure injected through AWS state: the image of asg-eu's configuration is gone, so its instance refresh fails.
    eu_image = simulator.client("autoscaling", "eu-west-1").describe_launch_configurations(LaunchConfigurationNames=["lc-eu-optional"])["LaunchConfigurations"][
        0
    ]["ImageId"]
    simulator.client("ec2", "eu-west-1").deregister_image(ImageId=eu_image)
    result = remediate(simulator, dirs, autoscaling_imdsv2_instance_refresh=True, autoscaling_imdsv2_group_names=["asg-eu", "asg-web"])
    assert result.rc != 0, result
    assert "1 group(s) failed and were rolled back: asg-eu" in result.stdout, result
    eu = groups(simulator, "eu-west-1")["asg-eu"]
    assert eu["LaunchConfigurationName"] == "lc-eu-optional" and "LaunchTemplate" not in eu
    assert "lc-eu-optional" in launch_configurations(simulator, "eu-west-1")
    us = groups(simulator, "us-east-1")
    assert "LaunchConfigurationName" not in us["asg-web"] and us["asg-web"]["LaunchTemplate"]["LaunchTemplateName"] == "lc-tokens-optional"
    assert us["asg-api"]["LaunchConfigurationName"] == "lc-no-metadata"  # not in scope
    failed = [g for g in report(dirs)["groups"] if g["status"] == "failed_rolled_back"]
    assert [g["name"] for g in failed] == ["asg-eu"]
    assert "ended RollbackSuccessful" in failed[0]["message"] and "back on launch configuration lc-eu-optional" in failed[0]["message"]
    lc = next(x for x in report(dirs)["launch_configurations"] if x["name"] == "lc-eu-optional")
    assert lc["deleted"] is False and lc["backup_file"]


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"autoscaling_imdsv2_launch_configuration_names": ["lc-nope"]}, "launch configuration(s) not found in region(s) us-east-1, eu-west-1: lc-nope"),
        ({"autoscaling_imdsv2_group_names": ["asg-nope"]}, "Auto Scaling group(s) not found in region(s) us-east-1, eu-west-1: asg-nope"),
        ({"autoscaling_imdsv2_group_names": ["asg-template"]}, "Auto Scaling group asg-template already uses launch template lt-imdsv2"),
        ({"autoscaling_imdsv2_group_names": ["asg-mixed", "asg-web"]}, "Auto Scaling group asg-mixed uses a mixed instances policy"),
    ],
)
def test_bad_input_changes_nothing(simulator, estate, dirs, extra, message):
    if "asg-mixed" in extra.get("autoscaling_imdsv2_group_names", []):
        template = simulator.client("ec2").describe_launch_templates(LaunchTemplateNames=["lt-imdsv2"])["LaunchTemplates"][0]
        simulator.client("autoscaling").create_auto_scaling_group(
            AutoScalingGroupName="asg-mixed",
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=0,
            AvailabilityZones=["us-east-1a"],
            MixedInstancesPolicy={
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": {"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
                    "Overrides": [{"InstanceType": "t3.micro"}],
                }
            },
        )
    simulator.reset_recording()
    result = remediate(simulator, dirs, **extra)
    assert result.rc != 0, result
    assert message in result.stdout, result
    assert simulator.mutating_calls() == []
    assert not Path(dirs["autoscaling_imdsv2_backup_dir"]).exists()


def test_a_group_on_a_paravirtual_image_gets_the_mapped_hvm_image(simulator, estate, dirs):
    """asg-pv's launch configuration (lc-pv: IMDSv2 already required, only AutoScaling.9 fails) launches the paravirtual
    m1.small image: converted as it is, its groups would keep launching EC2.24 failures - the plan says so; with
    pv_to_hvm_image_map its template launches the HVM image as t3.small."""
    pv, hvm = estate["images"]["pv"]["us-east-1"], estate["images"]["hvm"]["us-east-1"]
    scope = {"autoscaling_imdsv2_regions": ["us-east-1"], "autoscaling_imdsv2_group_names": ["asg-pv"]}
    simulator.reset_recording()
    result = remediate(simulator, dirs, check=True, **scope)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    (lc,) = [lc for lc in report(dirs)["launch_configurations"] if lc["name"] == "lc-pv"]
    assert lc["paravirtual_image"]["image_id"] == pv and lc["paravirtual_image"]["target_image_id"] is None
    assert "keep launching instances that fail EC2.24" in lc["paravirtual_image"]["message"]
    md = report_file(Path(dirs["autoscaling_imdsv2_report_dir"]), "autoscaling_imdsv2.md").read_text()
    assert "**EC2.24**: launch configuration lc-pv launches the paravirtual image" in md

    result = remediate(simulator, dirs, pv_to_hvm_image_map=json.dumps({pv: hvm}), **scope)  # a survey's JSON text
    assert result.rc == 0, result
    group = groups(simulator, "us-east-1")["asg-pv"]
    name = group["LaunchTemplate"]["LaunchTemplateName"]
    _version, data = template_data(simulator, "us-east-1", name)
    assert (data["ImageId"], data["InstanceType"], data["MetadataOptions"]["HttpTokens"]) == (hvm, "t3.small", "required")
    assert "KernelId" not in data
    assert "lc-pv" not in launch_configurations(simulator, "us-east-1")

    result = remediate(simulator, dirs, pv_to_hvm_image_map=json.dumps({pv: hvm}), **scope)
    assert result.rc == 0 and result.changed == 0, result
