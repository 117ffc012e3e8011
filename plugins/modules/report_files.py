#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: report_files
short_description: Write a hubfix.aws report into its run's directory and keep the latest one
version_added: 0.2.0
description:
  - Writes the report O(name) of one run as C(<report_dir>/<run_id>/<name>.json), C(.md) and C(.html) (those given), so every run
    keeps its own reports, and copies them to C(<report_dir>/latest/) unless O(update_latest) is false (a run that could not
    scan what it was asked to leaves the previous trusted report in C(latest)).
  - Files are written under a temporary name and renamed; a reader never sees half a report.
  - Used by every hubfix.aws role (the one report writer). Reports are local files, not AWS changes - the roles run this
    task also in check mode (with C(check_mode=false) on the task) so a dry run leaves its plan, and it never reports C(changed).
author:
  - hubfix.aws maintainers (@hubfix)
options:
  report_dir:
    description: The report directory. A relative path is taken from the directory the playbook runs in; C(~) is expanded.
    type: path
    required: true
  run_id:
    description: The run's id (C(hubfix_run.id)), the name of its directory.
    type: str
    required: true
  name:
    description: Base name of the report files (C(audit), C(autoscaling_imdsv2), C(pv_to_hvm)).
    type: str
    required: true
  data:
    description: The JSON report.
    type: dict
  markdown:
    description: The Markdown report.
    type: str
  html:
    description: The HTML report.
    type: str
  markdown_template:
    description:
      - A Jinja2 template that renders the Markdown report from O(data), found as C(ansible.builtin.template) finds its
        source (the role's C(templates/) directory, then the playbook's); the template sees the report as C(report).
      - Rendered on the controller with plain Jinja2 (no lookups or Ansible filters in it), much faster than a
        C(lookup('ansible.builtin.template')) of the same template for a big report.
      - Mutually exclusive with O(markdown); needs O(data).
    type: str
    version_added: 0.4.0
  html_template:
    description: As O(markdown_template), for the HTML report. Mutually exclusive with O(html).
    type: str
    version_added: 0.4.0
  update_latest:
    description: Copy the report to C(<report_dir>/latest/) too.
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: none
    details: Writes local files only; run it with C(check_mode=false) on the task to keep the plan of a dry run.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Write the audit report
  hubfix.aws.report_files:
    report_dir: ./hubfix-reports
    run_id: "{{ hubfix_run.id }}"
    name: audit
    data: "{{ audit_result }}"
    markdown_template: audit.md.j2  # rendered with the report as `report`
    html_template: audit.html.j2
  check_mode: false

- name: Write a report whose Markdown is made by a filter
  hubfix.aws.report_files:
    report_dir: ./hubfix-reports
    run_id: "{{ hubfix_run.id }}"
    name: pv_to_hvm
    data: "{{ pv_to_hvm_report }}"
    markdown: "{{ pv_to_hvm_report | hubfix.aws.pv_to_hvm_markdown }}"
  check_mode: false
"""

RETURN = r"""
run_dir:
  description: The run's report directory.
  returned: success
  type: str
  sample: /home/me/hubfix-reports/20261201T101500Z-3fa2c1
latest_dir:
  description: The directory holding the latest trusted reports.
  returned: success
  type: str
paths:
  description: The files written in the run's directory.
  returned: success
  type: list
  elements: str
latest_paths:
  description: The files written in C(latest) (empty when O(update_latest) is false).
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hubfix.aws.plugins.module_utils.report_files import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, TEMPLATE_OPTIONS, write_report_of


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=False)
    given = [o for o in TEMPLATE_OPTIONS if module.params[o]]
    if given:
        # only reached when the action plugin of the same name was bypassed: templates are the controller's files
        module.fail_json(msg="%s: templates are rendered by the hubfix.aws.report_files action plugin on the controller" % ", ".join(given))
    try:
        written = write_report_of(module.params)
    except (OSError, ValueError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=False, **written)


if __name__ == "__main__":
    main()
