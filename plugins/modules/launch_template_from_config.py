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
  - The template is named after the launch configuration - a name that is not a valid template name (spaces, over 128
    characters, other characters) is mapped to a valid one, the same every time - and tagged
    C(hubfix:source-launch-configuration) with the launch configuration's name. A template of that name that hubfix did not
    make from this launch configuration is never touched - a new name is used (C(<name>-imdsv2), C(<name>-imdsv2-2), ...).
  - When no template exists it is created. When ours exists and its default version already holds the converted data nothing
    changes. When it differs a new version is created and made the default (if the latest version already holds the data it
    is only made the default).
  - With O(claim), the template carries the claim of the run working on it (C(hubfix:claim)); a template another live run
    claims is left alone and reported with C(action=in_progress_other_run) and RV(claimed_by) (two jobs started at the same
    moment never convert one launch configuration twice).
  - User data is never printed; it is masked in the returned data and in the diff.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  launch_configuration_name:
    description: Name of the launch configuration to convert.
    type: str
    required: true
  template_name:
    description:
      - Name of the launch template. Defaults to the launch configuration's name (made valid).
      - A template of that name that hubfix did not make from this launch configuration fails the module (it is not touched).
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
  claim:
    description: The run converting (C(hubfix_run) - C(id), C(host), C(pid), C(pid_start)); see the description.
    type: dict
    version_added: 0.2.0
  image_map:
    description:
      - HVM AMI by launch configuration name, source AMI id or region (the shape of C(pv_to_hvm_image_map)). When the launch
        configuration's image is paravirtual its groups keep launching instances that fail EC2.24 (paravirtual instance
        types); with an entry here the template launches that HVM image instead, as the instance type of
        O(instance_type_map) or the built-in paravirtual-to-current map (C(m1.small) -> C(t3.small)), without the
        paravirtual kernel and RAM disk. The HVM image must exist in the region, be C(hvm) and available.
      - Without an entry such a launch configuration is converted as it is, with a warning (RV(paravirtual_image)).
      - The launch configuration's image is read once (ec2:DescribeImages).
    type: dict
    default: {}
    version_added: 0.4.0
  instance_type_map:
    description: Instance type (or launch configuration name, which wins) to the type the HVM template launches.
    type: dict
    default: {}
    version_added: 0.4.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - hubfix.aws.claims
  - hubfix.aws.claims.settle
notes:
  - Supports check mode (reports the template and version that would be created) and diff mode (before/after template data).
  - M(amazon.aws.ec2_launch_template) is not used because it takes template data as module options (it would need every
    launch configuration field mapped by hand in YAML, where this module maps them faithfully in tested Python), always creates
    a new version when given data (no comparison with the default version, so a second run would not report C(changed=false)),
    and cannot mask user data in its output.
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, ec2:DescribeLaunchTemplates, ec2:DescribeLaunchTemplateVersions,
    ec2:CreateLaunchTemplate, ec2:CreateLaunchTemplateVersion, ec2:ModifyLaunchTemplate, ec2:CreateTags, ec2:DescribeTags, ec2:DescribeSecurityGroups
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
      held the data), C(tags) (only tags were added), C(none), C(in_progress_other_run) (another live run works on it;
      nothing was changed), or C(source_gone) (the launch configuration no longer exists - retired by another run or by hand
      since it was planned; RV(launch_template) is the template hubfix made from it, or null; nothing was changed).
  returned: always
  type: str
claimed_by:
  description: The other live run that holds the template (C(id), C(host), C(pid), C(heartbeat)), or null.
  returned: always
  type: dict
  version_added: 0.2.0
paravirtual_image:
  description:
    - Null unless the launch configuration's image is paravirtual; then C(image_id), C(instance_type), C(target_image_id)
      and C(target_instance_type) (null without an O(image_map) entry) and C(message).
  returned: always
  type: dict
  version_added: 0.4.0
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    add_ec2_tags,
    create_launch_template,
    create_launch_template_version,
    ensure_ec2_tags,
    get_ec2_security_group_ids_from_names,
    modify_launch_template,
)
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import claims
from ansible_collections.hubfix.aws.plugins.module_utils import launch_template as lt
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_launch_configuration
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY, aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import (
    describe_image,
    find_launch_template,
    launch_template_version,
    launch_templates_tagged,
    tags_of,
)
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import target_image_problems


def group_ids_resolver(module, ec2):
    """Security group names -> ids, each name naming exactly one group (a network interface needs ids)."""

    def resolve(names):
        ids = []
        for name in names:
            try:
                found = RETRY(get_ec2_security_group_ids_from_names)([name], ec2)
            except ValueError:
                found = []
            if len(found) != 1:
                module.fail_json(msg="security group name %s matches %d groups in %s; cannot convert it to an id" % (name, len(found), module.region))
            ids.append(found[0])
        return ids

    return resolve


def source_gone(module, ec2, lc_name):
    """Exit for a launch configuration that no longer exists: the template hubfix made from it, if any, and nothing changed."""
    made = [t for t in launch_templates_tagged(ec2, lt.TAG_SOURCE_LC, lc_name) if lt.made_from(t, lc_name)]
    current = None
    if made:
        t = made[0]
        current = template_result(t["LaunchTemplateId"], t["LaunchTemplateName"], t["DefaultVersionNumber"], t["DefaultVersionNumber"])
    module.exit_json(changed=False, action="source_gone", claimed_by=None, launch_configuration_name=lc_name, launch_template=current, launch_template_data={})


def desired_data(module, autoscaling, ec2, lc_name):
    """The converted launch template data of the launch configuration (warnings reported)."""
    p = module.params
    lc = describe_launch_configuration(autoscaling, lc_name)
    if lc is None:
        source_gone(module, ec2, lc_name)
    image = describe_image(ec2, lc.get("ImageId"))
    try:
        data, warnings = lt.convert(
            lc,
            http_tokens=p["http_tokens"],
            http_put_response_hop_limit=p["http_put_response_hop_limit"],
            http_endpoint=p["http_endpoint"],
            instance_metadata_tags=p["instance_metadata_tags"],
            resolve_group_names=group_ids_resolver(module, ec2),
        )
    except lt.ConversionError as e:
        module.fail_json(msg="cannot convert launch configuration %s: %s" % (lc_name, e))
    for w in warnings:
        module.warn(w)
    return hvm_image(module, ec2, lc, image, data)


def hvm_image(module, ec2, lc, image, data):
    """``(data, paravirtual plan or None)``: a launch configuration on a paravirtual image keeps its groups launching
    EC2.24 failures; with an HVM image mapped (``image_map``) the template launches that one, as the mapped type."""
    plan = lt.paravirtual_plan(lc, image, module.region, module.params["image_map"], module.params["instance_type_map"])
    if plan is None:
        return data, None
    if plan["target_image_id"] is None:
        module.warn(plan["message"])
        return data, plan
    problems = target_image_problems(
        "launch configuration %s" % lc["LaunchConfigurationName"], plan["target_image_id"], describe_image(ec2, plan["target_image_id"])
    )
    if problems:
        module.fail_json(msg="; ".join(problems))
    return lt.with_hvm_image(data, plan), plan


def template_result(template_id, name, version, default):
    return {"launch_template_id": template_id, "launch_template_name": name, "version_number": version, "default_version_number": default}


def creation_tags(module, lc_name):
    tags = dict(module.params["tags"] or {})
    tags[lt.TAG_SOURCE_LC] = lc_name
    if module.params["claim"]:
        tags[lt.TAG_CLAIM] = claims.encode(module.params["claim"])
    return tags


def ours(ec2, template, lc_name):
    """Whether hubfix made ``template`` from this launch configuration: its tag, or (0.1.0 templates, untagged) the
    description hubfix gives the versions it writes."""
    if lt.made_from(template, lc_name):
        return True
    default = launch_template_version(ec2, template["LaunchTemplateId"], template["DefaultVersionNumber"]) or {}
    return default.get("VersionDescription") == lt.version_description(lc_name)


def choose_template(module, ec2, lc_name):
    """``(name, existing template of ours or None, names skipped)``: a template of the name that hubfix did not make from this
    launch configuration is never touched - the next candidate name is used (an explicit template_name fails instead)."""
    explicit = module.params["template_name"]
    skipped = []
    for name in [explicit] if explicit else lt.candidate_names(lc_name):
        template = find_launch_template(ec2, name=name)
        if template is None or ours(ec2, template, lc_name):
            return name, template, skipped
        if explicit:
            module.fail_json(
                msg="launch template %s exists and hubfix did not make it from launch configuration %s: not touched; choose another template_name"
                % (name, lc_name)
            )
        skipped.append(name)
    module.fail_json(msg="no free launch template name for launch configuration %s (tried %s)" % (lc_name, ", ".join(skipped)))


def create(module, ec2, name, lc_name, desired):
    """A new template holding ``desired`` as version 1, tagged with its source (and the claim) at creation."""
    if module.check_mode:
        return template_result(None, name, 1, 1)
    created = create_launch_template(ec2, name, desired, tags=creation_tags(module, lc_name), VersionDescription=lt.version_description(lc_name))
    return template_result(created["LaunchTemplateId"], name, created["LatestVersionNumber"], created["DefaultVersionNumber"])


def update(module, ec2, template, lc_name, desired):
    """``(action, result, default data before)``: the version holding ``desired`` made the default, created if needed."""
    template_id, name = template["LaunchTemplateId"], template["LaunchTemplateName"]
    default_number, latest_number = template["DefaultVersionNumber"], template["LatestVersionNumber"]
    default = launch_template_version(ec2, template_id, default_number)
    before = (default or {}).get("LaunchTemplateData", {})
    latest = launch_template_version(ec2, template_id, latest_number) if latest_number != default_number else None
    action, number = lt.plan_version(desired, default_number, before if default else None, latest_number, (latest or {}).get("LaunchTemplateData"))
    if action != lt.ACTION_NONE and not module.check_mode:
        if action == lt.ACTION_NEW_VERSION:
            number = create_launch_template_version(ec2, desired, LaunchTemplateId=template_id, VersionDescription=lt.version_description(lc_name))[
                "VersionNumber"
            ]
        modify_launch_template(ec2, LaunchTemplateId=template_id, DefaultVersion=str(number))
    wanted_tags = dict(module.params["tags"] or {}, **{lt.TAG_SOURCE_LC: lc_name})
    if ensure_ec2_tags(ec2, module, template_id, tags=wanted_tags, purge_tags=False) and action == lt.ACTION_NONE:
        action = "tags"
    return action, template_result(template_id, name, number, number), before


def held_by_other(module, ec2, template):
    """The live run (other than this one) whose claim is on the template, claiming it for this run when free."""
    run = module.params["claim"]
    if not run or template is None:
        return None
    other = claims.held_by_other(tags_of(template).get(lt.TAG_CLAIM), run, module.params["stale_after"])
    if other or module.check_mode:
        return other
    add_ec2_tags(ec2, module, template["LaunchTemplateId"], {lt.TAG_CLAIM: claims.encode(run)})
    return settled_claim(module, ec2, template["LaunchTemplateId"])


def settled_claim(module, ec2, template_id):
    """The run whose claim is on the template once the tags settled, when it is not this one (two runs claimed at once)."""
    time.sleep(module.params["settle_seconds"])
    claim = claims.decode(tags_of(find_launch_template(ec2, template_id=template_id)).get(lt.TAG_CLAIM))
    return None if claims.is_ours(claim, module.params["claim"]) else claim


# A name taken by another writer between our lookup and our CreateLaunchTemplate: look again, at most this many times.
CREATE_ATTEMPTS = 3


def convert_into(module, ec2, lc_name, desired):
    """``(action, template result, default data before, claimed_by)``."""
    warned = set()
    for _attempt in range(CREATE_ATTEMPTS):
        name, template, skipped = choose_template(module, ec2, lc_name)
        for n in set(skipped) - warned:
            module.warn("launch template %s exists and hubfix did not make it from launch configuration %s: left alone, using %s" % (n, lc_name, name))
        warned.update(skipped)
        other = held_by_other(module, ec2, template)
        if other:
            current = template_result(template["LaunchTemplateId"], name, template["DefaultVersionNumber"], template["DefaultVersionNumber"])
            return "in_progress_other_run", current, {}, other
        if template is not None:
            return update(module, ec2, template, lc_name, desired) + (None,)
        try:
            result = create(module, ec2, name, lc_name, desired)
        except is_ansible_aws_error_code("InvalidLaunchTemplateName.AlreadyExistsException"):
            # created a moment ago by someone else: choose again - whose it is (tags) and who holds it (claim) decide
            continue
        other = settled_claim(module, ec2, result["launch_template_id"]) if module.params["claim"] and not module.check_mode else None
        return lt.ACTION_CREATED, result, {}, other
    module.fail_json(msg="launch configuration %s: launch template name %s taken by another writer %d times; run again" % (lc_name, name, CREATE_ATTEMPTS))


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
        claim=dict(type="dict"),
        stale_after=dict(type="int", default=claims.DEFAULT_STALE_AFTER),
        settle_seconds=dict(type="int", default=2),
        image_map=dict(type="dict", default={}),
        instance_type_map=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    lc_name = module.params["launch_configuration_name"]
    problem = (lt.template_name_problem(module.params["template_name"]) if module.params["template_name"] else None) or lt.hop_limit_problem(
        module.params["http_put_response_hop_limit"]
    )
    if problem:
        module.fail_json(msg=problem)
    ec2 = client(module, "ec2")
    with aws_errors_fail(module, "failed to convert launch configuration %s to a launch template in %s" % (lc_name, module.region)):
        desired, paravirtual = desired_data(module, client(module, "autoscaling"), ec2, lc_name)
        action, result_template, before, claimed_by = convert_into(module, ec2, lc_name, desired)

    masked = lt.mask_user_data(desired)
    changed = action not in (lt.ACTION_NONE, "in_progress_other_run")
    result = dict(
        changed=changed,
        action=action,
        claimed_by=claimed_by,
        launch_configuration_name=lc_name,
        launch_template=result_template,
        launch_template_data=masked,
        paravirtual_image=paravirtual,
    )
    if module._diff:
        name = result_template["launch_template_name"]
        result["diff"] = lt.template_diff(name, module.region, lc_name, action != lt.ACTION_CREATED, action, result_template["version_number"], before, masked)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
