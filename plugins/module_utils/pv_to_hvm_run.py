# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The decisions of the ``hubfix.aws.pv_to_hvm`` role that are not per-instance AWS work, as plain functions behind its
filters (plugins/filter/pv_to_hvm.py): the hosts discovery adds, the target images to check once per region, the checks of
a finished migration, the Security Hub notes and the run's report."""

from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import is_nitro, nvme_device
from ansible_collections.hubfix.aws.plugins.module_utils.pv_migration import PHASES, in_progress, target_image_problems
from ansible_collections.hubfix.aws.plugins.module_utils.pv_report import FAILED_STATUSES, build_report
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_workflow import update_outcome

# Phases of a migration that has started and not completed (the YAML asks ``in_progress``, never a copy of the list).
IN_PROGRESS = tuple(p for p in PHASES if in_progress(p))


def finding_refs(instance_id, region, source, targets):
    """The Security Hub finding(s) of an instance: Security Hub's own targets, else looked up by resource and control."""
    if source == "securityhub":
        return [t for t in targets or [] if t["id"] == instance_id]
    return [{"resource_id": instance_id, "control": "EC2.24", "region": region}]


def image_targets(instances, image_id, image_map):
    """``{region: [image ids]}`` to check once per region before any per-instance work: the region-wide images
    (``pv_to_hvm_image_id``, a region key of ``pv_to_hvm_image_map``). An image mapped to one instance or one source AMI
    is that item's: the pre-flight check refuses only the instances it would serve, naming them."""
    image_map = image_map or {}
    out = {}
    for i in instances:
        if image_map.get(i["instance_id"]) or image_map.get(i.get("image_id")):
            continue
        image = image_map.get(i["region"]) or image_id
        if image and image not in out.setdefault(i["region"], []):
            out[i["region"]].append(image)
    return {region: images for region, images in out.items() if images}


def image_problems(targets, found):
    """Why the region-wide target images cannot be used, one line per image and region.

    ``found`` is ``{region: [images]}`` or the looped ``amazon.aws.ec2_ami_info`` results (``item.key`` the region), in
    amazon.aws's snake_case.
    """
    if isinstance(found, list):
        found = {r["item"]["key"]: r.get("images") or [] for r in found if not r.get("skipped")}
    problems = []
    for region, image_ids in sorted(targets.items()):
        images = {i.get("image_id"): i for i in found.get(region) or []}
        for image_id in image_ids:
            image = images.get(image_id)
            described = (
                None
                if image is None
                else {
                    "VirtualizationType": image.get("virtualization_type"),
                    "State": image.get("state", "available"),
                    "RootDeviceType": image.get("root_device_type", "ebs"),
                }
            )
            problems += target_image_problems("region %s" % region, image_id, described)
    return problems


def verify(final, replacement_id, moves, original_eips, move_elastic_ips, copies=None):
    """What is wrong with a finished migration (``ec2_migration_state_info`` after the moves), or ``[]``. With ``copies``
    (strategy copy: ``[{source_volume_id, volume_id, device_name}]``) the replacement must have each copy at its device and
    the source keeps its own volumes."""
    problems = []
    replacement = final.get("replacement") or {}
    source = final.get("instance") or {}
    if replacement.get("instance_id") != replacement_id:
        return ["the replacement %s is gone or not the one recorded (%s)" % (replacement_id, replacement.get("instance_id"))]
    checks = (
        (replacement.get("state") == "running", "state %s, not running" % replacement.get("state")),
        (replacement.get("virtualization_type") == "hvm", "%s, not hvm" % replacement.get("virtualization_type")),
        (replacement.get("metadata_http_tokens") == "required", "IMDS tokens %s, not required" % replacement.get("metadata_http_tokens")),
        (replacement.get("subnet_id") == source.get("subnet_id"), "subnet %s, not the source's %s" % (replacement.get("subnet_id"), source.get("subnet_id"))),
        (replacement.get("security_group_ids") == source.get("security_group_ids"), "security groups differ from the source's"),
        (
            copies is not None or not source.get("ebs_volumes"),
            "volumes still on the source: %s" % ", ".join(v["volume_id"] for v in source.get("ebs_volumes") or []),
        ),
    )
    problems += [message for ok, message in checks if not ok]
    attached = {(v["volume_id"], v["device_name"]) for v in replacement.get("ebs_volumes") or []}
    if copies is not None:
        wanted = {m["volume_id"]: m["target_device"] for m in moves}
        have = {c.get("source_volume_id"): c.get("volume_id") for c in copies}
        missing = ["copy of %s@%s" % (v, d) for v, d in wanted.items() if (have.get(v), d) not in attached]
    else:
        missing = ["%s@%s" % (m["volume_id"], m["target_device"]) for m in moves if (m["volume_id"], m["target_device"]) not in attached]
    if missing:
        problems.append("volumes missing on the replacement: %s" % ", ".join(missing))
    if move_elastic_ips:
        on_replacement = {a["allocation_id"] for a in final.get("elastic_ips") or [] if a.get("instance_id") == replacement_id}
        not_moved = [e["allocation_id"] for e in original_eips or [] if e["allocation_id"] not in on_replacement]
        if not_moved:
            problems.append("Elastic IPs not moved: %s" % ", ".join(not_moved))
    return problems


def finding_note(result, verified, check_mode):
    """``(workflow status, note)`` of an instance's finding after the run (RESOLVED only when the re-check passed)."""
    head = "hubfix.aws remediate_ec2_24: "
    what = "%s (HVM %s, %s, IMDSv2 required)" % (
        result.get("replacement_id") or "?",
        result.get("target_instance_type") or "?",
        result.get("target_image_id") or "?",
    )
    status = result.get("status")
    if status == "migrated" and verified:
        return "RESOLVED", "%sresolved - replaced by %s; source %s terminated; %s" % (
            head,
            what,
            result["instance_id"],
            "would be re-checked" if check_mode else "re-check passed",
        )
    if status == "migrated":
        return (
            "NOTIFIED",
            "%sreplaced by %s; the source %s is stopped and still paravirtual, so EC2.24 still fails - terminate it (pv_to_hvm_terminate_source: true)"
            % (
                head,
                what,
                result["instance_id"],
            ),
        )
    if status == "blocked":
        return "NOTIFIED", "%snot migrated - blocked: %s" % (head, "; ".join(b.get("message") or b.get("code") for b in result.get("blockers") or []))
    if status == "planned":
        return "NOTIFIED", "%sdry run - would be replaced by an HVM instance (%s as %s)" % (
            head,
            result.get("target_image_id") or "?",
            result.get("target_instance_type") or "?",
        )
    note = "%sFAILED (%s) - %s" % (head, status, "; ".join(result.get("errors") or []))
    if result.get("rollback"):
        note += "; rollback: %s" % result["rollback"]
    return "NOTIFIED", note


def verified(result, recheck_ids, check_mode):
    """Whether the source no longer fails EC2.24 (terminated): our re-check does not find it any more."""
    if result.get("status") != "migrated":
        return False
    return bool(result.get("source_terminated")) if check_mode else result["instance_id"] not in recheck_ids


def run_report(results, accounts_status, run_id=None, generated_at=None, check_mode=False, source="scan", securityhub=None, not_failing=None):
    """The ``pv_to_hvm.json`` report (fact ``pv_to_hvm_report``): per instance, per account, and what Security Hub got."""
    report = build_report(results, run_id=run_id, generated_at=generated_at, check_mode=check_mode)
    rows = []
    for account in accounts_status or []:
        mine = [r for r in report["instances"] if r.get("account_id") == account.get("account_id")]
        row = {k: account.get(k) for k in ("account_id", "role_arn", "status", "error")}
        row.update({s: len([r for r in mine if r["status"] == s]) for s in ("migrated", "planned", "blocked", "compliant")})
        row.update(instances=len(mine), failed=len([r for r in mine if r["status"] in FAILED_STATUSES]))
        rows.append(row)
    report.update(
        source=source,
        accounts=rows,
        already_compliant=sorted(not_failing or []),
        securityhub=dict({"updates": False, "targets": [], "already_compliant": [], "findings": []}, **(securityhub or {})),
    )
    return report


def with_account(pair):
    """``[result, account id]`` -> the result with its ``account_id`` (the report play collects them from the hosts)."""
    result, account_id = pair
    return dict(result, account_id=account_id)


def instance_finding_outcome(loop_result):
    """One looped ``securityhub_finding`` result as the report's ``securityhub.findings`` entry of its instance."""
    item = loop_result.get("item") or {}
    return dict(update_outcome(loop_result) or {}, instance_id=item.get("instance_id"), account_id=item.get("account_id"))


def health_results(status=None, commands=None, urls=None):
    """``[{check, ok, output}]`` of the health gate from its tasks' registered results: the EC2 status checks
    (``ec2_instance_status_info``), the ``command`` checks (a looped shell task) and the ``url`` checks (a looped uri task)."""
    out = []
    if status and not status.get("skipped"):
        failed = bool(status.get("failed"))
        detail = "instance %s, system %s" % (status.get("instance_status"), status.get("system_status"))
        out.append({"check": "EC2 status checks", "ok": bool(status.get("ok")) and not failed, "output": status.get("msg") if failed else detail})
    for r in (commands or {}).get("results") or []:
        if r.get("skipped"):
            continue
        text = "\n".join(t for t in (r.get("stdout"), r.get("stderr"), None if "rc" in r else r.get("msg")) if t).strip()
        out.append({"check": "command %s" % (r.get("item") or {}).get("command"), "ok": r.get("rc") == 0, "output": _tail(text, r)})
    for r in (urls or {}).get("results") or []:
        if r.get("skipped"):
            continue
        wanted = int((r.get("item") or {}).get("status") or 200)
        answer = "HTTP %s" % r.get("status") if r.get("status") not in (None, -1) else (r.get("msg") or "no answer")
        out.append({"check": "url %s" % (r.get("item") or {}).get("url"), "ok": r.get("status") == wanted, "output": "%s (wanted %d)" % (answer, wanted)})
    return out


def _tail(text, result):
    attempts = result.get("attempts")
    text = text[-800:] if len(text) > 800 else text
    return ("rc %s after %s attempt(s): %s" % (result.get("rc"), attempts, text)) if attempts and result.get("rc") != 0 else text


def bring_up_volumes(copies, target_instance_type=None):
    """The replacement's volumes for ``pv_to_hvm_prepare_tasks``: each copy with its device and, on Nitro, its NVMe name."""
    return [
        {
            "volume_id": c["volume_id"],
            "source_volume_id": c.get("source_volume_id"),
            "device_name": c.get("device_name"),
            "nvme_device": nvme_device(c["volume_id"]) if is_nitro(target_instance_type) else None,
        }
        for c in copies or []
        if c and c.get("volume_id")
    ]
