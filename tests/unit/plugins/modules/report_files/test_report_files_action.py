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


class FoundIn:
    """``_find_needle`` of an action whose role's templates directory is ``directory``."""

    def __init__(self, directory):
        self.directory = directory

    def __call__(self, dirname, needle):
        assert dirname == "templates"
        path = self.directory / needle
        if not path.exists():
            from ansible.errors import AnsibleError

            raise AnsibleError("Could not find or access '%s'" % needle)
        return str(path)


def run_templated(args, templates):
    task = types.SimpleNamespace(args=args, async_val=0, check_mode=False, action="hubfix.aws.report_files")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/tmp"))
    templar = types.SimpleNamespace(template=lambda value: value)
    action = ActionModule(task=task, connection=connection, play_context=None, loader=None, templar=templar)
    action._find_needle = FoundIn(templates)
    return action.run(task_vars={})


def test_templates_are_rendered_from_the_report_on_the_controller(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "r.md.j2").write_text("# {{ report.title }}\n{% for f in report.findings %}\n- {{ f }}\n{% endfor %}\n")
    (tmp_path / "t" / "r.html.j2").write_text("<p>{{ report.title | e }}</p>\n")
    args = {"report_dir": str(tmp_path / "a"), "run_id": RUN, "name": "r", "data": {"title": "A & B", "findings": [1, 2]}}
    run_templated(dict(args, markdown_template="r.md.j2", html_template="r.html.j2"), tmp_path / "t")

    assert (tmp_path / "a" / RUN / "r.md").read_text() == "# A & B\n- 1\n- 2\n"
    assert (tmp_path / "a" / RUN / "r.html").read_text() == "<p>A &amp; B</p>\n"


def test_a_template_problem_fails_naming_the_option_and_the_template(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "bad.j2").write_text("{{ report.missing.deeper }}")
    args = {"report_dir": str(tmp_path / "a"), "run_id": RUN, "name": "r", "data": {}}
    with pytest.raises(AnsibleActionFail, match="markdown_template bad.j2"):
        run_templated(dict(args, markdown_template="bad.j2"), tmp_path / "t")
    with pytest.raises(AnsibleActionFail, match="html_template nowhere.j2"):
        run_templated(dict(args, html_template="nowhere.j2"), tmp_path / "t")
    with pytest.raises(AnsibleActionFail, match="markdown_template needs data"):
        run_templated({"report_dir": str(tmp_path / "a"), "run_id": RUN, "name": "r", "markdown_template": "bad.j2"}, tmp_path / "t")
    with pytest.raises(AnsibleActionFail, match="mutually exclusive"):
        run_templated(dict(args, markdown="# x", markdown_template="bad.j2"), tmp_path / "t")
    assert not (tmp_path / "a").exists()


def test_the_audit_templates_render_as_ansible_renders_them(tmp_path):
    """The audit role's templates give the same text through report_files as through lookup('template') did."""
    from ansible._internal._templating._engine import TemplateOptions, TemplateOverrides
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    from ansible_collections.hubfix.aws.plugins.module_utils.audit_report import audit_report
    from ansible_collections.hubfix.aws.plugins.plugin_utils.report_templates import render

    templates = __import__("pathlib").Path(__file__).resolve().parents[5] / "roles" / "audit" / "templates"
    report = audit_report(
        paravirtual={
            "account_id": "123456789012",
            "instances": [
                {
                    "instance_id": "i-0123456789abcdef0",
                    "region": "us-east-1",
                    "account_id": "123456789012",
                    "name": "a|b <c>",
                    "state": "running",
                    "blockers": [],
                    "warnings": [],
                    "tags": {},
                }
            ],
            "regions": [{"region": "us-east-1", "scanned": True, "failed": 1, "evaluated": 1, "error": None}],
        },
        controls=["EC2.24"],
    )
    # what lookup('ansible.builtin.template') does with its default options (ansible/plugins/lookup/template.py)
    templar = Templar(loader=DataLoader(), variables={"report": report})
    options = TemplateOptions(escape_backslashes=False, overrides=TemplateOverrides.from_kwargs({"trim_blocks": True}))
    for name in ("audit.md.j2", "audit.html.j2"):
        by_ansible = templar._engine.template(trust_as_template((templates / name).read_text()), options=options)
        assert len(by_ansible) > 1000 and "i-0123456789abcdef0" in by_ansible
        assert render(str(templates / name), report) == by_ansible, name
