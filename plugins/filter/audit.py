# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the audit role; ``audit_report`` and ``audit_summary`` are documented in audit_report.yml /
audit_summary.yml. The logic is in module_utils/audit_report.py and module_utils/securityhub_import.py."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "audit_report": "audit_report.audit_report",
                "audit_summary": "audit_report.audit_summary",
                "audit_of_accounts": "audit_report.audit_of_accounts",
                "audit_of_account": "audit_report.audit_of_account",
                "import_summary": "securityhub_import.import_summary",
            }
        )
