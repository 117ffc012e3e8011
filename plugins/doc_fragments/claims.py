# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options of the modules that claim a resource for one run (module_utils/claims.py)."""

    DOCUMENTATION = r"""
options:
  stale_after:
    description: Seconds after which the claim of a run on another host, without a newer heartbeat, counts as abandoned.
    type: int
    default: 1800
    version_added: 0.2.0
"""

    # hubfix.aws.claims.settle: for the modules that write a claim and read it back.
    SETTLE = r"""
options:
  settle_seconds:
    description: Seconds to wait before reading a new claim back (tags are eventually consistent), so that of two runs started together
      exactly one keeps the claim.
    type: int
    default: 2
    version_added: 0.2.0
"""
