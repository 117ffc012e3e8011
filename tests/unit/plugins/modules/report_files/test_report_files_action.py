"""hubfix.aws.report_files as Ansible runs it: the action plugin writes on the controller, in the task's process, the
same files and return values as the module."""

from __future__ import annotations

import types

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hubfix.aws.plugins.action.report_files import ActionModule
from ansible_collections.hubfix.aws.plugins.modules import report_files as module
from tests.unit.plugins.modules.module_docs import assert_documented_result

RUN = "20261201T101500Z-3fa2c1"


def run_action(args, check_mode=False):
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="hubfix.aws.report_files")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/tmp"))
    templar = types.SimpleNamespace(template=lambda value: value)
    return ActionModule(task=task, connection=connection, play_context=None, loader=None, templar=templar).run(task_vars={})


def test_writes_what_the_module_writes(aws, run, tmp_path):
    args = {"report_dir": str(tmp_path / "a"), "run_id": RUN, "name": "audit", "data": {"findings": [1]}, "markdown": "# A", "html": "<p/>"}
    by_action = run_action(args)
    by_module = run(module, dict(args, report_dir=str(tmp_path / "m")), connection=False)

    assert_documented_result(module, by_action)
    assert by_action["changed"] is False
    assert by_action["paths"] == [str(tmp_path / "a" / RUN / n) for n in ("audit.json", "audit.md", "audit.html")]
    for name in ("audit.json", "audit.md", "audit.html"):
        assert (tmp_path / "a" / RUN / name).read_text() == (tmp_path / "m" / RUN / name).read_text()
        assert (tmp_path / "a" / "latest" / name).exists()
    same_keys = {"changed", "paths", "latest_paths", "run_dir", "latest_dir"}
    assert same_keys <= set(by_action) and same_keys <= set(by_module)


def test_bad_input_fails_naming_the_report(tmp_path):
    with pytest.raises(AnsibleActionFail, match="cannot write the audit report to .*run id"):
        run_action({"report_dir": str(tmp_path), "run_id": "../escape", "name": "audit", "data": {}})
    with pytest.raises(AnsibleActionFail, match="run_id"):
        run_action({"report_dir": str(tmp_path), "name": "audit"})


def test_check_mode_writes_nothing(tmp_path):
    result = run_action({"report_dir": str(tmp_path), "run_id": RUN, "name": "audit", "data": {}}, check_mode=True)

    assert result["skipped"] is True
    assert list(tmp_path.iterdir()) == []
