# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the ``hubfix.aws.pv_to_hvm`` role's report; the logic is in module_utils/pv_migration.py.

- ``pv_to_hvm_result(instance_id, region, status, preflight=None, query=None, old_root_device='/dev/sdo', **extra)``:
  the report record of one instance.
- ``pv_to_hvm_report(results, run_id=None, generated_at=None, check_mode=False)``: the JSON report.
- ``pv_to_hvm_markdown(report)``: the Markdown report.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import build_report, build_result, render_markdown


def _result(instance_id, region, status, preflight=None, query=None, old_root_device="/dev/sdo", **extra):
    return build_result(instance_id, region, status, preflight=preflight, query=query, old_root_device=old_root_device, **extra)


class FilterModule:
    def filters(self):
        return {
            "pv_to_hvm_result": _result,
            "pv_to_hvm_report": build_report,
            "pv_to_hvm_markdown": render_markdown,
        }
