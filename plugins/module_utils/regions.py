# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which regions to work in (one rule for every module and playbook), and scanning them concurrently with each
region's error kept apart so that the others still report.

The ``regions`` input accepts: nothing (the connection's region), ``all`` (every region enabled for the account), a
list of names, or one string of names separated by commas or new lines (what an AWX survey sends). Names are checked
for form first (no AWS call), then against DescribeRegions (AllRegions, so a region not enabled for the account is
scanned and reported as such rather than called unknown).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hubfix.aws.plugins.module_utils.error_messages import region_error_message
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import botocore_version, is_known_region, is_region_name

MAX_WORKERS = 8


def aws_clients():
    """The ``clients`` module, imported on first use: ``role_inputs`` (an action plugin, run in each task's worker
    process) checks region names with this module and must not pay for importing boto3."""
    from ansible_collections.hubfix.aws.plugins.module_utils import clients

    return clients


class RegionError(Exception):
    """Bad region input: the message names it."""


def parse_regions(requested):
    """``None`` (the connection's region), ``"all"``, or a de-duplicated list of names, from any accepted form."""
    if requested is None:
        return None
    if isinstance(requested, str):
        requested = [r.strip() for r in requested.replace("\n", ",").split(",")]
    if not isinstance(requested, (list, tuple)):
        raise RegionError("regions must be a list of region names, a comma-separated string or 'all', not %r" % (requested,))
    names = [r.strip() if isinstance(r, str) else r for r in requested]
    names = [r for r in names if r not in ("", None)]
    if not names:
        return None
    if "all" in names:
        if len(names) > 1:
            raise RegionError("regions: 'all' cannot be combined with region names (got %s)" % ", ".join(map(str, names)))
        return "all"
    return validate_region_names(names)


def validate_region_names(names):
    bad = [n for n in names if not is_region_name(n)]
    if bad:
        raise RegionError("unknown region name(s): %s (expected names like us-east-1, or 'all')" % ", ".join(map(str, bad)))
    return list(dict.fromkeys(names))


def check_known_regions(names):
    """``names`` when every one is a region of some partition in botocore's endpoint data; RegionError naming the others.

    No AWS call: a misspelt region (``us-eats-1``) fails before anything reaches AWS. A region newer than the installed
    botocore is refused too, with the advice to update it.
    """
    unknown = [n for n in names if not is_known_region(n)]
    if unknown:
        raise RegionError(
            "unknown region name(s): %s (not a region of any AWS partition; give names like us-east-1 or 'all'; a region newer "
            "than botocore %s needs a newer botocore)" % (", ".join(map(str, unknown)), botocore_version())
        )
    return names


def resolve_regions(requested, default_region, describe_regions=None):
    """Turn the ``regions`` input into a list of region names.

    ``describe_regions()`` returns EC2 DescribeRegions' ``Regions`` (AllRegions=True); it is needed for ``all`` and,
    when given, names are checked against it.
    """
    parsed = parse_regions(requested)
    if parsed is None:
        if not default_region:
            raise RegionError("no region given: set the regions option, the region option or AWS_REGION")
        return [default_region]
    if parsed == "all":
        if describe_regions is None:
            raise RegionError("regions=all needs DescribeRegions")
        return sorted(r["RegionName"] for r in describe_regions() if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in")
    if describe_regions is not None:
        known = {r["RegionName"] for r in describe_regions()}
        unknown = [n for n in parsed if n not in known]
        if unknown:
            raise RegionError("unknown region name(s): %s; known regions: %s" % (", ".join(unknown), ", ".join(sorted(known))))
    return parsed


def module_regions(module, requested):
    """Resolve a module's ``regions`` option: ``(regions, {region: opt-in status})``, failing the module with a message
    naming the bad input. One DescribeRegions when regions are named; none for the connection's region."""
    try:
        parsed = parse_regions(requested)
        if parsed is None:
            return resolve_regions(None, module.region), {}
    except RegionError as e:
        module.fail_json(msg=str(e))
    api_region = module.region or (parsed[0] if isinstance(parsed, list) else "us-east-1")
    cache = {}
    clients = aws_clients()

    def describe_regions():
        if "regions" not in cache:
            cache["regions"] = clients.client(module, "ec2", api_region).describe_regions(AllRegions=True, aws_retry=True)["Regions"]
        return cache["regions"]

    try:
        regions = resolve_regions(parsed, module.region, describe_regions)
    except RegionError as e:
        module.fail_json(msg=str(e))
    except Exception as e:  # noqa: BLE001 - botocore errors, reported with the region
        module.fail_json(msg="cannot list the regions (ec2:DescribeRegions): " + region_error_message(api_region, e))
    return regions, {r["RegionName"]: r.get("OptInStatus") for r in cache.get("regions", [])}


def scan_regions(scan, regions, opt_in=None, max_workers=MAX_WORKERS):
    """Run ``scan(region)`` for every region concurrently: ``{region: (result, error message)}`` in the order given.

    An exception in one region becomes that region's error (``region_error_message``) so the other regions still report.
    """

    def one(region):
        try:
            return region, scan(region), None
        except Exception as e:  # noqa: BLE001 - one region's failure must not hide the others
            return region, None, region_error_message(region, e, (opt_in or {}).get(region))

    workers = max(1, min(max_workers, len(regions)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(one, regions))
    return {region: (result, error) for region, result, error in done}


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


class ResolvedRegions:
    """The regions (one DescribeRegions) and the account id (one sts:GetCallerIdentity) of a module's scans, resolved
    once for several ``RegionScan`` run at the same time (``resolved_by``)."""

    def __init__(self, module, with_account=True):
        self.regions, self.opt_in = module_regions(module, module.params["regions"])
        self.account_id = aws_clients().account_id(module, module.region or self.regions[0]) if with_account else None


class RegionScan:
    """The flow every region-scanning module shares: resolve ``regions`` (one DescribeRegions), identify the account
    (one sts:GetCallerIdentity, unless ``with_account`` is false), then ``scan(client, region, account_id)`` in every
    region concurrently. The module fails only when every region failed; ``rows`` reports each region."""

    def __init__(self, module, service, scan, failed_count=len, evaluated_count=len, with_account=True, empty_result=None, resolved_by=None):
        # resolved_by: an earlier RegionScan (or ResolvedRegions) of the same module and account, whose regions and
        # account id are reused (no second DescribeRegions / GetCallerIdentity)
        resolved = resolved_by or ResolvedRegions(module, with_account)
        self.regions, self.opt_in, self.account_id = resolved.regions, resolved.opt_in, resolved.account_id
        opt_in = self.opt_in
        self._module, self._service = module, service
        # each region's client is made in its scanning thread: while one client is built (CPU), the regions that have
        # theirs already wait on AWS; a client that cannot be made fails its region only
        self.outcomes = scan_regions(lambda region: scan(self.client(region), region, self.account_id), self.regions, opt_in)
        self.rows = region_rows(self.regions, self.outcomes, failed_count, evaluated_count)
        fail_if_every_region_failed(module, self.rows, account_id=self.account_id, **(empty_result or {}))

    def client(self, region):
        """The scanned service's client of ``region`` (made once: the module's clients are shared)."""
        return aws_clients().client(self._module, self._service, region)

    def results(self):
        """The result of every region scanned without error, in region order."""
        return [self.outcomes[r][0] for r in self.regions if self.outcomes[r][1] is None]

    @property
    def scanned(self):
        return [r["region"] for r in self.rows if r["scanned"]]

    @property
    def errored(self):
        return [r["region"] for r in self.rows if r["error"]]

    def not_found_message(self, what, missing):
        """``<what> not found in region(s) ...: <missing>`` naming the regions that could not be scanned."""
        return "%s not found in region(s) %s: %s%s" % (
            what,
            ", ".join(self.scanned),
            ", ".join(missing),
            " (not scanned because of errors: %s)" % ", ".join(self.errored) if self.errored else "",
        )
