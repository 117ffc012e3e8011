"""The accounts of a run (plugins/module_utils/accounts.py): hubfix_accounts checked, one record per account, and the
credentials map every role's module_defaults come from (roles/accounts/tasks/main.yml)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import accounts

A = "123456789012"
B = "210987654321"
ROLE_A = "arn:aws:iam::123456789012:role/HubfixRemediation"
ROLE_B = "arn:aws:iam::210987654321:role/hubfix/HubfixRemediation"


def assumed(account_id, role_arn, token="tok"):
    """One ok item of the looped amazon.aws.sts_assume_role results."""
    return {
        "changed": False,
        "failed": False,
        "sts_creds": {"access_key": "AKIA" + token, "secret_key": "secret-" + token, "session_token": token, "expiration": "2024-05-01T01:00:00Z"},
        "sts_user": {"arn": "arn:aws:sts::%s:assumed-role/x/hubfix" % account_id},
        "item": {"account_id": account_id, "role_arn": role_arn, "external_id": "ext"},
        "ansible_loop_var": "item",
    }


def refused(account_id, role_arn, msg="Unable to assume role: AccessDenied"):
    out = {"failed": True, "item": {"account_id": account_id, "role_arn": role_arn}, "ansible_loop_var": "item"}
    if msg is not None:
        out["msg"] = msg
    return out


# -- problems ------------------------------------------------------------------------------------------------------------------


def test_valid_accounts_have_no_problem():
    items = [
        {"account_id": A, "role_arn": ROLE_A, "external_id": "ext"},
        {"account_id": B, "role_arn": ROLE_B},  # a role with a path
        {"account_id": 111122223333, "role_arn": "arn:aws-us-gov:iam::111122223333:role/Hub"},  # an int id, another partition
        {"account_id": "012345678901", "role_arn": "arn:aws:iam::012345678901:role/Hub"},  # a leading zero kept as a string
    ]
    assert accounts.problems(items) == []
    assert accounts.problems([]) == []


@pytest.mark.parametrize("value", [None, {"account_id": A, "role_arn": ROLE_A}, "123456789012"])
def test_not_a_list(value):
    assert accounts.problems(value) == ["hubfix_accounts must be a list of {account_id, role_arn, external_id}, not %r" % (value,)]


def test_item_not_a_dict():
    assert accounts.problems([ROLE_A]) == ["hubfix_accounts[0] must be a dict {account_id, role_arn, external_id}, not %r" % ROLE_A]


@pytest.mark.parametrize("account_id", ["12345678901", "1234567890123", 12345678901])
def test_bad_account_id(account_id):
    role = "arn:aws:iam::%s:role/Hub" % account_id
    assert accounts.problems([{"account_id": account_id, "role_arn": role}]) == [
        "hubfix_accounts[0].account_id %r is not a 12-digit account id" % (account_id,)
    ]


def test_missing_account_id_and_role():
    assert accounts.problems([{"external_id": "ext"}]) == [
        "hubfix_accounts[0].account_id None is not a 12-digit account id",
        "hubfix_accounts[0].role_arn None is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
    ]


@pytest.mark.parametrize(
    "role_arn",
    [None, "", "HubfixRemediation", "arn:aws:iam::123456789012:user/alice", "arn:aws:sts::123456789012:assumed-role/Hub/x", "arn:aws:iam::123456789012:role/"],
)
def test_not_a_role_arn(role_arn):
    assert accounts.problems([{"account_id": A, "role_arn": role_arn}]) == [
        "hubfix_accounts[0].role_arn %r is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)" % (role_arn,)
    ]


def test_role_in_another_account():
    assert accounts.problems([{"account_id": A, "role_arn": ROLE_B}]) == [
        "hubfix_accounts[0]: the role %s is in account 210987654321, not in account_id 123456789012" % ROLE_B
    ]


def test_account_with_a_trailing_newline_is_refused():
    assert len(accounts.problems([{"account_id": A + "\n", "role_arn": ROLE_A}])) == 1


def test_account_listed_twice():
    items = [{"account_id": A, "role_arn": ROLE_A}, {"account_id": B, "role_arn": ROLE_B}, {"account_id": int(A), "role_arn": ROLE_A}]
    assert accounts.problems(items) == ["hubfix_accounts[2]: account 123456789012 is listed twice"]


def test_problems_of_several_items_in_order():
    items = [{"account_id": "x", "role_arn": "nope"}, 7, {"account_id": A, "role_arn": ROLE_A}]
    assert accounts.problems(items) == [
        "hubfix_accounts[0].account_id 'x' is not a 12-digit account id",
        "hubfix_accounts[0].role_arn 'nope' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
        "hubfix_accounts[1] must be a dict {account_id, role_arn, external_id}, not 7",
    ]


# -- records ---------------------------------------------------------------------------------------------------------------------


def test_from_assumed_records():
    records = accounts.from_assumed([assumed(A, ROLE_A), refused(int(B), ROLE_B)])
    assert records == [
        {
            "account_id": A,
            "role_arn": ROLE_A,
            "status": "ok",
            "error": None,
            "credentials": {"access_key": "AKIAtok", "secret_key": "secret-tok", "session_token": "tok"},
        },
        {
            "account_id": B,
            "role_arn": ROLE_B,
            "status": "failed",
            "error": "sts:AssumeRole %s: Unable to assume role: AccessDenied" % ROLE_B,
            "credentials": {},
        },
    ]


def test_from_assumed_failure_without_message():
    assert accounts.from_assumed([refused(A, ROLE_A, msg=None)])[0]["error"] == "sts:AssumeRole %s: failed" % ROLE_A
    assert accounts.from_assumed([]) == []


def test_from_caller_ambient_credentials():
    caller = {"changed": False, "account": A, "arn": "arn:aws:iam::123456789012:user/ci", "user_id": "AIDA"}
    assert accounts.from_caller(caller) == [{"account_id": A, "role_arn": None, "status": "ok", "error": None, "credentials": {}}]
    assert accounts.from_caller(caller, "awx-token")[0]["credentials"] == {"session_token": "awx-token"}
    assert accounts.from_caller(caller, "")[0]["credentials"] == {}


def test_from_caller_failed():
    caller = {"failed": True, "msg": "Unable to locate credentials", "account": A}
    assert accounts.from_caller(caller) == [
        {"account_id": None, "role_arn": None, "status": "failed", "error": "sts:GetCallerIdentity: Unable to locate credentials", "credentials": {}}
    ]
    assert accounts.from_caller({"failed": True})[0]["error"] == "sts:GetCallerIdentity: failed"


# -- status, credentials map, ok ids -------------------------------------------------------------------------------------------


def test_status_drops_the_credentials_only():
    records = accounts.from_assumed([assumed(A, ROLE_A), refused(B, ROLE_B)])
    out = accounts.status(records)
    assert out == [
        {"account_id": A, "role_arn": ROLE_A, "status": "ok", "error": None},
        {"account_id": B, "role_arn": ROLE_B, "status": "failed", "error": "sts:AssumeRole %s: Unable to assume role: AccessDenied" % ROLE_B},
    ]
    assert "credentials" in records[0]  # the input is not changed


def test_credentials_map_of_the_usable_accounts():
    records = accounts.from_assumed([assumed(A, ROLE_A, "a"), refused(B, ROLE_B), assumed("111122223333", "arn:aws:iam::111122223333:role/H", "c")])
    assert accounts.credentials(records) == {
        A: {"access_key": "AKIAa", "secret_key": "secret-a", "session_token": "a"},
        "111122223333": {"access_key": "AKIAc", "secret_key": "secret-c", "session_token": "c"},
    }
    assert accounts.credentials(accounts.from_caller({"account": A}, "t")) == {A: {"session_token": "t"}}
    assert accounts.credentials(accounts.from_caller({"failed": True})) == {}


def test_ok_ids_in_order():
    records = accounts.from_assumed([assumed(B, ROLE_B), refused(A, ROLE_A), assumed("111122223333", "arn:aws:iam::111122223333:role/H")])
    assert accounts.ok_ids(records) == [B, "111122223333"]
    assert accounts.ok_ids(accounts.from_caller({"failed": True})) == []


def test_unidentified_ambient_account_is_usable_and_identified_by_the_scan():
    # accounts_identify_ambient false: the identification task is skipped, the record waits for the scan's account id
    records = accounts.from_caller({"skipped": True, "changed": False}, "t")
    assert records == [{"account_id": None, "role_arn": None, "status": "ok", "error": None, "credentials": {"session_token": "t"}}]
    assert accounts.detection_targets(records) == [{"account_id": None, "credentials": {"session_token": "t"}}]
    assert accounts.credentials(records) == {}
    done = accounts.identified(records, [{"account_id": A, "paravirtual": {}, "error": None}])
    assert done[0]["account_id"] == A and accounts.credentials(done) == {A: {"session_token": "t"}}
    # a scan that could not identify the account leaves it as it was (the report names the scan's error)
    assert accounts.identified(records, [{"account_id": None, "error": "AccessDenied"}]) == records


def test_identified_keeps_known_accounts():
    records = [{"account_id": A, "role_arn": "arn:aws:iam::%s:role/r" % A, "status": "ok", "error": None, "credentials": {}}]
    assert accounts.identified(records, [{"account_id": "999999999999"}]) == records


def test_the_ambient_session_token_is_the_one_awx_injects_only_when_amazon_aws_would_not_find_one():
    assert accounts.ambient_session_token({"AWS_SECURITY_TOKEN": "awx"}) == "awx"
    assert accounts.ambient_session_token({"AWS_SECURITY_TOKEN": "awx", "AWS_SESSION_TOKEN": "own"}) == ""
    assert accounts.ambient_session_token({"AWS_SECURITY_TOKEN": "awx", "AWS_PROFILE": "ops"}) == ""
    assert accounts.ambient_session_token({}) == ""


def test_the_lookup_reads_the_controllers_environment(monkeypatch):
    from ansible_collections.hubfix.aws.plugins.lookup.ambient_session_token import LookupModule

    monkeypatch.setenv("AWS_SECURITY_TOKEN", "awx")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    assert LookupModule().run([]) == ["awx"]
