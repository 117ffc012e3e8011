# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Security Hub calls of the ``securityhub_finding*`` modules: GetFindings through botocore's paginator, finding
lookups by id or by resource, BatchUpdateFindings / BatchImportFindings in batches whose failures are kept per finding
(``unprocessed``) instead of failing the whole call, and the two runs the modules share (``update_workflow`` and
``import_audit``)."""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.hubfix.aws.plugins.module_utils.clients import attempt, client, paginate
from ansible_collections.hubfix.aws.plugins.module_utils.error_messages import error_code
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import securityhub_default_product_arn
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_findings import (
    GENERATOR_PREFIX,
    PAGE_SIZE,
    InputError,
    control_of,
    finding_home_region,
    finding_matches_resource,
    finding_target,
    id_filters,
    resource_lookup_filters,
)
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_import import audit_records, import_batches, plan_import, utc_now
from ansible_collections.hubfix.aws.plugins.module_utils.securityhub_workflow import normalise_note, plan_update, update_batches

UPDATE_ACTIONS = {"update": "updated", "unchanged": "unchanged", "skip": "skipped"}
IMPORT_ACTIONS = (("create", "created"), ("update", "updated"), ("archive", "archived"))


class RegionalClients:
    """One Security Hub client per region, made on first use."""

    def __init__(self, module):
        self.module = module
        self._clients = {}

    def __call__(self, region):
        if region not in self._clients:
            self._clients[region] = client(self.module, "securityhub", region)
        return self._clients[region]


def get_findings(sh, filters, limit=None):
    """Findings matching ``filters`` (botocore's paginator, pages of 100), at most ``limit``: ``(findings, truncated)``."""
    config = {"PageSize": PAGE_SIZE}
    if limit:
        config["MaxItems"] = limit
    result = paginate(sh, "get_findings", Filters=filters, PaginationConfig=config)
    return result.get("Findings", []), "NextToken" in result


def all_findings(sh, filters):
    return get_findings(sh, filters)[0]


def api_error(e):
    """``(code, message)`` of a botocore error."""
    response = getattr(e, "response", None)
    message = ((response or {}).get("Error") or {}).get("Message") if isinstance(response, dict) else None
    return error_code(e) or type(e).__name__, message or str(e)


def unprocessed_entry(ident, region, code, message, **extra):
    return dict({"id": ident.get("Id"), "product_arn": ident.get("ProductArn"), "region": region, "error_code": code, "error_message": message}, **extra)


# -- workflow updates ----------------------------------------------------------------------------------------------------


def parse_items(items, default_verified, default_region):
    """The ``findings`` option as ``(by_id, by_resource)``; InputError on an item that names no finding."""
    by_id, by_resource = [], []
    for n, item in enumerate(items or []):
        if not isinstance(item, dict):
            raise InputError("findings[%d] must be a dict" % n)
        finding_id = item.get("finding_id") or item.get("id")
        verified = item.get("verified")
        try:
            verified = default_verified if verified is None else boolean(verified, strict=True)
        except TypeError as e:
            raise InputError("findings[%d].verified must be a boolean, not %r" % (n, verified)) from e
        if finding_id and item.get("product_arn"):
            # a target of securityhub_finding_info carries finding_region (where the finding lives) besides the resource's region
            region = item.get("finding_region") or item.get("region")
            region = region or finding_home_region(product_arn=item["product_arn"], finding_id=finding_id, default=default_region)
            by_id.append({"Id": finding_id, "ProductArn": item["product_arn"], "region": region, "verified": verified})
        elif item.get("resource_id") and item.get("control"):
            by_resource.append(
                {"resource_id": item["resource_id"], "control": item["control"], "region": item.get("region") or default_region, "verified": verified}
            )
        else:
            raise InputError("findings[%d]: give id and product_arn, or resource_id and control (got keys: %s)" % (n, ", ".join(sorted(item)) or "none"))
    for entry in by_id + by_resource:
        if not entry["region"]:
            raise InputError("cannot tell the Region of finding %s: set its region or the region option" % (entry.get("Id") or entry.get("resource_id")))
    return by_id, by_resource


def findings_by_key(sh, finding_ids):
    """``{(Id, ProductArn): finding}`` of the findings with these ids (20 ids a query)."""
    return {(f.get("Id"), f.get("ProductArn")): f for filters in id_filters(finding_ids) for f in all_findings(sh, filters)}


def _findings_by_id(clients, by_id):
    """``(found [(finding, region, verified)], unprocessed)`` for findings named by id, looked up per region."""
    found, unprocessed, per_region = [], [], {}
    for entry in by_id:
        per_region.setdefault(entry["region"], []).append(entry)
    for region, entries in per_region.items():
        wanted = {(e["Id"], e["ProductArn"]): e for e in entries}
        current, error = attempt(findings_by_key, clients(region), [e["Id"] for e in entries])
        if error is not None:
            code, message = api_error(error)
            unprocessed += [unprocessed_entry(entry, region, code, "GetFindings: " + message) for entry in wanted.values()]
            continue
        for key, entry in wanted.items():
            if key in current:
                found.append((current[key], region, entry["verified"]))
            else:
                unprocessed.append(unprocessed_entry(entry, region, "FindingNotFound", "no such finding in Region %s" % region))
    return found, unprocessed


def _findings_by_resource(clients, by_resource):
    """``(found, unprocessed)`` for findings named by resource and control (the ACTIVE findings of that control)."""
    found, unprocessed = [], []
    for entry in by_resource:
        region, ref = entry["region"], {"resource_id": entry["resource_id"], "control": entry["control"]}
        candidates, error = attempt(all_findings, clients(region), resource_lookup_filters(entry["control"], entry["resource_id"]))
        if error is not None:
            code, message = api_error(error)
            unprocessed.append(unprocessed_entry({}, region, code, "GetFindings: " + message, **ref))
            continue
        matches = [f for f in candidates if control_of(f) == entry["control"] and finding_matches_resource(f, entry["resource_id"])]
        if not matches:
            message = "no ACTIVE %s finding for %s in Region %s" % (entry["control"], entry["resource_id"], region)
            unprocessed.append(unprocessed_entry({}, region, "FindingNotFound", message, **ref))
        found += [(f, finding_home_region(f, f.get("ProductArn"), f.get("Id"), region), entry["verified"]) for f in matches]
    return found, unprocessed


def lookup_findings(clients, by_id, by_resource):
    """Current findings, each once: ``(found [(finding, region, verified)], unprocessed)``."""
    found_id, unprocessed_id = _findings_by_id(clients, by_id)
    found_res, unprocessed_res = _findings_by_resource(clients, by_resource)
    found, seen = [], set()
    for finding, region, verified in found_id + found_res:
        key = (finding.get("Id"), finding.get("ProductArn"))
        if key not in seen:
            seen.add(key)
            found.append((finding, region, verified))
    return found, unprocessed_id + unprocessed_res


def send_updates(clients, planned, updated_by):
    """BatchUpdateFindings for ``planned``: ``(failed {(Id, ProductArn)}, unprocessed)``."""
    failed, unprocessed = set(), []
    for region, params in update_batches(planned, updated_by):
        resp, error = attempt(clients(region).batch_update_findings, aws_retry=True, **params)
        if error is not None:
            code, message = api_error(error)
            for ident in params["FindingIdentifiers"]:
                unprocessed.append(unprocessed_entry(ident, region, code, "BatchUpdateFindings: " + message))
                failed.add((ident["Id"], ident["ProductArn"]))
            continue
        for item in resp.get("UnprocessedFindings", []):
            ident = item.get("FindingIdentifier", {})
            unprocessed.append(unprocessed_entry(ident, region, item.get("ErrorCode"), item.get("ErrorMessage")))
            failed.add((ident.get("Id"), ident.get("ProductArn")))
    return failed, unprocessed


def update_entry(finding, region, plan):
    target = finding_target(finding) or {}
    return {
        "id": finding["Id"],
        "product_arn": finding["ProductArn"],
        "region": region,
        "control": control_of(finding),
        "resource_id": target.get("id"),
        "action": UPDATE_ACTIONS[plan["action"]],
        "reason": plan["reason"],
        "before": plan["before"],
        "after": plan["after"],
    }


def update_workflow(module, status, items, note, updated_by, verified):
    """Set ``status`` (NOTIFIED / RESOLVED) and ``note`` on the findings ``items`` name; the module's result."""
    clients = RegionalClients(module)
    by_id, by_resource = parse_items(items, verified, module.region)
    found, unprocessed = lookup_findings(clients, by_id, by_resource)
    results, planned = [], []
    for finding, region, item_verified in found:
        plan = plan_update(finding, status, normalise_note(note), verified=item_verified)
        results.append(update_entry(finding, region, plan))
        if plan["action"] == "update":
            # without a note of ours the finding's note stays as it is: not re-sent under our name
            planned.append(({"Id": finding["Id"], "ProductArn": finding["ProductArn"]}, region, dict(plan["after"], note=normalise_note(note))))
    if planned and not module.check_mode:
        failed, more = send_updates(clients, planned, updated_by)
        unprocessed += more
        for entry in results:
            if entry["action"] == "updated" and (entry["id"], entry["product_arn"]) in failed:
                error = next(u for u in unprocessed if u["id"] == entry["id"])
                entry.update(action="unprocessed", reason="%s: %s" % (error["error_code"], error["error_message"]))
    changed = [e for e in results if e["action"] == "updated"]
    return dict(
        changed=bool(changed),
        findings=results,
        updated=[e["id"] for e in changed],
        unchanged=[e["id"] for e in results if e["action"] == "unchanged"],
        skipped_findings=[{"id": e["id"], "product_arn": e["product_arn"], "reason": e["reason"]} for e in results if e["action"] == "skipped"],
        unprocessed=unprocessed,
        diff={"before": {e["id"]: e["before"] for e in changed}, "after": {e["id"]: e["after"] for e in changed}},
    )


# -- imports -------------------------------------------------------------------------------------------------------------


def existing_ours(clients, regions, accounts):
    """Our findings already in Security Hub, any record state: ``({(Id, ProductArn): finding}, {region: (code, message)})``."""
    existing, errors = {}, {}
    for region in regions:
        filters = {
            "ProductArn": [{"Value": securityhub_default_product_arn(region, a), "Comparison": "EQUALS"} for a in accounts[:20]],
            "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
        }
        found, error = attempt(all_findings, clients(region), filters)
        if error is not None:
            errors[region] = api_error(error)
            continue
        existing.update({(f.get("Id"), f.get("ProductArn")): f for f in found})
    return existing, errors


def send_imports(clients, findings):
    """BatchImportFindings, 100 a call in the Region of each product ARN: ``{finding id: (region, code, message)}`` of failures."""
    failed = {}
    for region, batch in import_batches(findings):
        resp, error = attempt(clients(region).batch_import_findings, aws_retry=True, Findings=batch)
        if error is not None:
            code, message = api_error(error)
            failed.update({f["Id"]: (region, code, "BatchImportFindings: " + message) for f in batch})
            continue
        for item in resp.get("FailedFindings", []):
            failed[item.get("Id")] = (region, item.get("ErrorCode"), item.get("ErrorMessage"))
    return failed


def import_view(finding):
    """What a diff shows of an imported finding."""
    return {
        "control": control_of(finding),
        "resource_id": ((finding.get("Resources") or [{}])[0]).get("Id"),
        "compliance_status": (finding.get("Compliance") or {}).get("Status"),
        "record_state": finding.get("RecordState", "ACTIVE"),
        "description": finding.get("Description"),
    }


def _import_entry(finding, action, reason=None):
    return {
        "id": finding.get("Id"),
        "product_arn": finding.get("ProductArn"),
        "region": finding_home_region(finding, finding.get("ProductArn")),
        "control": control_of(finding),
        "resource_id": import_view(finding)["resource_id"],
        "action": action,
        "reason": reason,
    }


def import_audit(module, audit, archive_missing):
    """Import the audit's failing resources as findings (and archive ours it no longer reports); the module's result."""
    clients = RegionalClients(module)
    records, scope, accounts = audit_records(audit or {})
    if len(accounts) > 20:
        raise InputError("audit covers %d accounts; import at most 20 at a time" % len(accounts))
    scope = scope if archive_missing else {}
    regions = list(dict.fromkeys([r["region"] for r in records] + sorted(scope)))
    existing, errors = existing_ours(clients, regions, accounts)
    unprocessed = [
        unprocessed_entry(
            {"ProductArn": securityhub_default_product_arn(r["region"], r["account_id"])},
            r["region"],
            errors[r["region"]][0],
            "GetFindings: " + errors[r["region"]][1],
            resource_id=r["resource_id"],
            control=r["control"],
        )
        for r in records
        if r["region"] in errors
    ]
    ok_scope = {region: controls for region, controls in scope.items() if region not in errors}
    plan = plan_import([r for r in records if r["region"] not in errors], existing, ok_scope, utc_now())
    actions = {f["Id"]: (action, f) for kind, action in IMPORT_ACTIONS for f in plan[kind]}
    failed = send_imports(clients, [f for _action, f in actions.values()]) if actions and not module.check_mode else {}

    results, diff_before, diff_after = [], {}, {}
    for finding_id, (action, f) in actions.items():
        if finding_id in failed:
            region, code, message = failed[finding_id]
            results.append(_import_entry(f, "failed", "%s: %s" % (code, message)))
            unprocessed.append(unprocessed_entry(f, region, code, message))
            continue
        old = existing.get((finding_id, f["ProductArn"]))
        diff_before[finding_id], diff_after[finding_id] = (import_view(old) if old else None), import_view(f)
        results.append(_import_entry(f, action))
    by_id = {i: v for (i, _arn), v in existing.items()}
    results += [_import_entry(by_id.get(finding_id, {"Id": finding_id}), "unchanged") for finding_id in plan["unchanged"]]
    updated = [e["id"] for e in results if e["action"] in ("created", "updated", "archived")]
    return dict(
        changed=bool(updated),
        findings=results,
        updated=updated,
        unchanged=[e["id"] for e in results if e["action"] == "unchanged"],
        unprocessed=unprocessed,
        diff={"before": diff_before, "after": diff_after},
    )


def finish(module, result, fail_on_unprocessed):
    """Exit with the result; unprocessed findings fail the module, or only warn."""
    if result["unprocessed"]:
        shown = result["unprocessed"][:10]
        summary = "; ".join(
            "%s (%s): %s %s" % (u.get("id") or u.get("resource_id"), u.get("region"), u.get("error_code"), u.get("error_message")) for u in shown
        )
        more = " and %d more" % (len(result["unprocessed"]) - 10) if len(result["unprocessed"]) > 10 else ""
        msg = "%d finding(s) not processed: %s%s" % (len(result["unprocessed"]), summary, more)
        if fail_on_unprocessed:
            module.fail_json(msg=msg, **result)
        module.warn(msg)
    module.exit_json(**result)
