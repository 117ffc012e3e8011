# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ``regions`` option and return value of the modules that scan regions (module_utils/regions.py)."""

    DOCUMENTATION = r"""
options:
  regions:
    description:
      - Regions to scan, concurrently. A list of region names, one string of names separated by commas or new lines, or V(all)
        for every region enabled for the account (from C(ec2:DescribeRegions)).
      - Names are checked for form before any call, then against C(ec2:DescribeRegions) (partitions respected); an unknown name
        fails the module naming it.
      - Defaults to the connection's region (O(region) or C(AWS_REGION)).
      - A region that fails (not enabled for the account, access denied) is reported in the C(regions) return value and does not fail the module
        unless every region fails.
    type: list
    elements: str
"""

    RETURN = r"""
regions:
  description: One entry per region scanned, in order.
  returned: always
  type: list
  elements: dict
  contains:
    region: {description: "Region name.", type: str, returned: always}
    scanned: {description: "Whether the region was scanned without error.", type: bool, returned: always}
    failed: {description: "Resources failing the control in the region; null when the scan failed.", type: int, returned: always}
    evaluated: {description: "Resources judged in the region; null when the scan failed.", type: int, returned: always}
    error: {description: "Why the region could not be scanned, naming it; null when it was.", type: str, returned: always}
"""
