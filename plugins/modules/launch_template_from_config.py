#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: launch_template_from_config
short_description: Convert an Auto Scaling launch configuration into an EC2 launch template that requires IMDSv2
version_added: 0.1.0
description:
  - Reads one launch configuration and writes the equivalent launch template data, following AWS's parameter mapping from
    launch configurations to launch templates, with C(MetadataOptions.HttpTokens=required) (AutoScaling.3 remediation).
  - Every launch configuration field is carried over faithfully, including a public-IP choice of C(false), detailed
    monitoring C(false), a disabled metadata endpoint and the hop limit. Nothing is created in the launch configuration world.
  - When no template of that name exists it is created. When it exists and its default version already holds the converted
    data nothing changes. When it differs a new version is created and made the default (if the latest version already holds
    the data it is only made the default).
  - User data is never printed; it is masked in the returned data and in the diff.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  launch_configuration_name:
    description: Name of the launch configuration to convert.
    type: str
    required: true
  template_name:
    description: Name of the launch template. Defaults to the launch configuration's name.
    type: str
  http_tokens:
    description: IMDSv2 token requirement written to the template.
    type: str
    choices: [required, optional]
    default: required
  http_put_response_hop_limit:
    description: Metadata PUT response hop limit. Default is the launch configuration's value, else C(1).
    type: int
  http_endpoint:
    description: Metadata endpoint state. Default is the launch configuration's value (a disabled endpoint stays disabled), else C(enabled).
    type: str
    choices: [enabled, disabled]
  instance_metadata_tags:
    description: Whether instance tags are visible in instance metadata. Not written when omitted.
    type: str
    choices: [enabled, disabled]
  tags:
    description:
      - Tags to set on the launch template. Existing tags with other keys are kept.
    type: dict
  state:
    description: Only C(present) is supported.
    type: str
    choices: [present]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (reports the template and version that would be created) and diff mode (before/after template data).
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions,
    ec2:CreateLaunchTemplate, ec2:CreateLaunchTemplateVersion, ec2:ModifyLaunchTemplate, ec2:CreateTags, ec2:DescribeSecurityGroups
    (only for launch configurations naming security groups), iam:PassRole for the instance profile's role."
"""

EXAMPLES = r"""
- name: Convert lc-web into a launch template requiring IMDSv2
  hubfix.aws.launch_template_from_config:
    launch_configuration_name: lc-web
    region: us-east-1
  register: converted

- name: Convert with another template name, a hop limit of 2 for containers, and tags
  hubfix.aws.launch_template_from_config:
    launch_configuration_name: lc-web
    template_name: web
    http_put_response_hop_limit: 2
    tags:
      Owner: platform
"""

RETURN = r"""
launch_template:
  description: The launch template (in check mode, the id is null when it would be created).
  returned: always
  type: dict
  contains:
    launch_template_id:
      description: Template id.
      type: str
      sample: lt-0123456789abcdef0
    launch_template_name:
      description: Template name.
      type: str
      sample: lc-web
    version_number:
      description: The version holding the converted data (use it to pin groups).
      type: int
      sample: 2
    default_version_number:
      description: The template's default version after the run.
      type: int
      sample: 2
launch_template_data:
  description: The converted launch template data (boto3 casing, user data masked).
  returned: always
  type: dict
  sample: {"ImageId": "ami-0123", "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}}
launch_configuration_name:
  description: The converted launch configuration.
  returned: always
  type: str
action:
  description:
    - What was (or in check mode would be) done, one of C(created), C(new_version), C(set_default) (an existing version already
      held the data), C(tags) (only tags were added) or C(none).
  returned: always
  type: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list, boto3_tag_list_to_ansible_dict
from ansible_collections.hubfix.aws.plugins.module_utils import launch_template as lt
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client, paginate


def get_launch_configuration(module, autoscaling, name):
    result = paginate(autoscaling, "describe_launch_configurations", LaunchConfigurationNames=[name])
    configs = result.get("LaunchConfigurations", [])
    if not configs:
        module.fail_json(msg="launch configuration %s not found in region %s" % (name, module.region))
    return configs[0]


def get_template(ec2, name):
    try:
        templates = ec2.describe_launch_templates(aws_retry=True, LaunchTemplateNames=[name])["LaunchTemplates"]
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in ("InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound"):
            return None
        raise
    return templates[0] if templates else None


def get_version(ec2, template_id, version):
    versions = ec2.describe_launch_template_versions(aws_retry=True, LaunchTemplateId=template_id, Versions=[str(version)])["LaunchTemplateVersions"]
    return versions[0] if versions else None


def resolver(module, ec2):
    def resolve(names):
        groups = paginate(ec2, "describe_security_groups", Filters=[{"Name": "group-name", "Values": names}]).get("SecurityGroups", [])
        by_name = {}
        for g in groups:
            by_name.setdefault(g["GroupName"], []).append(g["GroupId"])
        out = []
        for n in names:
            ids = by_name.get(n, [])
            if len(ids) != 1:
                module.fail_json(msg="security group name %s matches %d groups in %s; cannot convert it to an id" % (n, len(ids), module.region))
            out.append(ids[0])
        return out

    return resolve


def template_result(template_id, name, version, default):
    return {"launch_template_id": template_id, "launch_template_name": name, "version_number": version, "default_version_number": default}


def ensure_tags(module, ec2, template, wanted):
    if not wanted or template is None:
        return False
    current = boto3_tag_list_to_ansible_dict(template.get("Tags", []))
    missing = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not missing:
        return False
    if not module.check_mode:
        ec2.create_tags(aws_retry=True, Resources=[template["LaunchTemplateId"]], Tags=ansible_dict_to_boto3_tag_list(missing))
    return True


def main():
    argument_spec = dict(
        launch_configuration_name=dict(type="str", required=True),
        template_name=dict(type="str"),
        http_tokens=dict(type="str", choices=["required", "optional"], default="required"),
        http_put_response_hop_limit=dict(type="int"),
        http_endpoint=dict(type="str", choices=["enabled", "disabled"]),
        instance_metadata_tags=dict(type="str", choices=["enabled", "disabled"]),
        tags=dict(type="dict"),
        state=dict(type="str", choices=["present"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    lc_name = params["launch_configuration_name"]
    name = params["template_name"] or lc_name
    problem = lt.template_name_problem(name)
    if problem:
        module.fail_json(msg=problem)
    hop = params["http_put_response_hop_limit"]
    if hop is not None and not 1 <= hop <= 64:
        module.fail_json(msg="http_put_response_hop_limit must be between 1 and 64, got %d" % hop)

    autoscaling = client(module, "autoscaling")
    ec2 = client(module, "ec2")
    try:
        lc = get_launch_configuration(module, autoscaling, lc_name)
        try:
            desired, warnings = lt.convert(
                lc,
                http_tokens=params["http_tokens"],
                http_put_response_hop_limit=hop,
                http_endpoint=params["http_endpoint"],
                instance_metadata_tags=params["instance_metadata_tags"],
                resolve_group_names=resolver(module, ec2),
            )
        except lt.ConversionError as e:
            module.fail_json(msg="cannot convert launch configuration %s: %s" % (lc_name, e))
        for w in warnings:
            module.warn(w)

        template = get_template(ec2, name)
        before = {}
        changed = False
        if template is None:
            action = "created"
            changed = True
            result_template = template_result(None, name, 1, 1)
            if not module.check_mode:
                create = dict(LaunchTemplateName=name, VersionDescription=lt.version_description(lc_name), LaunchTemplateData=desired)
                if params["tags"]:
                    create["TagSpecifications"] = [{"ResourceType": "launch-template", "Tags": ansible_dict_to_boto3_tag_list(params["tags"])}]
                created = ec2.create_launch_template(aws_retry=True, **create)["LaunchTemplate"]
                result_template = template_result(created["LaunchTemplateId"], name, created["LatestVersionNumber"], created["DefaultVersionNumber"])
        else:
            template_id = template["LaunchTemplateId"]
            default_number = template["DefaultVersionNumber"]
            latest_number = template["LatestVersionNumber"]
            default = get_version(ec2, template_id, default_number)
            before = (default or {}).get("LaunchTemplateData", {})
            if default and lt.same_data(desired, before):
                action = "none"
                result_template = template_result(template_id, name, default_number, default_number)
            else:
                changed = True
                latest = get_version(ec2, template_id, latest_number) if latest_number != default_number else None
                if latest and lt.same_data(desired, latest.get("LaunchTemplateData", {})):
                    # A version with the converted data exists (e.g. an interrupted run): make it the default.
                    action = "set_default"
                    version_number = latest_number
                else:
                    action = "new_version"
                    version_number = latest_number + 1
                    if not module.check_mode:
                        created = ec2.create_launch_template_version(
                            aws_retry=True,
                            LaunchTemplateId=template_id,
                            VersionDescription=lt.version_description(lc_name),
                            LaunchTemplateData=desired,
                        )["LaunchTemplateVersion"]
                        version_number = created["VersionNumber"]
                if not module.check_mode:
                    ec2.modify_launch_template(aws_retry=True, LaunchTemplateId=template_id, DefaultVersion=str(version_number))
                result_template = template_result(template_id, name, version_number, version_number)
            if ensure_tags(module, ec2, template, params["tags"]):
                changed = True
                if action == "none":
                    action = "tags"
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="failed to convert launch configuration %s to launch template %s in %s" % (lc_name, name, module.region))

    masked = lt.mask_user_data(desired)
    result = dict(
        changed=changed,
        action=action,
        launch_configuration_name=lc_name,
        launch_template=result_template,
        launch_template_data=masked,
    )
    if module._diff:
        region = module.region
        result["diff"] = {
            "before_header": "launch template %s (%s)%s" % (name, region, " default version" if template else ": absent"),
            "after_header": "launch template %s (%s) from launch configuration %s%s"
            % (name, region, lc_name, "" if action == "none" else " version %s" % result_template["version_number"]),
            "before": lt.mask_user_data(before) if template else {},
            "after": masked,
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
