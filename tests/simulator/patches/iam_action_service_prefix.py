"""IAM enforcement names an action by its IAM service prefix, not by the request's SigV4 signing name.

moto 5.2.5 (with ``INITIAL_NO_AUTH_ACTION_COUNT``) builds the action it checks from the credential scope of the request, so a
CloudWatch ``GetMetricData`` call (signed for ``monitoring``) is checked as ``monitoring:GetMetricData``: a policy granting the
real action ``cloudwatch:GetMetricData`` is denied and one granting ``monitoring:GetMetricData`` (which AWS does not know) is
allowed. This patch maps the signing names whose IAM prefix differs to that prefix before the policy is evaluated (the
signature is still checked with the signing name).
"""

from __future__ import annotations

NAME = "iam-action-service-prefix"
AWS_BEHAVIOUR = (
    "IAM policies name actions with the service prefix of the Service Authorization Reference: CloudWatch API calls are "
    "authorised as cloudwatch:<Operation> (e.g. cloudwatch:GetMetricData) although requests are signed for 'monitoring'. "
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html "
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html"
)

# SigV4 signing name -> IAM service prefix, where they differ (only the services hubfix.aws calls).
IAM_PREFIX = {"monitoring": "cloudwatch"}


def apply():
    from moto.iam.access_control import IAMRequestBase

    original_init = IAMRequestBase.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        service, sep, operation = self._action.partition(":")
        if sep and service in IAM_PREFIX:
            self._action = f"{IAM_PREFIX[service]}:{operation}"

    IAMRequestBase.__init__ = __init__

    def undo():
        IAMRequestBase.__init__ = original_init

    return undo
