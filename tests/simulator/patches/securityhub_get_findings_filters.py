"""GetFindings honours ``Filters`` (string and map filters), ``SortCriteria`` and MaxResults/NextToken paging.

moto 5.2.5 ignores every filter and returns all findings, so a query for ``ComplianceSecurityControlId=EC2.24`` also
returns AutoScaling.3 findings and an audit built on it would count wrongly. It also answers for a region where Security
Hub was never enabled. Filters moto cannot evaluate here (date, number, boolean, IP, keyword filters and CONTAINS_WORD)
fail loudly (NotImplementedError, HTTP 500) instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NAME = "securityhub-get-findings-filters"
AWS_BEHAVIOUR = (
    "GetFindings returns only findings matching Filters (AwsSecurityFindingFilters): different fields are joined by AND; "
    "within one field EQUALS/PREFIX/CONTAINS filters are joined by OR and NOT_EQUALS/PREFIX_NOT_EQUALS/NOT_CONTAINS by AND "
    "(PREFIX is applied first, then the negative filters); EQUALS together with NOT_EQUALS or PREFIX_NOT_EQUALS on one field, or "
    "CONTAINS with NOT_CONTAINS, is rejected (InvalidInputException). Results are paged with MaxResults (1-100) and NextToken, "
    "and an account without Security Hub enabled in the Region gets InvalidAccessException. "
    "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html , "
    "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StringFilter.html , "
    "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFindingFilters.html"
)

# AwsSecurityFindingFilters field -> path in the ASFF finding ("*" = every element of a list)
STRING_FIELDS: dict[str, tuple[str, ...]] = {
    "Id": ("Id",),
    "ProductArn": ("ProductArn",),
    "AwsAccountId": ("AwsAccountId",),
    "AwsAccountName": ("AwsAccountName",),
    "GeneratorId": ("GeneratorId",),
    "Region": ("Region",),
    "Type": ("Types", "*"),
    "Title": ("Title",),
    "Description": ("Description",),
    "ProductName": ("ProductName",),
    "CompanyName": ("CompanyName",),
    "SeverityLabel": ("Severity", "Label"),
    "RecommendationText": ("Remediation", "Recommendation", "Text"),
    "SourceUrl": ("SourceUrl",),
    "ResourceType": ("Resources", "*", "Type"),
    "ResourceId": ("Resources", "*", "Id"),
    "ResourcePartition": ("Resources", "*", "Partition"),
    "ResourceRegion": ("Resources", "*", "Region"),
    "ComplianceStatus": ("Compliance", "Status"),
    "ComplianceSecurityControlId": ("Compliance", "SecurityControlId"),
    "ComplianceAssociatedStandardsId": ("Compliance", "AssociatedStandards", "*", "StandardsId"),
    "VerificationState": ("VerificationState",),
    "WorkflowState": ("WorkflowState",),
    "WorkflowStatus": ("Workflow", "Status"),
    "RecordState": ("RecordState",),
    "NoteText": ("Note", "Text"),
    "NoteUpdatedBy": ("Note", "UpdatedBy"),
    "RelatedFindingsId": ("RelatedFindings", "*", "Id"),
    "RelatedFindingsProductArn": ("RelatedFindings", "*", "ProductArn"),
    "FindingProviderFieldsSeverityLabel": ("FindingProviderFields", "Severity", "Label"),
    "FindingProviderFieldsSeverityOriginal": ("FindingProviderFields", "Severity", "Original"),
    "FindingProviderFieldsTypes": ("FindingProviderFields", "Types", "*"),
}
MAP_FIELDS: dict[str, tuple[str, ...]] = {
    "ProductFields": ("ProductFields",),
    "UserDefinedFields": ("UserDefinedFields",),
    "ResourceTags": ("Resources", "*", "Tags"),
    "ResourceDetailsOther": ("Resources", "*", "Details", "Other"),
}
POSITIVE = {"EQUALS", "PREFIX", "CONTAINS"}
NEGATIVE = {"NOT_EQUALS": "EQUALS", "PREFIX_NOT_EQUALS": "PREFIX", "NOT_CONTAINS": "CONTAINS"}


class FilterError(ValueError):
    """An invalid filter combination (AWS answers InvalidInputException)."""


def values_at(finding: Any, path: Iterable[str]) -> list:
    nodes = [finding]
    for key in path:
        nxt = []
        for node in nodes:
            if key == "*":
                nxt.extend(node if isinstance(node, list) else [])
            elif isinstance(node, dict) and node.get(key) is not None:
                nxt.append(node[key])
        nodes = nxt
    return nodes


def _test(value: Any, comparison: str, expected: str) -> bool:
    value = str(value)
    if comparison == "EQUALS":
        return value == expected
    if comparison == "PREFIX":
        return value.startswith(expected)
    return expected in value  # CONTAINS


def _check_combination(field: str, comparisons: set[str]) -> None:
    if "EQUALS" in comparisons and comparisons & {"NOT_EQUALS", "PREFIX_NOT_EQUALS"}:
        raise FilterError(f"Filter {field}: EQUALS cannot be combined with NOT_EQUALS or PREFIX_NOT_EQUALS on the same field")
    if "CONTAINS" in comparisons and "NOT_CONTAINS" in comparisons:
        raise FilterError(f"Filter {field}: CONTAINS cannot be combined with NOT_CONTAINS on the same field")


def match_values(field: str, values: list, filters: list[dict], key_of=None) -> bool:
    """AWS semantics for the filters of one field; ``values`` are the finding's values (dicts for map fields)."""
    comparisons = {f.get("Comparison", "EQUALS") for f in filters}
    unknown = comparisons - POSITIVE - set(NEGATIVE)
    if unknown:
        raise NotImplementedError(f"hubfix simulator: GetFindings comparison {sorted(unknown)} on {field} is not implemented")
    _check_combination(field, comparisons)

    def candidates(f: dict) -> list:
        if key_of is None:
            return values
        return [v[f["Key"]] for v in values if isinstance(v, dict) and f.get("Key") in v]

    positives = [f for f in filters if f.get("Comparison", "EQUALS") in POSITIVE]
    if positives and not any(_test(v, f.get("Comparison", "EQUALS"), f["Value"]) for f in positives for v in candidates(f)):
        return False
    for f in filters:
        positive_form = NEGATIVE.get(f.get("Comparison", "EQUALS"))
        if positive_form and any(_test(v, positive_form, f["Value"]) for v in candidates(f)):
            return False
    return True


def matches(finding: dict, filters: dict | None) -> bool:
    for field, field_filters in (filters or {}).items():
        if not field_filters:
            continue
        if field in STRING_FIELDS:
            ok = match_values(field, values_at(finding, STRING_FIELDS[field]), field_filters)
        elif field in MAP_FIELDS:
            ok = match_values(field, values_at(finding, MAP_FIELDS[field]), field_filters, key_of=True)
        else:
            raise NotImplementedError(f"hubfix simulator: GetFindings filter {field!r} is not implemented")
        if not ok:
            return False
    return True


def validate(filters: dict | None) -> None:
    """Reject invalid combinations even when there is no finding to test them on."""
    for field, field_filters in (filters or {}).items():
        if field_filters and (field in STRING_FIELDS or field in MAP_FIELDS):
            _check_combination(field, {f.get("Comparison", "EQUALS") for f in field_filters})


def sort_findings(findings: list[dict], sort_criteria: list[dict] | None) -> list[dict]:
    for criterion in reversed(sort_criteria or []):
        field = criterion.get("Field")
        path = STRING_FIELDS.get(field) or (field,)
        reverse = str(criterion.get("SortOrder", "asc")).lower() == "desc"
        findings = sorted(findings, key=lambda f, p=path: str((values_at(f, p) or [""])[0]), reverse=reverse)
    return findings


def apply():
    from moto.securityhub.exceptions import InvalidInputException, SecurityHubClientError
    from moto.securityhub.models import SecurityHubBackend
    from moto.utilities.paginator import paginate

    original = SecurityHubBackend.get_findings

    @paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
    def get_findings(self, filters=None, sort_criteria=None, max_results=None):
        if not self.enabled:
            raise SecurityHubClientError("InvalidAccessException", f"Account {self.account_id} is not subscribed to AWS Security Hub")
        if max_results is not None:
            try:
                max_results = int(max_results)
            except (TypeError, ValueError):
                raise InvalidInputException(op="GetFindings", msg="MaxResults must be a number between 1 and 100") from None
            if not 1 <= max_results <= 100:
                raise InvalidInputException(op="GetFindings", msg="MaxResults must be a number between 1 and 100")
        try:
            validate(filters)
            found = [f.as_dict() for f in self.findings if matches(f.as_dict(), filters)]
        except FilterError as e:
            raise InvalidInputException(op="GetFindings", msg=str(e)) from None
        return sort_findings(found, sort_criteria)

    SecurityHubBackend.get_findings = get_findings

    def undo():
        SecurityHubBackend.get_findings = original

    return undo
