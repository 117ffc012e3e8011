"""hubfix.aws.paravirtual_instance_info and hubfix.aws.launch_config_imdsv2_info on the simulator's demo estate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import run_playbook
from tests.simulator.seed import seed

PLAYBOOKS = Path(__file__).parent / "playbooks"
PV = str(PLAYBOOKS / "detect_pv.yml")
LC = str(PLAYBOOKS / "detect_lc.yml")
REGIONS = ["us-east-1", "eu-west-1"]

PV_FAILING = {
    "us-east-1": {"pv-plain", "pv-data", "pv-stopped", "pv-ephemeral", "pv-asg-member", "pv-protected", "pv-tagged"},
    "eu-west-1": {"pv-eu"},
}
LC_FAILING = {
    ("us-east-1", "lc-tokens-optional"): ("http_tokens_optional", ["asg-web"]),
    ("us-east-1", "lc-no-metadata"): ("metadata_options_absent", ["asg-api"]),
    ("us-east-1", "lc-endpoint-disabled"): ("http_endpoint_disabled_tokens_optional", ["asg-legacy"]),
    ("us-east-1", "lc-full"): ("http_tokens_optional", ["asg-full"]),
    ("us-east-1", "lc-unused"): ("http_tokens_optional", []),
    ("eu-west-1", "lc-eu-optional"): ("http_tokens_optional", ["asg-eu"]),
}
LC_COMPLIANT = {("us-east-1", "lc-tokens-required"): ["asg-secure"], ("us-east-1", "lc-pv"): ["asg-pv"]}
GROUPS_ON_LC = {
    "asg-web": "lc-tokens-optional",
    "asg-api": "lc-no-metadata",
    "asg-secure": "lc-tokens-required",
    "asg-legacy": "lc-endpoint-disabled",
    "asg-full": "lc-full",
    "asg-pv": "lc-pv",
    "asg-eu": "lc-eu-optional",
}


def run(simulator, playbook, tmp_path, check=False, **extra):
    out = tmp_path / ("check.json" if check else "run.json")
    result = run_playbook(playbook, simulator.env(), extra_vars={"detect_output": str(out), **extra}, check=check)
    data = json.loads(out.read_text()) if out.exists() and result.rc == 0 else None
    return result, data


@pytest.fixture
def demo(simulator):
    estate = seed("demo", simulator.endpoint)
    simulator.reset_recording()
    return estate


# -- EC2.24 ---------------------------------------------------------------------------------------------


def test_paravirtual_instances_on_the_demo_estate(simulator, demo, tmp_path):
    result, data = run(simulator, PV, tmp_path, detect_regions=REGIONS)
    assert result.rc == 0, result
    counts, calls = simulator.call_counts(), simulator.calls()  # before this test's own boto3 calls
    assert data["changed"] is False
    assert data["account_id"] == demo["account_id"]

    by_name = {i["name"]: i for i in data["instances"]}
    assert {r: {i["name"] for i in data["instances"] if i["region"] == r} for r in REGIONS} == PV_FAILING
    for name, rec in by_name.items():
        assert rec["instance_id"] == demo["instances"][name]["id"]
        assert rec["virtualization_type"] == "paravirtual"
        assert rec["security_hub_evaluated"] is True
        assert rec["account_id"] == demo["account_id"]
    assert data["regions"] == [
        {"region": "us-east-1", "scanned": True, "failed": 7, "evaluated": 7, "error": None},
        {"region": "eu-west-1", "scanned": True, "failed": 1, "evaluated": 1, "error": None},
    ]

    # the record agrees with what EC2 itself says about the instance
    ec2 = simulator.client("ec2", "us-east-1")
    data_rec = by_name["pv-data"]
    described = ec2.describe_instances(InstanceIds=[data_rec["instance_id"]])["Reservations"][0]["Instances"][0]
    assert data_rec["instance_type"] == described["InstanceType"] == "m1.large"
    assert data_rec["subnet_id"] == described["SubnetId"]
    assert data_rec["security_group_ids"] == [demo["security_groups"]["demo-web"]["us-east-1"]]
    assert data_rec["tags"] == {"Name": "pv-data", "App": "billing", "Env": "prod", "Owner": "team-a"}
    volumes = {v["VolumeId"]: v for v in ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [data_rec["instance_id"]]}])["Volumes"]}
    assert [(v["device_name"], v["is_root"]) for v in data_rec["ebs_volumes"]] == [("/dev/sda1", True), ("/dev/sdf", False), ("/dev/sdg", False)]
    for v in data_rec["ebs_volumes"]:
        assert (v["size"], v["volume_type"], v["encrypted"]) == (
            volumes[v["volume_id"]]["Size"],
            volumes[v["volume_id"]]["VolumeType"],
            volumes[v["volume_id"]]["Encrypted"],
        )
    assert [(v["device_name"], v["size"], v["encrypted"]) for v in data_rec["ebs_volumes"][1:]] == [("/dev/sdf", 10, False), ("/dev/sdg", 20, True)]
    assert data_rec["ebs_volumes"][2]["kms_key_id"]
    eip = next(e for e in demo["elastic_ips"].values() if e["instance"] == "pv-data")
    assert [(e["allocation_id"], e["public_ip"]) for e in data_rec["elastic_ips"]] == [(eip["allocation_id"], eip["public_ip"])]
    assert data_rec["elastic_ips"][0]["association_id"].startswith("eipassoc-")
    assert data_rec["blockers"] == []

    assert [b["code"] for b in by_name["pv-protected"]["blockers"]] == ["termination_protection"]
    assert by_name["pv-protected"]["termination_protection"] is True
    assert [b["code"] for b in by_name["pv-asg-member"]["blockers"]] == ["autoscaling_group"]
    assert by_name["pv-asg-member"]["autoscaling_group_name"] == "asg-pv"
    # pv-ephemeral's AMI maps /dev/sdb -> ephemeral0: DescribeImages shows it (DescribeInstances does not), so it is blocked
    ephemeral = by_name["pv-ephemeral"]
    assert ephemeral["image_id"] == demo["images"]["pv_instance_store"]["us-east-1"]
    assert ephemeral["instance_store_devices"] == [{"device_name": "/dev/sdb", "virtual_name": "ephemeral0", "source": "image"}]
    assert [b["code"] for b in ephemeral["blockers"]] == ["instance_store_data"]
    assert "/dev/sdb (ephemeral0)" in ephemeral["blockers"][0]["message"]
    assert "instance_store_unverified" not in [w["code"] for w in ephemeral["warnings"]]
    assert by_name["pv-stopped"]["state"] == "stopped"
    assert by_name["pv-stopped"]["suggested_instance_type"] == "t3.micro"
    assert by_name["pv-plain"]["suggested_instance_type"] == "t3.small"
    assert by_name["pv-tagged"]["tags"] == {"Name": "pv-tagged", "CostCenter": "1234", "Team": "payments", "Backup": "daily"}
    assert [v["device_name"] for v in by_name["pv-eu"]["ebs_volumes"]] == ["/dev/sda1", "/dev/sdf"]
    for name in ("pv-plain", "pv-data", "pv-stopped", "pv-tagged", "pv-eu"):
        assert by_name[name]["blockers"] == [], name
        assert by_name[name]["owner"] is None

    # fewest calls: one DescribeInstances, DescribeVolumes, DescribeAddresses, DescribeImages per region,
    # one DescribeInstanceAttribute per PV instance, one STS call, one DescribeRegions; nothing mutating
    assert counts == {
        "ec2:DescribeRegions": 1,
        "sts:GetCallerIdentity": 1,
        "ec2:DescribeInstances": 2,
        "ec2:DescribeVolumes": 2,
        "ec2:DescribeAddresses": 2,
        "ec2:DescribeImages": 2,
        "ec2:DescribeInstanceAttribute": 8,
    }
    described = [c for c in calls if c.operation == "DescribeInstances"]
    assert {c.region for c in described} == set(REGIONS)
    assert all(c.param("MaxResults") == "1000" and c.param("Filter.1.Name") == "virtualization-type" for c in described)
    assert [c for c in calls if c.mutating] == []


def test_paravirtual_check_mode_is_identical_and_read_only(simulator, demo, tmp_path):
    _unused, normal = run(simulator, PV, tmp_path, detect_regions=REGIONS)
    simulator.reset_recording()
    result, checked = run(simulator, PV, tmp_path, check=True, detect_regions=REGIONS)
    assert result.rc == 0, result
    assert checked == normal
    assert simulator.mutating_calls() == []
    assert result.changed == 0


def test_paravirtual_default_region_instance_ids_and_filters(simulator, demo, tmp_path):
    ids = [demo["instances"]["pv-plain"]["id"], demo["instances"]["hvm-web-1"]["id"]]
    result, data = run(simulator, PV, tmp_path, detect_instance_ids=ids)
    assert result.rc == 0, result
    assert [i["name"] for i in data["instances"]] == ["pv-plain"]  # the HVM one passes the control
    assert [r["region"] for r in data["regions"]] == ["us-east-1"]  # the connection's region

    result, data = run(simulator, PV, tmp_path, detect_regions=REGIONS, detect_filters={"instance-state-name": "stopped"})
    assert result.rc == 0, result
    assert [i["name"] for i in data["instances"]] == ["pv-stopped"]

    result, data = run(simulator, PV, tmp_path, detect_filters={"tag:App": "billing"})
    assert [i["name"] for i in data["instances"]] == ["pv-data"]


def test_one_region_failing_is_reported_and_the_other_still_scanned(simulator, demo, tmp_path):
    simulator.inject_fault(
        service="ec2",
        operation="DescribeInstances",
        error_code="AuthFailure",
        message="AWS was not able to validate the provided access credentials",
        status=401,
        times=1,
    )
    result, data = run(simulator, PV, tmp_path, detect_regions=REGIONS)
    assert result.rc == 0, result
    failed = [r for r in data["regions"] if r["error"]]
    ok = [r for r in data["regions"] if not r["error"]]
    assert len(failed) == 1 and len(ok) == 1
    assert failed[0]["scanned"] is False
    assert failed[0]["error"].startswith("AWS rejected the credentials in region %s" % failed[0]["region"])
    assert {i["name"] for i in data["instances"]} == PV_FAILING[ok[0]["region"]]


def test_every_region_failing_fails_the_module(simulator, tmp_path):
    simulator.inject_fault(service="ec2", operation="DescribeInstances", error_code="UnauthorizedOperation", message="You are not authorized", status=403)
    result, _unused = run(simulator, PV, tmp_path, detect_regions=REGIONS)
    assert result.rc != 0
    assert "every region failed" in result.stdout
    assert "access denied in region us-east-1" in result.stdout and "access denied in region eu-west-1" in result.stdout


def test_rejected_credentials_are_named(simulator, tmp_path):
    simulator.inject_fault(
        service="sts",
        operation="GetCallerIdentity",
        error_code="InvalidClientTokenId",
        message="The security token included in the request is invalid.",
        status=403,
    )
    result, _unused = run(simulator, LC, tmp_path)
    assert result.rc != 0
    assert "AWS rejected the credentials in region us-east-1" in result.stdout
    assert "InvalidClientTokenId" in result.stdout


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"detect_regions": ["us-east-1", "eu-middle-7"]}, "unknown region name(s): eu-middle-7"),
        ({"detect_regions": ["US_EAST_1"]}, "unknown region name(s): US_EAST_1"),
        ({"detect_instance_ids": ["i-0123456789abcdef0", "i-12345"]}, "malformed instance id(s): i-12345"),
        (
            {"detect_instance_ids": ["i-0123456789abcdef0"], "detect_regions": REGIONS},
            "instance id(s) not found in region(s) us-east-1, eu-west-1: i-0123456789abcdef0",
        ),
        ({"detect_filters": {"virtualization-type": "hvm"}}, "virtualization-type cannot be set"),
    ],
)
def test_paravirtual_bad_input(simulator, tmp_path, extra, message):
    result, _unused = run(simulator, PV, tmp_path, **extra)
    assert result.rc != 0
    assert message in result.stdout, result
    assert simulator.mutating_calls() == []


def test_regions_all_scans_every_enabled_region(simulator, demo, tmp_path):
    result, data = run(simulator, PV, tmp_path, detect_regions="all")
    assert result.rc == 0, result
    enabled = sorted(r["RegionName"] for r in simulator.client("ec2").describe_regions(AllRegions=True)["Regions"] if r.get("OptInStatus") != "not-opted-in")
    assert [r["region"] for r in data["regions"]] == enabled
    assert {r["region"]: r["failed"] for r in data["regions"] if r["failed"]} == {"us-east-1": 7, "eu-west-1": 1}
    assert {i["name"] for i in data["instances"]} == PV_FAILING["us-east-1"] | PV_FAILING["eu-west-1"]


# -- AutoScaling.3 / AutoScaling.9 -------------------------------------------------------------------------


def test_launch_configurations_on_the_demo_estate(simulator, demo, tmp_path):
    result, data = run(simulator, LC, tmp_path, detect_regions=REGIONS)
    assert result.rc == 0, result
    counts = simulator.call_counts()  # before this test's own boto3 calls
    assert data["changed"] is False
    got = {(lc["region"], lc["name"]): (lc["reason"], lc["autoscaling_groups"]) for lc in data["launch_configurations"]}
    assert got == LC_FAILING
    assert all(lc["compliant"] is False and lc["account_id"] == demo["account_id"] for lc in data["launch_configurations"])

    asg = simulator.client("autoscaling", "us-east-1")
    described = asg.describe_launch_configurations(LaunchConfigurationNames=["lc-full"])["LaunchConfigurations"][0]
    lc_full = next(lc for lc in data["launch_configurations"] if lc["name"] == "lc-full")
    assert lc_full["arn"] == described["LaunchConfigurationARN"]
    expected_mo = {"HttpTokens": "http_tokens", "HttpEndpoint": "http_endpoint", "HttpPutResponseHopLimit": "http_put_response_hop_limit"}
    assert lc_full["metadata_options"] == {expected_mo[k]: v for k, v in described["MetadataOptions"].items()}
    assert lc_full["metadata_options"]["http_put_response_hop_limit"] == 3
    assert (lc_full["image_id"], lc_full["instance_type"]) == (described["ImageId"], described["InstanceType"])
    assert next(lc for lc in data["launch_configurations"] if lc["name"] == "lc-no-metadata")["metadata_options"] is None

    groups = {g["name"]: g for g in data["autoscaling_groups_on_launch_configurations"]}
    assert {n: g["launch_configuration_name"] for n, g in groups.items()} == GROUPS_ON_LC  # not asg-template (launch template)
    for name, g in groups.items():
        region = demo["groups"][name]
        real = simulator.client("autoscaling", region).describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        assert g["region"] == region
        assert g["desired_capacity"] == real["DesiredCapacity"]
        assert g["instances"] == sorted(i["InstanceId"] for i in real["Instances"])
    assert groups["asg-web"]["desired_capacity"] == 2 and len(groups["asg-web"]["instances"]) == 2

    assert data["regions"] == [
        {"region": "us-east-1", "scanned": True, "failed": 5, "evaluated": 7, "error": None},
        {"region": "eu-west-1", "scanned": True, "failed": 1, "evaluated": 1, "error": None},
    ]
    assert counts == {
        "ec2:DescribeRegions": 1,
        "sts:GetCallerIdentity": 1,
        "autoscaling:DescribeLaunchConfigurations": 2,
        "autoscaling:DescribeAutoScalingGroups": 2,
        # launch configurations carry no tags: one ListStacks per region with failing ones finds those a stack owns
        "cloudformation:ListStacks": 2,
    }


def test_launch_configurations_all_and_check_mode(simulator, demo, tmp_path):
    _unused, normal = run(simulator, LC, tmp_path, detect_regions=REGIONS, detect_only_failed=False)
    simulator.reset_recording()
    result, checked = run(simulator, LC, tmp_path, check=True, detect_regions=REGIONS, detect_only_failed=False)
    assert result.rc == 0, result
    assert checked == normal
    assert simulator.mutating_calls() == []
    got = {(lc["region"], lc["name"]): lc for lc in normal["launch_configurations"]}
    assert set(got) == set(LC_FAILING) | set(LC_COMPLIANT)
    for key, groups in LC_COMPLIANT.items():
        assert (got[key]["compliant"], got[key]["reason"], got[key]["autoscaling_groups"]) == (True, None, groups)


def test_launch_configurations_by_name(simulator, demo, tmp_path):
    result, data = run(simulator, LC, tmp_path, detect_regions=REGIONS, detect_names=["lc-unused", "lc-eu-optional", "lc-tokens-required"])
    assert result.rc == 0, result
    assert [(lc["region"], lc["name"]) for lc in data["launch_configurations"]] == [("us-east-1", "lc-unused"), ("eu-west-1", "lc-eu-optional")]
    assert [g["name"] for g in data["autoscaling_groups_on_launch_configurations"]] == ["asg-secure", "asg-eu"]
    names_passed = [c.param("LaunchConfigurationNames.member.1") for c in simulator.calls() if c.operation == "DescribeLaunchConfigurations"]
    assert all(names_passed), "names must be passed to the API"


def test_launch_configurations_unknown_name(simulator, demo, tmp_path):
    result, _unused = run(simulator, LC, tmp_path, detect_regions=REGIONS, detect_names=["lc-unused", "lc-nope"])
    assert result.rc != 0
    assert "launch configuration(s) not found in region(s) us-east-1, eu-west-1: lc-nope" in result.stdout


def test_launch_configurations_unknown_region(simulator, tmp_path):
    result, _unused = run(simulator, LC, tmp_path, detect_regions=["eu-west-1", "moon-base-1"])
    assert result.rc != 0
    assert "unknown region name(s): moon-base-1" in result.stdout
