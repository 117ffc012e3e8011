#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: role_inputs
short_description: Convert a hubfix.aws role's inputs by its argument spec and refuse misspelled variables
version_added: 0.2.0
description:
  - Reads the variables an entry point of a hubfix.aws role declares in its C(meta/argument_specs.yml), converts them the way an
    AWX survey user means them - C("false"), C("no") and C("0") are false, C("5") is 5, a comma- or newline-separated string is a
    list, JSON text is a dict - and returns RV(args), every input of the entry point (defaults filled in; the role's own prefix
    dropped, so C(audit_regions) is C(args.regions), shared C(hubfix_*) names kept). The roles set it as the fact
    C(<role>__args) and read their inputs from it, so a survey string never reaches a condition as a truthy string.
  - Inputs named C(*_regions) follow the one region rule - a list, a comma- or newline-separated string, or V(all); a name
    that is not a region of any AWS partition (botocore's endpoint data) fails without any AWS call.
  - A value that cannot be converted fails the task with one line per bad input naming it, its value and what is expected.
  - A variable whose name starts with C(audit_), C(autoscaling_imdsv2_), C(pv_to_hvm_), C(hubfix_) or C(accounts_) that no
    argument spec of the collection declares fails the task (before any AWS call), naming the closest known variable.
  - Returns RV(run) - the run record C(hubfix_run) when the play already has one, else a new one (C(id), C(started_at),
    C(host), C(pid), C(pid_start)) whose id is C(hubfix_run_id) when given, else a UTC time stamp with a random suffix.
  - Action plugin; runs on the controller and makes no AWS call. Check mode does the same.
author:
  - hubfix.aws maintainers (@hubfix)
options:
  role:
    description: The role, without the collection prefix (C(audit), C(autoscaling_imdsv2), C(pv_to_hvm), C(accounts)).
    type: str
    required: true
  entry_point:
    description: The entry point of the role's argument spec.
    type: str
    default: main
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: all
"""

EXAMPLES = r"""
- name: Check and convert the inputs (the first task of the role)
  hubfix.aws.role_inputs:
    role: autoscaling_imdsv2
  register: inputs

- name: Keep them
  ansible.builtin.set_fact:
    autoscaling_imdsv2__args: "{{ inputs.args }}"
    hubfix_run: "{{ inputs.run }}"

- name: Use them
  ansible.builtin.debug:
    msg: "{{ 'IMDSv1 gate off' if autoscaling_imdsv2__args.force else 'IMDSv1 gate on' }}"
"""

RETURN = r"""
args:
  description: The converted inputs of the entry point.
  returned: success
  type: dict
run:
  description: The run record (C(id), C(started_at), C(host), C(pid), C(pid_start)).
  returned: success
  type: dict
unknown_variables:
  description: The misspelled variables, when the task failed because of them.
  returned: failure
  type: list
  elements: str
"""
