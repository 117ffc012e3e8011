# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS partitions and region names, read from botocore's own partition data (the one list AWS keeps up to date),
and the ARNs hubfix builds from them."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re

DEFAULT_PARTITION = "aws"


@functools.lru_cache(maxsize=1)
def _partitions():
    """``[(partition, region regex, {known regions})]`` from botocore's data."""
    return [(name, re.compile(regex), frozenset(regions or {})) for name, regex, regions in _partition_data()]


def _partition_data():
    """botocore's ``data/partitions.json`` read as a file, or its ``endpoints.json`` through botocore's loader where a
    botocore release has no partitions.json. Not imported: this runs in controller-side tasks too (``role_inputs``
    checks region names, the audit report builds ARNs), where importing ``botocore.loaders`` cost 0.1 s a task."""
    spec = importlib.util.find_spec("botocore")  # finds the package without running it
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(location, "data", "partitions.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return [(p["id"], p["regionRegex"], p.get("regions")) for p in json.load(f)["partitions"]]
    from botocore.loaders import create_loader

    data = create_loader().load_data("endpoints")
    return [(p["partition"], p["regionRegex"], p.get("regions")) for p in data["partitions"]]


def partition_for(region):
    """``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``, ... for a region name; ``aws`` when nothing matches."""
    region = region or ""
    for name, _regex, regions in _partitions():
        if region in regions:
            return name
    for name, regex, _regions in _partitions():
        if regex.match(region):
            return name
    return DEFAULT_PARTITION


def is_region_name(name):
    """Whether ``name`` has the form of a region of some partition (whether it is enabled is DescribeRegions' business)."""
    return isinstance(name, str) and any(regex.match(name) for _name, regex, _regions in _partitions())


def is_known_region(name):
    """Whether ``name`` is a region listed in botocore's endpoint data (every public region at the botocore release)."""
    return isinstance(name, str) and any(name in regions for _name, _regex, regions in _partitions())


def botocore_version():
    try:
        import botocore

        return botocore.__version__
    except ImportError:
        return "(not installed)"


def instance_arn(region, account_id, instance_id):
    return "arn:%s:ec2:%s:%s:instance/%s" % (partition_for(region), region, account_id, instance_id)


def securityhub_default_product_arn(region, account_id):
    """The product ARN of findings an account imports itself (BatchImportFindings)."""
    return "arn:%s:securityhub:%s:%s:product/%s/default" % (partition_for(region), region, account_id, account_id)
