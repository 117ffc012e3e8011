# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``finding_update_outcome`` (module_utils/securityhub_workflow.py): what a finding update left, for the reports."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "finding_update_outcome": "securityhub_workflow.update_outcome",
            }
        )
