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
  allow_missing:
    description:
      - What a launch configuration that does not exist (any more) gives - V(false) fails naming it, V(true) returns
        RV(found=false) and changes nothing (a run that planned it while another run retired it).
    type: bool
    default: false
    version_added: 0.2.0
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
found:
  description: Whether the launch configuration exists (false only with O(allow_missing)).
  returned: always
  type: bool
  version_added: 0.2.0
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.hubfix.aws.plugins.module_utils import lc_backup
from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling_api import describe_launch_configuration
from ansible_collections.hubfix.aws.plugins.module_utils.clients import account_id, aws_errors_fail, client


def main():
    argument_spec = dict(name=dict(type="str", required=True), dest_dir=dict(type="path", required=True), allow_missing=dict(type="bool", default=False))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    name, region = module.params["name"], module.region
    with aws_errors_fail(module, "failed to read launch configuration %s" % name):
        lc = describe_launch_configuration(client(module, "autoscaling"), name)
    if lc is None and module.params["allow_missing"]:
        module.exit_json(changed=False, found=False, backup_file=None, launch_configuration_arn=None)
    if lc is None:
        module.fail_json(msg="launch configuration %s not found in region %s: nothing to back up" % (name, region))
    account = account_id(module)
    path, written = lc_backup.free_backup_path(module.params["dest_dir"], account, region, lc)
    if written is None:
        module.fail_json(msg="backup file %s exists and holds another launch configuration; refusing to overwrite it" % path)

    result = dict(changed=not written, found=True, backup_file=path, launch_configuration_arn=lc.get("LaunchConfigurationARN"))
    if module._diff and not written:
        result["diff"] = {"before_header": path, "after_header": path, "before": "", "after": "backup of launch configuration %s (%s)\n" % (name, region)}
    if not written and not module.check_mode:
        try:
            lc_backup.write_backup(path, lc_backup.backup_document(lc, account, region))
        except FileExistsError:
            module.fail_json(msg="backup file %s appeared while writing; not overwritten" % path)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
