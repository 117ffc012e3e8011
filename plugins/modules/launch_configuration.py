#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: launch_configuration
short_description: Delete an Auto Scaling launch configuration once a backup of it exists, or restore it from that backup
version_added: 0.1.0
description:
  - O(state=absent) deletes a launch configuration after checking that O(backup_file) exists and holds this very launch
    configuration (same name, ARN and creation time), as written by M(hubfix.aws.launch_configuration_backup).
  - O(state=present) restores a deleted launch configuration from O(backup_file) (every field, user data included) when none of
    that name exists; an existing one is left as it is. Accounts created after 2023-10-01 cannot create launch configurations,
    so AWS refuses the restore there and the message says so.
  - A launch configuration still used by a group is refused by AWS (C(ResourceInUse)); the message names it.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Launch configuration name.
    type: str
    required: true
  state:
    description: V(absent) deletes the launch configuration, V(present) restores it from O(backup_file) when it does not exist.
    type: str
    choices: [absent, present]
    default: absent
  backup_file:
    description:
      - Backup of the launch configuration. Must exist, except in check mode with O(state=absent) where a missing file only gives
        a warning (the backup task before it would have written it).
    type: path
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode.
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DeleteLaunchConfiguration; for O(state=present)
    autoscaling:CreateLaunchConfiguration (and iam:PassRole for its instance profile)."
"""

EXAMPLES = r"""
- name: Retire lc-web once backed up
  hubfix.aws.launch_configuration:
    name: lc-web
    state: absent
    backup_file: "{{ backup.backup_file }}"

- name: Put lc-web back from its backup
  hubfix.aws.launch_configuration:
    name: lc-web
    state: present
    backup_file: ./hubfix-backups/launch-configurations/123456789012/us-east-1/lc-web.json
"""

RETURN = r"""
launch_configuration_arn:
  description: ARN of the launch configuration deleted or restored (or that would be), null when unknown.
  returned: always
  type: str
backup_file:
  description: The backup that allowed the deletion, or that the launch configuration was restored from.
  returned: always
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import lc_backup
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_launch_configuration
from ansible_collections.hubfix.aws.plugins.module_utils.clients import aws_errors_fail, client


def backup_problem(module, lc):
    """Why the backup file does not allow deleting ``lc``, or None."""
    path, name = module.params["backup_file"], lc["LaunchConfigurationName"]
    state = lc_backup.existing_backup(path, lc)
    if state is False:
        if module.check_mode:
            module.warn("backup file %s does not exist yet; a real run deletes launch configuration %s only once it does" % (path, name))
            return None
        return "refusing to delete launch configuration %s: backup file %s does not exist" % (name, path)
    if state is None:
        return "refusing to delete launch configuration %s: backup file %s is unreadable or holds another launch configuration" % (name, path)
    return None


def absent(module, autoscaling, lc):
    name = module.params["name"]
    problem = backup_problem(module, lc)
    if problem:
        module.fail_json(msg=problem)
    if not module.check_mode:
        try:
            autoscaling.delete_launch_configuration(aws_retry=True, LaunchConfigurationName=name)
        except is_boto3_error_code("ResourceInUse") as e:
            module.fail_json_aws(e, msg="launch configuration %s is still used by an Auto Scaling group; not deleted" % name)
    return lc.get("LaunchConfigurationARN")


def present(module, autoscaling):
    """Create the launch configuration from its backup: ``(ARN or None in check mode)``."""
    name, path = module.params["name"], module.params["backup_file"]
    try:
        request = lc_backup.create_request(lc_backup.read_backup(path))
    except (OSError, ValueError) as e:
        module.fail_json(msg="cannot restore launch configuration %s: backup file %s is unreadable: %s" % (name, path, e))
    if request["LaunchConfigurationName"] != name:
        module.fail_json(msg="backup file %s holds launch configuration %s, not %s" % (path, request["LaunchConfigurationName"], name))
    if module.check_mode:
        return None
    try:
        autoscaling.create_launch_configuration(aws_retry=True, **request)
    except is_boto3_error_code(["ValidationError", "UnsupportedOperation"]) as e:
        module.fail_json_aws(
            e, msg="AWS refused to recreate launch configuration %s (accounts created after 2023-10-01 cannot create launch configurations)" % name
        )
    return (describe_launch_configuration(autoscaling, name) or {}).get("LaunchConfigurationARN")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["absent", "present"], default="absent"),
        backup_file=dict(type="path", required=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    name, state, backup_file = module.params["name"], module.params["state"], module.params["backup_file"]
    autoscaling = client(module, "autoscaling")
    with aws_errors_fail(module, "failed to make launch configuration %s %s" % (name, state)):
        lc = describe_launch_configuration(autoscaling, name)
        changed = (lc is None) if state == "present" else (lc is not None)
        arn = (lc or {}).get("LaunchConfigurationARN")
        if changed:
            arn = present(module, autoscaling) if state == "present" else absent(module, autoscaling, lc)

    result = dict(changed=changed, launch_configuration_arn=arn, backup_file=backup_file)
    if module._diff and changed:
        exists = "launch configuration %s\n" % name
        result["diff"] = {
            "before_header": "launch configuration %s (%s)" % (name, module.region),
            "after_header": "launch configuration %s (%s): %s, backup %s" % (name, module.region, "restored" if state == "present" else "deleted", backup_file),
            "before": "" if state == "present" else exists,
            "after": exists if state == "present" else "",
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
