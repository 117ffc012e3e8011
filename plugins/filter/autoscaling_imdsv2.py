# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the ``hubfix.aws.autoscaling_imdsv2`` role; the logic is in module_utils/autoscaling_remediation.py."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling_remediation as r


class FilterModule:
    def filters(self):
        return {
            "autoscaling_account_plan": r.account_plan,
            "autoscaling_account_plans": r.account_plans,
            "autoscaling_plan_request": r.plan_request,
            "autoscaling_plan_errors": r.plan_errors,
            "autoscaling_plan_summary": r.plan_summary,
            "autoscaling_imdsv1_evidence": r.imdsv1_evidence,
            "autoscaling_groups_to_switch": r.groups_to_switch,
            "autoscaling_skipped_groups": r.skipped_groups,
            "autoscaling_evidence_of": r.evidence_of,
            "autoscaling_group_record": r.group_record,
            "autoscaling_failed_group": r.failed_group,
            "autoscaling_refresh_done": r.refresh_done,
            "autoscaling_refresh_failure": r.refresh_failure,
            "autoscaling_refresh_progress": r.refresh_progress_line,
            "autoscaling_still_used": r.still_used,
            "autoscaling_should_delete": r.should_delete,
            "autoscaling_proof": r.run_proof,
            "autoscaling_owned_items": r.owned_items,
            "autoscaling_owned_records": r.owned_records,
            "autoscaling_lc_record": r.lc_record,
            "autoscaling_lc_failed": r.lc_failed,
            "autoscaling_lc_elsewhere": r.lc_elsewhere,
            "autoscaling_lc_gone": r.lc_gone,
            "autoscaling_failed_launch_configurations": r.failed_launch_configurations,
            "autoscaling_finding_note": r.finding_note,
            "autoscaling_report": r.remediation_report,
            "autoscaling_failed_groups": r.failed_groups,
            "autoscaling_summary": r.summary_lines,
        }
