#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: launch_configuration_backup
short_description: Save the full definition of an Auto Scaling launch configuration to a JSON file
version_added: 0.1.0
description:
  - Writes the complete DescribeLaunchConfigurations definition (user data included, file mode C(0600)) to
    C(<dest_dir>/<account id>/<region>/<name>.json), the precondition for deleting the launch configuration with
    M(hubfix.aws.launch_configuration).
  - A backup is never overwritten. When the file exists and holds this launch configuration (same ARN and creation time) nothing
    changes; when it holds an older launch configuration of the same name, the new backup gets the creation time in its file name.
  - The file is written on the host the task runs on (use it on localhost).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  name:
    description: Launch configuration name.
    type: str
    required: true
  dest_dir:
    description: Backup directory (created when missing).
    type: path
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode reports the file that would be written and writes nothing.
  - "IAM actions: autoscaling:DescribeLaunchConfigurations, sts:GetCallerIdentity."
"""

EXAMPLES = r"""
- name: Back up lc-web before it is retired
  hubfix.aws.launch_configuration_backup:
    name: lc-web
    region: us-east-1
    dest_dir: /var/backups/hubfix/launch-configurations
  register: backup
"""

RETURN = r"""
backup_file:
  description: Path of the backup of this launch configuration.
  returned: always
  type: str
  sample: /var/backups/hubfix/launch-configurations/123456789012/us-east-1/lc-web.json
launch_configuration_arn:
  description: ARN of the launch configuration saved.
  returned: always
  type: str
"""

import json
import os

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils.clients import caller_account_id, client, paginate


def existing_backup(path, lc):
    """True when ``path`` already holds this launch configuration; False when it is free; None when it holds another."""
    if not os.path.exists(path):
        return False
    try:
        return True if asg.backup_matches(asg.read_backup(path), lc) else None
    except (OSError, ValueError):
        return None


def main():
    argument_spec = dict(name=dict(type="str", required=True), dest_dir=dict(type="path", required=True))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params["name"]
    region = module.region
    try:
        configs = paginate(client(module, "autoscaling"), "describe_launch_configurations", LaunchConfigurationNames=[name]).get("LaunchConfigurations", [])
        if not configs:
            module.fail_json(msg="launch configuration %s not found in region %s: nothing to back up" % (name, region))
        lc = configs[0]
        account_id = caller_account_id(module)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="failed to read launch configuration %s" % name)

    path = asg.backup_path(module.params["dest_dir"], account_id, region, name)
    state = existing_backup(path, lc)
    if state is None:
        path = asg.backup_path(module.params["dest_dir"], account_id, region, name, asg.json_safe(lc).get("CreatedTime"))
        state = existing_backup(path, lc)
        if state is None:
            module.fail_json(msg="backup file %s exists and holds another launch configuration; refusing to overwrite it" % path)

    result = dict(changed=not state, backup_file=path, launch_configuration_arn=lc.get("LaunchConfigurationARN"))
    if module._diff and not state:
        result["diff"] = {"before_header": path, "after_header": path, "before": "", "after": "backup of launch configuration %s (%s)\n" % (name, region)}
    if not state and not module.check_mode:
        document = asg.backup_document(lc, account_id, region)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, sort_keys=True)
            f.write("\n")
        # link() fails when the file appeared meanwhile: a backup is never replaced.
        try:
            os.link(tmp, path)
        except FileExistsError:
            os.unlink(tmp)
            module.fail_json(msg="backup file %s appeared while writing; not overwritten" % path)
        os.unlink(tmp)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
