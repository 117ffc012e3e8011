#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_group_hvm_template
short_description: Give an Auto Scaling group a launch template version that launches an HVM image (EC2.24)
version_added: 0.4.0
description:
  - The members of a group that launches a paravirtual image fail EC2.24, and the group replaces any member migrated by hand
    with a paravirtual one again. This module makes the version the group should launch instead - a new version of the
    group's launch template, made from the version the group uses, with the HVM image (O(image_map) / O(image_id)), the
    mapped instance type (O(instance_type_map), else the built-in map of paravirtual types), without the pv-grub kernel and
    RAM disk, and C(MetadataOptions.HttpTokens=required). The group itself is not changed - an instance refresh to the
    returned RV(version) (M(hubfix.aws.autoscaling_instance_refresh)) switches it when the refresh succeeds.
  - A version that already holds exactly that data (the template's latest, made by an earlier run) is reused; the creation
    carries a client token, so an interrupted run gets the same version back.
  - Nothing is made, and RV(refusal) says why, when the group launches from a launch configuration (the AutoScaling.3
    conversion with C(pv_to_hvm_image_map) makes its template), has a mixed instances policy, when no HVM image is given
    for its image, or when a CloudFormation stack, an Elastic Beanstalk environment (their tags on the group or template),
    Terraform (O(terraform_state_files) - C(aws_autoscaling_group), C(aws_launch_template)) or a tool from O(owner_tags)
    manages the group or its template (RV(refusal) names the change to make there).
  - A group whose image is not paravirtual needs nothing (RV(paravirtual) false).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Auto Scaling group name.
    type: str
    required: true
  image_id:
    description: HVM AMI for the group when O(image_map) has no entry for it.
    type: str
  image_map:
    description: The C(pv_to_hvm_image_map) shape - group name, source AMI or region to HVM AMI (first match in that order).
    type: dict
    default: {}
  instance_type_map:
    description: The C(pv_to_hvm_instance_type_map) shape - group name or instance type to the new type.
    type: dict
    default: {}
extends_documentation_fragment:
  - hubfix.aws.owners
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (RV(version) is the number the new version would get) and diff mode.
  - "IAM actions: autoscaling:DescribeAutoScalingGroups, ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions,
    ec2:DescribeImages, ec2:CreateLaunchTemplateVersion; s3:GetObject for state files on S3."
"""

EXAMPLES = r"""
- name: The HVM version of group web's launch template
  hubfix.aws.autoscaling_group_hvm_template:
    name: web
    image_map:
      ami-0pv0pv0pv0pv0pv00: ami-0123456789abcdef0
  register: hvm

- name: Replace the group's instances with it (AWS switches the group when the refresh succeeds)
  hubfix.aws.autoscaling_instance_refresh:
    name: web
    launch_template_id: "{{ hvm.launch_template.launch_template_id }}"
    launch_template_version: "{{ hvm.version }}"
    auto_rollback: true
    wait: true
  when: hvm.refusal is none and hvm.paravirtual
"""

RETURN = r"""
autoscaling_group:
  description: The group's name and the launch source it uses (C(launch_configuration_name) or C(launch_template) with C(version)).
  returned: always
  type: dict
launch_template:
  description: C(launch_template_id) and C(launch_template_name) of the group's template, or null.
  returned: always
  type: dict
paravirtual:
  description: Whether the group's template version launches a paravirtual image.
  returned: always
  type: bool
source_version:
  description: The number of the version the group uses now.
  returned: always
  type: str
version:
  description: The version the group should launch (the HVM one; the current one when nothing is needed), or null when refused.
  returned: always
  type: str
action:
  description: C(none) (nothing needed or refused), C(reuse) (a version with the data exists) or C(new_version).
  returned: always
  type: str
image:
  description: C(image_id), C(instance_type), C(target_image_id), C(target_instance_type).
  returned: always
  type: dict
owner:
  description: Who manages the group or its template (C(type), C(name), ...), or null.
  returned: always
  type: dict
refusal:
  description: Why no version was made for a paravirtual group, with what to do, or null.
  returned: always
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils import pv_group
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_group
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import find_launch_template, images_by_id, launch_template_version
from ansible_collections.hubfix.aws.plugins.module_utils.launch_template import same_data
from ansible_collections.hubfix.aws.plugins.module_utils.owners import group_owner, owner_from_tags
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import terraform_index


def refused(module, result, why):
    module.exit_json(changed=False, **dict(result, refusal=why, action="none", version=None))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        image_id=dict(type="str"),
        image_map=dict(type="dict", default={}),
        instance_type_map=dict(type="dict", default={}),
        terraform_state_files=dict(type="list", elements="str", default=[]),
        owner_tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p, name = module.params, module.params["name"]
    terraform = terraform_index(module)
    autoscaling, ec2 = client(module, "autoscaling"), client(module, "ec2")
    result = dict(launch_template=None, paravirtual=False, source_version=None, version=None, action="none", image={}, owner=None, refusal=None)
    with aws_errors_fail(module, "Auto Scaling group %s: failed to make its HVM launch template version" % name):
        group = describe_group(autoscaling, name)
        if group is None:
            module.fail_json(msg="Auto Scaling group %s not found in region %s" % (name, module.region))
        result["autoscaling_group"] = dict(asg.source_record(group), name=name)
        if group.get("MixedInstancesPolicy"):
            refused(module, result, "Auto Scaling group %s has a mixed instances policy: set the HVM image in its launch template and overrides by hand" % name)
        if not group.get("LaunchTemplate"):
            refused(
                module,
                result,
                "Auto Scaling group %s launches from launch configuration %s: run remediate_autoscaling_3 with autoscaling_imdsv2_group_names [%s], "
                "pv_to_hvm_image_map and autoscaling_imdsv2_instance_refresh true (its launch template then launches the HVM image)"
                % (name, group.get("LaunchConfigurationName"), name),
            )
        spec = group["LaunchTemplate"]
        template = find_launch_template(ec2, spec.get("LaunchTemplateId"), spec.get("LaunchTemplateName"))
        if template is None:
            module.fail_json(
                msg="Auto Scaling group %s: its launch template %s does not exist" % (name, spec.get("LaunchTemplateId") or spec.get("LaunchTemplateName"))
            )
        template_id, template_name = template["LaunchTemplateId"], template["LaunchTemplateName"]
        result["launch_template"] = {"launch_template_id": template_id, "launch_template_name": template_name}
        source = launch_template_version(ec2, template_id, spec.get("Version") or "$Default")
        if source is None:
            module.fail_json(msg="Auto Scaling group %s: version %s of launch template %s does not exist" % (name, spec.get("Version"), template_name))
        source_data = source.get("LaunchTemplateData") or {}
        result["source_version"] = result["version"] = str(source["VersionNumber"])
        wanted = [i for i in (source_data.get("ImageId"), p["image_id"], *p["image_map"].values()) if i]
        data_plan = pv_group.plan(name, source_data, images_by_id(ec2, wanted), module.region, p["image_id"], p["image_map"], p["instance_type_map"])
        result["paravirtual"] = data_plan["paravirtual"]
        result["image"] = {k: data_plan[k] for k in ("image_id", "instance_type", "target_image_id", "target_instance_type")}
        if not data_plan["paravirtual"] and not data_plan["problem"]:
            module.exit_json(changed=False, **result)
        owner = group_owner(group, terraform, p["owner_tags"]) or owner_from_tags(
            template.get("Tags"), p["owner_tags"], terraform=terraform.owner("launch_template", template_id)
        )
        result["owner"] = owner
        why = data_plan["problem"] or pv_group.owner_refusal(name, template_name, owner, data_plan)
        if why:
            refused(module, result, why)

        shape = ec2.meta.service_model.operation_model("CreateLaunchTemplateVersion").input_shape.members["LaunchTemplateData"]
        desired = pv_group.request_data(pv_group.hvm_data(source_data, data_plan["target_image_id"], data_plan["target_instance_type"]), shape)
        latest = launch_template_version(ec2, template_id, "$Latest")
        if latest is not None and same_data(desired, pv_group.request_data(latest.get("LaunchTemplateData") or {}, shape)):
            result.update(version=str(latest["VersionNumber"]), action="reuse")
            module.exit_json(changed=False, **result)
        version = str(template["LatestVersionNumber"] + 1)
        if not module.check_mode:
            created = ec2.create_launch_template_version(
                aws_retry=True,
                LaunchTemplateId=template_id,
                LaunchTemplateData=desired,  # whole, not from a SourceVersion: that would bring the pv-grub kernel back
                VersionDescription=pv_group.DESCRIPTION % (result["source_version"], data_plan["target_image_id"], data_plan["target_instance_type"]),
                ClientToken=pv_group.client_token(template_id, result["source_version"], data_plan),
            )
            version = str(created["LaunchTemplateVersion"]["VersionNumber"])
        result.update(version=version, action="new_version")

    before = {k: source_data.get(k) for k in ("ImageId", "InstanceType", "KernelId", "RamDiskId", "MetadataOptions")}
    after = {k: desired.get(k) for k in before}
    header = "launch template %s of group %s (%s)" % (template_name, name, module.region)
    diff = {"before_header": header + " version " + result["source_version"], "after_header": header + " version " + version, "before": before, "after": after}
    module.exit_json(changed=True, diff=diff, **result)


if __name__ == "__main__":
    main()
