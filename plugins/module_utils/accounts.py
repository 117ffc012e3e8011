# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The accounts a run works in (``hubfix_accounts``), one record per account, and the one credentials map every role
takes its ``module_defaults`` from (``hubfix_aws_credentials``: account id -> access_key / secret_key / session_token,
empty for the ambient credentials). Pure functions behind the ``hubfix.aws.accounts_*`` filters."""

from __future__ import annotations

import re

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def problems(accounts):
    """What is wrong with ``hubfix_accounts`` (a list of ``{account_id, role_arn, external_id?}``), one line each."""
    if not isinstance(accounts, list):
        return ["hubfix_accounts must be a list of {account_id, role_arn, external_id}, not %r" % (accounts,)]
    out, seen = [], set()
    for n, item in enumerate(accounts):
        where = "hubfix_accounts[%d]" % n
        if not isinstance(item, dict):
            out.append("%s must be a dict {account_id, role_arn, external_id}, not %r" % (where, item))
            continue
        account = str(item.get("account_id") or "")
        arn = parse_aws_arn(str(item.get("role_arn") or "")) or {}
        if not ACCOUNT_ID.fullmatch(account):
            out.append("%s.account_id %r is not a 12-digit account id" % (where, item.get("account_id")))
        if arn.get("service") != "iam" or arn.get("resource_type") != "role" or not arn.get("resource_id"):
            out.append("%s.role_arn %r is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)" % (where, item.get("role_arn")))
        elif ACCOUNT_ID.fullmatch(account) and arn.get("account_id") != account:
            out.append("%s: the role %s is in account %s, not in account_id %s" % (where, item.get("role_arn"), arn.get("account_id"), account))
        if account in seen:
            out.append("%s: account %s is listed twice" % (where, account))
        seen.add(account)
    return out


def from_assumed(results):
    """Records of the accounts from the results of ``hubfix.aws.sts_assume_roles`` (shaped like a looped ``amazon.aws.sts_assume_role``)."""
    records = []
    for r in results:
        item, failed = r.get("item") or {}, bool(r.get("failed"))
        creds = r.get("sts_creds") or {}
        records.append(
            {
                "account_id": str(item.get("account_id")),
                "role_arn": item.get("role_arn"),
                "status": "failed" if failed else "ok",
                "error": "sts:AssumeRole %s: %s" % (item.get("role_arn"), r.get("msg") or "failed") if failed else None,
                "credentials": {}
                if failed
                else {"access_key": creds.get("access_key"), "secret_key": creds.get("secret_key"), "session_token": creds.get("session_token")},
            }
        )
    return records


def ambient_session_token(environ):
    """The token amazon.aws would not read: ``AWS_SECURITY_TOKEN`` (what AWX / Tower injects) when neither
    ``AWS_SESSION_TOKEN`` nor ``AWS_PROFILE`` is set, else an empty string."""
    if environ.get("AWS_SESSION_TOKEN") or environ.get("AWS_PROFILE"):
        return ""
    return environ.get("AWS_SECURITY_TOKEN") or ""


def from_caller(caller, session_token=None):
    """The one record of the ambient credentials, from ``amazon.aws.aws_caller_info``'s result. A skipped identification
    (``accounts_identify_ambient: false``) leaves ``account_id`` None: the first scan identifies it (``identified``)."""
    failed = bool(caller.get("failed"))
    return [
        {
            "account_id": None if failed else caller.get("account"),
            "role_arn": None,
            "status": "failed" if failed else "ok",
            "error": "sts:GetCallerIdentity: %s" % (caller.get("msg") or "failed") if failed else None,
            "credentials": {"session_token": session_token} if session_token else {},
        }
    ]


def status(records):
    """The records without their credentials (for reports and output)."""
    return [{k: v for k, v in r.items() if k != "credentials"} for r in records]


def credentials(records):
    """``{account id: module_defaults of that account}`` for the accounts that can be used (and are identified)."""
    return {r["account_id"]: r["credentials"] for r in records if r["status"] == "ok" and r["account_id"]}


def identified(records, detection_results):
    """The records with the ambient account's id filled in from ``accounts_detection_info``'s results (which identify an
    account given without id by its first sts:GetCallerIdentity): the audit skips the accounts role's own identification
    call. Records that have an id are returned as they are."""
    found = next((r["account_id"] for r in detection_results or [] if r.get("account_id")), None)
    return [dict(r, account_id=found) if r["status"] == "ok" and not r["account_id"] and found else r for r in records]


def ok_ids(records):
    return [r["account_id"] for r in records if r["status"] == "ok"]


def detection_targets(records):
    """``[{account_id, credentials}]`` of the accounts that can be used: the ``accounts`` of ``accounts_detection_info``."""
    return [{"account_id": r["account_id"], "credentials": r["credentials"]} for r in records if r["status"] == "ok"]


# The argument spec of one account of a module that works in many (accounts_detection_info, autoscaling_imdsv2_plan_info):
# only the credentials are secret, the account ids are the report's.
ACCOUNT_OPTIONS = dict(account_id=dict(type="str"), credentials=dict(type="dict", default={}, no_log=True))


def fail_on_bad_concurrency(module, name):
    """Fail ``module`` when its concurrency option ``name`` (accounts or roles at a time) is below 1, naming it."""
    if module.params[name] < 1:
        module.fail_json(msg="%s must be 1 or more, not %s" % (name, module.params[name]))


CREDENTIAL_PARAMS = {"access_key": "aws_access_key_id", "secret_key": "aws_secret_access_key", "session_token": "aws_session_token"}


def boto3_credentials(credentials):
    """The boto3 client parameters of a ``hubfix_aws_credentials`` entry (module_defaults names). The ambient account's
    entry may hold only a session token: it joins the module's own access key (amazon.aws reads it from the environment)."""
    return {CREDENTIAL_PARAMS[k]: v for k, v in (credentials or {}).items() if k in CREDENTIAL_PARAMS and v}
