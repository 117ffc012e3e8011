# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``finding_update_outcome`` (module_utils/securityhub_workflow.py): what a finding update left, for the reports."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_workflow import update_outcome


class FilterModule:
    def filters(self):
        return {"finding_update_outcome": update_outcome}
