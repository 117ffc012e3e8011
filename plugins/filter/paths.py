# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``local_path``: the one rule for report and backup directories (module_utils/report_files.py)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "local_path": "report_files.local_path",
            }
        )
