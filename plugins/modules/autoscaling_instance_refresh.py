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
  fail_on_wait_timeout:
    description:
      - With O(wait), fail when the refresh is still running after O(wait_timeout). V(false) returns its current status instead,
        so a caller can show progress and wait again.
    type: bool
    default: true
    version_added: 0.2.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (reports whether a refresh would start and which instances it would replace).
  - M(amazon.aws.autoscaling_instance_refresh) is not used because it cannot set a C(DesiredConfiguration) (so AWS cannot switch
    the group only on success nor roll a failed refresh back to the previous launch source), has no C(AutoRollback), does not wait,
    and starts a refresh even when every instance already matches.
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


from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_group, describe_refreshes
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client
from ansible_collections.hubfix.aws.plugins.module_utils.ec2_api import find_launch_template
from ansible_collections.hubfix.aws.plugins.module_utils.waiting import WaitTimeout, poll


def snake(refresh):
    return camel_dict_to_snake_dict(normalize_boto3_result(refresh)) if refresh else None


def one_refresh(module, autoscaling, name, refresh_id):
    found = describe_refreshes(autoscaling, name, refresh_id)
    if not found:
        module.fail_json(msg="instance refresh %s of group %s not found" % (refresh_id, name))
    return found[0]


def template_id_of(module, ec2):
    """The desired template's id; None in check mode when an earlier check-mode task would create it."""
    p = module.params
    template = find_launch_template(ec2, p["launch_template_id"], p["launch_template_name"])
    if template is not None:
        return template["LaunchTemplateId"]
    msg = "launch template %s not found in region %s" % (p["launch_template_id"] or p["launch_template_name"], module.region)
    if not module.check_mode:
        module.fail_json(msg=msg)
    module.warn(msg + " (check mode: assuming an earlier task creates it)")
    return None


def start(module, autoscaling):
    """``(changed, refresh, instances to replace)``: an active refresh is followed, none is started when nothing differs."""
    p, name = module.params, module.params["name"]
    group = describe_group(autoscaling, name)
    if group is None:
        module.fail_json(msg="Auto Scaling group %s not found in region %s" % (name, module.region))
    template_id = template_id_of(module, client(module, "ec2"))
    to_replace = asg.instances_to_refresh(group, template_id, p["launch_template_version"]) if template_id else asg.instance_ids(group)
    active = [r for r in describe_refreshes(autoscaling, name) if r.get("Status") in asg.REFRESH_ACTIVE]
    if active:
        module.warn("an instance refresh (%s, %s) is already running for group %s: following it" % (active[0]["InstanceRefreshId"], active[0]["Status"], name))
        return False, active[0], to_replace
    if not to_replace:
        return False, None, to_replace
    if module.check_mode:
        return True, {"InstanceRefreshId": None, "Status": "Pending", "PercentageComplete": 0, "InstancesToUpdate": len(to_replace)}, to_replace
    request = asg.refresh_request(
        name,
        template_id,
        p["launch_template_name"],
        p["launch_template_version"],
        p["min_healthy_percentage"],
        p["skip_matching"],
        p["auto_rollback"],
        p["instance_warmup"],
    )
    refresh_id = autoscaling.start_instance_refresh(aws_retry=True, **request)["InstanceRefreshId"]
    return True, one_refresh(module, autoscaling, name, refresh_id), to_replace


def wait(module, autoscaling, refresh, progress):
    """Poll the refresh until it ends, recording every status seen in ``progress``."""
    name, refresh_id = module.params["name"], refresh["InstanceRefreshId"]

    def ended():
        current = one_refresh(module, autoscaling, name, refresh_id)
        progress.append(asg.refresh_progress(current))
        return current if current.get("Status") in asg.REFRESH_TERMINAL else None

    try:
        return poll(
            ended,
            module.params["wait_timeout"],
            "instance refresh %s of group %s" % (refresh_id, name),
            delay=module.params["poll_interval"],
            max_delay=module.params["poll_interval"],
        )
    except WaitTimeout as e:
        latest = one_refresh(module, autoscaling, name, refresh_id)
        if not module.params["fail_on_wait_timeout"]:
            return latest
        module.fail_json(msg=str(e), instance_refresh=snake(latest), progress=progress)


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
        fail_on_wait_timeout=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["launch_template_id", "launch_template_name", "instance_refresh_id"]],
        required_one_of=[["launch_template_id", "launch_template_name", "instance_refresh_id"]],
    )
    p = module.params
    if not 0 <= p["min_healthy_percentage"] <= 100:
        module.fail_json(msg="min_healthy_percentage must be between 0 and 100")
    autoscaling = client(module, "autoscaling")
    changed, refresh, to_replace, progress = False, None, [], []
    with aws_errors_fail(module, "instance refresh of Auto Scaling group %s failed" % p["name"]):
        if p["instance_refresh_id"]:
            refresh = one_refresh(module, autoscaling, p["name"], p["instance_refresh_id"])
        else:
            changed, refresh, to_replace = start(module, autoscaling)
        if p["wait"] and refresh and refresh.get("InstanceRefreshId") and refresh.get("Status") not in asg.REFRESH_TERMINAL:
            refresh = wait(module, autoscaling, refresh, progress)

    result = dict(changed=changed, instance_refresh=snake(refresh), instances_to_replace=to_replace, progress=progress)
    if module._diff and changed:
        result["diff"] = asg.refresh_diff(
            p["name"], module.region, p["launch_template_name"] or p["launch_template_id"], p["launch_template_version"], to_replace
        )
    failure = asg.refresh_failure(refresh) if p["wait"] else None
    if failure:
        module.fail_json(msg=failure, **{k: v for k, v in result.items() if k != "diff"})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
