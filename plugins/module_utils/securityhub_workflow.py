# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security Hub workflow updates (BatchUpdateFindings): ``NOTIFIED`` with a note when work on a resource starts,
``RESOLVED`` with a note when it is done. ``plan_update`` decides per finding:

- a finding whose Workflow is ``SUPPRESSED`` is never touched (someone decided to accept the risk);
- a finding whose ``Compliance.Status`` is still ``FAILED`` (or ``WARNING`` / ``NOT_AVAILABLE``) while its record is
  ``ACTIVE`` is only set ``RESOLVED`` when our own re-check confirmed the resource is compliant or gone (``verified``):
  Security Hub re-evaluates on its own schedule, and a finding resolved on hope would hide a resource that still fails.
  Security Hub itself sets a control finding back to ``NEW`` when its compliance flips from ``PASSED`` to ``FAILED`` or
  its record from ``ARCHIVED`` to ``ACTIVE``; we never fight that (a reopened finding is ``NEW`` again and is a target
  again for ``securityhub_finding_info``'s default ``workflow_status``);
- the same workflow status and the same note: nothing to do (idempotent).
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import (
    NOT_PASSING,
    WORKFLOW_NOTIFIED,
    WORKFLOW_RESOLVED,
    WORKFLOW_SUPPRESSED,
    InputError,
    workflow_status_of,
)

# BatchUpdateFindings takes at most 100 findings a call; Note.Text at most 512 characters.
BATCH_SIZE = 100
NOTE_MAX = 512


def normalise_note(note):
    """Note text as Security Hub stores it: stripped, at most 512 characters (a longer one ends with an ellipsis)."""
    if note is None:
        return None
    note = str(note).strip()
    if not note:
        return None
    if len(note) > NOTE_MAX:
        note = note[: NOTE_MAX - 1] + "\u2026"
    return note


def plan_update(finding, status, note=None, verified=False):
    """What to do with one finding for the requested workflow ``status`` (NOTIFIED or RESOLVED) and ``note``.

    Returns ``{"action": "update"|"unchanged"|"skip", "reason": str|None, "before": {...}, "after": {...}}`` where
    before/after are ``{"workflow_status", "note"}``. ``note`` None leaves the note as it is.
    """
    if status not in (WORKFLOW_NOTIFIED, WORKFLOW_RESOLVED):
        raise InputError("workflow status must be NOTIFIED or RESOLVED, not %r" % (status,))
    note = normalise_note(note)
    current = workflow_status_of(finding)
    before = {"workflow_status": current, "note": (finding.get("Note") or {}).get("Text")}
    after = {"workflow_status": status, "note": note if note is not None else before["note"]}
    if current == WORKFLOW_SUPPRESSED:
        reason = "suppressed: the finding's workflow status is SUPPRESSED; hubfix never changes it"
        return {"action": "skip", "reason": reason, "before": before, "after": before}
    compliance = (finding.get("Compliance") or {}).get("Status")
    if status == WORKFLOW_RESOLVED and compliance in NOT_PASSING and finding.get("RecordState", "ACTIVE") == "ACTIVE" and not verified:
        return {
            "action": "skip",
            "reason": "still_failing: Security Hub reports compliance %s and no re-check confirmed the resource is compliant or gone (set verified)"
            % compliance,
            "before": before,
            "after": before,
        }
    if before == after:
        return {"action": "unchanged", "reason": None, "before": before, "after": after}
    return {"action": "update", "reason": None, "before": before, "after": after}


def update_batches(planned, updated_by):
    """BatchUpdateFindings requests for the findings to update.

    ``planned`` is a list of ``(identifier {Id, ProductArn}, region, after {workflow_status, note})``. Findings that get the
    same status and note in the same region share requests of at most 100 identifiers. Returns ``[(region, params)]``.
    """
    groups = {}
    for ident, region, after in planned:
        key = (region, after["workflow_status"], after["note"])
        groups.setdefault(key, []).append({"Id": ident["Id"], "ProductArn": ident["ProductArn"]})
    requests = []
    for (region, status, note), idents in groups.items():
        for i in range(0, len(idents), BATCH_SIZE):
            params = {"FindingIdentifiers": idents[i : i + BATCH_SIZE], "Workflow": {"Status": status}}
            if note is not None:
                params["Note"] = {"Text": note, "UpdatedBy": updated_by}
            requests.append((region, params))
    return requests


def update_outcome(result):
    """What a ``securityhub_finding`` run left on the resource's finding(s), for the remediation reports."""
    result = result or {}
    if result.get("skipped"):
        return None
    findings = result.get("findings") or []
    after = [f.get("after") or {} for f in findings]
    return {
        "workflow_status": next((a.get("workflow_status") for a in after if a.get("workflow_status")), None),
        "note": next((a.get("note") for a in after if a.get("note")), None),
        "findings": [f.get("id") for f in findings],
        "actions": [f.get("action") for f in findings],
        "unprocessed": result.get("unprocessed") or [],
        "skipped": result.get("skipped_findings") or [],
    }
