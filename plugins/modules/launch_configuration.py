#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: launch_configuration
short_description: Delete an Auto Scaling launch configuration, only once a backup of it exists
version_added: 0.1.0
description:
  - Deletes a launch configuration after checking that O(backup_file) exists and holds this very launch configuration
    (same name, ARN and creation time), as written by M(hubfix.aws.launch_configuration_backup).
  - This module never creates launch configurations (new accounts cannot create them).
  - A launch configuration still used by a group is refused by AWS (C(ResourceInUse)); the message names it.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Launch configuration name.
    type: str
    required: true
  state:
    description: Only C(absent) is supported.
    type: str
    choices: [absent]
    default: absent
  backup_file:
    description:
      - Backup of the launch configuration. Must exist, except in check mode where a missing file only gives a warning
        (the backup task before it would have written it).
    type: path
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode.
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, autoscaling:DeleteLaunchConfiguration."
"""

EXAMPLES = r"""
- name: Retire lc-web once backed up
  hubfix.aws.launch_configuration:
    name: lc-web
    state: absent
    backup_file: "{{ backup.backup_file }}"
"""

RETURN = r"""
launch_configuration_arn:
  description: ARN of the launch configuration deleted (or that would be), null when it did not exist.
  returned: always
  type: str
backup_file:
  description: The backup that allowed the deletion.
  returned: always
  type: str
"""

import os

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.clients import client, paginate


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["absent"], default="absent"),
        backup_file=dict(type="path", required=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params["name"]
    backup_file = module.params["backup_file"]
    autoscaling = client(module, "autoscaling")
    try:
        configs = paginate(autoscaling, "describe_launch_configurations", LaunchConfigurationNames=[name]).get("LaunchConfigurations", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="failed to read launch configuration %s" % name)
    if not configs:
        module.exit_json(changed=False, launch_configuration_arn=None, backup_file=backup_file)
    lc = configs[0]

    if not os.path.exists(backup_file):
        if not module.check_mode:
            module.fail_json(msg="refusing to delete launch configuration %s: backup file %s does not exist" % (name, backup_file))
        module.warn("backup file %s does not exist yet; a real run deletes launch configuration %s only once it does" % (backup_file, name))
    else:
        try:
            document = asg.read_backup(backup_file)
        except (OSError, ValueError) as e:
            module.fail_json(msg="refusing to delete launch configuration %s: backup file %s is unreadable: %s" % (name, backup_file, e))
        if not asg.backup_matches(document, lc):
            module.fail_json(msg="refusing to delete launch configuration %s: backup file %s holds another launch configuration" % (name, backup_file))

    result = dict(changed=True, launch_configuration_arn=lc.get("LaunchConfigurationARN"), backup_file=backup_file)
    if module._diff:
        result["diff"] = {
            "before_header": "launch configuration %s (%s)" % (name, module.region),
            "after_header": "launch configuration %s (%s): deleted, backup %s" % (name, module.region, backup_file),
            "before": "launch configuration %s\n" % name,
            "after": "",
        }
    if not module.check_mode:
        try:
            autoscaling.delete_launch_configuration(aws_retry=True, LaunchConfigurationName=name)
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] == "ResourceInUse":
                module.fail_json_aws(e, msg="launch configuration %s is still used by an Auto Scaling group; not deleted" % name)
            module.fail_json_aws(e, msg="failed to delete launch configuration %s" % name)
        except botocore.exceptions.BotoCoreError as e:
            module.fail_json_aws(e, msg="failed to delete launch configuration %s" % name)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
