# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2.24 remediation report: one record per instance (``build_result``), the JSON report (``build_report``),
what is left to do after a migration (``follow_ups``) and the Markdown for people (``render_markdown``)."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.blockers import next_action
from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import is_nitro, nvme_device
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import TAG_RUN, plan_volume_moves

# --- what is left to do -----------------------------------------------------------------------


def on_replacement(move):
    """The volume the replacement has for ``move``: its copy (strategy copy) or the moved original."""
    return move.get("copy_volume_id") or move["volume_id"]


def where(move):
    """Where a moved volume is on the replacement: the requested device, and on Nitro the NVMe name it shows as."""
    if move.get("nvme_device"):
        return "%s (on this Nitro instance %s)" % (move["target_device"], move["nvme_device"])
    return move["target_device"]


def cutover_plan(result):
    """What the cutover of a prepared migration will do, in order (the report of stage prepare lists it)."""
    copies = result.get("volume_strategy", "copy") == "copy"
    plan = ["stop the source %s (it serves until then)" % result.get("instance_id")]
    for m in result.get("volumes") or []:
        if copies and result.get("final_sync", "snapshot") == "snapshot":
            plan.append("snapshot %s again and replace its copy at %s with one made from that final snapshot" % (m["volume_id"], m["target_device"]))
        elif not copies:
            plan.append("move %s from %s to the replacement at %s" % (m["volume_id"], m["source_device"], m["target_device"]))
    if copies and result.get("final_sync") == "none":
        plan.append("keep the prepare-time copies of the volumes (pv_to_hvm_final_sync none: data written since then stays on the source)")
    traffic = result.get("traffic_plan") or []
    if result.get("traffic_plan") is not None:
        # read at prepare time (ec2_traffic_move in check mode): the moves as they stand now
        plan.extend(traffic or ["no Elastic IP, secondary address or interface, route or load balancer membership to move"])
    else:
        for e in result.get("elastic_ips") or []:
            plan.append("move Elastic IP %s (%s) to the replacement" % (e.get("public_ip") or e.get("allocation_id"), e.get("allocation_id")))
        plan.append(
            "move the secondary private IPs and secondary network interfaces, point the routes that target the source at the replacement, and "
            "register the replacement with the source's load balancers and target groups (waiting until InService / healthy) before the source leaves them"
        )
    plan.append("check the replacement again (status checks and pv_to_hvm_health_checks); any failure moves everything back and starts the source")
    if result.get("traffic_refusal"):
        # pv_to_hvm_owned_traffic refuse: the cutover will not start until the owner made the change (or move is chosen)
        return ["the cutover will refuse to start (pv_to_hvm_owned_traffic refuse): " + result["traffic_refusal"]]
    plan.extend("then, in its owner: %s" % o["owner_change"] for o in result.get("owned_traffic") or [])
    return plan


def follow_ups(result):
    """What the user must still do after a completed migration."""
    todo = []
    if result.get("status") != "migrated":
        return todo
    moves = result.get("volumes") or []
    root = [m for m in moves if m.get("is_root")]
    if root:
        todo.append(
            "restore application data and configuration from the old root volume %s, attached to %s at %s"
            % (on_replacement(root[0]), result.get("replacement_id"), where(root[0]))
        )
        todo.append(
            "relabel the old root volume %s before the replacement reboots: its filesystem may carry the same label (and, for XFS, "
            "the same UUID) as the replacement's own root, and the replacement could then boot from it - e2label <partition> old-root "
            "(ext2/3/4) or xfs_admin -L old-root <partition> (XFS, unmounted; mount it with -o nouuid); check with lsblk -f" % on_replacement(root[0])
        )
    data = [m for m in moves if not m.get("is_root")]
    if data:
        todo.append("mount the data volumes on the replacement: %s" % ", ".join("%s at %s" % (on_replacement(m), where(m)) for m in data))
    if result.get("public_ip_without_eip"):
        todo.append(
            "the source had the non-Elastic public IP %s; update DNS records to the replacement's address %s"
            % (result["public_ip_without_eip"], result.get("replacement_public_ip") or "(none)")
        )
    if result.get("traffic") is None:
        # a migration recorded before the traffic moved with the cutover (ec2_traffic_move)
        todo.append("re-register the replacement with any load balancer target groups that referenced %s" % result.get("instance_id"))
    for o in result.get("owned_traffic") or []:
        # moved with pv_to_hvm_owned_traffic move: the owner still declares the source
        todo.append("make the cutover's change in the owner, or its next update puts the source back: %s" % o["owner_change"])
    if not result.get("source_terminated"):
        todo.append("terminate the stopped source %s when it is no longer needed (pv_to_hvm_terminate_source: true)" % result.get("instance_id"))
    return todo


def render_markdown(report):
    """Markdown for people from the JSON report (``{generated_at, run_id, check_mode, instances: [...]}``); in check mode the
    plan: what a real run would do."""
    check = report.get("check_mode")
    lines = ["# EC2.24 paravirtual → HVM %s" % ("plan (check mode: nothing changed, this is what a real run does)" if check else "migration"), ""]
    if report.get("generated_at"):
        lines.append("Generated %s, run `%s`." % (report["generated_at"], report.get("run_id") or "-"))
        lines.append("")
    counts = {}
    for r in report.get("instances", []):
        counts[r.get("status")] = counts.get(r.get("status"), 0) + 1
    lines.append("| status | instances |")
    lines.append("|---|---|")
    for status in sorted(counts):
        lines.append("| %s | %d |" % (status, counts[status]))
    lines.append("")
    for r in sorted(report.get("instances", []), key=lambda x: (x.get("region") or "", x.get("instance_id") or "")):
        lines.append("## %s (%s) — %s" % (r.get("instance_id"), r.get("name") or "no Name tag", r.get("status")))
        lines.append("")
        lines.append("- region: %s" % r.get("region"))
        if r.get("replacement_id"):
            lines.append("- replacement: %s (%s, %s)" % (r["replacement_id"], r.get("target_instance_type"), r.get("target_image_id")))
        elif r.get("target_image_id") and r.get("status") == "planned":
            lines.append("- would launch: %s from %s" % (r.get("target_instance_type"), r.get("target_image_id")))
        if r.get("phase"):
            lines.append("- phase reached: %s" % r["phase"])
        for b in r.get("blockers") or []:
            lines.append("- blocked (%s): %s" % (b.get("code"), b.get("message")))
        for action in r.get("next_actions") or []:
            lines.append("- next action: %s" % action)
        for e in r.get("errors") or []:
            lines.append("- error: %s" % e)
        for w in r.get("warnings") or []:
            lines.append("- warning (%s): %s" % (w.get("code"), w.get("message")))
        if r.get("rollback"):
            lines.append("- rollback: %s" % r["rollback"])
        for s in r.get("snapshots") or []:
            lines.append("- snapshot %s of %s (%s)" % (s.get("snapshot_id"), s.get("volume_id"), s.get("device_name")))
        for m in r.get("volumes") or []:
            nvme = " (NVMe: %s)" % m["nvme_device"] if m.get("nvme_device") else ""
            copy = " as its copy %s" % m["copy_volume_id"] if m.get("copy_volume_id") else ""
            lines.append("- volume %s: %s → %s%s%s" % (m.get("volume_id"), m.get("source_device"), m.get("target_device"), copy, nvme))
        moved = "would move" if check else "moved" if r.get("status") == "migrated" else "still on the source"
        for e in r.get("elastic_ips") or []:
            lines.append("- Elastic IP %s (%s) %s" % (e.get("public_ip") or e.get("allocation_id"), e.get("allocation_id"), moved))
        for action in r.get("traffic") or []:
            lines.append("- traffic: %s%s" % ("would " if check else "", action))
        for h in r.get("health") or []:
            lines.append("- health check %s: %s%s" % (h.get("check"), "passed" if h.get("ok") else "FAILED", " - %s" % h["output"] if h.get("output") else ""))
        if r.get("cutover_plan"):
            lines.append("")
            lines.append("The cutover (pv_to_hvm_stage: cutover) will:")
            lines.extend("%d. %s" % (i, step) for i, step in enumerate(r["cutover_plan"], 1))
        todo = r.get("follow_ups") or []
        if todo:
            lines.append("")
            lines.append("To do:")
            lines.extend("- [ ] %s" % t for t in todo)
        lines.append("")
    return "\n".join(lines) + "\n"


# --- per-instance result and report ------------------------------------------------------------------

FAILED_STATUSES = ("invalid", "rolled_back", "rollback_failed", "failed", "unhealthy")
# Statuses whose record lists the volumes and Elastic IPs (moved, would move, or that the cutover will move).
WITH_PLAN = ("migrated", "planned", "prepared", "unhealthy")
# Not failures: compliant (an HVM instance given as a target, nothing to do), in_progress_other_run (another run works on it).


def build_result(instance_id, region, status, preflight=None, query=None, old_root_device="/dev/sdo", **extra):
    """The report record of one instance from the pre-flight result and a final ``ec2_migration_state`` query.

    ``status``: ``migrated`` (this run or before), ``planned`` (check mode), ``blocked``, ``invalid``, ``rolled_back``,
    ``rollback_failed``, ``in_progress_other_run``. ``source_record`` (the detection record) gives blocked instances the
    next action the audit prints.
    """
    source_record = extra.pop("source_record", None) or {}
    copy_of = {c.get("source_volume_id"): c.get("volume_id") for c in extra.pop("copies", None) or [] if c}
    preflight = preflight or {}
    query = query or {}
    instance = query.get("instance") or preflight.get("instance") or {}
    migration = query.get("migration") or preflight.get("migration") or {}
    replacement = query.get("replacement") or {}
    tags = instance.get("tags") or {}
    originals = migration.get("original_devices")
    if originals:
        root = instance.get("root_device_name")
        moves = plan_volume_moves(originals, root, old_root_device)
    else:
        moves = preflight.get("volume_moves") or []
    eips = migration.get("original_eips") or preflight.get("elastic_ips") or []
    public = {a.get("allocation_id"): a.get("public_ip") for a in query.get("elastic_ips") or []}
    run_id = migration.get("run_id")
    snapshots = [s for s in query.get("snapshots") or [] if not run_id or (s.get("tags") or {}).get(TAG_RUN) == run_id]
    target_type = preflight.get("target_instance_type") or replacement.get("instance_type")
    # on Nitro the volumes show as NVMe devices: the report gives both names
    moves = [dict(m, copy_volume_id=copy_of.get(m.get("volume_id"))) for m in moves]
    moves = [dict(m, nvme_device=nvme_device(on_replacement(m)) if is_nitro(target_type) and m.get("volume_id") else None) for m in moves]
    result = {
        "instance_id": instance_id,
        "region": region,
        "name": tags.get("Name"),
        "status": status,
        "phase": migration.get("phase"),
        "run_id": run_id,
        "source_state": instance.get("state"),
        "source_instance_type": instance.get("instance_type"),
        "target_image_id": preflight.get("target_image_id") or replacement.get("image_id"),
        "target_instance_type": target_type,
        "replacement_id": replacement.get("instance_id") or migration.get("replaced_by") or migration.get("replacement_id"),
        "replacement_state": replacement.get("state"),
        "replacement_public_ip": replacement.get("public_ip_address"),
        "replacement_http_tokens": replacement.get("metadata_http_tokens"),
        "snapshots": [{k: s.get(k) for k in ("snapshot_id", "volume_id", "device_name", "state")} for s in snapshots],
        "volumes": moves if status in WITH_PLAN else [],
        "elastic_ips": [dict(e, public_ip=public.get(e.get("allocation_id"))) for e in eips] if status in WITH_PLAN else [],
        "blockers": preflight.get("blockers") or [],
        "errors": list(preflight.get("errors") or []),
        "missing_permissions": preflight.get("missing_permissions") or [],
        "warnings": preflight.get("audit_warnings") or [],
        "rollback": None,
        "public_ip_without_eip": None,
        "source_terminated": False,
    }
    if status == "blocked":
        result["blockers"] = preflight.get("refusing_blockers") or result["blockers"]
    for key, value in extra.items():
        if key == "errors":
            result["errors"].extend(e for e in value or [] if e)
        elif value is not None:
            result[key] = value
    result["follow_ups"] = follow_ups(result)
    result["cutover_plan"] = cutover_plan(result) if status == "prepared" else []
    result["next_actions"] = [next_action(b["code"], source_record) or b.get("message") for b in result["blockers"]] if status == "blocked" else []
    return result


def build_report(results, run_id=None, generated_at=None, check_mode=False):
    results = [r for r in results if r]
    totals = {}
    for r in results:
        totals[r["status"]] = totals.get(r["status"], 0) + 1
    return {
        "control": "EC2.24",
        "run_id": run_id,
        "generated_at": generated_at,
        "check_mode": bool(check_mode),
        "totals": totals,
        "failed": sorted(r["instance_id"] for r in results if r["status"] in FAILED_STATUSES),
        "instances": sorted(results, key=lambda r: (r.get("region") or "", r.get("instance_id") or "")),
    }
