# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Organizations calls behind ``hubfix_organization`` (rules in ``organization``), with the fewest calls:
DescribeOrganization once, then ListAccounts (every account) - or, with ``include_ous``, ListAccountsForParent and
ListOrganizationalUnitsForParent per unit under those units (nested units walked, each unit once)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import organization as org
from ansible_collections.hubfix.aws.plugins.module_utils.clients import paginate


class OrganizationError(Exception):
    pass


def _code(error):
    response = getattr(error, "response", None) or getattr(getattr(error, "exception", None), "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def accounts_under(organizations, parent_ids):
    """``(accounts, units walked)``: the ListAccountsForParent items under ``parent_ids`` and their nested units."""
    accounts, seen, todo = {}, set(), list(parent_ids)
    while todo:
        parent = todo.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        try:
            for account in paginate(organizations, "list_accounts_for_parent", ParentId=parent).get("Accounts", []):
                accounts[account["Id"]] = account
            units = paginate(organizations, "list_organizational_units_for_parent", ParentId=parent).get("OrganizationalUnits", [])
        except Exception as e:  # noqa: BLE001 - a unit that does not exist is the user's input: say which
            if _code(e) in ("ParentNotFoundException", "ChildNotFoundException", "InvalidInputException"):
                raise OrganizationError("hubfix_organization.include_ous: %s is not an organizational unit or root of this organization" % parent) from e
            raise
        todo.extend(u["Id"] for u in units)
    return list(accounts.values()), sorted(seen)


def resolve(organizations, config):
    """``{accounts (hubfix_accounts items), selected, not_selected, management_account_id, partition, organization_id, units}``."""
    config = org.normalize(config)
    try:
        description = organizations.describe_organization(aws_retry=True)["Organization"]
    except Exception as e:  # noqa: BLE001 - the two errors a user can fix are explained
        if _code(e) == "AWSOrganizationsNotInUseException":
            raise OrganizationError("hubfix_organization: the caller's account is not in an AWS organization; use hubfix_accounts") from e
        raise
    management = description.get("MasterAccountId")
    partition = org.partition_of(description.get("Arn"))
    try:
        if config["include_ous"]:
            accounts, units = accounts_under(organizations, config["include_ous"])
            in_ous = {a["Id"] for a in accounts}
        else:
            accounts, units, in_ous = paginate(organizations, "list_accounts").get("Accounts", []), [], None
    except OrganizationError:
        raise
    except Exception as e:  # noqa: BLE001
        if _code(e) in ("AccessDeniedException", "AccessDenied"):
            raise OrganizationError(
                "hubfix_organization: listing the accounts was denied - run from the management account or a delegated administrator "
                "with organizations:ListAccounts (and ListAccountsForParent, ListOrganizationalUnitsForParent for include_ous)"
            ) from e
        raise
    missing = org.missing_includes(config, accounts)
    if missing:
        raise OrganizationError(
            "hubfix_organization.include_accounts: %s %s not in the organization%s"
            % (", ".join(missing), "is" if len(missing) == 1 else "are", " under include_ous" if config["include_ous"] else "")
        )
    selected, skipped = org.select(accounts, config, management, in_ous)
    return {
        "accounts": org.as_hubfix_accounts(selected, config, partition),
        "selected": selected,
        "not_selected": skipped,
        "management_account_id": management,
        "partition": partition,
        "organization_id": description.get("Id"),
        "units": units,
    }
