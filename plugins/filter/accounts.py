# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the ``hubfix.aws.accounts`` role (documented in their .yml files); the logic is in module_utils/accounts.py."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "accounts_problems": "accounts.problems",
                "accounts_organization_problems": "organization.problems",
                "accounts_organization": "organization.normalize",
                "accounts_from_assumed": "accounts.from_assumed",
                "accounts_from_caller": "accounts.from_caller",
                "accounts_status": "accounts.status",
                "accounts_credentials": "accounts.credentials",
                "accounts_ok": "accounts.ok_ids",
                "accounts_detection_targets": "accounts.detection_targets",
                "accounts_identified": "accounts.identified",
            }
        )
