"""hubfix.aws.accounts_detection_info: the detection of many accounts in one module run (read-only)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.accounts import boto3_credentials
from ansible_collections.hubfix.aws.plugins.modules import accounts_detection_info as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

STATES = {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}
PARAVIRTUAL = {"Name": "virtualization-type", "Values": ["paravirtual"]}


def test_the_ambient_account_gives_what_the_detection_modules_give(aws, run):
    (ec2,) = aws.expect_region_scan("ec2")
    ec2.add("describe_instances", r.reservations(), {"Filters": [PARAVIRTUAL, STATES], "MaxResults": 1000})

    result = run(module, {"controls": ["EC2.24"]}, check_mode=True)

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["results"] == [
        {
            "account_id": r.ACCOUNT,
            "paravirtual": {
                "account_id": r.ACCOUNT,
                "instances": [],
                "regions": [{"region": "us-east-1", "scanned": True, "failed": 0, "evaluated": 0, "error": None}],
            },
            "launch_configs": None,
            "error": None,
        }
    ]


def test_an_account_that_cannot_be_scanned_is_named_and_the_module_does_not_fail(aws, run):
    aws.stub("sts").error("get_caller_identity", "ExpiredToken", "The security token included in the request is expired", status=403)

    result = run(module, {"controls": ["EC2.24"], "accounts": [{"account_id": "111122223333", "credentials": {}}]})

    (record,) = result["results"]
    assert (record["account_id"], record["paravirtual"]) == ("111122223333", None)
    assert "cannot identify the account" in record["error"] and "ExpiredToken" in record["error"]


def test_wrong_input_fails_before_any_call(run):
    assert "unknown control(s): EC2.42" in run(module, {"controls": ["EC2.42"]}, fails=True)["msg"]
    assert "account_concurrency must be 1 or more" in run(module, {"account_concurrency": 0}, fails=True)["msg"]


def test_credentials_become_boto3_parameters():
    assert boto3_credentials({"access_key": "AKIA", "secret_key": "s", "session_token": "t"}) == {
        "aws_access_key_id": "AKIA",
        "aws_secret_access_key": "s",
        "aws_session_token": "t",
    }
    # the ambient account's entry: only the token that AWX passes as AWS_SECURITY_TOKEN; the key comes from the environment
    assert boto3_credentials({"session_token": "t"}) == {"aws_session_token": "t"}
    assert boto3_credentials({}) == {} == boto3_credentials(None)
