# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS partitions and region names, read from botocore's own endpoint data (the one list AWS keeps up to date),
and the ARNs hubfix builds from them."""

from __future__ import annotations

import functools
import re

DEFAULT_PARTITION = "aws"


@functools.lru_cache(maxsize=1)
def _partitions():
    """``[(partition, region regex, {known regions})]`` from botocore's endpoints.json. botocore is imported here, not
    at the top: filter plugins import this module, and Ansible imports every filter file in each task's worker."""
    from botocore.loaders import create_loader

    data = create_loader().load_data("endpoints")
    return [(p["partition"], re.compile(p["regionRegex"]), frozenset(p.get("regions") or {})) for p in data["partitions"]]


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
