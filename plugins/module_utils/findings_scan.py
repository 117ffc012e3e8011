# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The detection of one account through a module-like scope that carries the account's credentials (``AccountScope``):
the same region scans as ``paravirtual_instance_info`` and ``launch_config_imdsv2_info`` (``RegionScan``, the ownership
lookups), for ``accounts_detection_info`` and the ``hubfix.aws.findings`` inventory plugin (its report:
``account_audit.py``); accounts are scanned concurrently, an account that fails is reported and the others finish.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hubfix.aws.plugins.module_utils import imdsv2, paravirtual
from ansible_collections.hubfix.aws.plugins.module_utils.accounts import boto3_credentials
from ansible_collections.hubfix.aws.plugins.module_utils.clients import shared_clients
from ansible_collections.hubfix.aws.plugins.module_utils.controls import AUTOSCALING_3, AUTOSCALING_9, EC2_24
from ansible_collections.hubfix.aws.plugins.module_utils.owners_aws import RegionOwners
from ansible_collections.hubfix.aws.plugins.module_utils.regions import RegionScan, ResolvedRegions

DEFAULT_ACCOUNT_CONCURRENCY = 8


class ScopeFailure(Exception):
    """What a module would have failed with (``fail_json``), for one account."""


class AccountScope:
    """Enough of an AnsibleAWSModule for the region scans: ``params``, ``region``, ``client()`` with this account's
    credentials (``make_client(service, retry_decorator=..., region=..., **credentials)``), and failures raised."""

    def __init__(self, make_client, region, credentials=None, params=None):
        self._make_client = make_client
        self.region = region
        self.credentials = dict(credentials or {})
        self.params = dict(params or {})
        self.check_mode = True

    @classmethod
    def in_module(cls, module, account, params):
        """The scope of one ``{account_id, credentials}`` item (``hubfix_aws_credentials`` names; empty: the module's
        own) of a module working in many accounts: its clients come from the module's one shared session."""
        return cls(shared_clients(module), module.region, boto3_credentials(account.get("credentials")), params)

    def client(self, service, retry_decorator=None, region=None):
        return self._make_client(service, retry_decorator=retry_decorator, region=region or self.region, **self.credentials)

    def fail_json(self, msg=None, **_result):
        raise ScopeFailure(msg)

    def fail_json_aws(self, exception, msg=None, **_result):
        raise ScopeFailure("%s: %s" % (msg, exception) if msg else str(exception))

    def warn(self, _message):
        return None


def _pv_scan(scope, owners, resolved_by=None):
    filters = paravirtual.build_filters(None)
    scan = RegionScan(
        scope,
        "ec2",
        lambda ec2, region, account: paravirtual.scan_region(ec2, region, account, filters, None, owners.instance_owner),
        resolved_by=resolved_by,
    )
    return scan, {"account_id": scan.account_id, "instances": [i for records in scan.results() for i in records], "regions": scan.rows}


def _lc_scan(scope, owners, resolved_by=None):
    scan = RegionScan(
        scope,
        "autoscaling",
        lambda autoscaling, region, account: imdsv2.scan_region(autoscaling, region, account, None, owners.for_region(region)),
        failed_count=lambda result: sum(1 for lc in result[0] if not lc["compliant"]),
        evaluated_count=lambda result: len(result[0]),
        resolved_by=resolved_by,
    )
    return scan, {
        "account_id": scan.account_id,
        "launch_configurations": [lc for lcs, _groups in scan.results() for lc in lcs],
        "autoscaling_groups_on_launch_configurations": [g for _lcs, groups in scan.results() for g in groups],
        "regions": scan.rows,
    }


def detect_account(scope, controls):
    """``{paravirtual, launch_configs}``: what ``paravirtual_instance_info`` and ``launch_config_imdsv2_info`` (all launch
    configurations, compliant ones too) return for this account, None for a detection ``controls`` do not ask for."""
    owners = RegionOwners(scope)
    scans = {}
    if EC2_24 in controls:
        scans["paravirtual"] = _pv_scan
    if AUTOSCALING_3 in controls or AUTOSCALING_9 in controls:
        scans["launch_configs"] = _lc_scan
    # both scans at the same time, on the regions and account id resolved once (one DescribeRegions, one GetCallerIdentity)
    resolved = ResolvedRegions(scope) if len(scans) > 1 else None
    with ThreadPoolExecutor(max_workers=len(scans) or 1) as pool:
        running = {name: pool.submit(scan, scope, owners, resolved) for name, scan in scans.items()}
        done = {name: future.result()[1] for name, future in running.items()}
    return {"paravirtual": done.get("paravirtual"), "launch_configs": done.get("launch_configs")}


def scan_accounts(accounts, scan_one, concurrency=DEFAULT_ACCOUNT_CONCURRENCY):
    """``[(account, result, error)]`` in the order given: ``scan_one(account)`` for every account, ``concurrency`` at a
    time; an exception fails that account only (its message kept), the others finish."""

    def one(account):
        try:
            return account, scan_one(account), None
        except Exception as e:  # noqa: BLE001 - one account's failure must not hide the others
            return account, None, str(e) or e.__class__.__name__

    workers = max(1, min(int(concurrency or 1), len(accounts) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, accounts))
