"""EC2.24 for members of Auto Scaling groups: the group is migrated, not the instance.

asg-pv launches the paravirtual image (m1.small, pv-grub kernel) from launch template web-pv; asg-owned does too, but a
CloudFormation stack owns it. One scenario: the dry run makes no mutating call; prepare gives web-pv an HVM version
(t3.small, no kernel, IMDSv2 required) and changes nothing else, a second prepare reuses it; the cutover runs an instance
refresh that replaces asg-pv's members with HVM instances and switches the group; asg-owned is left to its stack, with the
change to make there; a second cutover changes nothing.
"""

from __future__ import annotations

import json

from tests.harness import report_file, run_playbook
from tests.simulator.seed import HVM_AMI, PV_AMI

PLAYBOOK = "hubfix.aws.remediate_ec2_24"
REGION = "us-east-1"


def members(sim, name):
    group = sim.client("autoscaling", REGION).describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    ids = [i["InstanceId"] for i in group["Instances"]]
    found = sim.client("ec2", REGION).describe_instances(InstanceIds=ids)["Reservations"] if ids else []
    return group, [i for r in found for i in r["Instances"]]


def build(sim):
    ec2, autoscaling = sim.client("ec2", REGION), sim.client("autoscaling", REGION)
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    data = {"ImageId": PV_AMI, "InstanceType": "m1.small", "KernelId": "aki-919dcaf8", "MetadataOptions": {"HttpTokens": "optional"}}
    for name in ("web-pv", "owned-pv"):
        ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="asg-pv", LaunchTemplate={"LaunchTemplateName": "web-pv", "Version": "$Default"}, MinSize=2, MaxSize=2, AvailabilityZones=[zone]
    )
    stack = [
        {"Key": "aws:cloudformation:stack-name", "Value": "web", "PropagateAtLaunch": False},
        {"Key": "aws:cloudformation:logical-id", "Value": "WebGroup", "PropagateAtLaunch": False},
    ]
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="asg-owned",
        LaunchTemplate={"LaunchTemplateName": "owned-pv", "Version": "$Default"},
        MinSize=1,
        MaxSize=1,
        AvailabilityZones=[zone],
        Tags=[dict(t, ResourceId="asg-owned", ResourceType="auto-scaling-group") for t in stack],
    )


def statuses(tmp_path):
    report = json.loads(report_file(tmp_path / "reports", "pv_to_hvm.json").read_text())
    return {r["instance_id"]: r for r in report["instances"]}


def test_members_are_migrated_through_their_group_and_an_owned_group_is_left_to_its_stack(simulator, tmp_path):
    build(simulator)
    ec2 = simulator.client("ec2", REGION)
    _group, pv_members = members(simulator, "asg-pv")
    _owned, owned_members = members(simulator, "asg-owned")
    assert {i["VirtualizationType"] for i in pv_members + owned_members} == {"paravirtual"}
    ev = {
        "pv_to_hvm_regions": [REGION],
        "pv_to_hvm_image_map": json.dumps({PV_AMI: HVM_AMI}),  # a survey's JSON text
        "pv_to_hvm_report_dir": str(tmp_path / "reports"),
        "pv_to_hvm_refresh_poll_interval": "1",
    }

    # the dry run of prepare: nothing changes, the plan names the version the group would get
    simulator.reset_recording()
    result = run_playbook(PLAYBOOK, simulator.env(), ev, check=True, diff=True)
    assert result.rc == 0, result
    assert simulator.mutating_calls() == []
    planned = statuses(tmp_path)
    assert {planned[i["InstanceId"]]["status"] for i in pv_members} == {"planned"}

    # prepare: web-pv gets the HVM version; the group and its members stay as they are
    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0, result
    versions = ec2.describe_launch_template_versions(LaunchTemplateName="web-pv")["LaunchTemplateVersions"]
    hvm = next(v for v in versions if v["VersionNumber"] == 2)["LaunchTemplateData"]
    assert (hvm["ImageId"], hvm["InstanceType"], hvm["MetadataOptions"]["HttpTokens"]) == (HVM_AMI, "t3.small", "required")
    assert "KernelId" not in hvm
    group, now = members(simulator, "asg-pv")
    assert group["LaunchTemplate"]["Version"] == "$Default" and {i["InstanceId"] for i in now} == {i["InstanceId"] for i in pv_members}
    by_id = statuses(tmp_path)
    member = by_id[pv_members[0]["InstanceId"]]
    assert member["status"] == "prepared" and member["autoscaling_group"]["version"] == "2", member
    assert "start an instance refresh of group asg-pv to launch template web-pv version 2" in member["cutover_plan"][0]
    owned = by_id[owned_members[0]["InstanceId"]]
    assert owned["status"] == "blocked", owned
    assert owned["next_actions"][0].startswith(
        "Auto Scaling group asg-owned (launch template owned-pv) is managed by CloudFormation stack web (logical id WebGroup)"
    )
    assert len(ec2.describe_launch_template_versions(LaunchTemplateName="owned-pv")["LaunchTemplateVersions"]) == 1

    result = run_playbook(PLAYBOOK, simulator.env(), ev)
    assert result.rc == 0 and result.changed == 0, result

    # the cutover: its dry run changes nothing; then the refresh replaces asg-pv's members and switches the group
    cutover = dict(ev, pv_to_hvm_stage="cutover")
    simulator.reset_recording()
    assert run_playbook(PLAYBOOK, simulator.env(), cutover, check=True).rc == 0
    assert simulator.mutating_calls() == []
    result = run_playbook(PLAYBOOK, simulator.env(), cutover)
    assert result.rc == 0, result
    group, now = members(simulator, "asg-pv")
    assert group["LaunchTemplate"]["Version"] == "2"
    assert len(now) == 2 and {i["VirtualizationType"] for i in now} == {"hvm"} and {i["InstanceType"] for i in now} == {"t3.small"}
    assert not {i["InstanceId"] for i in now} & {i["InstanceId"] for i in pv_members}
    by_id = statuses(tmp_path)
    assert {by_id[i["InstanceId"]]["status"] for i in pv_members} == {"migrated"}
    assert by_id[pv_members[0]["InstanceId"]]["autoscaling_group"]["instance_refresh"]["status"] == "Successful"
    assert by_id[owned_members[0]["InstanceId"]]["status"] == "blocked"

    result = run_playbook(PLAYBOOK, simulator.env(), cutover)
    assert result.rc == 0 and result.changed == 0, result
