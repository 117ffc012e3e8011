"""The demo estate (``tests.simulator.seed``) is a contract other tests build on: check it on the real simulator server."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from tests.simulator import ACCOUNT_ID, REPO_ROOT
from tests.simulator.seed import DEMO_USER_DATA, UnknownEstate, seed

US, EU = "us-east-1", "eu-west-1"
PV_US = {"pv-plain", "pv-data", "pv-stopped", "pv-ephemeral", "pv-asg-member", "pv-protected", "pv-tagged"}
AS3_FAILING = {US: {"lc-tokens-optional", "lc-no-metadata", "lc-endpoint-disabled", "lc-full", "lc-unused"}, EU: {"lc-eu-optional"}}


@pytest.fixture(scope="module")
def demo(simulator_server):
    """Seed once for this module; the tests below only read."""
    simulator_server.reset()
    created = seed("demo", simulator_server.endpoint)
    yield simulator_server, created
    simulator_server.reset()


def _tags(resource) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def _instances(sim, region) -> dict[str, dict]:
    """Non-terminated instances by Name tag (group members share their group's name, so they are listed by id too)."""
    out = {}
    for page in sim.client("ec2", region).get_paginator("describe_instances").paginate():
        for res in page["Reservations"]:
            for inst in res["Instances"]:
                if inst["State"]["Name"] != "terminated":
                    out.setdefault(_tags(inst).get("Name", inst["InstanceId"]), []).append(inst)
    return out


def _findings(sim, region, **filters) -> list[dict]:
    flt = {k: [{"Value": v, "Comparison": "EQUALS"}] for k, v in filters.items()}
    pages = sim.client("securityhub", region).get_paginator("get_findings").paginate(Filters=flt)
    return [f for page in pages for f in page["Findings"]]


def test_returned_dict_is_json_and_names_every_role(demo):
    _unused, created = demo
    json.dumps(created)
    assert created["account_id"] == ACCOUNT_ID
    assert created["regions"] == [US, EU]
    assert set(created["instances"]) == PV_US | {"hvm-web-1", "hvm-web-2", "pv-eu", "hvm-eu"}
    assert created["launch_configurations"] == {
        **{n: US for n in ("lc-tokens-optional", "lc-no-metadata", "lc-tokens-required", "lc-endpoint-disabled", "lc-full", "lc-unused", "lc-pv")},
        "lc-eu-optional": EU,
    }
    assert created["groups"] == {
        **{n: US for n in ("asg-web", "asg-api", "asg-secure", "asg-legacy", "asg-full", "asg-pv", "asg-template")},
        "asg-eu": EU,
    }
    assert set(created["launch_templates"]) == {"lt-imdsv2"}
    pv_instance_store = created["images"]["pv_instance_store"]  # registered by the seed: its id is not known in advance
    assert list(pv_instance_store) == [US] and pv_instance_store[US].startswith("ami-")
    assert {k: v for k, v in created["images"].items() if k != "pv_instance_store"} == {
        "pv": {US: "ami-8104a4f8", EU: "ami-8104a4f8"},
        "hvm": {US: "ami-760aaa0f", EU: "ami-760aaa0f"},
    }
    assert len(created["findings"]) == len(set(created["findings"])) == 7 + 1 + 5 + 1 + 1


def test_instances_pv_and_hvm_per_region(demo):
    sim, created = demo
    us, eu = _instances(sim, US), _instances(sim, EU)
    for name in PV_US | {"hvm-web-1", "hvm-web-2"}:
        assert len(us[name]) == 1 and us[name][0]["InstanceId"] == created["instances"][name]["id"]
    pv_us = {n for n, insts in us.items() for i in insts if i["VirtualizationType"] == "paravirtual"}
    assert pv_us == PV_US
    pv_eu = {n for n, insts in eu.items() for i in insts if i["VirtualizationType"] == "paravirtual"}
    assert pv_eu == {"pv-eu"}
    assert eu["hvm-eu"][0]["VirtualizationType"] == "hvm" and eu["hvm-eu"][0]["InstanceType"] == "t3.micro"
    # group members (2 asg-web, asg-api, asg-secure, asg-template, pv-asg-member) + 8 named us-east-1 instances
    assert sum(len(v) for v in us.values()) == 8 + 2 + 1 + 1 + 1 + 1
    assert sum(len(v) for v in eu.values()) == 2 + 1
    expected = {"pv-plain": "m1.small", "pv-data": "m1.large", "pv-stopped": "t1.micro", "pv-ephemeral": "m1.small", "pv-asg-member": "m1.small",
                "pv-protected": "m1.small", "pv-tagged": "m1.medium", "hvm-web-1": "t3.micro", "hvm-web-2": "t3.micro"}  # fmt: skip
    assert {n: us[n][0]["InstanceType"] for n in expected} == expected
    states = {n: us[n][0]["State"]["Name"] for n in expected}
    assert states.pop("pv-stopped") == "stopped" and set(states.values()) == {"running"}
    assert _tags(us["pv-tagged"][0]) == {"Name": "pv-tagged", "CostCenter": "1234", "Team": "payments", "Backup": "daily"}
    assert _tags(us["pv-data"][0]) == {"Name": "pv-data", "App": "billing", "Env": "prod", "Owner": "team-a"}
    assert _tags(us["pv-asg-member"][0])["aws:autoscaling:groupName"] == "asg-pv"
    sg = created["security_groups"]["demo-web"][US]
    assert [g["GroupId"] for g in us["pv-plain"][0]["SecurityGroups"]] == [sg]
    # what an EC2.24 replacement must carry over: SourceDestCheck off (as on a NAT instance), a placement group
    assert us["pv-plain"][0]["SourceDestCheck"] is False and us["pv-data"][0]["SourceDestCheck"] is True
    assert us["pv-tagged"][0]["Placement"]["GroupName"] == "demo-spread" and not us["pv-data"][0]["Placement"].get("GroupName")


def test_pv_ephemeral_gets_instance_store_from_its_ami(demo):
    # AWS shows instance store only in the AMI's block device mapping (DescribeImages), never in DescribeInstances.
    sim, created = demo
    ec2 = sim.client("ec2", US)
    image_id = created["images"]["pv_instance_store"][US]
    snap = created["snapshots"]["demo-pv-with-instance-store-root"]["id"]
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert (image["Name"], image["VirtualizationType"], image["Architecture"], image["RootDeviceName"], image["RootDeviceType"]) == (
        "demo-pv-with-instance-store",
        "paravirtual",
        "x86_64",
        "/dev/sda1",
        "ebs",
    )
    assert _tags(image) == {"Name": "demo-pv-with-instance-store"}
    bdm = {m["DeviceName"]: m for m in image["BlockDeviceMappings"]}
    assert set(bdm) == {"/dev/sda1", "/dev/sdb"}
    assert bdm["/dev/sda1"]["Ebs"]["SnapshotId"] == snap and bdm["/dev/sda1"]["Ebs"]["VolumeSize"] == 8
    assert bdm["/dev/sdb"] == {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}

    inst = ec2.describe_instances(InstanceIds=[created["instances"]["pv-ephemeral"]["id"]])["Reservations"][0]["Instances"][0]
    assert (inst["ImageId"], inst["InstanceType"], inst["VirtualizationType"]) == (image_id, "m1.small", "paravirtual")
    assert [m["DeviceName"] for m in inst["BlockDeviceMappings"]] == ["/dev/sda1"]  # the instance-store volume is not listed
    (root,) = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [inst["InstanceId"]]}])["Volumes"]
    assert root["SnapshotId"] == snap and root["VolumeId"] == created["volumes"]["pv-ephemeral-root"]["id"]


def test_termination_protection_volumes_and_elastic_ip(demo):
    sim, created = demo
    ec2 = sim.client("ec2", US)
    ids = {n: v["id"] for n, v in created["instances"].items()}
    prot = ec2.describe_instance_attribute(InstanceId=ids["pv-protected"], Attribute="disableApiTermination")
    plain = ec2.describe_instance_attribute(InstanceId=ids["pv-plain"], Attribute="disableApiTermination")
    assert prot["DisableApiTermination"]["Value"] is True and plain["DisableApiTermination"]["Value"] is False

    vols = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [ids["pv-data"]]}])["Volumes"]
    by_dev = {v["Attachments"][0]["Device"]: v for v in vols}
    assert set(by_dev) == {"/dev/sda1", "/dev/sdf", "/dev/sdg"}
    assert (by_dev["/dev/sdf"]["Size"], by_dev["/dev/sdf"]["VolumeType"], by_dev["/dev/sdf"]["Encrypted"]) == (10, "gp3", False)
    assert (by_dev["/dev/sdg"]["Size"], by_dev["/dev/sdg"]["VolumeType"], by_dev["/dev/sdg"]["Encrypted"]) == (20, "gp2", True)
    assert _tags(by_dev["/dev/sdf"])["Name"] == "pv-data-sdf"

    eu_vols = sim.client("ec2", EU).describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [created["instances"]["pv-eu"]["id"]]}])["Volumes"]
    assert sorted(v["Attachments"][0]["Device"] for v in eu_vols) == ["/dev/sda1", "/dev/sdf"]

    (addr,) = ec2.describe_addresses()["Addresses"]
    assert addr["InstanceId"] == ids["pv-data"] and addr["AllocationId"] == created["elastic_ips"]["pv-data-eip"]["id"]
    assert _tags(addr)["Name"] == "pv-data-eip"


def test_launch_configuration_metadata_options_shapes(demo):
    sim, _unused = demo
    lcs = {lc["LaunchConfigurationName"]: lc for lc in sim.client("autoscaling", US).describe_launch_configurations()["LaunchConfigurations"]}
    assert len(lcs) == 7
    md = {n: lc.get("MetadataOptions") for n, lc in lcs.items()}
    assert md["lc-tokens-optional"] == {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
    assert md["lc-no-metadata"] is None
    assert md["lc-tokens-required"]["HttpTokens"] == "required"
    assert md["lc-endpoint-disabled"] == {"HttpTokens": "optional", "HttpEndpoint": "disabled"}
    assert md["lc-full"] == {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 3}
    assert md["lc-unused"] == {"HttpTokens": "optional"}
    assert md["lc-pv"]["HttpTokens"] == "required" and lcs["lc-pv"]["ImageId"] == "ami-8104a4f8" and lcs["lc-pv"]["InstanceType"] == "m1.small"
    failing = {n for n, m in md.items() if not m or m.get("HttpTokens") != "required"}
    assert failing == AS3_FAILING[US]
    (eu,) = sim.client("autoscaling", EU).describe_launch_configurations()["LaunchConfigurations"]
    assert eu["LaunchConfigurationName"] == "lc-eu-optional" and eu["MetadataOptions"]["HttpTokens"] == "optional"


def test_lc_full_carries_every_field(demo):
    sim, created = demo
    (lc,) = sim.client("autoscaling", US).describe_launch_configurations(LaunchConfigurationNames=["lc-full"])["LaunchConfigurations"]
    assert base64.b64decode(lc["UserData"]).decode() == DEMO_USER_DATA
    assert lc["SpotPrice"] == "0.05"
    assert lc["AssociatePublicIpAddress"] is False
    assert lc["InstanceMonitoring"] == {"Enabled": False}
    assert lc["EbsOptimized"] is True
    assert lc["KeyName"] == "demo-key"
    assert lc["IamInstanceProfile"] == "demo-instance-profile"
    assert lc["SecurityGroups"] == [created["security_groups"]["demo-web"][US]]
    bdm = {m["DeviceName"]: m for m in lc["BlockDeviceMappings"]}
    assert set(bdm) == {"/dev/xvda", "/dev/sdf", "/dev/sdb", "/dev/sdc"}
    root = bdm["/dev/xvda"]["Ebs"]
    assert (root["VolumeType"], root["VolumeSize"], root["Iops"], root["Throughput"], root["DeleteOnTermination"]) == ("gp3", 30, 3000, 125, True)
    assert bdm["/dev/sdf"]["Ebs"]["SnapshotId"] == created["snapshots"]["lc-full-data"]["id"] and bdm["/dev/sdf"]["Ebs"]["Encrypted"] is True
    assert bdm["/dev/sdb"]["VirtualName"] == "ephemeral0"
    snap = sim.client("ec2", US).describe_snapshots(SnapshotIds=[created["snapshots"]["lc-full-data"]["id"]])["Snapshots"][0]
    assert snap["Encrypted"] is True and snap["KmsKeyId"].endswith(created["kms_keys"]["demo-ebs-key"]["id"])
    profiles = sim.client("iam", US).list_instance_profiles()["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in profiles] == ["demo-instance-profile"]
    assert [k["KeyName"] for k in sim.client("ec2", US).describe_key_pairs()["KeyPairs"]] == ["demo-key"]


def test_groups_and_their_sources(demo):
    sim, created = demo
    groups = {g["AutoScalingGroupName"]: g for g in sim.client("autoscaling", US).describe_auto_scaling_groups()["AutoScalingGroups"]}
    on_lc = {n: (g.get("LaunchConfigurationName"), g["DesiredCapacity"]) for n, g in groups.items() if "LaunchTemplate" not in g}
    assert on_lc == {
        "asg-web": ("lc-tokens-optional", 2),
        "asg-api": ("lc-no-metadata", 1),
        "asg-secure": ("lc-tokens-required", 1),
        "asg-legacy": ("lc-endpoint-disabled", 0),
        "asg-full": ("lc-full", 0),
        "asg-pv": ("lc-pv", 1),
    }
    tmpl = groups["asg-template"]
    assert tmpl["LaunchTemplate"]["LaunchTemplateName"] == "lt-imdsv2" and tmpl["DesiredCapacity"] == 1
    assert [i["InstanceId"] for i in groups["asg-pv"]["Instances"]] == [created["instances"]["pv-asg-member"]["id"]]
    assert len(groups["asg-web"]["Instances"]) == 2
    (eu,) = sim.client("autoscaling", EU).describe_auto_scaling_groups()["AutoScalingGroups"]
    assert (eu["AutoScalingGroupName"], eu["LaunchConfigurationName"], eu["DesiredCapacity"]) == ("asg-eu", "lc-eu-optional", 1)
    versions = sim.client("ec2", US).describe_launch_template_versions(LaunchTemplateName="lt-imdsv2")["LaunchTemplateVersions"]
    assert [v["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] for v in versions] == ["required"]


def test_security_hub_findings_per_control(demo):
    sim, created = demo
    ids = {n: v["id"] for n, v in created["instances"].items()}
    for region in (US, EU):
        assert sim.client("securityhub", region).describe_hub()["HubArn"].endswith(":hub/default")
    all_us = _findings(sim, US)
    assert len(all_us) == 13
    for f in all_us:
        control = f["Compliance"]["SecurityControlId"]
        assert f["GeneratorId"] == f"security-control/{control}" and f["ProductFields"]["ControlId"] == control
        assert f["RecordState"] == "ACTIVE" and f["AwsAccountId"] == ACCOUNT_ID
        assert f["Workflow"]["Status"] == ("NEW" if f["Compliance"]["Status"] == "FAILED" else "RESOLVED")

    ec2_24 = _findings(sim, US, ComplianceSecurityControlId="EC2.24")
    assert {f["Resources"][0]["Id"] for f in ec2_24} == {f"arn:aws:ec2:{US}:{ACCOUNT_ID}:instance/{ids[n]}" for n in PV_US}
    assert {f["Compliance"]["Status"] for f in ec2_24} == {"FAILED"}

    as3_failed = _findings(sim, US, ComplianceSecurityControlId="AutoScaling.3", ComplianceStatus="FAILED")
    assert {f["Resources"][0]["Details"]["AwsAutoScalingLaunchConfiguration"]["LaunchConfigurationName"] for f in as3_failed} == AS3_FAILING[US]
    lc_arns = {lc["LaunchConfigurationARN"] for lc in sim.client("autoscaling", US).describe_launch_configurations()["LaunchConfigurations"]}
    assert {f["Resources"][0]["Id"] for f in as3_failed} <= lc_arns
    (passed,) = _findings(sim, US, ComplianceSecurityControlId="AutoScaling.3", ComplianceStatus="PASSED")
    assert passed["Resources"][0]["Id"].endswith("launchConfigurationName/lc-tokens-required")

    eu = _findings(sim, EU, ComplianceStatus="FAILED")
    assert sorted(f["Compliance"]["SecurityControlId"] for f in eu) == ["AutoScaling.3", "EC2.24"]
    assert _findings(sim, EU, ComplianceSecurityControlId="EC2.24")[0]["Resources"][0]["Id"].endswith(ids["pv-eu"])


def test_batch_update_findings_on_the_server(demo):
    """Runs after the read-only checks above: the server has the BatchUpdateFindings route and GetFindings sees the change."""
    sim, created = demo
    target = created["findings_by_resource"]["pv-plain"]
    product = f"arn:aws:securityhub:{US}::product/aws/securityhub"
    sh = sim.client("securityhub", US)
    resp = sh.batch_update_findings(
        FindingIdentifiers=[{"Id": target["id"], "ProductArn": product}, {"Id": target["id"] + "-missing", "ProductArn": product}],
        Workflow={"Status": "NOTIFIED"},
        Note={"Text": "replacement planned", "UpdatedBy": "test_demo_estate"},
    )
    assert [p["Id"] for p in resp["ProcessedFindings"]] == [target["id"]]
    assert [u["ErrorCode"] for u in resp["UnprocessedFindings"]] == ["FindingNotFound"]
    (notified,) = _findings(sim, US, WorkflowStatus="NOTIFIED")
    assert notified["Id"] == target["id"] and notified["Note"]["Text"] == "replacement planned"


def test_empty_and_unknown_estates(simulator):
    created = seed("empty", simulator.endpoint)
    assert created["instances"] == {} and created["findings"] == []
    assert simulator.client("ec2").describe_instances()["Reservations"] == []
    with pytest.raises(UnknownEstate, match="unknown estate 'nope'.*demo"):
        seed("nope", simulator.endpoint)


def test_cli_seeds_the_demo(simulator):
    out = subprocess.run(
        [sys.executable, "-m", "tests.simulator", "seed", "--estate", "demo", "--endpoint", simulator.endpoint, "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    created = json.loads(out.stdout)
    assert created["instances"]["pv-plain"]["region"] == US
    assert len(simulator.client("autoscaling", EU).describe_launch_configurations()["LaunchConfigurations"]) == 1
