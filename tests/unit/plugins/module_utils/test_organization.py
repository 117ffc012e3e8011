"""hubfix_organization: which accounts of an AWS organization a run works in (plugins/module_utils/organization.py) and
the Organizations calls that find them (organization_aws.py), against moto's Organizations in process."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from ansible_collections.hubfix.aws.plugins.module_utils import organization as org
from ansible_collections.hubfix.aws.plugins.module_utils.organization_aws import OrganizationError, resolve


def test_problems_name_each_wrong_input_before_any_call():
    assert org.problems({}) == []
    assert org.problems({"role_name": "hubfix"}) == []
    found = org.problems(
        {"role_nme": "x", "include_accounts": "12345, 111122223333", "exclude_accounts": ["abc"], "include_ous": "ou-1\nr-ab12"},
        accounts=[{"account_id": "111122223333"}],
    )
    assert found == [
        "give hubfix_organization or hubfix_accounts, not both (hubfix_organization lists the accounts itself)",
        "hubfix_organization: unknown key(s) role_nme (known: role_name, external_id, include_accounts, exclude_accounts, include_ous)",
        "hubfix_organization.role_name is required: the role to assume in every account (for example OrganizationAccountAccessRole)",
        "hubfix_organization.include_accounts: 12345 is not a 12-digit account id",
        "hubfix_organization.exclude_accounts: abc is not a 12-digit account id",
        "hubfix_organization.include_ous: ou-1 is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)",
    ]
    assert org.problems({"role_name": "arn:aws:iam::111122223333:role/x"}) == [
        "hubfix_organization.role_name 'arn:aws:iam::111122223333:role/x' is not a role name (a name or path/name, not an ARN)"
    ]


def test_survey_strings_become_lists():
    assert org.normalize({"role_name": "r", "include_accounts": "111122223333,\n222233334444\n", "include_ous": None}) == {
        "role_name": "r",
        "include_accounts": ["111122223333", "222233334444"],
        "exclude_accounts": [],
        "include_ous": [],
    }


def test_select_keeps_active_included_not_excluded_accounts_and_says_why_not():
    accounts = [
        {"Id": "333333333333", "Name": "closing", "State": "PENDING_CLOSURE", "Status": "ACTIVE"},
        {"Id": "111111111111", "Name": "mgmt", "Status": "ACTIVE"},
        {"Id": "222222222222", "Name": "sandbox", "State": "ACTIVE"},
        {"Id": "444444444444", "Name": "old", "Status": "SUSPENDED"},
        {"Id": "555555555555", "Name": "elsewhere", "State": "ACTIVE"},
    ]
    config = {"role_name": "r", "exclude_accounts": ["222222222222"]}
    selected, skipped = org.select(accounts, config, management_account_id="111111111111", in_ous={"111111111111", "222222222222", "444444444444"})
    assert selected == [{"account_id": "111111111111", "name": "mgmt", "management": True}]
    assert [(s["account_id"], s["reason"]) for s in skipped] == [
        ("222222222222", "excluded (exclude_accounts)"),
        ("333333333333", "state PENDING_CLOSURE"),
        ("444444444444", "state SUSPENDED"),
        ("555555555555", "not under include_ous"),
    ]
    only = org.select(accounts, {"role_name": "r", "include_accounts": "555555555555"})[0]
    assert [a["account_id"] for a in only] == ["555555555555"]


def test_role_arns_use_the_organization_partition():
    assert org.partition_of("arn:aws-cn:organizations::111111111111:organization/o-1") == "aws-cn"
    assert org.partition_of(None) == "aws"
    items = org.as_hubfix_accounts([{"account_id": "111111111111"}], {"role_name": "/team/hubfix", "external_id": 42}, "aws-us-gov")
    assert items == [{"account_id": "111111111111", "role_arn": "arn:aws-us-gov:iam::111111111111:role/team/hubfix", "external_id": "42"}]


class Recorded:
    """A boto3 client without amazon.aws's aws_retry keyword, counting the calls made through it and its paginators."""

    def __init__(self, client):
        self.client, self.calls = client, []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, aws_retry=None, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return call

    def get_paginator(self, operation):
        self.calls.append(operation)
        return self.client.get_paginator(operation)


@pytest.fixture
def organization():
    with mock_aws():
        client = boto3.client("organizations", region_name="us-east-1")
        client.create_organization(FeatureSet="ALL")
        root = client.list_roots()["Roots"][0]["Id"]

        def account(name, parent):
            account_id = client.create_account(AccountName=name, Email=name + "@example.com")["CreateAccountStatus"]["AccountId"]
            if parent != root:
                client.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
            return account_id

        prod = client.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
        nested = client.create_organizational_unit(ParentId=prod, Name="prod-eu")["OrganizationalUnit"]["Id"]
        dev = client.create_organizational_unit(ParentId=root, Name="dev")["OrganizationalUnit"]["Id"]
        ids = {"prod": account("prod", prod), "prod-eu": account("prod-eu", nested), "dev": account("dev", dev), "sandbox": account("sandbox", dev)}
        ids["outside"] = account("outside", root)
        closed = account("closed", dev)
        client.close_account(AccountId=closed)
        ids["closed"] = closed
        management = client.describe_organization()["Organization"]["MasterAccountId"]
        yield Recorded(client), {"root": root, "prod": prod, "nested": nested, "dev": dev}, ids, management


def test_every_active_account_with_the_management_account_in_two_calls(organization):
    client, units, ids, management = organization
    result = resolve(client, {"role_name": "hubfix-audit", "exclude_accounts": [ids["sandbox"]]})
    want = sorted([management, ids["prod"], ids["prod-eu"], ids["dev"], ids["outside"]])
    assert [a["account_id"] for a in result["accounts"]] == want
    assert result["accounts"][0]["role_arn"] == "arn:aws:iam::%s:role/hubfix-audit" % want[0]
    assert {s["account_id"]: s["reason"] for s in result["not_selected"]} == {ids["sandbox"]: "excluded (exclude_accounts)", ids["closed"]: "state SUSPENDED"}
    assert [a["account_id"] for a in result["selected"] if a["management"]] == [management]
    assert client.calls == ["describe_organization", "list_accounts"]


def test_units_include_their_nested_units_each_walked_once(organization):
    client, units, ids, management = organization
    result = resolve(client, {"role_name": "r", "include_ous": [units["prod"], units["nested"], units["dev"]], "exclude_accounts": ids["sandbox"]})
    assert [a["account_id"] for a in result["accounts"]] == sorted([ids["prod"], ids["prod-eu"], ids["dev"]])
    assert result["units"] == sorted([units["prod"], units["nested"], units["dev"]])
    # DescribeOrganization, then per unit: ListAccountsForParent + ListOrganizationalUnitsForParent
    assert client.calls.count("list_accounts_for_parent") == 3 and client.calls.count("list_organizational_units_for_parent") == 3
    assert "list_accounts" not in client.calls


def test_wrong_units_and_accounts_fail_naming_them(organization):
    client, units, ids, management = organization
    with pytest.raises(OrganizationError, match="include_ous: ou-zzzz-zzzzzzzz is not an organizational unit or root of this organization"):
        resolve(client, {"role_name": "r", "include_ous": ["ou-zzzz-zzzzzzzz"]})
    with pytest.raises(OrganizationError, match="include_accounts: 999999999999 is not in the organization"):
        resolve(client, {"role_name": "r", "include_accounts": ["999999999999", ids["dev"]]})
    with pytest.raises(OrganizationError, match="is not in the organization under include_ous"):
        resolve(client, {"role_name": "r", "include_ous": [units["prod"]], "include_accounts": [ids["dev"]]})


def test_an_account_outside_any_organization_is_told_to_use_hubfix_accounts():
    with mock_aws():
        client = Recorded(boto3.client("organizations", region_name="us-east-1"))
        with pytest.raises(OrganizationError, match="not in an AWS organization; use hubfix_accounts"):
            resolve(client, {"role_name": "r"})


def test_an_organization_the_argument_spec_filled_with_nones_is_not_given():
    unset = {"role_name": None, "external_id": None, "include_accounts": None, "exclude_accounts": None, "include_ous": None}
    assert org.normalize(unset) == {} and org.problems(unset, accounts=[{"account_id": "111122223333"}]) == []
