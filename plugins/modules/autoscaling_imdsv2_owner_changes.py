#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_imdsv2_owner_changes
short_description: Write (and optionally propose or apply) the AutoScaling.3 change for resources CloudFormation, Elastic Beanstalk, Terraform or a tool owns
version_added: 0.3.0
description:
  - hubfix never switches an owned Auto Scaling group nor deletes an owned launch configuration (the owner would revert the
    change or fail its next update). For the C(blocked_owned) records of M(hubfix.aws.autoscaling_imdsv2_plan_info) this module
    writes the exact change for each owner under C(<report_dir>/owners/).
  - CloudFormation - C(cloudformation-<stack>.template.json) (C(.yaml) when the stack's template is YAML) - the stack's current
    template (C(cloudformation:GetTemplate)) with each failing C(AWS::AutoScaling::LaunchConfiguration) replaced by an
    C(AWS::EC2::LaunchTemplate) (logical id C(<LogicalId>Template), properties converted field by field and kept as template
    expressions, C(HttpTokens) required) and each group that used it pointed at the template. With
    O(cloudformation_change_set) a change set named C(hubfix-autoscaling-3-<first 12 hex of the patched template's sha256>) is
    created from it and never executed; a rerun with the same patch finds it and creates nothing.
  - Elastic Beanstalk - C(elastic-beanstalk-<environment>.json) - the option setting C(aws:autoscaling:launchconfiguration)
    C(DisableIMDSv1) C(true) and the C(aws elasticbeanstalk update-environment) command. With O(elastic_beanstalk_apply) it is
    applied (C(elasticbeanstalk:UpdateEnvironment)), the environment waited for until C(Ready), and its group verified to launch
    from a launch template that requires IMDSv2.
  - Terraform and tag owners - C(terraform-<address>.md) / C(tag-<label>.md) - the resources and the change to make.
  - Files are local artefacts, written in check mode too; AWS changes (change sets, environment updates) are not made in check mode.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  items:
    description: The C(launch_configurations) records of M(hubfix.aws.autoscaling_imdsv2_plan_info); those with an C(owner) or C(owned_groups) are used.
    type: list
    elements: dict
    required: true
  report_dir:
    description: The report directory; files go to C(<report_dir>/owners/).
    type: path
    required: true
  cloudformation_change_set:
    description: Also create (never execute) a change set with the patched template on each owning stack.
    type: bool
    default: false
  elastic_beanstalk_apply:
    description: Apply C(DisableIMDSv1=true) to each owning Elastic Beanstalk environment and verify the result.
    type: bool
    default: false
  elastic_beanstalk_timeout:
    description: Seconds to wait for an environment to be C(Ready) after the update.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between environment status checks.
    type: int
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - "IAM actions: cloudformation:GetTemplate, cloudformation:DescribeStacks, cloudformation:DescribeChangeSet, cloudformation:CreateChangeSet
    (with O(cloudformation_change_set)), elasticbeanstalk:DescribeEnvironments, elasticbeanstalk:UpdateEnvironment,
    elasticbeanstalk:DescribeEnvironmentResources, autoscaling:DescribeAutoScalingGroups, ec2:DescribeLaunchTemplateVersions
    (with O(elastic_beanstalk_apply)); Elastic Beanstalk's own service role does the rest of the update."
"""

EXAMPLES = r"""
- name: Write the owners' changes of the plan, and propose them to CloudFormation as change sets
  hubfix.aws.autoscaling_imdsv2_owner_changes:
    items: "{{ plan.launch_configurations }}"
    report_dir: ./hubfix-reports
    cloudformation_change_set: true
"""

RETURN = r"""
owners:
  description: One record per owner.
  returned: always
  type: list
  elements: dict
  contains:
    type: {description: "C(cloudformation), C(elastic_beanstalk), C(terraform) or C(tag).", type: str, returned: always}
    name: {description: "Stack, environment, resource address or tag label.", type: str, returned: always}
    region: {description: "Region.", type: str, returned: always}
    file: {description: "The file written under C(<report_dir>/owners/).", type: str, returned: always}
    launch_configurations: {description: "The failing launch configurations it owns.", type: list, elements: str, returned: always}
    groups: {description: "The groups it owns that use them.", type: list, elements: str, returned: always}
    status:
      description:
        - C(written) (file only), C(change_set_created), C(change_set_exists), C(applied) (Elastic Beanstalk, verified),
          C(would_apply) / C(would_create_change_set) (check mode) or C(failed).
      type: str
      returned: always
    change_set_arn: {description: "The change set ARN when created or found (O(cloudformation_change_set)), else null.", type: str, returned: always}
    change_set_name: {description: "The change set's name for the patched template (CloudFormation), else null.", type: str, returned: always}
    verified:
      description: Elastic Beanstalk with O(elastic_beanstalk_apply) - whether the environment's group launches from a template requiring IMDSv2; else null.
      type: bool
      returned: always
    warnings: {description: "What the template patch could not carry over as is.", type: list, elements: str, returned: always}
    error: {description: "Why this owner failed, or null.", type: str, returned: always}
owners_dir:
  description: The directory of the files.
  returned: always
  type: str
"""

import os

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import cloudformation_patch as cfp
from ansible_collections.hubfix.aws.plugins.module_utils import owner_changes as oc
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_groups
from ansible_collections.hubfix.aws.plugins.module_utils.clients import attempt, client
from ansible_collections.hubfix.aws.plugins.module_utils.report_files import _write, local_path
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import poll

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def write(owners_dir, name, text):
    os.makedirs(owners_dir, mode=0o755, exist_ok=True)
    path = os.path.join(owners_dir, name)
    _write(path, text, 0o644)
    return path


def cloudformation(module, entry, owners_dir, record):
    cfn = client(module, "cloudformation", entry["region"])
    stack = entry["owner"]["name"]
    body = cfn.get_template(StackName=stack, TemplateStage="Original", aws_retry=True)["TemplateBody"]
    template, fmt = cfp.load_template(body)
    logical_ids = sorted({lc["logical_id"] for lc in entry["launch_configurations"] if lc.get("logical_id")})
    in_stack = set(cfp.launch_configuration_logical_ids(template))
    missing = [lc["name"] for lc in entry["launch_configurations"] if lc.get("logical_id") not in in_stack] + [
        g["name"] for g in entry["groups"] if not entry["launch_configurations"]
    ]
    if not logical_ids:
        # the stack owns only groups whose launch configuration lives elsewhere
        logical_ids = sorted(in_stack & {g.get("logical_id") for g in entry["groups"]})
    patched, changes = cfp.patch_template(template, [i for i in logical_ids if i in in_stack])
    text = cfp.dump_template(patched, fmt)
    record["warnings"] = list(changes.get("warnings") or []) + [
        "%s: its launch configuration is not a resource of stack %s; change it where it is defined" % (name, stack) for name in missing if name
    ]
    record["file"] = write(owners_dir, oc.file_name(entry, fmt == "yaml"), text)
    record["change_set_name"] = cfp.change_set_name(text)
    record["launch_templates"] = changes.get("launch_templates") or []
    if not module.params["cloudformation_change_set"]:
        return
    found, error = attempt(cfn.describe_change_set, StackName=stack, ChangeSetName=record["change_set_name"], aws_retry=True)
    if error is None:
        record.update(status="change_set_exists", change_set_arn=found.get("ChangeSetId"))
        return
    if "ChangeSetNotFound" not in str(error) and "does not exist" not in str(error):
        raise error
    if module.check_mode:
        record.update(status="would_create_change_set", changed=True)
        return
    parameters = cfn.describe_stacks(StackName=stack, aws_retry=True)["Stacks"][0].get("Parameters") or []
    created = cfn.create_change_set(
        StackName=stack,
        ChangeSetName=record["change_set_name"],
        ChangeSetType="UPDATE",
        TemplateBody=text,
        Parameters=[{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in parameters],
        Capabilities=CAPABILITIES,
        Description="hubfix.aws AutoScaling.3: launch configurations replaced by launch templates requiring IMDSv2 (review, then execute)",
        aws_retry=True,
    )
    record.update(status="change_set_created", change_set_arn=created["Id"], changed=True)


def environment(eb, name):
    found = eb.describe_environments(EnvironmentNames=[name], IncludeDeleted=False, aws_retry=True)["Environments"]
    return found[0] if found else None


def wait_ready(module, eb, name):
    """The environment once it is Ready (an update in progress is waited for, before and after ours)."""

    def ready():
        env = environment(eb, name)
        if env is None:
            raise ValueError("Elastic Beanstalk environment %s not found" % name)
        return env if env.get("Status") == "Ready" else None

    interval = module.params["poll_interval"]
    what = "Elastic Beanstalk environment %s to be Ready" % name
    return poll(ready, module.params["elastic_beanstalk_timeout"], what, delay=interval, max_delay=max(interval, 30))


def imdsv2_groups(module, region, eb, name):
    """The environment's groups and whether each launches from a launch template version requiring IMDSv2."""
    resources = eb.describe_environment_resources(EnvironmentName=name, aws_retry=True)["EnvironmentResources"]
    names = [g["Name"] for g in resources.get("AutoScalingGroups") or []]
    ec2 = client(module, "ec2", region)
    out = {}
    for group in describe_groups(client(module, "autoscaling", region), names) if names else []:
        spec = group.get("LaunchTemplate") or {}
        ok = False
        if spec:
            ref = {"LaunchTemplateId": spec["LaunchTemplateId"]} if spec.get("LaunchTemplateId") else {"LaunchTemplateName": spec["LaunchTemplateName"]}
            versions = ec2.describe_launch_template_versions(Versions=[str(spec.get("Version") or "$Default")], aws_retry=True, **ref)["LaunchTemplateVersions"]
            ok = bool(versions) and (versions[0]["LaunchTemplateData"].get("MetadataOptions") or {}).get("HttpTokens") == "required"
        out[group["AutoScalingGroupName"]] = ok
    return out


def elastic_beanstalk(module, entry, owners_dir, record):
    record["file"] = write(owners_dir, oc.file_name(entry), oc.json_text(oc.elastic_beanstalk_change(entry)))
    if not module.params["elastic_beanstalk_apply"]:
        return
    region, name = entry["region"], entry["owner"]["name"]
    eb = client(module, "elasticbeanstalk", region)
    if module.check_mode:
        record.update(status="would_apply", changed=True)
        return
    wait_ready(module, eb, name)
    eb.update_environment(EnvironmentName=name, OptionSettings=[dict(oc.EB_OPTION)], aws_retry=True)
    record["changed"] = True
    wait_ready(module, eb, name)
    groups = imdsv2_groups(module, region, eb, name)
    record.update(status="applied", verified=bool(groups) and all(groups.values()), environment_groups=groups)
    if not record["verified"]:
        raise ValueError("Elastic Beanstalk environment %s was updated but its group(s) %s do not launch from a template requiring IMDSv2" % (name, groups))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            items=dict(type="list", elements="dict", required=True),
            report_dir=dict(type="path", required=True),
            cloudformation_change_set=dict(type="bool", default=False),
            elastic_beanstalk_apply=dict(type="bool", default=False),
            elastic_beanstalk_timeout=dict(type="int", default=1800),
            poll_interval=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    owners_dir = os.path.join(local_path(module.params["report_dir"]), "owners")
    results, changed = [], False
    for entry in oc.owners_of_plan(module.params["items"]):
        owner = entry["owner"]
        record = {
            "type": owner["type"],
            "name": owner["name"],
            "region": entry["region"],
            "file": None,
            "launch_configurations": [lc["name"] for lc in entry["launch_configurations"]],
            "groups": sorted(g["name"] for g in entry["groups"]),
            "status": "written",
            "change_set_name": None,
            "change_set_arn": None,
            "verified": None,
            "warnings": [],
            "error": None,
        }
        try:
            if owner["type"] == "cloudformation":
                cloudformation(module, entry, owners_dir, record)
            elif owner["type"] == "elastic_beanstalk":
                elastic_beanstalk(module, entry, owners_dir, record)
            else:
                record["file"] = write(owners_dir, oc.file_name(entry), oc.markdown_change(entry))
        except Exception as e:  # noqa: BLE001 - one owner's failure is reported with it; the others are still written
            record.update(status="failed", error="%s %s (%s): %s" % (owner["type"], owner["name"], entry["region"], getattr(e, "message", None) or e))
        changed = bool(record.pop("changed", False)) or changed
        results.append(record)
    module.exit_json(changed=changed, owners=results, owners_dir=owners_dir)


if __name__ == "__main__":
    main()
