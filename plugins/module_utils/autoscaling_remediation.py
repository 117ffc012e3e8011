# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AutoScaling.3 remediation's records and report: what the ``hubfix.aws.autoscaling_imdsv2`` role decides and
writes, as plain functions behind its filters (plugins/filter/autoscaling_imdsv2.py).

A run plans every account first (``account_plan``), then per launch configuration: the IMDSv1 evidence of its groups
(``imdsv1_evidence``), the groups to switch (``groups_to_switch``), one record per group (``group_record``) and one per
launch configuration (``lc_record``, with why it was kept), the Security Hub note (``finding_note``) and the report
(``remediation_report``). In check mode the records say what *would* happen (status ``planned``).
"""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.autoscaling import REFRESH_SUCCESS, REFRESH_TERMINAL, proof
from ansible_collections.hubfix.aws.plugins.module_utils.owners import describe, next_action

GROUP_FAILED = ("failed_rolled_back", "failed_rollback_failed")
SKIPPED_IMDSV1 = "skipped_imdsv1_in_use"


def _key(region, name):
    return "%s/%s" % (region, name)


# -- plan ---------------------------------------------------------------------------------------------------------------


def account_plan(account_id, plan, targets=None, source="scan"):
    """``{plan, targets, todo, already_compliant}`` of one account.

    ``plan`` is the registered result of ``autoscaling_imdsv2_plan_info`` (skipped when there was nothing to plan);
    with ``source`` ``securityhub`` only the launch configurations Security Hub's findings (``targets``) name are done, and
    the targets no longer failing are reported as already compliant; ``inventory`` likewise with the launch configurations
    of the hosts of a ``hubfix.aws.findings`` inventory (within ``--limit`` or the job slice).
    """
    targets = list(targets or [])
    if not isinstance(plan, dict) or plan.get("skipped") or "launch_configurations" not in plan:
        plan = {"account_id": account_id, "launch_configurations": [], "errors": [], "regions": []}
    planned = plan.get("launch_configurations") or []
    if source not in ("securityhub", "inventory"):
        return {"plan": plan, "targets": targets, "todo": planned, "already_compliant": []}
    wanted = {_key(t["region"], t["id"]) for t in targets}
    have = {_key(lc["region"], lc["name"]) for lc in planned}
    return {
        "plan": plan,
        "targets": targets,
        "todo": [lc for lc in planned if _key(lc["region"], lc["name"]) in wanted],
        "already_compliant": [t for t in targets if _key(t["region"], t["id"]) not in have],
    }


def plan_request(account_ids, credentials, inventory=None, source="scan", regions=None):
    """The ``accounts`` of the one ``autoscaling_imdsv2_plan_info`` run that plans every account at once:
    ``[{account_id, credentials, regions, also_launch_configuration_names}]`` - on a ``hubfix.aws.findings`` inventory
    each account's regions are those of its hosts (unless ``regions`` are given) and the launch configurations of its
    AutoScaling.9 hosts are handled too. ``credentials``: ``hubfix_aws_credentials``."""
    inventory = inventory or {}
    out = []
    for account_id in account_ids or []:
        item = {"account_id": account_id, "credentials": dict((credentials or {}).get(account_id) or {})}
        if source == "inventory":
            targets = (inventory.get("targets") or {}).get(account_id) or []
            item["regions"] = list(regions or []) or sorted({t["region"] for t in targets})
            item["also_launch_configuration_names"] = list((inventory.get("also_launch_configuration_names") or {}).get(account_id) or [])
        out.append(item)
    return out


def account_plans(results, inventory=None, source="scan"):
    """``{account id: account_plan}`` from the ``accounts`` of that run; an account that could not be planned gets its
    error as a plan error, so nothing changes anywhere (as when one account's plan failed the play)."""
    inventory = inventory or {}
    plans = {}
    for r in results or []:
        account_id = r["account_id"]
        plan = r.get("plan")
        if r.get("error"):
            error = "account %s could not be planned: %s" % (account_id, r["error"])
            plan = {"account_id": account_id, "launch_configurations": [], "errors": [error], "regions": []}
        targets = (inventory.get("targets") or {}).get(account_id) or [] if source == "inventory" else []
        plans[account_id] = account_plan(account_id, plan, targets, source)
    return plans


def plan_errors(plans):
    """Every input problem of every account's plan (nothing changes anywhere while there is one)."""
    return [e for p in (plans or {}).values() for e in (p.get("plan") or {}).get("errors") or []]


def plan_summary(account_id, plan, source):
    todo = plan["todo"]
    line = "Account %s: %d launch configuration(s) to handle: %s" % (
        account_id,
        len(todo),
        ", ".join("%s/%s/%s" % (lc["region"], lc["name"], lc["action"]) for lc in todo) or "none",
    )
    if source == "securityhub":
        line += "; from %d Security Hub finding(s), %d no longer failing" % (len(plan["targets"]), len(plan["already_compliant"]))
    elif source == "inventory":
        line += "; from the inventory's hosts: %d launch configuration(s), %d no longer failing" % (len(plan["targets"]), len(plan["already_compliant"]))
    return line


# -- IMDSv1 evidence and the gate ---------------------------------------------------------------------------------------


def imdsv1_evidence(usage_results, days, lc=None):
    """The groups whose instances made IMDSv1 calls, from the looped ``imdsv1_usage_info`` results (loop var
    ``autoscaling_imdsv2__item``), and every group of ``lc`` when its user data calls the metadata service without a token."""
    evidence = _metric_evidence(usage_results, days)
    calls = (lc or {}).get("user_data_imdsv1_calls") or []
    if calls:
        by_name = {e["name"]: e for e in evidence}
        for group in (lc or {}).get("groups") or []:
            entry = by_name.get(group["name"])
            if entry is None:
                entry = {"name": group["name"], "metadata_no_token": None, "instances": [], "days": days, "start_time": None, "end_time": None}
                evidence.append(entry)
            entry["user_data_calls"] = calls
    return evidence


def _metric_evidence(usage_results, days):
    evidence = []
    for r in usage_results or []:
        if r.get("skipped") or not r.get("imdsv1_used"):
            continue
        evidence.append(
            {
                "name": r["autoscaling_imdsv2__item"]["name"],
                "metadata_no_token": r.get("metadata_no_token_total"),
                "instances": r.get("instances_using_imdsv1") or [],
                "days": days,
                "start_time": r.get("start_time"),
                "end_time": r.get("end_time"),
            }
        )
    return evidence


def groups_to_switch(groups, evidence, force=False):
    """The groups the remediation switches: all with ``force``, else those without IMDSv1 evidence."""
    if force:
        return list(groups or [])
    used = {e["name"] for e in evidence or []}
    return [g for g in groups or [] if g["name"] not in used]


def evidence_of(evidence, group_name):
    return next((e for e in evidence or [] if e["name"] == group_name), None)


# -- records --------------------------------------------------------------------------------------------------------------


def _group_base(lc, group_name, status, message, evidence):
    return {
        "name": group_name,
        "region": lc["region"],
        "account_id": lc.get("account_id"),
        "launch_configuration_name": lc["name"],
        "status": status,
        "message": message,
        "imdsv1_evidence": evidence,
    }


def skipped_groups(lc, evidence, force=False):
    """Records of the groups the IMDSv1 gate keeps on their launch configuration."""
    if force:
        return []
    out = []
    for e in evidence or []:
        seen = []
        if e.get("metadata_no_token"):
            seen.append("MetadataNoToken %s over %s days on %s" % (e["metadata_no_token"], e["days"], ", ".join(e["instances"])))
        if e.get("user_data_calls"):
            first = e["user_data_calls"][0]
            seen.append("user data %s line %s: %s" % (first["part"], first["line"], first["text"]))
        message = "IMDSv1 calls seen (%s); update the software to IMDSv2 or set autoscaling_imdsv2_force" % "; ".join(seen)
        out.append(_group_base(lc, e["name"], SKIPPED_IMDSV1, message, e))
    return out


def group_record(lc, group, template, version, check_mode, switch=None, refresh=None, refresh_status=None, evidence=None, refresh_wanted=False):
    """The record of a group switched (or, in check mode, planned) to ``version`` of ``template``."""
    status = "planned" if check_mode else "migrated"
    name = template.get("launch_template_name")
    verb = "would switch" if check_mode else "switched"
    message = "%s to %s version %s" % (verb, name, version)
    if refresh_wanted:
        message += "; %s its instances with an instance refresh" % ("would replace" if check_mode else "replaced")
    else:
        message += "; running instances keep their metadata settings until replaced"
    record = _group_base(lc, group["name"], status, message, evidence)
    record.update(
        {
            "changed": bool(check_mode or (switch or {}).get("changed") or (refresh or {}).get("changed")),
            "launch_template": dict(template, version=version),
            "instance_refresh": (refresh_status or {}).get("instance_refresh") or (refresh or {}).get("instance_refresh"),
            "instances_replaced": (refresh or {}).get("instances_to_replace") or [],
            # check mode: the real run starts this refresh and retires the launch configuration (after_proof) when it succeeds
            "instance_refresh_planned": bool(check_mode and refresh_wanted),
        }
    )
    return record


def failed_group(lc, group, error, rollback_error=None, refresh_status=None):
    """The record of a group whose switch or refresh failed; it is back on its launch configuration unless the rollback failed."""
    status = "failed_rollback_failed" if rollback_error else "failed_rolled_back"
    tail = ("; ROLLBACK FAILED: " + rollback_error) if rollback_error else "; back on launch configuration " + lc["name"]
    record = _group_base(lc, group["name"], status, (error or "failed") + tail, None)
    record.update({"changed": True, "launch_template": None, "instance_refresh": (refresh_status or {}).get("instance_refresh")})
    return record


def refresh_done(refresh):
    """Whether an instance refresh (snake_case ``instance_refresh`` of the module) has ended."""
    return (refresh or {}).get("status") in REFRESH_TERMINAL


def refresh_failure(refresh, group_name):
    """Why a refresh failed the group, or None when it succeeded or none was needed (no instance to replace)."""
    if not refresh or refresh.get("status") in REFRESH_SUCCESS:
        return None
    return "instance refresh %s of group %s ended %s: %s" % (
        refresh.get("instance_refresh_id"),
        group_name,
        refresh.get("status"),
        refresh.get("status_reason") or "no reason given",
    )


def refresh_progress_line(group_name, refresh, elapsed=None):
    refresh = refresh or {}
    line = "%s: instance refresh %s %s, %s %% complete" % (
        group_name,
        refresh.get("instance_refresh_id"),
        refresh.get("status"),
        refresh.get("percentage_complete") or 0,
    )
    if refresh.get("instances_to_update") is not None:
        line += ", %s instance(s) to update" % refresh["instances_to_update"]
    if elapsed is not None:
        line += " (after %ss)" % int(elapsed)
    if refresh.get("status_reason"):
        line += " - " + refresh["status_reason"]
    return line


def _delete_when(value):
    """The deletion policy: after_proof | immediately | never (booleans of before 0.3.0: immediately / never)."""
    if value is True or str(value).lower() == "true":
        return "immediately"
    if value is False or str(value).lower() == "false" or value is None:
        return "never"
    return str(value)


def kept_because(lc, still_used, delete_error, delete_wanted, proof=None):
    """Why a launch configuration stays (the AutoScaling.3 finding with it), or None when it is deleted."""
    if still_used:
        return "still used by " + ", ".join(still_used)
    if delete_error:
        return "deletion refused: " + delete_error
    policy = _delete_when(delete_wanted)
    if lc["action"] in ("convert", "retire") and policy == "never":
        return "autoscaling_imdsv2_delete_launch_configurations is never"
    if lc["action"] in ("convert", "retire") and policy == "after_proof" and not (proof or {}).get("proven"):
        return "waiting for proof: %s; a later run retires it once proven" % ((proof or {}).get("kept_because") or "the template has not proven itself")
    if lc["action"] == "keep_unused":
        return "unused: set autoscaling_imdsv2_delete_unused to delete it"
    return None


def still_used(lc, switched):
    """Groups that still launch from the launch configuration after the run."""
    return [g["name"] for g in lc.get("groups") or [] if g["name"] not in switched] + list(lc.get("other_groups") or [])


def should_delete(lc, backup_written, delete_launch_configurations, proof=None):
    """Whether to delete the launch configuration now (its backup exists): ``delete_unused`` ones always; converted ones
    (this run, or ``retire``) by the policy - immediately, or after_proof once ``proof`` is proven."""
    if not backup_written:
        return False
    if lc["action"] == "delete_unused":
        return True
    policy = _delete_when(delete_launch_configurations)
    if lc["action"] not in ("convert", "retire") or policy == "never":
        return False
    return policy == "immediately" or bool((proof or {}).get("proven"))


def run_proof(lc, switched, group_results):
    """``{proven, kept_because, groups}`` of a launch configuration after this run: ``retire`` takes the plan's proof; a
    converted one is proven when every switched group's instance refresh ended Successful or it has no instances and
    desired capacity 0 (instances launched from the template later prove it in a later run)."""
    if lc["action"] == "retire":
        return lc.get("proof") or {"proven": False, "kept_because": "no proof in the plan", "groups": []}
    refreshes = {}
    for g in group_results or []:
        if g.get("launch_configuration_name") == lc["name"] and g.get("region") == lc["region"] and g.get("instance_refresh"):
            refreshes[g["name"]] = g["instance_refresh"]
    groups = [g for g in lc.get("groups") or [] if g["name"] in (switched or [])]
    planned = sorted(
        g["name"]
        for g in group_results or []
        if g.get("instance_refresh_planned") and g.get("launch_configuration_name") == lc["name"] and g.get("region") == lc["region"]
    )
    if groups and planned == sorted(g["name"] for g in groups):
        # check mode: every group gets an instance refresh, and the real run deletes the launch configuration in the same
        # run exactly when they all end Successful; the plan shows that deletion with its condition
        return {
            "proven": True,
            "planned": True,
            "kept_because": None,
            "condition": "the instance refresh of %s ends Successful" % ", ".join(planned),
            "groups": planned,
        }
    return proof(groups, None, refreshes)


def lc_record(lc, backup, template, switched, deleted, delete_error, delete_wanted, check_mode, proof_=None):
    """The record of one launch configuration after the run."""
    used = still_used(lc, switched)
    reason = None if deleted else kept_because(lc, used, delete_error, delete_wanted, proof_)
    return {
        "name": lc["name"],
        "region": lc["region"],
        "account_id": lc.get("account_id"),
        "reason": lc.get("reason"),
        "action": lc["action"],
        "status": "planned" if check_mode else ("retired" if deleted else "kept"),
        "backup_file": (backup or {}).get("backup_file"),
        "launch_template": (template or {}).get("launch_template"),
        "template_action": (template or {}).get("action"),
        # a paravirtual image keeps the groups launching EC2.24 failures (converted to the mapped HVM image, or said so)
        "paravirtual_image": (template or {}).get("paravirtual_image"),
        "groups": [g["name"] for g in lc.get("groups") or []],
        "switched_groups": list(switched),
        "deleted": bool(deleted),
        "kept_because": reason if reason else (None if deleted else "not deleted"),
        "proof": proof_,
        "owner": None,
        "owned_groups": [g["name"] for g in lc.get("owned_groups") or []],
        "error": None,
    }


def owned_items(items):
    """The plan records ``autoscaling_imdsv2_owner_changes`` takes: owned launch configurations (``blocked_owned``) and
    the ones with owned groups (an owned group of a converted launch configuration gets its change from its owner)."""
    return [lc for lc in items or [] if lc.get("action") == "blocked_owned" or lc.get("owned_groups")]


def owned_records(items, owner_results, account_id=None):
    """``[launch configuration records, group records, owner records]`` of what owners manage (status ``blocked_owned``:
    nothing changed), each naming its owner, the file written for it (``owner_results``: the ``owners`` of
    ``autoscaling_imdsv2_owner_changes``) and the next action; a launch configuration also its owner's change set."""
    results = {(o.get("region"), o.get("type"), o.get("name")): o for o in owner_results or []}

    def about(region, owner):
        path = results.get((region, owner.get("type"), owner.get("name")), {}).get("file")
        return path, next_action(owner, path)

    lcs, groups = [], []
    for item in owned_items(items):
        region = item["region"]
        # an owner of its own, else (only owned groups named) the first owned group's
        owner = item.get("owner") or next((g["owner"] for g in item.get("owned_groups") or [] if g.get("owner")), None)
        if item.get("action") == "blocked_owned" and owner:
            path, action = about(region, owner)
            lcs.append(
                {
                    "name": item["name"],
                    "region": region,
                    "account_id": item.get("account_id") or account_id,
                    "reason": item.get("reason"),
                    "action": item["action"],
                    "status": "blocked_owned",
                    "backup_file": None,
                    "launch_template": None,
                    "template_action": None,
                    "groups": [],
                    "switched_groups": [],
                    "deleted": False,
                    "kept_because": "managed by %s" % describe(owner),
                    "proof": None,
                    "owner": owner,
                    "owner_file": path,
                    "next_action": action,
                    "change_set_arn": results.get((region, owner.get("type"), owner.get("name")), {}).get("change_set_arn"),
                    "owned_groups": [g["name"] for g in item.get("owned_groups") or []],
                    "error": None,
                }
            )
        for group in item.get("owned_groups") or []:
            group_owner = group.get("owner") or item.get("owner")
            if not group_owner:
                continue
            path, action = about(region, group_owner)
            record = _group_base(dict(item, account_id=item.get("account_id") or account_id), group["name"], "blocked_owned", action, None)
            record.update(changed=False, launch_template=None, instance_refresh=None, owner=group_owner, owner_file=path, next_action=action)
            groups.append(record)
    return [lcs, groups, [dict(o, account_id=account_id) for o in owner_results or []]]


def lc_failed(lc, error):
    """The record of a launch configuration whose remediation stopped with an error (the run goes on, and fails at the end)."""
    return {
        "name": lc["name"],
        "region": lc["region"],
        "account_id": lc.get("account_id"),
        "reason": lc.get("reason"),
        "action": lc["action"],
        "status": "failed",
        "error": error,
        "backup_file": None,
        "launch_template": None,
        "template_action": None,
        "groups": [g["name"] for g in lc.get("groups") or []],
        "switched_groups": [],
        "deleted": False,
        "kept_because": "failed: " + error,
    }


def failed_launch_configurations(report):
    return [lc for lc in report.get("launch_configurations") or [] if lc.get("status") == "failed"]


# -- Security Hub ---------------------------------------------------------------------------------------------------------


def finding_note(record, group_results, verified, check_mode):
    """``(workflow status, note)`` for the launch configuration's finding after the run."""
    key = (record.get("account_id"), record["region"], record["name"])
    mine = [g for g in group_results or [] if (g.get("account_id"), g["region"], g["launch_configuration_name"]) == key]
    failures = [g for g in mine if g["status"] in GROUP_FAILED]
    template = record.get("launch_template")
    template_text = "%s version %s" % (template["launch_template_name"], template["version_number"]) if template else "none"
    head = "hubfix.aws remediate_autoscaling_3: "
    if record["deleted"] and not failures and verified:
        backup = (record.get("backup_file") or "none").rsplit("/", 1)[-1]
        note = "%sresolved - replaced by launch template %s (IMDSv2 required); groups switched: %s; launch configuration deleted (backup %s); %s" % (
            head,
            template_text,
            ", ".join(record["switched_groups"]) or "none",
            backup,
            "would be re-checked" if check_mode else "re-check passed",
        )
        return "RESOLVED", note
    if failures:
        details = "; ".join("%s: %s (%s)" % (g["name"], g["status"], g["message"]) for g in failures)
        return "NOTIFIED", "%sFAILED - %s; launch configuration kept" % (head, details)
    return "NOTIFIED", "%snot resolved - launch template %s; launch configuration kept (%s)" % (
        head,
        template_text,
        record.get("kept_because") or "re-check still finds it failing",
    )


# -- report ---------------------------------------------------------------------------------------------------------------


def _account_row(account, lcs, groups):
    mine_lcs = [lc for lc in lcs if lc.get("account_id") == account.get("account_id")]
    mine_groups = [g for g in groups if g.get("account_id") == account.get("account_id")]
    return dict(
        {k: account.get(k) for k in ("account_id", "role_arn", "status", "error")},
        launch_configurations=len(mine_lcs),
        launch_configurations_deleted=len([lc for lc in mine_lcs if lc["deleted"]]),
        groups_migrated=len([g for g in mine_groups if g["status"] in ("migrated", "planned")]),
        groups_failed=len([g for g in mine_groups if g["status"] in GROUP_FAILED]),
    )


def remediation_report(
    lc_results,
    group_results,
    plans,
    accounts_status,
    source="scan",
    securityhub_updates=False,
    backup_dir=None,
    check_mode=False,
    run_id=None,
    owner_results=None,
):
    """The ``autoscaling_imdsv2.json`` report (fact ``autoscaling_imdsv2_result``)."""
    lcs, groups, plans = list(lc_results or []), list(group_results or []), dict(plans or {})
    accounts = [_account_row(a, lcs, groups) for a in accounts_status or []]
    ok = [a["account_id"] for a in accounts if a["status"] == "ok"]
    regions = list(dict.fromkeys(row["region"] if isinstance(row, dict) else row for p in plans.values() for row in (p.get("plan") or {}).get("regions") or []))
    already = ["%s/%s/%s" % (account, t["region"], t["id"]) for account, p in plans.items() for t in p.get("already_compliant") or []]
    moved = [g for g in groups if g["status"] in ("migrated", "planned")]
    return {
        "schema_version": 1,
        "kind": "hubfix.aws/autoscaling_imdsv2-report",
        "title": "AutoScaling.3 plan" if check_mode else "AutoScaling.3 remediation",
        "control_ids": ["AutoScaling.3", "AutoScaling.9"],
        "check_mode": bool(check_mode),
        "run_id": run_id,
        "account_id": ok[0] if ok else None,
        "regions": regions,
        "source": source,
        "accounts": accounts,
        "securityhub": {
            "updates": bool(securityhub_updates),
            "targets": [t["id"] for p in plans.values() for t in p.get("targets") or []],
            "already_compliant": already,
        },
        "backup_dir": backup_dir,
        "launch_configurations": lcs,
        "groups": groups,
        "owners": list(owner_results or []),
        "summary": {
            "launch_configurations": len(lcs),
            "templates": len([lc for lc in lcs if lc.get("launch_template")]),
            "groups_migrated": len(moved) if not check_mode else 0,
            "groups_planned": len(moved) if check_mode else 0,
            "groups_skipped": len([g for g in groups if g["status"] == SKIPPED_IMDSV1]),
            "groups_failed": len([g for g in groups if g["status"] in GROUP_FAILED]),
            "launch_configurations_deleted": len([lc for lc in lcs if lc["deleted"]]) if not check_mode else 0,
            "launch_configurations_to_delete": len([lc for lc in lcs if lc["deleted"]]) if check_mode else 0,
            "launch_configurations_to_delete_after_refresh": len([lc for lc in lcs if lc["deleted"] and (lc.get("proof") or {}).get("planned")])
            if check_mode
            else 0,
            "findings_still_open": len([lc for lc in lcs if not lc["deleted"] and lc["status"] != "gone"]),
            "launch_configurations_owned": len([lc for lc in lcs if lc["status"] == "blocked_owned"]),
            "groups_owned": len([g for g in groups if g["status"] == "blocked_owned"]),
            "launch_configurations_waiting_for_proof": len([lc for lc in lcs if (lc.get("kept_because") or "").startswith("waiting for proof")]),
        },
    }


def failed_groups(report):
    return [g for g in report.get("groups") or [] if g["status"] in GROUP_FAILED]


def summary_lines(report):
    s = report["summary"]
    check = report["check_mode"]
    lines = [
        "Check mode: nothing was changed; this is the plan a real run carries out." if check else "AutoScaling.3 remediation done.",
        "Launch configurations handled: %d, %s: %d, AutoScaling.3 findings still open: %d"
        % (
            s["launch_configurations"],
            "would be deleted" if check else "deleted",
            s["launch_configurations_to_delete" if check else "launch_configurations_deleted"],
            s["findings_still_open"],
        ),
        "Groups %s: %d, skipped (IMDSv1 in use): %d, failed: %d"
        % ("planned" if check else "migrated", s["groups_planned" if check else "groups_migrated"], s["groups_skipped"], s["groups_failed"]),
    ]
    if check and s.get("launch_configurations_to_delete_after_refresh"):
        lines.append(
            "Of those to be deleted, %d only once their groups' instance refresh ends Successful (a failed refresh keeps them)"
            % s["launch_configurations_to_delete_after_refresh"]
        )
    if s.get("launch_configurations_owned") or s.get("groups_owned"):
        lines.append(
            "Owned by CloudFormation, Elastic Beanstalk, Terraform or a tool (not changed; their change is in owners/): %d launch configuration(s), %d group(s)"
            % (s["launch_configurations_owned"], s["groups_owned"])
        )
    if s.get("launch_configurations_waiting_for_proof"):
        lines.append(
            "Launch configurations kept until their template proves itself (a later run retires them): %d" % s["launch_configurations_waiting_for_proof"]
        )
    return lines


def lc_elsewhere(lc, claimed_by):
    """The record of a launch configuration another live run works on: left to it, nothing changed here."""
    record = lc_failed(lc, "")
    record.update(
        status="in_progress_other_run",
        error=None,
        claimed_by=claimed_by,
        kept_because="in progress by run %s (%s, pid %s): left to it" % (claimed_by.get("id"), claimed_by.get("host"), claimed_by.get("pid")),
    )
    return record


def lc_gone(lc, template=None):
    """The record of a launch configuration that no longer exists when this run reached it (another run retired it, or a
    person deleted it, after the plan): nothing left to do, and its AutoScaling.3 finding closes."""
    record = lc_failed(lc, "")
    made = (template or {}).get("launch_template")
    record.update(
        status="gone",
        error=None,
        launch_template=made,
        template_action=(template or {}).get("action"),
        deleted=False,
        kept_because=None,
        note="deleted since it was planned (by another run or by hand)%s; nothing left to do"
        % (": its launch template is %s" % made["launch_template_name"] if made else ""),
    )
    return record
