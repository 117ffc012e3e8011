"""hubfix.aws.autoscaling_group_hvm_template: a group on a paravirtual template version gets a version with the HVM image,
the mapped type, no pv-grub kernel and IMDSv2 required; an existing such version is reused; owned and LC groups are refused."""

from __future__ import annotations

from unittest import mock

from ansible_collections.hubfix.aws.plugins.modules import autoscaling_group_hvm_template as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

LT = "lt-0123456789abcdef0"
PV, HVM = "ami-0a0a0a0a0a0a0a0a0", "ami-0b0b0b0b0b0b0b0b0"
ARGS = {"name": "asg-web", "image_map": {PV: HVM}}
PV_DATA = {
    "ImageId": PV,
    "InstanceType": "m1.small",
    "KernelId": "aki-919dcaf8",
    "KeyName": "ops",
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "MetadataOptions": {"State": "applied", "HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
}
HVM_DATA = {
    "ImageId": HVM,
    "InstanceType": "t3.small",
    "KeyName": "ops",
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
}


def image(image_id, kind):
    return {"ImageId": image_id, "VirtualizationType": kind, "State": "available", "Architecture": "x86_64", "RootDeviceType": "ebs"}


def version(number, data):
    return {"LaunchTemplateId": LT, "LaunchTemplateName": "web", "VersionNumber": number, "LaunchTemplateData": data}


def expect_group(aws, group=None, template=None, tags=None, asked=(PV, HVM)):
    found = r.groups(group or r.group(lc=None, template=(LT, "web", "$Default")))
    aws.stub("autoscaling").add("describe_auto_scaling_groups", found, {"AutoScalingGroupNames": ["asg-web"]})
    ec2 = aws.stub("ec2")
    if group is not None and not group.get("LaunchTemplate"):
        return ec2
    lt = dict(template or r.launch_template(LT, "web", default=1, latest=1), **({"Tags": r.tag_list(tags)} if tags else {}))
    ec2.add("describe_launch_templates", r.launch_templates(lt), {"LaunchTemplateIds": [LT]})
    ec2.add("describe_launch_template_versions", {"LaunchTemplateVersions": [version(1, PV_DATA)]}, {"LaunchTemplateId": LT, "Versions": ["$Default"]})
    images = {"Images": [image(PV, "paravirtual"), image(HVM, "hvm")][: len(asked)]}
    ec2.add("describe_images", images, {"Filters": [{"Name": "image-id", "Values": list(asked)}], "IncludeDeprecated": True})
    return ec2


def test_a_paravirtual_group_gets_an_hvm_version_without_the_kernel(aws, run):
    ec2 = expect_group(aws)
    ec2.add("describe_launch_template_versions", {"LaunchTemplateVersions": [version(1, PV_DATA)]}, {"LaunchTemplateId": LT, "Versions": ["$Latest"]})
    ec2.add(
        "create_launch_template_version",
        {"LaunchTemplateVersion": version(2, HVM_DATA)},
        {
            "LaunchTemplateId": LT,
            "LaunchTemplateData": HVM_DATA,
            "VersionDescription": "hubfix.aws EC2.24: version 1 with the HVM image %s as t3.small, IMDSv2 required" % HVM,
            "ClientToken": mock.ANY,
        },
    )

    result = run(module, ARGS, diff=True)

    assert_documented_result(module, result)
    assert result["changed"] is True and result["paravirtual"] is True
    assert (result["source_version"], result["version"], result["action"]) == ("1", "2", "new_version")
    assert result["image"] == {"image_id": PV, "instance_type": "m1.small", "target_image_id": HVM, "target_instance_type": "t3.small"}
    assert result["diff"]["before"]["KernelId"] == "aki-919dcaf8" and result["diff"]["after"]["KernelId"] is None


def test_check_mode_names_the_version_it_would_make(aws, run):
    ec2 = expect_group(aws)
    ec2.add("describe_launch_template_versions", {"LaunchTemplateVersions": [version(1, PV_DATA)]}, {"LaunchTemplateId": LT, "Versions": ["$Latest"]})

    result = run(module, ARGS, check_mode=True)

    assert result["changed"] is True and result["version"] == "2"


def test_the_version_an_earlier_run_made_is_reused(aws, run):
    ec2 = expect_group(aws, template=r.launch_template(LT, "web", default=1, latest=2))
    latest = dict(HVM_DATA, MetadataOptions=dict(HVM_DATA["MetadataOptions"], State="applied"))
    ec2.add("describe_launch_template_versions", {"LaunchTemplateVersions": [version(2, latest)]}, {"LaunchTemplateId": LT, "Versions": ["$Latest"]})

    result = run(module, ARGS)

    assert (result["changed"], result["version"], result["action"]) == (False, "2", "reuse")


def test_a_stack_owned_template_is_refused_with_the_stacks_change(aws, run):
    expect_group(aws, tags={"aws:cloudformation:stack-name": "web", "aws:cloudformation:logical-id": "WebLT"})

    result = run(module, ARGS)

    assert result["changed"] is False and result["version"] is None
    assert result["owner"]["type"] == "cloudformation"
    assert result["refusal"] == (
        "Auto Scaling group asg-web (launch template web) is managed by CloudFormation stack web (logical id WebLT): set ImageId %s, InstanceType "
        "t3.small and MetadataOptions HttpTokens required in the stack's AWS::EC2::LaunchTemplate LaunchTemplateData and update the "
        "stack (its rolling update replaces the instances); hubfix leaves it alone" % HVM
    )


def test_no_image_for_it_is_refused_with_what_to_give(aws, run):
    expect_group(aws, asked=(PV,))

    result = run(module, dict(ARGS, image_map={}))

    wanted = 'Auto Scaling group asg-web launches the paravirtual image %s: give pv_to_hvm_image_map {"%s": "<HVM AMI>"} (or pv_to_hvm_image_id) to migrate it'
    assert result["refusal"] == wanted % (PV, PV)


def test_a_group_on_a_launch_configuration_goes_through_autoscaling_3(aws, run):
    expect_group(aws, group=r.group(lc="lc-web"))

    result = run(module, ARGS)

    assert result["refusal"].startswith("Auto Scaling group asg-web launches from launch configuration lc-web: run remediate_autoscaling_3")
    assert result["autoscaling_group"]["launch_configuration_name"] == "lc-web"
