# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The accounts of an AWS organization that a hubfix.aws run works in (``hubfix_organization``), as ``hubfix_accounts``.

Rules (plain functions; the AWS calls are in ``organization_aws``):

* only ACTIVE accounts (``State``, or the older ``Status``: suspended and closing ones cannot be worked in);
* ``include_ous``: the accounts under those organizational units, nested units included; empty - every account;
* ``include_accounts``: only these (within ``include_ous`` when both are given); ``exclude_accounts``: never these;
* the management account is included like any other unless excluded (its role is assumed the same way);
* each account's role is ``arn:<partition>:iam::<account id>:role/<role_name>``, the partition taken from the organization's
  ARN (aws, aws-cn, aws-us-gov).
"""

from __future__ import annotations

import re

from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ACCOUNT_ID

OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")
KEYS = ("role_name", "external_id", "include_accounts", "exclude_accounts", "include_ous")


def _ids(value):
    """A list of ids from a list or a comma- / newline-separated string (AWX surveys)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,\n]", value)
    return [str(v).strip() for v in value if str(v).strip()]


def given(config):
    """``hubfix_organization`` without its unset keys (the argument spec fills every option with None); {} when unused."""
    return {k: v for k, v in (config or {}).items() if v not in (None, "", [], {})}


def normalize(config):
    """``hubfix_organization`` with its lists as lists of ids (strings accepted as AWX sends them); {} when unused."""
    config = given(config)
    if not config:
        return {}
    for key in ("include_accounts", "exclude_accounts", "include_ous"):
        config[key] = _ids(config.get(key))
    return config


def problems(config, accounts=None):
    """What is wrong with ``hubfix_organization`` (and its combination with ``hubfix_accounts``), before any AWS call."""
    config = given(config)
    if not config:
        return []
    out = []
    if accounts:
        out.append("give hubfix_organization or hubfix_accounts, not both (hubfix_organization lists the accounts itself)")
    unknown = sorted(set(config) - set(KEYS))
    if unknown:
        out.append("hubfix_organization: unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(KEYS)))
    role = config.get("role_name")
    if not role:
        out.append("hubfix_organization.role_name is required: the role to assume in every account (for example OrganizationAccountAccessRole)")
    elif not ROLE_NAME.match(str(role)) or str(role).startswith("arn:"):
        out.append("hubfix_organization.role_name %r is not a role name (a name or path/name, not an ARN)" % (role,))
    config = normalize(config)
    for key in ("include_accounts", "exclude_accounts"):
        bad = [a for a in config[key] if not ACCOUNT_ID.match(a)]
        if bad:
            out.append("hubfix_organization.%s: %s %s not a 12-digit account id" % (key, ", ".join(bad), "is" if len(bad) == 1 else "are"))
    bad = [o for o in config["include_ous"] if not (OU_ID.match(o) or ROOT_ID.match(o))]
    if bad:
        out.append(
            "hubfix_organization.include_ous: %s %s not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)"
            % (", ".join(bad), "is" if len(bad) == 1 else "are")
        )
    return out


def partition_of(arn):
    """The partition of an ARN (``arn:aws-cn:organizations::...`` -> ``aws-cn``); ``aws`` when there is none."""
    parts = str(arn or "").split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" and parts[1] else "aws"


def role_arn(partition, account_id, role_name):
    name = str(role_name).strip("/")
    return "arn:%s:iam::%s:role/%s" % (partition, account_id, name)


def state_of(account):
    """The account's ``State`` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ...), or its older ``Status`` field."""
    return account.get("State") or account.get("Status") or "ACTIVE"


def select(accounts, config, management_account_id=None, in_ous=None):
    """``(selected, skipped)``: the accounts to work in, in account id order, and why the others are not.

    ``accounts``: ListAccounts items (``Id``, ``Name``, ``Status``); ``in_ous``: the ids of the accounts under ``include_ous``
    (None when not restricted)."""
    config = normalize(config)
    include, exclude = set(config["include_accounts"]), set(config["exclude_accounts"])
    selected, skipped = [], []
    for account in sorted(accounts, key=lambda a: a["Id"]):
        account_id = account["Id"]
        why = None
        if account_id in exclude:
            why = "excluded (exclude_accounts)"
        elif state_of(account) != "ACTIVE":
            why = "state %s" % state_of(account)
        elif in_ous is not None and account_id not in in_ous:
            why = "not under include_ous"
        elif include and account_id not in include:
            why = "not in include_accounts"
        record = {"account_id": account_id, "name": account.get("Name"), "management": account_id == management_account_id}
        if why:
            skipped.append(dict(record, reason=why))
        else:
            selected.append(record)
    return selected, skipped


def missing_includes(config, accounts):
    """``include_accounts`` that are not accounts of the organization (a typo must not pass silently)."""
    known = {a["Id"] for a in accounts}
    return [a for a in normalize(config)["include_accounts"] if a not in known]


def as_hubfix_accounts(selected, config, partition):
    """``hubfix_accounts`` items for the selected accounts."""
    out = []
    for account in selected:
        item = {"account_id": account["account_id"], "role_arn": role_arn(partition, account["account_id"], config["role_name"])}
        if config.get("external_id"):
            item["external_id"] = str(config["external_id"])
        out.append(item)
    return out
