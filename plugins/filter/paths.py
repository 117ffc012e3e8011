# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``local_path``: the one rule for report and backup directories (module_utils/report_files.py)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.report_files import local_path


class FilterModule:
    def filters(self):
        return {"local_path": local_path}
