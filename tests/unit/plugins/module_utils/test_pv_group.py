"""pv_group: the HVM version of an Auto Scaling group's paravirtual launch template version (pure functions)."""

from __future__ import annotations

import botocore.session

from ansible_collections.hubfix.aws.plugins.module_utils import pv_group

PV, HVM = "ami-0pv", "ami-0hvm"
IMAGES = {PV: {"ImageId": PV, "VirtualizationType": "paravirtual"}, HVM: {"ImageId": HVM, "VirtualizationType": "hvm", "State": "available"}}


def request_shape():
    model = botocore.session.get_session().get_service_model("ec2")
    return model.operation_model("CreateLaunchTemplateVersion").input_shape.members["LaunchTemplateData"]


def test_request_data_drops_what_only_the_answer_has_at_any_depth():
    answered = {
        "ImageId": PV,
        "MetadataOptions": {"State": "applied", "HttpTokens": "optional"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}, "Unknown": 1}],
        "NotARequestKey": True,
    }
    assert pv_group.request_data(answered, request_shape()) == {
        "ImageId": PV,
        "MetadataOptions": {"HttpTokens": "optional"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
    }


def test_hvm_data_swaps_image_and_type_drops_pv_grub_and_requires_tokens():
    data = {"ImageId": PV, "InstanceType": "m1.small", "KernelId": "aki-1", "RamDiskId": "ari-1", "MetadataOptions": {"State": "applied"}}
    assert pv_group.hvm_data(data, HVM, "t3.small") == {"ImageId": HVM, "InstanceType": "t3.small", "MetadataOptions": {"HttpTokens": "required"}}
    assert "InstanceType" not in pv_group.hvm_data({"ImageId": PV}, HVM, None)


def test_plan_maps_image_and_type_and_says_what_is_missing():
    data = {"ImageId": PV, "InstanceType": "m1.small"}
    planned = pv_group.plan("web", data, IMAGES, "us-east-1", image_map={PV: HVM})
    assert planned == {
        "paravirtual": True,
        "image_id": PV,
        "instance_type": "m1.small",
        "target_image_id": HVM,
        "target_instance_type": "t3.small",
        "problem": None,
    }
    assert pv_group.plan("web", data, IMAGES, "us-east-1", image_map={"web": HVM}, instance_type_map={"web": "m5.large"})["target_instance_type"] == "m5.large"
    assert "give pv_to_hvm_image_map" in pv_group.plan("web", data, IMAGES, "us-east-1")["problem"]
    assert "not visible" in pv_group.plan("web", {"ImageId": "ami-gone"}, IMAGES, "us-east-1")["problem"]
    assert pv_group.plan("web", {"ImageId": HVM}, IMAGES, "us-east-1")["paravirtual"] is False
    assert pv_group.plan("web", data, IMAGES, "us-east-1", image_id="ami-missing")["problem"].startswith(
        "Auto Scaling group web: target image ami-missing does not exist"
    )


def test_the_client_token_is_stable_per_request():
    planned = {"target_image_id": HVM, "target_instance_type": "t3.small"}
    token = pv_group.client_token("lt-1", "3", planned)
    assert token == pv_group.client_token("lt-1", "3", dict(planned)) and token != pv_group.client_token("lt-1", "4", planned)
    assert len(token) <= 64


def test_an_owner_gets_its_own_change():
    planned = {"target_image_id": HVM, "target_instance_type": "t3.small"}
    assert pv_group.owner_refusal("web", "web-lt", None, planned) is None
    terraform = pv_group.owner_refusal("web", "web-lt", {"type": "terraform", "name": "aws_launch_template.web", "state_file": "s"}, planned)
    assert "aws_launch_template (image_id, instance_type, metadata_options http_tokens)" in terraform


TEMPLATE = {
    "changed": True,
    "autoscaling_group": {"name": "asg-pv", "launch_configuration_name": None},
    "launch_template": {"launch_template_id": "lt-1", "launch_template_name": "web-pv"},
    "source_version": "1",
    "version": "2",
    "action": "new_version",
    "image": {"image_id": PV, "instance_type": "m1.small", "target_image_id": HVM, "target_instance_type": "t3.small"},
    "owner": None,
    "refusal": None,
}
PREFLIGHT = {"status": "blocked", "refusing_blockers": [{"code": "autoscaling_group", "message": "member"}], "blockers": [], "errors": []}


def refresh(status, reason=None):
    return {"changed": True, "instance_refresh": {"instance_refresh_id": "r-1", "status": status, "status_reason": reason}, "instances_to_replace": ["i-1"]}


def result(template=None, refreshed=None, stage="cutover", check_mode=False):
    template = TEMPLATE if template is None else template
    return pv_group.group_result("i-1", "us-east-1", PREFLIGHT, {"autoscaling_group_name": "asg-pv"}, template, refreshed, stage, check_mode, 90)


def test_a_member_reports_what_its_group_went_through():
    prepared = result(refreshed={"skipped": True}, stage="prepare")
    assert prepared["status"] == "prepared" and prepared["autoscaling_group"]["version"] == "2"
    assert prepared["cutover_plan"][0].startswith("start an instance refresh of group asg-pv to launch template web-pv version 2 (%s as t3.small" % HVM)
    assert result(refreshed={"skipped": True}, stage="prepare", check_mode=True)["status"] == "planned"

    migrated = result(refreshed=refresh("Successful"))
    assert migrated["status"] == "migrated" and migrated["errors"] == [] and "now launches web-pv version 2" in migrated["follow_ups"][0]
    rolled = result(refreshed=refresh("RollbackSuccessful", "an instance never got healthy"))
    assert rolled["status"] == "rolled_back"
    assert rolled["errors"] == ["i-1: instance refresh r-1 of group asg-pv is RollbackSuccessful: an instance never got healthy"]
    assert result(refreshed=refresh("RollbackFailed"))["status"] == "rollback_failed"
    waiting = result(refreshed=refresh("InProgress"))
    assert waiting["status"] == "in_progress" and "run the cutover again" in waiting["next_actions"][0]


def test_a_refused_or_failed_group_blocks_or_fails_its_members():
    refused = result(template=dict(TEMPLATE, refusal="Auto Scaling group asg-pv is managed by CloudFormation stack web", version=None))
    assert refused["status"] == "blocked" and refused["next_actions"] == ["Auto Scaling group asg-pv is managed by CloudFormation stack web"]
    assert refused["blockers"] == [{"code": "autoscaling_group", "message": "Auto Scaling group asg-pv is managed by CloudFormation stack web"}]
    failed = result(template={"failed": True, "msg": "AccessDenied"})
    assert failed["status"] == "failed" and failed["errors"] == ["i-1: Auto Scaling group asg-pv: AccessDenied"]
    assert result(refreshed={"failed": True, "msg": "throttled"})["errors"] == ["i-1: Auto Scaling group asg-pv: throttled"]
