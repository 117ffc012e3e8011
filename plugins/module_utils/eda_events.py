# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Event-driven remediation: Security Hub findings as they arrive (an SQS message that an EventBridge rule on
"Security Hub Findings - Imported" delivered, or GetFindings polled by UpdatedAt) turned into one event per failing
resource for ``ansible-rulebook``, and that event into the run of the matching remediation playbook on exactly that
resource.

- Only FAILED, ACTIVE findings whose workflow is NEW or NOTIFIED and whose control is asked for make events (a
  SUPPRESSED finding is someone's decision, a RESOLVED one is fixed).
- ``event.hubfix.id`` (``<control>/<account>/<region>/<resource id>``) names the resource: the rulebook throttles on it,
  so a resource already being worked on is not started twice.
- Finding data is attacker-reachable (tags, names): an event carries only the fields the run needs, and a value that
  Ansible would template (``{{``, ``{%``, ``{#``) is refused or blanked, never passed on.

Pure functions behind the event source ``hubfix.aws.securityhub_findings`` and the ``hubfix.aws.eda_*`` filters.
"""

from __future__ import annotations

import json
import re

from ansible_collections.hubfix.aws.plugins.module_utils.accounts import ACCOUNT_ID
from ansible_collections.hubfix.aws.plugins.module_utils.controls import AUTOSCALING_3, AUTOSCALING_9, EC2_24, REMEDIATION_PLAYBOOK, validate_controls
from ansible_collections.hubfix.aws.plugins.module_utils.findings_inventory import CONNECTION_VARS, groups_of, host_name
from ansible_collections.hubfix.aws.plugins.module_utils.instance_ids import INSTANCE_ID
from ansible_collections.hubfix.aws.plugins.module_utils.organization import role_arn as organization_role_arn
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import is_region_name, partition_for
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import WORKFLOW_NEW, WORKFLOW_NOTIFIED, control_of, finding_target

DEFAULT_CONTROLS = (EC2_24, AUTOSCALING_3)
DETAIL_TYPE = "Security Hub Findings - Imported"
EVENT_SOURCE = "aws.securityhub"
TEMPLATE_MARKERS = re.compile(r"{{|{%|{#")
FINDING_FIELDS = ("Id", "ProductArn", "GeneratorId", "AwsAccountId", "Region", "Title", "UpdatedAt")


class MessageError(ValueError):
    """An SQS message that holds no Security Hub finding; the message says why."""


def findings_of_message(body):
    """The ASFF findings an SQS message body holds: an EventBridge event (``detail.findings``), the same delivered
    through SNS (``Message``), a list of findings or one finding. Raises ``MessageError`` for anything else."""
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError as e:
            raise MessageError("the message is not JSON (%s)" % e) from None
    if isinstance(body, dict) and body.get("Type") == "Notification" and isinstance(body.get("Message"), str):
        return findings_of_message(body["Message"])
    if isinstance(body, dict) and "detail" in body:
        if body.get("source") not in (None, EVENT_SOURCE) or body.get("detail-type") not in (None, DETAIL_TYPE):
            raise MessageError("the event is %r from %r, not %r from %s" % (body.get("detail-type"), body.get("source"), DETAIL_TYPE, EVENT_SOURCE))
        findings = (body.get("detail") or {}).get("findings")
    elif isinstance(body, dict) and "SchemaVersion" in body and "Id" in body:
        findings = [body]
    else:
        findings = body
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        raise MessageError("the message holds no Security Hub findings (an EventBridge event with detail.findings expected)")
    return findings


def is_templated(value):
    return isinstance(value, str) and bool(TEMPLATE_MARKERS.search(value))


def skip_reason(finding, target, controls):
    """Why this finding makes no event (None: it makes one)."""
    control = control_of(finding)
    if control not in controls:
        return "control %s is not handled here (controls: %s)" % (control, ", ".join(controls))
    status = (finding.get("Compliance") or {}).get("Status")
    if status != "FAILED":
        return "compliance status is %s" % status
    if finding.get("RecordState") != "ACTIVE":
        return "record state is %s" % finding.get("RecordState")
    if target is None:
        return "none of its resources is a %s resource" % control
    if target["workflow_status"] not in (WORKFLOW_NEW, WORKFLOW_NOTIFIED):
        return "workflow status is %s" % target["workflow_status"]
    if not ACCOUNT_ID.fullmatch(str(target.get("account_id") or "")):
        return "its account_id %r is not valid" % target.get("account_id")
    if not is_region_name(target.get("region")):
        return "its region %r is not valid" % target.get("region")
    if control == EC2_24 and not INSTANCE_ID.fullmatch(target["id"]):
        return "its instance id %r is not valid" % target["id"]
    if control == AUTOSCALING_9 and not target.get("launch_configuration_name"):
        return "the finding does not name the group's launch configuration"
    if any(is_templated(v) for v in (target["id"], target.get("launch_configuration_name"))):
        return "its resource name holds template markup ({{ {%% {#); remediate it by hand"
    return None


def resource_of(target):
    """The ``hubfix_resource`` record a remediation playbook scopes its run by (see ``findings_inventory.inventory_scope``);
    ``account.role_arn`` null: the run's own credentials (``eda_run`` sets the role of an assumed account)."""
    return {
        "account": {"account_id": target["account_id"], "role_arn": None},
        "control": target["control"],
        "account_id": target["account_id"],
        "region": target["region"],
        "id": target["id"],
        "name": target["id"],
        "arn": target["resource_arn"],
        "resource_type": target["resource_type"],
        "finding_id": target["finding_id"],
        "details": {"launch_configuration_name": target["launch_configuration_name"]} if target["control"] == AUTOSCALING_9 else {},
    }


def safe_summary(finding):
    """What the event shows of the finding: a few fields, any holding template markup blanked."""
    out = {k: (None if is_templated(finding.get(k)) else finding.get(k)) for k in FINDING_FIELDS}
    out["ControlId"] = control_of(finding)
    out["ComplianceStatus"] = (finding.get("Compliance") or {}).get("Status")
    out["RecordState"] = finding.get("RecordState")
    out["WorkflowStatus"] = (finding.get("Workflow") or {}).get("Status")
    return out


def events_of_findings(findings, controls=DEFAULT_CONTROLS):
    """``(events, skipped)``: one event per resource and control of the findings that call for a remediation, and
    ``[{finding_id, reason}]`` for the others. Event: ``{hubfix: {id, control, account_id, region, resource_id,
    resource_type, finding_id, playbook, host, groups, resource}, finding: {...}}``."""
    controls = validate_controls(controls or list(DEFAULT_CONTROLS))
    events, skipped, seen = [], [], set()
    for finding in findings:
        target = finding_target(finding)
        reason = skip_reason(finding, target, controls)
        if reason:
            skipped.append({"finding_id": finding.get("Id"), "reason": reason})
            continue
        key = "%s/%s/%s/%s" % (target["control"], target["account_id"], target["region"], target["id"])
        if key in seen:
            continue
        seen.add(key)
        audit_like = {"control": target["control"], "account_id": target["account_id"], "region": target["region"], "resource_id": target["id"]}
        events.append(
            {
                "hubfix": {
                    "id": key,
                    "control": target["control"],
                    "account_id": target["account_id"],
                    "region": target["region"],
                    "resource_id": target["id"],
                    "resource_type": target["resource_type"],
                    "finding_id": target["finding_id"],
                    "playbook": "hubfix.aws." + REMEDIATION_PLAYBOOK[target["control"]],
                    "host": host_name(audit_like),
                    # actionable or not is the remediation's to decide (it checks owners and blockers itself)
                    "groups": groups_of(audit_like)[:3],
                    "resource": resource_of(target),
                },
                "finding": safe_summary(finding),
            }
        )
    return events, skipped


def role_arn(account_id, region, accounts=None, role_name=None):
    """The role to assume in ``account_id``: its ``hubfix_accounts`` item's, else ``role_name`` in it, as
    ``hubfix_organization`` builds it, else None (the run's own credentials)."""
    for item in accounts or []:
        if isinstance(item, dict) and str(item.get("account_id")) == account_id:
            return item.get("role_arn")
    if role_name:
        return organization_role_arn(partition_for(region), account_id, role_name)
    return None


def eda_run(hubfix, apply=False, accounts=None, role_name=None, external_id=None):
    """How ``hubfix.aws.eda_remediate_finding`` runs the matching playbook on exactly the event's resource:
    ``{playbook, check, host, inventory}`` - ``inventory`` a one-host ``hubfix.aws.findings``-shaped inventory, the
    path the playbooks already scope ``--limit`` and job slices by. Raises ValueError for an event that is not ours."""
    if not isinstance(hubfix, dict) or not isinstance(hubfix.get("resource"), dict) or not hubfix.get("host"):
        raise ValueError("the event has no hubfix part: this playbook is run by ansible-rulebook with hubfix.aws.securityhub_findings events")
    resource = dict(hubfix["resource"])
    arn = role_arn(resource["account_id"], resource["region"], accounts, role_name)
    resource["account"] = {"account_id": resource["account_id"], "role_arn": arn}
    if arn and external_id:
        resource["account"]["external_id"] = external_id
    host_vars = dict(CONNECTION_VARS, hubfix_resource=resource)
    inventory = {"all": {"children": {group: {"hosts": {hubfix["host"]: host_vars if i == 0 else None}} for i, group in enumerate(hubfix["groups"])}}}
    return {"playbook": hubfix["playbook"], "check": not apply, "host": hubfix["host"], "inventory": inventory}


class _Unsafe(str):
    """A string the inventory file marks ``!unsafe``: Ansible never templates it."""


def _represent_unsafe(dumper, value):
    return dumper.represent_scalar("!unsafe", str(value), style="'")


def _plain(value):
    """Plain Python values (Ansible hands filters tagged str / dict subclasses, which a SafeDumper cannot write)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _mark_unsafe(value):
    # only where a template could start: Ansible's !unsafe loader reads '123456789012' back as a number
    if isinstance(value, str) and "{" in value:
        return _Unsafe(value)
    if isinstance(value, dict):
        return {k: _mark_unsafe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_unsafe(v) for v in value]
    return value


def inventory_yaml(inventory):
    """``eda_run``'s inventory as a YAML inventory file in which every ``hubfix_resource`` string that holds a ``{`` is
    ``!unsafe`` (it came from a finding: never templated) and the connection vars stay templates."""
    import yaml  # only the filter's caller needs it

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Unsafe, _represent_unsafe)

    def walk(value):
        if isinstance(value, dict):
            return {k: (_mark_unsafe(v) if k == "hubfix_resource" else walk(v)) for k, v in value.items()}
        return value

    return yaml.dump(walk(_plain(inventory)), Dumper=Dumper, default_flow_style=False, sort_keys=True)
