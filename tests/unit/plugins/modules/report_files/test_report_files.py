"""hubfix.aws.report_files: a run's report written into its own directory and copied to latest (local files, no AWS call)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hubfix.aws.plugins.modules import report_files as module
from tests.unit.plugins.modules.module_docs import assert_documented_result

RUN = "20261201T101500Z-3fa2c1"


def args(tmp_path, **extra):
    return dict({"report_dir": str(tmp_path), "run_id": RUN, "name": "audit", "data": {"findings": []}, "markdown": "# Audit", "html": "<p>audit</p>"}, **extra)


def test_writes_the_report_into_the_run_directory_and_latest(aws, run, tmp_path):
    result = run(module, args(tmp_path), connection=False)

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["run_dir"] == str(tmp_path / RUN)
    assert result["latest_dir"] == str(tmp_path / "latest")
    assert result["paths"] == [str(tmp_path / RUN / n) for n in ("audit.json", "audit.md", "audit.html")]
    assert result["latest_paths"] == [str(tmp_path / "latest" / n) for n in ("audit.json", "audit.md", "audit.html")]
    assert json.loads((tmp_path / RUN / "audit.json").read_text()) == {"findings": []}
    assert (tmp_path / "latest" / "audit.md").read_text() == "# Audit\n"
    assert (tmp_path / RUN / "audit.html").read_text() == "<p>audit</p>"


def test_an_untrusted_run_keeps_the_previous_latest_report(aws, run, tmp_path):
    run(module, args(tmp_path, run_id="run-1", markdown="# first"), connection=False)

    result = run(module, args(tmp_path, run_id="run-2", markdown="# partial", update_latest=False), connection=False)

    assert result["latest_paths"] == []
    assert (tmp_path / "latest" / "audit.md").read_text() == "# first\n"
    assert (tmp_path / "run-1" / "audit.md").read_text() == "# first\n"
    assert (tmp_path / "run-2" / "audit.md").read_text() == "# partial\n"


def test_only_the_formats_given_are_written(aws, run, tmp_path):
    result = run(module, {"report_dir": str(tmp_path), "run_id": RUN, "name": "pv_to_hvm", "data": {"instances": 1}}, connection=False)

    assert result["paths"] == [str(tmp_path / RUN / "pv_to_hvm.json")]


def test_check_mode_is_not_supported_so_nothing_is_written(aws, run, tmp_path):
    result = run(module, args(tmp_path), check_mode=True, connection=False)

    assert result["skipped"] is True
    assert not (tmp_path / RUN).exists()


@pytest.mark.parametrize("run_id", ["../escape", "latest"])
def test_a_run_id_that_is_no_directory_name_of_its_own_is_refused(aws, run, tmp_path, run_id):
    result = run(module, args(tmp_path, run_id=run_id), fails=True, connection=False)

    assert result["msg"].startswith("cannot write the audit report to %s: run id %r" % (tmp_path, run_id))


def test_an_unwritable_report_directory_fails_naming_it(aws, run, tmp_path):
    (tmp_path / "file").write_text("not a directory")

    result = run(module, args(tmp_path / "file"), fails=True, connection=False)

    assert result["msg"].startswith("cannot write the audit report to %s: " % (tmp_path / "file"))


def test_a_report_name_that_leaves_the_run_directory_is_refused(aws, run, tmp_path):
    result = run(module, args(tmp_path, name="../audit"), fails=True, connection=False)

    assert "../audit" in result["msg"]
