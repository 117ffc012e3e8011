"""hubfix.aws.launch_configuration: delete a launch configuration once backed up (absent), restore it from the backup (present)."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import lc_backup
from ansible_collections.hubfix.aws.plugins.modules import launch_configuration as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

USER_DATA = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
LC = r.launch_configuration(
    "lc-web",
    {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    UserData=USER_DATA,
    SecurityGroups=["sg-0123456789abcdef0"],
    KeyName="ops",
    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "DeleteOnTermination": True}}],
)


@pytest.fixture
def autoscaling(aws):
    return aws.stub("autoscaling")


@pytest.fixture
def backup(tmp_path):
    """The backup of LC as launch_configuration_backup writes it."""
    path = str(tmp_path / "lc-web.json")
    lc_backup.write_backup(path, lc_backup.backup_document(LC, r.ACCOUNT, "us-east-1"))
    return path


def expect_lc(autoscaling, lc=None, found=True):
    autoscaling.add("describe_launch_configurations", r.launch_configurations(*([lc or LC] if found else [])), {"LaunchConfigurationNames": ["lc-web"]})


def expect_delete(autoscaling):
    autoscaling.add("delete_launch_configuration", {}, {"LaunchConfigurationName": "lc-web"})


# -- state=absent ----------------------------------------------------------------------------------------------------


def test_deletes_a_launch_configuration_whose_backup_matches(autoscaling, run, backup):
    expect_lc(autoscaling)
    expect_delete(autoscaling)

    result = run(module, {"name": "lc-web", "backup_file": backup})

    assert_documented_result(module, result)
    assert result["changed"] is True
    assert result["launch_configuration_arn"] == r.lc_arn("lc-web")
    assert result["backup_file"] == backup


def test_every_call_is_retried_when_throttled(aws, autoscaling, run, backup):
    aws.throttle_first = True
    expect_lc(autoscaling)
    expect_delete(autoscaling)

    assert run(module, {"name": "lc-web", "backup_file": backup})["changed"] is True


def test_a_launch_configuration_already_gone_is_unchanged(autoscaling, run, backup):
    expect_lc(autoscaling, found=False)

    result = run(module, {"name": "lc-web", "backup_file": backup}, diff=True)

    assert (result["changed"], result["launch_configuration_arn"]) == (False, None)
    assert "diff" not in result


def test_diff_shows_the_launch_configuration_going(autoscaling, run, backup):
    expect_lc(autoscaling)
    expect_delete(autoscaling)

    diff = run(module, {"name": "lc-web", "backup_file": backup}, diff=True)["diff"]

    assert (diff["before"], diff["after"]) == ("launch configuration lc-web\n", "")
    assert diff["after_header"] == "launch configuration lc-web (us-east-1): deleted, backup %s" % backup


def test_check_mode_deletes_nothing(autoscaling, run, backup):
    expect_lc(autoscaling)

    assert run(module, {"name": "lc-web", "backup_file": backup}, check_mode=True)["changed"] is True


def test_check_mode_only_warns_about_a_backup_still_to_write(autoscaling, run, tmp_path):
    expect_lc(autoscaling)
    path = str(tmp_path / "later.json")

    result = run(module, {"name": "lc-web", "backup_file": path}, check_mode=True)

    assert result["changed"] is True
    assert result["warnings"] == ["backup file %s does not exist yet; a real run deletes launch configuration lc-web only once it does" % path]


def test_a_missing_backup_refuses_the_deletion(autoscaling, run, tmp_path):
    expect_lc(autoscaling)
    path = str(tmp_path / "missing.json")

    result = run(module, {"name": "lc-web", "backup_file": path}, fails=True)

    assert result["msg"] == "refusing to delete launch configuration lc-web: backup file %s does not exist" % path


def test_a_backup_of_another_launch_configuration_refuses_the_deletion(autoscaling, run, tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(lc_backup.backup_document(dict(LC, CreatedTime=r.CREATED.replace(year=2020)), r.ACCOUNT, "us-east-1")))
    expect_lc(autoscaling)

    result = run(module, {"name": "lc-web", "backup_file": str(path)}, fails=True)

    assert result["msg"] == "refusing to delete launch configuration lc-web: backup file %s is unreadable or holds another launch configuration" % path


def test_a_launch_configuration_in_use_is_not_deleted(autoscaling, run, backup):
    expect_lc(autoscaling)
    autoscaling.error(
        "delete_launch_configuration", "ResourceInUse", "Cannot delete launch configuration lc-web because it is attached to AutoScalingGroup asg-web"
    )

    result = run(module, {"name": "lc-web", "backup_file": backup}, fails=True)

    assert result["msg"].startswith("launch configuration lc-web is still used by an Auto Scaling group; not deleted")
    assert "asg-web" in result["msg"]


# -- state=present: restore from the backup ----------------------------------------------------------------------------


def expected_create():
    return {
        "LaunchConfigurationName": "lc-web",
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": "t3.micro",
        "SecurityGroups": ["sg-0123456789abcdef0"],
        "KeyName": "ops",
        "UserData": b"#!/bin/sh\necho hi\n",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "DeleteOnTermination": True}}],
        "InstanceMonitoring": {"Enabled": True},
        "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    }


def test_restores_a_deleted_launch_configuration_from_its_backup(autoscaling, run, backup):
    expect_lc(autoscaling, found=False)
    autoscaling.add("create_launch_configuration", {}, expected_create())
    expect_lc(autoscaling)

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": backup}, diff=True)

    assert result["changed"] is True
    assert result["launch_configuration_arn"] == r.lc_arn("lc-web")
    assert (result["diff"]["before"], result["diff"]["after"]) == ("", "launch configuration lc-web\n")
    assert "restored" in result["diff"]["after_header"]


def test_restore_is_retried_when_throttled(aws, autoscaling, run, backup):
    aws.throttle_first = True
    expect_lc(autoscaling, found=False)
    autoscaling.add("create_launch_configuration", {}, expected_create())
    expect_lc(autoscaling)

    assert run(module, {"name": "lc-web", "state": "present", "backup_file": backup})["changed"] is True


def test_an_existing_launch_configuration_is_left_as_it_is(autoscaling, run, backup):
    expect_lc(autoscaling)

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": backup})

    assert (result["changed"], result["launch_configuration_arn"]) == (False, r.lc_arn("lc-web"))


def test_check_mode_restores_nothing(autoscaling, run, backup):
    expect_lc(autoscaling, found=False)

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": backup}, check_mode=True)

    assert (result["changed"], result["launch_configuration_arn"]) == (True, None)


def test_a_backup_of_another_name_is_refused(autoscaling, run, tmp_path):
    path = str(tmp_path / "lc-api.json")
    lc_backup.write_backup(path, lc_backup.backup_document(dict(LC, LaunchConfigurationName="lc-api"), r.ACCOUNT, "us-east-1"))
    expect_lc(autoscaling, found=False)

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": path}, fails=True)

    assert result["msg"] == "backup file %s holds launch configuration lc-api, not lc-web" % path


def test_an_unreadable_backup_is_refused(autoscaling, run, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    expect_lc(autoscaling, found=False)

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": str(path)}, fails=True)

    assert result["msg"].startswith("cannot restore launch configuration lc-web: backup file %s is unreadable: " % path)


def test_an_account_that_cannot_create_launch_configurations_is_explained(autoscaling, run, backup):
    expect_lc(autoscaling, found=False)
    autoscaling.error("create_launch_configuration", "UnsupportedOperation", "The Launch Configuration creation operation is not available in your account.")

    result = run(module, {"name": "lc-web", "state": "present", "backup_file": backup}, fails=True)

    assert result["msg"].startswith(
        "AWS refused to recreate launch configuration lc-web (accounts created after 2023-10-01 cannot create launch configurations)"
    )
