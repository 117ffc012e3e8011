# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the ``hubfix.aws.pv_to_hvm`` role; the logic is in module_utils/pv_report.py, pv_to_hvm_run.py and
pv_migration.py.

- ``pv_to_hvm_result(instance_id, region, status, preflight=None, query=None, old_root_device='/dev/sdo', **extra)``: the
  report record of one instance; ``pv_to_hvm_markdown(report)``: the Markdown report; ``pv_to_hvm_run_report``: the JSON.
- ``pv_to_hvm_group_result(instance_id, region, preflight, source_record, template, refresh, stage, check_mode, min_healthy)``:
  the report record of a paravirtual member of an Auto Scaling group migrated through its group (``pv_group``).
- ``pv_to_hvm_in_progress(phase)``: whether a recorded phase is a migration that started and did not end.
- ``pv_to_hvm_malformed_instance_ids(ids)``: the values that are not EC2 instance ids.
- ``pv_to_hvm_phase_reached(phase, wanted)``: whether a recorded phase is ``wanted`` or later.
- ``pv_to_hvm_stage_steps(stage, strategy, final_sync, stop_for_snapshots)``: what a stage does (``pv_migration.stage_steps``).
- ``pv_to_hvm_health_results(status, commands, urls)``: the health gate's ``[{check, ok, output}]``.
- ``pv_to_hvm_bring_up_volumes(copies, target_type)``: the replacement's volumes given to ``pv_to_hvm_prepare_tasks``.
- ``pv_to_hvm_hop_limit_problem(limit)``: why ``pv_to_hvm_metadata_hop_limit`` cannot be used, or None.
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy, lazy_filters


def _result(instance_id, region, status, preflight=None, query=None, old_root_device="/dev/sdo", **extra):
    return lazy("pv_report.build_result")(instance_id, region, status, preflight=preflight, query=query, old_root_device=old_root_device, **extra)


class FilterModule:
    def filters(self):
        return dict(
            lazy_filters(
                {
                    "pv_to_hvm_group_result": "pv_group.group_result",
                    "pv_to_hvm_markdown": "pv_report.render_markdown",
                    "pv_to_hvm_run_report": "pv_to_hvm_run.run_report",
                    "pv_to_hvm_report": "pv_report.build_report",  # the 0.1.0 name of the per-instance report, kept
                    "pv_to_hvm_in_progress": "pv_migration.in_progress",
                    "pv_to_hvm_phase_reached": "pv_migration.phase_reached",
                    "pv_to_hvm_stage_steps": "pv_migration.stage_steps",
                    "pv_to_hvm_health_results": "pv_to_hvm_run.health_results",
                    "pv_to_hvm_bring_up_volumes": "pv_to_hvm_run.bring_up_volumes",
                    "pv_to_hvm_hop_limit_problem": "pv_migration.hop_limit_problem",
                    "pv_to_hvm_malformed_instance_ids": "instance_ids.malformed_instance_ids",
                    "pv_to_hvm_finding_refs": "pv_to_hvm_run.finding_refs",
                    "pv_to_hvm_image_targets": "pv_to_hvm_run.image_targets",
                    "pv_to_hvm_image_problems": "pv_to_hvm_run.image_problems",
                    "pv_to_hvm_verify": "pv_to_hvm_run.verify",
                    "pv_to_hvm_finding_note": "pv_to_hvm_run.finding_note",
                    "pv_to_hvm_verified": "pv_to_hvm_run.verified",
                    "with_account": "pv_to_hvm_run.with_account",
                    "instance_finding_outcome": "pv_to_hvm_run.instance_finding_outcome",
                }
            ),
            pv_to_hvm_result=_result,  # its defaults are the filter's documented signature
        )
