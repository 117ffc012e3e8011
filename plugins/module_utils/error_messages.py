# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS errors as messages a person can act on: rejected credentials, denied access and unknown errors are said
plainly, naming the region they happened in."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

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


def _unwrap(e):
    """The botocore error inside an amazon.aws ``AnsibleAWSError``, else ``e`` itself."""
    return e.exception if isinstance(e, AnsibleAWSError) and e.exception is not None else e


def error_code(e):
    """The AWS error code of a botocore error (also inside an amazon.aws wrapper), else None."""
    response = getattr(_unwrap(e), "response", None)
    if isinstance(response, dict):
        return (response.get("Error") or {}).get("Code")
    return None


def error_text(e):
    """``Code: Message`` of an AWS error, ``Type: text`` of anything else."""
    inner = _unwrap(e)
    response = getattr(inner, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        return "%s: %s" % (err.get("Code", type(inner).__name__), err.get("Message", str(inner)))
    return "%s: %s" % (type(inner).__name__, inner)


def region_error_message(region, e, opt_in_status=None):
    """What went wrong in ``region``, naming it; rejected credentials and denied access are said plainly."""
    code = error_code(e)
    detail = error_text(e)
    if code in CREDENTIAL_ERROR_CODES:
        hint = " (the region is not enabled for the account: opt in first)" if opt_in_status == "not-opted-in" else ""
        return "AWS rejected the credentials in region %s%s: %s" % (region, hint, detail)
    if code in ACCESS_DENIED_CODES:
        return "access denied in region %s (check the IAM policy): %s" % (region, detail)
    if type(_unwrap(e)).__name__ == "NoCredentialsError":
        return "no AWS credentials found (region %s): %s" % (region, detail)
    return "region %s: %s" % (region, detail)
