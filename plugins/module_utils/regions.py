# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which regions to scan, and scanning them concurrently with per-region errors kept apart."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

REGION_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


class RegionError(Exception):
    """Bad region input: the message names it."""


def validate_region_names(names):
    bad = [n for n in names if not isinstance(n, str) or not REGION_NAME.match(n)]
    if bad:
        raise RegionError("unknown region name(s): %s (expected names like us-east-1, or 'all')" % ", ".join(map(str, bad)))
    return list(dict.fromkeys(names))


def resolve_regions(requested, default_region, describe_regions=None):
    """Turn the ``regions`` option into a list of region names.

    ``requested`` is None (the connection's region), the string ``all`` (every region enabled for the
    account, from ``describe_regions()`` which returns EC2 DescribeRegions' ``Regions`` list) or a list.
    Names in a list are checked against the enabled regions when ``describe_regions`` is given.
    """
    if requested in (None, [], ""):
        if not default_region:
            raise RegionError("no region given: set the regions option, the region option or AWS_REGION")
        return [default_region]
    if requested == "all" or requested == ["all"]:
        if describe_regions is None:
            raise RegionError("regions=all needs DescribeRegions")
        return sorted(r["RegionName"] for r in describe_regions() if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in")
    if isinstance(requested, str):
        requested = [r.strip() for r in requested.split(",") if r.strip()]
    names = validate_region_names(requested)
    if describe_regions is not None:
        known = {r["RegionName"] for r in describe_regions()}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise RegionError("unknown region name(s): %s; known regions: %s" % (", ".join(unknown), ", ".join(sorted(known))))
    return names


def scan_regions(scan, regions, max_workers=8):
    """Run ``scan(region)`` for every region concurrently.

    Returns ``{region: (result, error_message)}`` in the order given; an exception in one region is
    kept as that region's error so the other regions still report.
    """

    def one(region):
        try:
            return region, scan(region), None
        except Exception as e:  # noqa: BLE001 - one region's failure must not hide the others
            return region, None, _error_message(e)

    workers = max(1, min(max_workers, len(regions)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(one, regions))
    return {region: (result, error) for region, result, error in done}


def _error_message(e):
    response = getattr(e, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        return "%s: %s" % (err.get("Code", type(e).__name__), err.get("Message", str(e)))
    return "%s: %s" % (type(e).__name__, e)


# -- per-region scans with messages a person can act on (added for the detection modules) ---------

# Error codes meaning AWS did not accept the credentials (EC2 answers AuthFailure, also for a region not
# enabled for the account; STS and JSON services InvalidClientTokenId / UnrecognizedClientException).
CREDENTIAL_ERROR_CODES = frozenset(
    [
        "AuthFailure",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidToken",
    ]
)
ACCESS_DENIED_CODES = frozenset(["UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "UnauthorizedAccess"])


def error_code(e):
    response = getattr(e, "response", None)
    if isinstance(response, dict):
        return (response.get("Error") or {}).get("Code")
    return None


def region_error_message(region, e, opt_in_status=None):
    """What went wrong in ``region``, naming it; rejected credentials and denied access are said plainly."""
    code = error_code(e)
    detail = _error_message(e)
    if code in CREDENTIAL_ERROR_CODES:
        hint = " (the region is not enabled for the account: opt in first)" if opt_in_status == "not-opted-in" else ""
        return "AWS rejected the credentials in region %s%s: %s" % (region, hint, detail)
    if code in ACCESS_DENIED_CODES:
        return "access denied in region %s (check the IAM policy): %s" % (region, detail)
    if type(e).__name__ == "NoCredentialsError":
        return "no AWS credentials found (region %s): %s" % (region, detail)
    return "region %s: %s" % (region, detail)


def scan_regions_reported(scan, regions, opt_in=None, max_workers=8):
    """``scan_regions`` with each error turned into ``region_error_message``: ``{region: (result, message)}``."""

    def guarded(region):
        try:
            return scan(region), None
        except Exception as e:  # noqa: BLE001 - reported per region
            return None, region_error_message(region, e, (opt_in or {}).get(region))

    raw = scan_regions(guarded, regions, max_workers=max_workers)
    return {region: (outcome if error is None else (None, region_error_message(region, RuntimeError(error)))) for region, (outcome, error) in raw.items()}


def module_regions(module, requested, ec2_client_factory):
    """Resolve a module's ``regions`` option; returns ``(regions, {region: opt-in status})``.

    One DescribeRegions (AllRegions=True, so a named region that is not enabled is scanned and reported
    rather than called unknown) when ``requested`` is given; none for the connection's region.
    Fails the module with a message naming the bad input.
    """
    if requested in (None, [], ""):
        try:
            return resolve_regions(requested, module.region), {}
        except RegionError as e:
            module.fail_json(msg=str(e))
    if not (requested == "all" or requested == ["all"]):
        try:
            validate_region_names([requested] if isinstance(requested, str) else requested)
        except RegionError as e:
            module.fail_json(msg=str(e))
    first = requested[0] if isinstance(requested, list) and requested and requested[0] != "all" else None
    api_region = module.region or first or "us-east-1"
    cache = {}

    def describe_regions():
        if "regions" not in cache:
            ec2 = ec2_client_factory(api_region)
            cache["regions"] = ec2.describe_regions(AllRegions=True, aws_retry=True)["Regions"]
        return cache["regions"]

    try:
        regions = resolve_regions(requested, module.region, describe_regions)
    except RegionError as e:
        module.fail_json(msg=str(e))
    except Exception as e:  # noqa: BLE001 - botocore errors, reported with the region
        module.fail_json(msg="cannot list the regions (ec2:DescribeRegions): " + region_error_message(api_region, e))
    return regions, {r["RegionName"]: r.get("OptInStatus") for r in cache.get("regions", [])}


def module_account_id(module, region, sts_client_factory):
    """The account id from ONE sts:GetCallerIdentity; a rejected credential fails the module, naming the region."""
    try:
        return sts_client_factory(region).get_caller_identity(aws_retry=True)["Account"]
    except Exception as e:  # noqa: BLE001 - botocore errors, reported with the region
        module.fail_json(msg="cannot identify the account (sts:GetCallerIdentity): " + region_error_message(region, e))


def region_rows(regions, outcomes, failed_count, evaluated_count):
    """The ``regions`` return value: ``[{region, scanned, failed, evaluated, error}]`` in the order scanned."""
    rows = []
    for region in regions:
        result, error = outcomes[region]
        rows.append(
            {
                "region": region,
                "scanned": error is None,
                "failed": failed_count(result) if error is None else None,
                "evaluated": evaluated_count(result) if error is None else None,
                "error": error,
            }
        )
    return rows


def fail_if_every_region_failed(module, rows, **result):
    if rows and all(r["error"] for r in rows):
        module.fail_json(msg="every region failed: " + "; ".join(r["error"] for r in rows), regions=rows, **result)
