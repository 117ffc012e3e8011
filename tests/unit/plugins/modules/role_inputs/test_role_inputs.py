"""hubfix.aws.role_inputs: a role's inputs converted by its argument spec, misspelled variables refused.

plugins/modules/role_inputs.py only documents the module: the work is done on the controller by the action plugin
plugins/action/role_inputs.py, so these tests run that plugin's ``run()`` in-process (it makes no AWS call)."""

from __future__ import annotations

import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hubfix.aws.plugins.action.role_inputs import ActionModule
from ansible_collections.hubfix.aws.plugins.modules import role_inputs as documentation


def run_action(task_vars, role="audit", entry_point=None, check_mode=False):
    args = {"role": role} if entry_point is None else {"role": role, "entry_point": entry_point}
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="hubfix.aws.role_inputs")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/tmp"))
    templar = types.SimpleNamespace(template=lambda value: value)
    action = ActionModule(task=task, connection=connection, play_context=None, loader=None, templar=templar)
    return action.run(task_vars=task_vars)


def test_the_module_file_documents_the_action_plugin_only():
    assert not hasattr(documentation, "main")
    assert "role:" in documentation.DOCUMENTATION and "entry_point:" in documentation.DOCUMENTATION


def test_survey_strings_become_real_values_with_defaults_filled_in():
    result = run_action({"audit_fail_on_findings": "false", "audit_controls": "EC2.24, AutoScaling.3", "audit_regions": "us-east-1\neu-west-1"})

    assert result["changed"] is False
    args = result["args"]
    assert args["fail_on_findings"] is False
    assert args["controls"] == ["EC2.24", "AutoScaling.3"]
    assert args["regions"] == ["us-east-1", "eu-west-1"]
    assert args["import_findings"] is False
    assert "hubfix_allow_partial" in args


def test_a_new_run_record_takes_the_given_run_id():
    run = run_action({"hubfix_run_id": "nightly-1"})["run"]

    assert run["id"] == "nightly-1"
    assert set(run) == {"id", "started_at", "host", "pid", "pid_start"}


def test_the_plays_run_record_is_kept():
    existing = {"id": "run-0", "started_at": "2026-12-01T00:00:00Z", "host": "h", "pid": 1, "pid_start": "2"}

    assert run_action({"hubfix_run": existing})["run"] == existing


def test_check_mode_converts_the_same_way():
    assert run_action({"audit_fail_on_findings": "yes"}, check_mode=True)["args"]["fail_on_findings"] is True


def test_a_misspelled_variable_fails_naming_the_closest_one():
    result = run_action({"audit_fail_on_finding": True})

    assert result["failed"] is True
    assert result["msg"] == "audit_fail_on_finding is not a hubfix.aws variable; did you mean audit_fail_on_findings?"
    assert result["unknown_variables"] == ["audit_fail_on_finding"]


def test_a_value_that_cannot_be_converted_fails_naming_the_variable():
    result = run_action({"audit_fail_on_findings": "maybe"})

    assert result["failed"] is True
    assert result["msg"].startswith("audit_fail_on_findings: 'maybe' is not valid, expected true or false")


def test_an_unknown_region_fails_without_any_aws_call():
    result = run_action({"audit_regions": "us-eats-1"})

    assert result["failed"] is True
    assert result["msg"].startswith("audit_regions: unknown region name(s): us-eats-1")


def test_an_unknown_role_or_entry_point_is_refused():
    with pytest.raises(AnsibleActionFail, match="no argument spec main of role hubfix.aws.nope"):
        run_action({}, role="nope")
    with pytest.raises(AnsibleActionFail, match="no argument spec other of role hubfix.aws.audit"):
        run_action({}, entry_point="other")
