# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the ``hubfix.aws.autoscaling_imdsv2`` role; the logic is in module_utils/autoscaling_remediation.py."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy_filters


class FilterModule:
    def filters(self):
        return lazy_filters(
            {
                "autoscaling_account_plan": "autoscaling_remediation.account_plan",
                "autoscaling_account_plans": "autoscaling_remediation.account_plans",
                "autoscaling_plan_request": "autoscaling_remediation.plan_request",
                "autoscaling_plan_errors": "autoscaling_remediation.plan_errors",
                "autoscaling_plan_summary": "autoscaling_remediation.plan_summary",
                "autoscaling_imdsv1_evidence": "autoscaling_remediation.imdsv1_evidence",
                "autoscaling_groups_to_switch": "autoscaling_remediation.groups_to_switch",
                "autoscaling_skipped_groups": "autoscaling_remediation.skipped_groups",
                "autoscaling_evidence_of": "autoscaling_remediation.evidence_of",
                "autoscaling_group_record": "autoscaling_remediation.group_record",
                "autoscaling_failed_group": "autoscaling_remediation.failed_group",
                "autoscaling_refresh_done": "autoscaling_remediation.refresh_done",
                "autoscaling_refresh_failure": "autoscaling_remediation.refresh_failure",
                "autoscaling_refresh_progress": "autoscaling_remediation.refresh_progress_line",
                "autoscaling_still_used": "autoscaling_remediation.still_used",
                "autoscaling_should_delete": "autoscaling_remediation.should_delete",
                "autoscaling_proof": "autoscaling_remediation.run_proof",
                "autoscaling_owned_items": "autoscaling_remediation.owned_items",
                "autoscaling_owned_records": "autoscaling_remediation.owned_records",
                "autoscaling_lc_record": "autoscaling_remediation.lc_record",
                "autoscaling_lc_failed": "autoscaling_remediation.lc_failed",
                "autoscaling_lc_elsewhere": "autoscaling_remediation.lc_elsewhere",
                "autoscaling_lc_gone": "autoscaling_remediation.lc_gone",
                "autoscaling_failed_launch_configurations": "autoscaling_remediation.failed_launch_configurations",
                "autoscaling_finding_note": "autoscaling_remediation.finding_note",
                "autoscaling_report": "autoscaling_remediation.remediation_report",
                "autoscaling_failed_groups": "autoscaling_remediation.failed_groups",
                "autoscaling_summary": "autoscaling_remediation.summary_lines",
            }
        )
