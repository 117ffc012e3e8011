# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The hosts of the ``hubfix.aws.findings`` inventory plugin: one per failing resource of the audit (the same findings,
built by ``audit_report``), named and grouped so that ``--limit``, AWX inventories and job slicing split the work.

- EC2.24 instances are named by instance id; AutoScaling.3 launch configurations ``lc/<account>/<region>/<name>``;
  AutoScaling.9 groups ``asg/<account>/<region>/<name>``.
- Groups: ``ec2_24``, ``autoscaling_3``, ``autoscaling_9``, ``account_<id>``, ``region_<name with _>``, and
  ``actionable`` (a remediation playbook fixes it) or ``blocked`` (something must happen first: a blocker, or an owner
  such as CloudFormation that must make the change).
- Host var ``hubfix_resource``: the detection record (control, account, region, id, name, owner, blockers, ...).

Pure functions; the AWS side is in ``plugins/inventory/findings.py``.
"""

from __future__ import annotations

import re

from ansible_collections.hubfix.aws.plugins.module_utils.controls import AUTOSCALING_3, AUTOSCALING_9, CONTROLS, EC2_24, UnknownControl, validate_controls

SOURCES = ("scan", "securityhub")
CONTROL_GROUP = {EC2_24: "ec2_24", AUTOSCALING_3: "autoscaling_3", AUTOSCALING_9: "autoscaling_9"}
HOST_PREFIX = {AUTOSCALING_3: "lc", AUTOSCALING_9: "asg"}
ACTIONABLE = "actionable"
BLOCKED = "blocked"
# The host vars every host gets: the API calls of the remediation run on the controller.
CONNECTION_VARS = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}


def host_name(finding):
    """The inventory name of a finding's resource (stable across runs, unique across accounts and regions)."""
    if finding["control"] == EC2_24:
        return finding["resource_id"]
    return "%s/%s/%s/%s" % (HOST_PREFIX[finding["control"]], finding["account_id"], finding["region"], finding["resource_id"])


def group_safe(value):
    """A group name part: anything but letters, digits and _ becomes _ (us-east-1 -> us_east_1)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", str(value))


def is_blocked(finding):
    """Blocked: the audit's next action is blocked (a blocker), or an owner (CloudFormation, Elastic Beanstalk,
    Terraform, a tool) must make the change - hubfix writes it for them but does not change the resource."""
    owner = (finding.get("details") or {}).get("owner")
    return (finding.get("next_action") or {}).get("kind") == "blocked" or bool(finding.get("blockers")) or bool(owner)


def groups_of(finding):
    return [
        CONTROL_GROUP[finding["control"]],
        "account_" + group_safe(finding["account_id"]),
        "region_" + group_safe(finding["region"]),
        BLOCKED if is_blocked(finding) else ACTIONABLE,
    ]


def resource_record(finding, account=None):
    """``hubfix_resource``: what the remediation playbooks need to work on the host, and what the operator reads.
    ``account``: the ``hubfix_accounts`` item it was scanned through (``role_arn`` null for the credentials' own)."""
    details = finding.get("details") or {}
    return {
        "account": dict(account or {"account_id": finding["account_id"], "role_arn": None}),
        "control": finding["control"],
        "account_id": finding["account_id"],
        "region": finding["region"],
        "id": finding["resource_id"],
        "name": finding["resource_name"],
        "arn": finding.get("resource_arn"),
        "resource_type": finding.get("resource_type"),
        "status": finding.get("status"),
        "reason": finding.get("reason"),
        "owner": details.get("owner"),
        "blockers": list(finding.get("blockers") or []),
        "blocked": is_blocked(finding),
        "next_action": finding.get("next_action"),
        "finding_id": finding.get("id"),
        "details": details,
    }


def hosts_of(findings, controls=None, accounts=None):
    """``[{name, groups, vars}]`` for the findings of ``controls`` (all by default), in the audit's order; ``accounts``:
    ``{account id: hubfix_accounts item}`` of the accounts assumed."""
    wanted = set(controls or CONTROLS)
    hosts = []
    for finding in findings or []:
        if finding["control"] not in wanted:
            continue
        record = resource_record(finding, (accounts or {}).get(finding["account_id"]))
        hosts.append({"name": host_name(finding), "groups": groups_of(finding), "vars": {"hubfix_resource": record}})
    return hosts


def config_problems(config):
    """What is wrong with an inventory config's hubfix options (``source``, ``controls``, ``account_concurrency``), one
    line each: the plugin fails with them before any AWS call. ``accounts`` and ``organization`` are checked by the rules
    of ``hubfix_accounts`` / ``hubfix_organization`` (``accounts.problems``, ``organization.problems``)."""
    out = []
    if config.get("source") not in SOURCES:
        out.append("source must be one of %s, not %r" % (", ".join(SOURCES), config.get("source")))
    try:
        validate_controls(config.get("controls") or [])
    except UnknownControl as e:
        out.append("controls: %s" % e)
    concurrency = config.get("account_concurrency")
    if concurrency is not None and (not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1):
        out.append("account_concurrency must be a whole number of 1 or more, not %r" % (concurrency,))
    return out


def inventory_scope(resources, controls):
    """What a remediation playbook works on when its play runs on hosts of a ``hubfix.aws.findings`` inventory (the
    ``hubfix_resource`` of each host within ``--limit`` or the job slice), for ``controls``:
    ``{active, regions, account_ids, accounts, instance_ids, targets, also_launch_configuration_names}``.

    ``accounts`` are the ``hubfix_accounts`` items of the assumed accounts (empty when the hosts came from the
    credentials' own account); ``targets``: ``{account id: [{region, id, kind}]}`` - the launch configurations of the
    AutoScaling.3 hosts and those of the AutoScaling.9 hosts' groups; ``also_launch_configuration_names``: ``{account id:
    [names]}`` of the latter (handled even when they already require IMDSv2)."""
    wanted = set(controls or CONTROLS)
    mine = [r for r in resources or [] if isinstance(r, dict) and r.get("control") in wanted]
    accounts, targets, also = {}, {}, {}
    for r in mine:
        account = r.get("account") or {}
        if account.get("role_arn"):
            accounts.setdefault(r["account_id"], {k: v for k, v in account.items() if v not in (None, "")})
        if r["control"] == AUTOSCALING_3:
            lc_name = r["id"]
        elif r["control"] == AUTOSCALING_9:
            lc_name = (r.get("details") or {}).get("launch_configuration_name")
            if lc_name:
                also.setdefault(r["account_id"], [])
                if lc_name not in also[r["account_id"]]:
                    also[r["account_id"]].append(lc_name)
        else:
            continue
        target = {"region": r["region"], "id": lc_name, "kind": "launch_configuration"}
        if lc_name and target not in targets.setdefault(r["account_id"], []):
            targets[r["account_id"]].append(target)
    return {
        "active": bool(mine),
        "regions": sorted({r["region"] for r in mine}),
        "account_ids": sorted({r["account_id"] for r in mine}),
        "accounts": [accounts[a] for a in sorted(accounts)],
        "instance_ids": [r["id"] for r in mine if r["control"] == EC2_24],
        "targets": targets,
        "also_launch_configuration_names": also,
    }
