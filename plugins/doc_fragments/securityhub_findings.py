# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The per-finding return values of the modules that write Security Hub findings (securityhub_finding, securityhub_finding_import)."""

    RETURN = r"""
findings:
  description:
    - One entry per finding the module handled.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: "Finding id.", type: str, returned: always}
    product_arn: {description: "Product ARN.", type: str, returned: always}
    region: {description: "Region the finding lives in.", type: str, returned: always}
    control: {description: "Security control id.", type: str, returned: always}
    resource_id: {description: "Instance id, launch configuration or group name (null when not recognised).", type: str, returned: always}
    action:
      description:
        - M(hubfix.aws.securityhub_finding) - C(updated) (would be, in check mode), C(unchanged), C(skipped) (suppressed or still
          failing) or C(unprocessed).
        - M(hubfix.aws.securityhub_finding_import) - C(created), C(updated), C(archived) (would be, in check mode), C(unchanged) or
          C(failed).
      type: str
      returned: always
    reason: {description: "Why a finding was skipped, unprocessed or failed; else null.", type: str, returned: always}
    before: {description: "Workflow status and note before (M(hubfix.aws.securityhub_finding) only).", type: dict, returned: success}
    after: {description: "Workflow status and note after (M(hubfix.aws.securityhub_finding) only).", type: dict, returned: success}
unchanged:
  description: Ids of the findings that already were as requested.
  returned: always
  type: list
  elements: str
"""
