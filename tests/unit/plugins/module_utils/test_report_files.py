"""Where reports go (plugins/module_utils/report_files.py): ``<dir>/<run id>/<name>.*``, ``latest/``, atomic writes,
file modes and the one local path rule."""

from __future__ import annotations

import datetime
import json
import os
import stat

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import report_files as rf


@pytest.fixture
def umask():
    """``umask(value)`` for the rest of the test."""
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(value):
        os.umask(value)

    yield set_umask
    os.umask(old)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# -- local_path ------------------------------------------------------------------------------------------------------------


def test_local_path_relative_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rf.local_path("hubfix-reports") == str(tmp_path / "hubfix-reports")
    assert rf.local_path("./a/../reports/") == str(tmp_path / "reports")
    assert rf.local_path("") == str(tmp_path)


def test_local_path_relative_to_a_base(tmp_path):
    assert rf.local_path("reports", "/srv/project") == "/srv/project/reports"
    assert rf.local_path("../reports", "/srv/project") == "/srv/reports"
    assert rf.local_path(tmp_path / "x", "/srv/project") == str(tmp_path / "x")  # a Path, absolute: base not used


def test_local_path_expands_home_before_the_base(monkeypatch):
    monkeypatch.setenv("HOME", "/home/ops")
    assert rf.local_path("~/reports", "/srv/project") == "/home/ops/reports"
    assert rf.local_path("~") == "/home/ops"


def test_local_path_keeps_absolute_paths_normalised():
    assert rf.local_path("/var//lib/hubfix/./reports/") == "/var/lib/hubfix/reports"


# -- contents --------------------------------------------------------------------------------------------------------------


def test_contents_of_each_format():
    out = rf.contents("audit", {"b": 1, "a": [1, 2]}, "# Audit", "<html></html>")
    assert list(out) == ["audit.json", "audit.md", "audit.html"]
    assert out["audit.json"] == '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ]\n}\n'
    assert out["audit.md"] == "# Audit\n"
    assert out["audit.html"] == "<html></html>"
    assert rf.contents("audit", markdown="done\n") == {"audit.md": "done\n"}
    assert rf.contents("audit") == {}


def test_contents_json_of_values_json_cannot_hold():
    out = rf.contents("r", {"at": datetime.date(2024, 5, 1)})
    assert json.loads(out["r.json"]) == {"at": "2024-05-01"}


@pytest.mark.parametrize("name", ["", None, ".hidden", "a/b", "../x", "a b", "x" * 65, "r\u00e9port"])
def test_contents_refuses_bad_names(name):
    with pytest.raises(ValueError, match="must be 1-64 characters"):
        rf.contents(name, {"a": 1})


def test_contents_refuses_a_name_with_a_trailing_newline():
    with pytest.raises(ValueError):
        rf.contents("report\n", {"a": 1})


# -- write_report ----------------------------------------------------------------------------------------------------------


def test_write_report_layout_and_latest(tmp_path):
    files = rf.contents("audit", {"n": 1}, "# one")
    out = rf.write_report(str(tmp_path), "20240501T000000Z-abc123", files)
    run_dir = str(tmp_path / "20240501T000000Z-abc123")
    latest = str(tmp_path / "latest")
    assert out == {
        "run_dir": run_dir,
        "latest_dir": latest,
        "paths": [run_dir + "/audit.json", run_dir + "/audit.md"],
        "latest_paths": [latest + "/audit.json", latest + "/audit.md"],
    }
    for path in out["paths"] + out["latest_paths"]:
        with open(path, encoding="utf-8") as f:
            assert f.read() == files[os.path.basename(path)]
    assert sorted(os.listdir(run_dir)) == ["audit.json", "audit.md"]  # no temporary file left


def test_a_second_run_keeps_the_first_and_replaces_latest(tmp_path):
    rf.write_report(str(tmp_path), "run-1", {"audit.md": "one\n"})
    rf.write_report(str(tmp_path), "run-2", {"audit.md": "two\n"})
    assert sorted(os.listdir(tmp_path)) == ["latest", "run-1", "run-2"]
    assert (tmp_path / "run-1" / "audit.md").read_text() == "one\n"
    assert (tmp_path / "latest" / "audit.md").read_text() == "two\n"


def test_untrusted_run_does_not_replace_latest(tmp_path):
    rf.write_report(str(tmp_path), "run-1", {"audit.md": "good\n"})
    out = rf.write_report(str(tmp_path), "run-2", {"audit.md": "partial\n"}, update_latest=False)
    assert out["latest_paths"] == []
    assert out["latest_dir"] == str(tmp_path / "latest")
    assert (tmp_path / "run-2" / "audit.md").read_text() == "partial\n"
    assert (tmp_path / "latest" / "audit.md").read_text() == "good\n"


def test_without_latest_no_latest_directory_is_made(tmp_path):
    rf.write_report(str(tmp_path / "new" / "reports"), "run-1", {"a.md": "x\n"}, update_latest=False)
    assert os.listdir(tmp_path / "new" / "reports") == ["run-1"]


def test_write_goes_through_a_temporary_name_then_a_rename(tmp_path, monkeypatch):
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        with open(src, encoding="utf-8") as f:
            renames.append((src, dst, f.read()))
        real_replace(src, dst)

    monkeypatch.setattr(rf.os, "replace", replace)
    rf.write_report(str(tmp_path), "run-1", {"a.md": "x\n"}, update_latest=False)
    target = str(tmp_path / "run-1" / "a.md")
    assert renames == [("%s.%d.tmp" % (target, os.getpid()), target, "x\n")]


def test_a_failed_rename_leaves_the_old_report_whole(tmp_path, monkeypatch):
    rf.write_report(str(tmp_path), "run-1", {"a.md": "old\n"}, update_latest=False)

    def refuse(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(rf.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        rf.write_report(str(tmp_path), "run-1", {"a.md": "new\n"}, update_latest=False)
    assert (tmp_path / "run-1" / "a.md").read_text() == "old\n"


def test_file_modes_are_exact_whatever_the_umask(tmp_path, umask):
    umask(0o077)
    out = rf.write_report(str(tmp_path), "run-1", {"a.md": "x\n"})
    assert [mode_of(p) for p in out["paths"] + out["latest_paths"]] == [0o644, 0o644]
    umask(0o000)
    out = rf.write_report(str(tmp_path), "run-2", {"a.md": "x\n"}, mode=0o600)
    assert [mode_of(p) for p in out["paths"] + out["latest_paths"]] == [0o600, 0o600]  # latest/a.md replaced with the new mode


def test_directory_modes(tmp_path, umask):
    umask(0o000)
    out = rf.write_report(str(tmp_path / "reports"), "run-1", {"a.md": "x\n"}, dir_mode=0o750)
    assert (mode_of(out["run_dir"]), mode_of(out["latest_dir"])) == (0o750, 0o750)
    out = rf.write_report(str(tmp_path / "default"), "run-1", {"a.md": "x\n"})
    assert mode_of(out["run_dir"]) == 0o755


@pytest.mark.parametrize("run_id", ["", None, "latest", "a/b", "a b", "x" * 65])
def test_bad_run_ids_are_refused_before_writing(tmp_path, run_id):
    with pytest.raises(ValueError, match="run id"):
        rf.write_report(str(tmp_path), run_id, {"a.md": "x\n"})
    assert os.listdir(tmp_path) == []


def test_run_id_may_hold_colons_and_dots(tmp_path):
    out = rf.write_report(str(tmp_path), "2024-05-01T00:00:00Z.1", {"a.md": "x\n"}, update_latest=False)
    assert out["run_dir"] == str(tmp_path / "2024-05-01T00:00:00Z.1")


@pytest.mark.parametrize("run_id", ["..", ".", "run-1\n"])
def test_run_ids_that_leave_the_layout_are_refused(tmp_path, run_id):
    reports = tmp_path / "reports"
    reports.mkdir()
    with pytest.raises(ValueError):
        rf.write_report(str(reports), run_id, {"a.md": "x\n"}, update_latest=False)
