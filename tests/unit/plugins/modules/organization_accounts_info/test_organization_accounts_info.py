"""hubfix.aws.organization_accounts_info: the accounts of an AWS organization to work in (read-only)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.modules import organization_accounts_info as module
from tests.unit.plugins.modules.module_docs import assert_documented_result

MANAGEMENT, PROD, SANDBOX, CLOSED = "111111111111", "222222222222", "333333333333", "444444444444"
ORG = {"Organization": {"Id": "o-abcdefghij", "Arn": "arn:aws-cn:organizations::111111111111:organization/o-abcdefghij", "MasterAccountId": MANAGEMENT}}


def account(account_id, name, state="ACTIVE"):
    return {"Id": account_id, "Name": name, "State": state, "Arn": "arn:aws-cn:organizations::111111111111:account/o-abcdefghij/" + account_id}


@pytest.fixture
def organizations(aws):
    return aws.stub("organizations")


def test_every_active_account_but_the_excluded_one_with_throttled_calls_retried(aws, organizations, run):
    aws.throttle_first = True
    organizations.add("describe_organization", ORG)
    accounts = [account(SANDBOX, "sandbox"), account(MANAGEMENT, "mgmt"), account(PROD, "prod"), account(CLOSED, "gone", "SUSPENDED")]
    organizations.add("list_accounts", {"Accounts": accounts})

    result = run(module, {"role_name": "hubfix-audit", "exclude_accounts": [SANDBOX], "external_id": "ext-1"}, check_mode=True)

    assert_documented_result(module, result)
    assert result["changed"] is False
    assert result["accounts"] == [
        {"account_id": MANAGEMENT, "role_arn": "arn:aws-cn:iam::111111111111:role/hubfix-audit", "external_id": "ext-1"},
        {"account_id": PROD, "role_arn": "arn:aws-cn:iam::222222222222:role/hubfix-audit", "external_id": "ext-1"},
    ]
    assert [(a["account_id"], a["reason"]) for a in result["not_selected"]] == [(SANDBOX, "excluded (exclude_accounts)"), (CLOSED, "state SUSPENDED")]
    assert result["partition"] == "aws-cn" and result["management_account_id"] == MANAGEMENT and result["units"] == []


def test_units_are_walked_with_their_nested_units(organizations, run):
    organizations.add("describe_organization", ORG)
    organizations.add("list_accounts_for_parent", {"Accounts": [account(PROD, "prod")]}, {"ParentId": "ou-ab12-11111111"})
    organizations.add("list_organizational_units_for_parent", {"OrganizationalUnits": [{"Id": "ou-ab12-22222222"}]}, {"ParentId": "ou-ab12-11111111"})
    organizations.add("list_accounts_for_parent", {"Accounts": [account(SANDBOX, "sandbox")]}, {"ParentId": "ou-ab12-22222222"})
    organizations.add("list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": "ou-ab12-22222222"})

    result = run(module, {"role_name": "r", "include_ous": ["ou-ab12-11111111"]})

    assert [a["account_id"] for a in result["accounts"]] == [PROD, SANDBOX]
    assert result["units"] == ["ou-ab12-11111111", "ou-ab12-22222222"]


def test_wrong_input_fails_before_any_call(run):
    result = run(module, {"role_name": "arn:aws:iam::111111111111:role/x", "include_ous": ["prod"]}, fails=True)
    assert "is not a role name" in result["msg"] and "include_ous: prod is not an organizational unit id" in result["msg"]


def test_denied_listing_says_where_to_run_it(organizations, run):
    organizations.add("describe_organization", ORG)
    organizations.error("list_accounts", "AccessDeniedException", "not the management account")
    result = run(module, {"role_name": "r"}, fails=True)
    assert "run from the management account or a delegated administrator" in result["msg"]
