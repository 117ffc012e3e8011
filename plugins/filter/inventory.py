# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the remediation playbooks on a ``hubfix.aws.findings`` inventory; the logic is in module_utils/findings_inventory.py."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "inventory_scope": "findings_inventory.inventory_scope",
            }
        )
