#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_instance_refresh
short_description: Replace an Auto Scaling group's instances with an instance refresh to a launch template version
version_added: 0.1.0
description:
  - Starts an instance refresh whose DesiredConfiguration is the given launch template version, with SkipMatching,
    MinHealthyPercentage and AutoRollback, and optionally waits for it to finish, reporting its progress.
  - Idempotent. No refresh is started when every instance of the group already runs from the desired template version (or the
    group has no instances); a refresh already running for the group is followed instead of starting another.
  - With O(instance_refresh_id) nothing is started; the module reports (and with O(wait) waits for) that refresh.
  - With O(wait), a refresh that ends in any status other than C(Successful) (C(Failed), C(Cancelled), C(RollbackSuccessful),
    C(RollbackFailed)) fails the task, naming the status and AWS's reason.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Auto Scaling group name.
    type: str
    required: true
  launch_template_id:
    description: Desired launch template id.
    type: str
  launch_template_name:
    description: Desired launch template name.
    type: str
  launch_template_version:
    description: Desired template version (a number, C($Default) or C($Latest)).
    type: str
    default: $Default
  min_healthy_percentage:
    description: Percentage of the group that must stay in service during the refresh.
    type: int
    default: 90
  skip_matching:
    description: Leave alone instances that already match the desired configuration.
    type: bool
    default: true
  auto_rollback:
    description: Let AWS roll the refresh back when it fails.
    type: bool
    default: true
  instance_warmup:
    description: Seconds a new instance needs before it counts as in service. AWS's default applies when omitted.
    type: int
  instance_refresh_id:
    description: Follow this refresh instead of starting one.
    type: str
  wait:
    description: Wait until the refresh finishes.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 3600
  poll_interval:
    description: Seconds between status checks with O(wait).
    type: int
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (reports whether a refresh would start and which instances it would replace).
  - "IAM actions: autoscaling:DescribeAutoScalingGroups, autoscaling:StartInstanceRefresh, autoscaling:DescribeInstanceRefreshes,
    ec2:DescribeLaunchTemplates, plus what launching from the template needs (ec2:RunInstances, iam:PassRole)."
"""

EXAMPLES = r"""
- name: Start a refresh of asg-web to version 2 of lc-web
  hubfix.aws.autoscaling_instance_refresh:
    name: asg-web
    launch_template_name: lc-web
    launch_template_version: "2"
  register: refresh

- name: Wait for it, showing progress
  hubfix.aws.autoscaling_instance_refresh:
    name: asg-web
    instance_refresh_id: "{{ refresh.instance_refresh.instance_refresh_id }}"
  register: status
  until: status.instance_refresh.status in ['Successful', 'Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']
  retries: 240
  delay: 15
"""

RETURN = r"""
instance_refresh:
  description: The refresh started or followed (snake_case DescribeInstanceRefreshes item), null when none was needed.
  returned: always
  type: dict
  contains:
    instance_refresh_id:
      description: Refresh id (null in check mode when one would be started).
      type: str
    status:
      description: Pending, InProgress, Successful, Failed, Cancelling, Cancelled, RollbackInProgress, RollbackSuccessful, RollbackFailed or Baking.
      type: str
    percentage_complete:
      description: Percentage of instances replaced.
      type: int
    status_reason:
      description: AWS's explanation of the status.
      type: str
instances_to_replace:
  description: Instances not yet on the desired template version when the module started.
  returned: always
  type: list
  elements: str
progress:
  description: With O(wait), every status seen while waiting (C(status), C(percentage_complete), C(instances_to_update)).
  returned: always
  type: list
  elements: dict
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client, paginate


def describe_refreshes(autoscaling, name, refresh_id=None):
    params = {"AutoScalingGroupName": name}
    if refresh_id:
        params["InstanceRefreshIds"] = [refresh_id]
    return autoscaling.describe_instance_refreshes(aws_retry=True, **params).get("InstanceRefreshes", [])


def snake(refresh):
    return camel_dict_to_snake_dict(asg.json_safe(refresh)) if refresh else None


def resolve_template(module, ec2, template_id, template_name):
    try:
        if template_id:
            found = ec2.describe_launch_templates(aws_retry=True, LaunchTemplateIds=[template_id])["LaunchTemplates"]
        else:
            found = ec2.describe_launch_templates(aws_retry=True, LaunchTemplateNames=[template_name])["LaunchTemplates"]
    except botocore.exceptions.ClientError as e:
        if "NotFound" not in e.response["Error"]["Code"]:
            raise
        found = []
    if not found:
        msg = "launch template %s not found in region %s" % (template_id or template_name, module.region)
        if not module.check_mode:
            module.fail_json(msg=msg)
        module.warn(msg + " (check mode: assuming an earlier task creates it)")
        return None
    return found[0]["LaunchTemplateId"]


def wait_for(module, autoscaling, name, refresh_id, progress):
    deadline = time.monotonic() + module.params["wait_timeout"]
    while True:
        found = describe_refreshes(autoscaling, name, refresh_id)
        if not found:
            module.fail_json(msg="instance refresh %s of group %s not found" % (refresh_id, name))
        refresh = found[0]
        progress.append(
            {
                "status": refresh.get("Status"),
                "percentage_complete": refresh.get("PercentageComplete"),
                "instances_to_update": refresh.get("InstancesToUpdate"),
                "status_reason": refresh.get("StatusReason"),
            }
        )
        if refresh.get("Status") in asg.REFRESH_TERMINAL:
            return refresh
        if time.monotonic() > deadline:
            module.fail_json(
                msg="instance refresh %s of group %s still %s after %ss" % (refresh_id, name, refresh.get("Status"), module.params["wait_timeout"]),
                instance_refresh=snake(refresh),
                progress=progress,
            )
        time.sleep(module.params["poll_interval"])


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        launch_template_id=dict(type="str"),
        launch_template_name=dict(type="str"),
        launch_template_version=dict(type="str", default="$Default"),
        min_healthy_percentage=dict(type="int", default=90),
        skip_matching=dict(type="bool", default=True),
        auto_rollback=dict(type="bool", default=True),
        instance_warmup=dict(type="int"),
        instance_refresh_id=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        poll_interval=dict(type="int", default=15),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[
            ["launch_template_id", "launch_template_name"],
            ["instance_refresh_id", "launch_template_id"],
            ["instance_refresh_id", "launch_template_name"],
        ],
        required_one_of=[["launch_template_id", "launch_template_name", "instance_refresh_id"]],
    )
    p = module.params
    name = p["name"]
    if not 0 <= p["min_healthy_percentage"] <= 100:
        module.fail_json(msg="min_healthy_percentage must be between 0 and 100")
    autoscaling = client(module, "autoscaling")
    changed = False
    refresh = None
    to_replace = []
    progress = []
    try:
        if p["instance_refresh_id"]:
            found = describe_refreshes(autoscaling, name, p["instance_refresh_id"])
            if not found:
                module.fail_json(msg="instance refresh %s of group %s not found" % (p["instance_refresh_id"], name))
            refresh = found[0]
        else:
            groups = paginate(autoscaling, "describe_auto_scaling_groups", AutoScalingGroupNames=[name]).get("AutoScalingGroups", [])
            if not groups:
                module.fail_json(msg="Auto Scaling group %s not found in region %s" % (name, module.region))
            group = groups[0]
            version = p["launch_template_version"]
            template_id = resolve_template(module, client(module, "ec2"), p["launch_template_id"], p["launch_template_name"])
            active = [r for r in describe_refreshes(autoscaling, name) if r.get("Status") in asg.REFRESH_ACTIVE]
            to_replace = asg.instances_to_refresh(group, template_id, version) if template_id else [i["InstanceId"] for i in group.get("Instances") or []]
            if active:
                refresh = active[0]
                module.warn(
                    "an instance refresh (%s, %s) is already running for group %s: following it" % (refresh["InstanceRefreshId"], refresh["Status"], name)
                )
            elif to_replace:
                changed = True
                spec = {"LaunchTemplateId": template_id} if template_id else {"LaunchTemplateName": p["launch_template_name"]}
                spec["Version"] = version
                preferences = {"MinHealthyPercentage": p["min_healthy_percentage"], "SkipMatching": p["skip_matching"], "AutoRollback": p["auto_rollback"]}
                if p["instance_warmup"] is not None:
                    preferences["InstanceWarmup"] = p["instance_warmup"]
                if module.check_mode:
                    refresh = {"InstanceRefreshId": None, "Status": "Pending", "PercentageComplete": 0, "InstancesToUpdate": len(to_replace)}
                else:
                    refresh_id = autoscaling.start_instance_refresh(
                        aws_retry=True,
                        AutoScalingGroupName=name,
                        Strategy="Rolling",
                        DesiredConfiguration={"LaunchTemplate": spec},
                        Preferences=preferences,
                    )["InstanceRefreshId"]
                    refresh = describe_refreshes(autoscaling, name, refresh_id)[0]
        if p["wait"] and refresh and refresh.get("InstanceRefreshId") and refresh.get("Status") not in asg.REFRESH_TERMINAL:
            refresh = wait_for(module, autoscaling, name, refresh["InstanceRefreshId"], progress)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="instance refresh of Auto Scaling group %s failed" % name)

    result = dict(changed=changed, instance_refresh=snake(refresh), instances_to_replace=to_replace, progress=progress)
    if module._diff and changed:
        result["diff"] = {
            "before_header": "Auto Scaling group %s (%s) instances" % (name, module.region),
            "after_header": "instance refresh to %s version %s" % (p["launch_template_name"] or p["launch_template_id"], p["launch_template_version"]),
            "before": "\n".join(to_replace) + "\n",
            "after": "%d instance(s) replaced\n" % len(to_replace),
        }
    if p["wait"] and refresh and refresh.get("Status") in asg.REFRESH_TERMINAL and refresh.get("Status") not in asg.REFRESH_SUCCESS:
        result.pop("changed")
        module.fail_json(
            msg="instance refresh %s of group %s ended %s: %s" % (refresh.get("InstanceRefreshId"), name, refresh.get("Status"), refresh.get("StatusReason")),
            changed=changed,
            **{k: v for k, v in result.items() if k != "diff"},
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
