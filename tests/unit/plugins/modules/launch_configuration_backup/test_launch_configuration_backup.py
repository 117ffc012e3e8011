"""hubfix.aws.launch_configuration_backup: the full launch configuration saved as JSON, never overwritten."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.hubfix.aws.plugins.modules import launch_configuration_backup as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

USER_DATA = "IyEvYmluL3NoCmVjaG8gaGkK"
LC = r.launch_configuration("lc-web", {"HttpTokens": "optional"}, UserData=USER_DATA)


@pytest.fixture
def autoscaling(aws):
    aws.stub("sts")
    return aws.stub("autoscaling")


def expect_lc(aws, lc=None, found=True):
    aws.stub("autoscaling").add(
        "describe_launch_configurations", r.launch_configurations(*([lc or LC] if found else [])), {"LaunchConfigurationNames": ["lc-web"]}
    )


def expect_account(aws):
    aws.stub("sts").add("get_caller_identity", r.caller_identity(), {})


def backup_file(tmp_path, name="lc-web.json"):
    return tmp_path / r.ACCOUNT / "us-east-1" / name


def test_writes_the_full_definition_to_a_private_file(aws, autoscaling, run, tmp_path):
    expect_lc(aws)
    expect_account(aws)

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})

    assert_documented_result(module, result)
    path = backup_file(tmp_path)
    assert result["changed"] is True
    assert result["backup_file"] == str(path)
    assert result["launch_configuration_arn"] == r.lc_arn("lc-web")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    document = json.loads(path.read_text())
    assert (document["kind"], document["schema_version"], document["account_id"], document["region"]) == (
        "hubfix.aws/launch-configuration-backup",
        1,
        r.ACCOUNT,
        "us-east-1",
    )
    saved = document["launch_configuration"]
    assert (saved["LaunchConfigurationName"], saved["UserData"], saved["CreatedTime"]) == ("lc-web", USER_DATA, "2024-01-02T03:04:05+00:00")
    assert saved["MetadataOptions"] == {"HttpTokens": "optional"}


def test_every_call_is_retried_when_throttled(aws, autoscaling, run, tmp_path):
    aws.throttle_first = True
    expect_lc(aws)
    expect_account(aws)

    assert run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})["changed"] is True


def test_second_run_finds_the_backup_and_changes_nothing(aws, autoscaling, run, tmp_path):
    expect_lc(aws)
    expect_account(aws)
    run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})
    written = backup_file(tmp_path).read_text()

    expect_lc(aws)
    expect_account(aws)
    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})

    assert result["changed"] is False
    assert backup_file(tmp_path).read_text() == written


def test_a_newer_launch_configuration_of_the_same_name_gets_its_own_file(aws, autoscaling, run, tmp_path):
    expect_lc(aws)
    expect_account(aws)
    run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})

    newer = dict(LC, CreatedTime=r.CREATED.replace(year=2025), LaunchConfigurationARN=r.lc_arn("lc-web").replace("1111", "9999"))
    expect_lc(aws, newer)
    expect_account(aws)
    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)})

    assert result["changed"] is True
    assert result["backup_file"] == str(backup_file(tmp_path, "lc-web.20250102T030405.json"))
    assert json.loads(backup_file(tmp_path).read_text())["launch_configuration"]["CreatedTime"].startswith("2024")


def test_refuses_when_both_paths_hold_other_launch_configurations(aws, autoscaling, run, tmp_path):
    for name in ("lc-web.json", "lc-web.20240102T030405.json"):
        backup_file(tmp_path, name).parent.mkdir(parents=True, exist_ok=True)
        backup_file(tmp_path, name).write_text(json.dumps({"launch_configuration": {"LaunchConfigurationName": "lc-web", "LaunchConfigurationARN": "other"}}))
    expect_lc(aws)
    expect_account(aws)

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)}, fails=True)

    assert result["msg"] == "backup file %s exists and holds another launch configuration; refusing to overwrite it" % backup_file(
        tmp_path, "lc-web.20240102T030405.json"
    )


def test_check_mode_reports_the_file_without_writing_it(aws, autoscaling, run, tmp_path):
    expect_lc(aws)
    expect_account(aws)

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)}, check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["backup_file"] == str(backup_file(tmp_path))
    assert not backup_file(tmp_path).exists()
    assert result["diff"] == {
        "before_header": str(backup_file(tmp_path)),
        "after_header": str(backup_file(tmp_path)),
        "before": "",
        "after": "backup of launch configuration lc-web (us-east-1)\n",
    }


def test_unknown_launch_configuration_fails_naming_it(aws, autoscaling, run, tmp_path):
    expect_lc(aws, found=False)

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)}, fails=True)

    assert result["msg"] == "launch configuration lc-web not found in region us-east-1: nothing to back up"


def test_refused_read_fails_naming_the_launch_configuration(aws, autoscaling, run, tmp_path):
    autoscaling.error("describe_launch_configurations", "AccessDenied", "User is not authorized", {"LaunchConfigurationNames": ["lc-web"]})

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path)}, fails=True)

    assert result["msg"].startswith("failed to read launch configuration lc-web")
    assert "User is not authorized" in result["msg"]


def test_a_missing_launch_configuration_fails_naming_it(aws, autoscaling, run, tmp_path):
    expect_lc(aws, found=False)

    assert (
        run(module, {"name": "lc-web", "dest_dir": str(tmp_path)}, fails=True)["msg"]
        == "launch configuration lc-web not found in region us-east-1: nothing to back up"
    )


def test_allow_missing_reports_a_missing_launch_configuration_and_writes_nothing(aws, autoscaling, run, tmp_path):
    expect_lc(aws, found=False)

    result = run(module, {"name": "lc-web", "dest_dir": str(tmp_path), "allow_missing": True})

    assert_documented_result(module, result)
    assert (result["changed"], result["found"], result["backup_file"]) == (False, False, None)
    assert not (tmp_path / r.ACCOUNT).exists()
