# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit report of one account outside a module (the ``hubfix.aws.findings`` inventory plugin): the detection of
``findings_scan.py`` and the ``audit_report`` findings, or, with ``source: securityhub``, what Security Hub names as
failing, verified by that detection. Apart from findings_scan.py so that the detection module does not carry the
Security Hub and report code in its payload.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.audit_report import audit_report
from ansible_collections.hubfix.aws.plugins.module_utils.findings_scan import detect_account
from ansible_collections.hubfix.aws.plugins.module_utils.regions import module_regions
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_api import get_findings
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import build_filters, targets_of


def securityhub_targets(scope, controls, regions):
    """``{(control, region, resource id)}`` of the FAILED, ACTIVE, NEW or NOTIFIED findings of ``controls`` that
    Security Hub holds in this account's ``regions`` (GetFindings, pages of 100)."""
    targets = set()
    filters = build_filters(controls=controls)
    for region in regions:
        found, _truncated = get_findings(scope.client("securityhub", region=region), filters)
        for target in targets_of(found, controls)[0]:
            targets.add((target["control"], target["region"] or region, target["id"]))
    return targets


def scan_account(scope, controls, source="scan"):
    """The audit report of one account (``audit_report``) for ``controls``. With ``source: securityhub`` only the
    resources Security Hub names as failing are kept, each verified by the scan (one gone since is dropped)."""
    regions = scope.params.get("regions")
    if source == "securityhub":
        resolved, _opt_in = module_regions(scope, regions)
        targets = securityhub_targets(scope, controls, resolved)
        regions = sorted({region for _control, region, _id in targets})
        if not regions:
            return audit_report(controls=controls), targets
        scope.params["regions"] = regions
    detected = detect_account(scope, controls)
    report = audit_report(paravirtual=detected["paravirtual"], launch_configs=detected["launch_configs"], controls=controls)
    if source == "securityhub":
        report["findings"] = [f for f in report["findings"] if (f["control"], f["region"], f["resource_id"]) in targets]
        return report, targets
    return report, None
