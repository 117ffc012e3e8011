# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin ``hubfix.aws.role_inputs`` (documented in plugins/modules/role_inputs.py): a role's inputs converted by
its argument spec (``args``), unknown collection-prefixed variables refused, and the run record (``run``). The role sets
them as facts with ``set_fact`` (facts returned by an action plugin would become gathered facts). Runs on the controller;
makes no AWS call."""

from __future__ import annotations

import datetime
import os
import secrets
import socket
from pathlib import Path

import yaml
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.hubfix.aws.plugins.module_utils.claims import process_start
from ansible_collections.hubfix.aws.plugins.module_utils.role_inputs import InputProblem, convert, unknown_message, unknown_names

ROLES = Path(__file__).resolve().parents[2] / "roles"


# libyaml's safe loader when PyYAML has it: ten times faster on the argument specs (40 ms -> 4 ms on every role's first task)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_specs():
    """``{role: {entry point: options}}`` of every role of the collection."""
    specs = {}
    for path in sorted(ROLES.glob("*/meta/argument_specs.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader
        specs[path.parents[1].name] = {name: (ep or {}).get("options") or {} for name, ep in (data.get("argument_specs") or {}).items()}
    return specs


def new_run(run_id=None):
    now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - also Python < 3.11
    pid = os.getppid()  # the ansible-playbook process (the worker running this plugin is its child)
    return {
        "id": run_id or "%s-%s" % (now.strftime("%Y%m%dT%H%M%SZ"), secrets.token_hex(3)),
        "started_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": socket.gethostname(),
        "pid": pid,
        "pid_start": process_start(pid),
    }


def short_names(role, args):
    """``audit_regions`` -> ``regions`` for the role's own inputs; shared ones (``hubfix_accounts``) keep their name."""
    prefix = role + "_"
    return {name[len(prefix) :] if name.startswith(prefix) else name: value for name, value in args.items()}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        role, entry_point = self._task.args.get("role"), self._task.args.get("entry_point", "main")
        specs = load_specs()
        if role not in specs or entry_point not in specs[role]:
            raise AnsibleActionFail("no argument spec %s of role hubfix.aws.%s" % (entry_point, role))
        known = {name for points in specs.values() for options in points.values() for name in options}
        unknown = unknown_names(task_vars, known)
        if unknown:
            return dict(result, failed=True, msg=unknown_message(unknown), unknown_variables=[name for name, _near in unknown])
        options = specs[role][entry_point]
        given = {name: self._templar.template(task_vars[name]) for name in options if name in task_vars}
        try:
            args = convert(options, given)
        except InputProblem as e:
            return dict(result, failed=True, msg=str(e))
        run = task_vars.get("hubfix_run") or new_run(args.get("hubfix_run_id"))
        return dict(result, changed=False, args=short_names(role, args), run=run)
