"""hubfix.aws.sts_assume_roles: many roles assumed in one module run; a refused one is named, the others assumed."""

from __future__ import annotations

import datetime

from ansible_collections.hubfix.aws.plugins.modules import sts_assume_roles as module
from tests.unit.plugins.modules.module_docs import assert_documented_result

EXPIRES = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=datetime.UTC)


def role(account):
    return "arn:aws:iam::%s:role/hubfix-audit" % account


def credentials(n):
    return {"Credentials": {"AccessKeyId": "ASIA%016d" % n, "SecretAccessKey": "s%d" % n, "SessionToken": "t%d" % n, "Expiration": EXPIRES}}


def test_every_role_is_assumed_and_a_refused_one_is_named(aws, run):
    sts = aws.stub("sts")
    expected = {"RoleArn": role("111122223333"), "RoleSessionName": "hubfix-audit", "DurationSeconds": 900, "ExternalId": "hubfix-ext"}
    sts.add("assume_role", credentials(1), expected)
    sts.error("assume_role", "AccessDenied", "User is not authorized to perform: sts:AssumeRole", status=403)
    roles = [
        {"account_id": "111122223333", "role_arn": role("111122223333"), "external_id": "hubfix-ext"},
        {"account_id": "444455556666", "role_arn": role("444455556666")},
    ]

    # one at a time: the stubbed answers are queued in order
    result = run(module, {"roles": roles, "role_session_name": "hubfix-audit", "duration_seconds": 900, "concurrency": 1})

    assert_documented_result(module, result)
    ok, refused = result["results"]
    assert result["changed"] is False
    assert ok["item"] == {"account_id": "111122223333", "role_arn": role("111122223333")}  # the external id stays out
    assert (ok["failed"], ok["msg"]) == (False, None)
    assert ok["sts_creds"] == {"access_key": "ASIA0000000000000001", "secret_key": "s1", "session_token": "t1", "expiration": str(EXPIRES)}
    assert refused["failed"] is True and refused["sts_creds"] == {}
    assert "AccessDenied" in refused["msg"]


def test_wrong_input_fails_before_any_call(run):
    assert "concurrency must be 1 or more" in run(module, {"roles": [], "concurrency": 0}, fails=True)["msg"]
    assert "role_arn" in run(module, {"roles": [{"account_id": "111122223333"}]}, fails=True)["msg"]
