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
