"""RunInstances honours ``ClientToken``: a repeated request returns the original reservation instead of launching again.

moto 5.2.5 stores the token on the instance (DescribeInstances shows it) but never looks it up: every RunInstances with
the same token launches new instances, and a repeat with other parameters is accepted. hubfix derives its replacement's
ClientToken from the source instance and the run (``pv_migration.client_token``) precisely so that a retried launch, or
a second run racing the first, never starts a second replacement; on plain moto that guarantee cannot be tested.

What the patch does, per account and region (the token registry lives on moto's EC2 backend, so it lasts as long as the
backend does and a moto reset forgets it; AWS keeps tokens at least 24 hours, nothing here expires them):

* the first successful RunInstances with a token registers ``token -> (parameters, reservation)``;
* a repeat with the same token and the same parameters launches nothing and answers the original reservation (same
  ReservationId and InstanceIds) with each instance's current state (the only difference AWS allows: moto always
  answers RunInstances with ``pending``, a repeat answers ``running``, ``stopped``, ``terminated`` ...);
* a repeat with the same token and different parameters fails with ``IdempotentParameterMismatch`` (HTTP 400);
* a request that fails registers nothing (a retry of it launches), nor does a DryRun request (it is passed to moto);
* the check-and-launch runs under one lock, so concurrent requests with one token (moto server answers each request in
  its own thread) launch exactly once: the first launches, the others wait and then answer its reservation.

"Same parameters" compares every RunInstances request parameter as parsed from the request (boto3 shape: ImageId,
InstanceType, MinCount, MaxCount, SubnetId, SecurityGroupIds/SecurityGroups, KeyName, TagSpecifications, UserData,
BlockDeviceMappings, NetworkInterfaces, LaunchTemplate, MetadataOptions, IamInstanceProfile, EbsOptimized, Monitoring,
Placement ...) except ``ClientToken``, ``DryRun`` and ``Placement.AvailabilityZone`` (AWS ignores the Region and the
Availability Zone). Values are compared as sent: lists (tags, security groups) in a different order count as different.
The lock and the registry only apply to the RunInstances API call; Auto Scaling launches (moto's backend) are not
affected.
"""

from __future__ import annotations

import copy
import threading

NAME = "ec2-run-instances-client-token"
AWS_BEHAVIOUR = (
    "RunInstances with a ClientToken is idempotent: repeating a successful request with the same token and the same "
    "parameters launches nothing and returns the original result (same reservation and instances; only the instance state "
    "may differ, also when the instances have since been stopped or terminated); the same token with different "
    "parameters (other than the Region or Availability Zone) fails with IdempotentParameterMismatch. Tokens are per "
    "account and Region and valid for at least 24 hours after the instance terminates. "
    "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html"
)

MISMATCH_CODE = "IdempotentParameterMismatch"
MISMATCH_MESSAGE = "Arguments on this idempotent request are inconsistent with arguments used in previous request(s)."
IGNORED_PARAMETERS = ("ClientToken", "DryRun")
REGISTRY_ATTRIBUTE = "_hubfix_run_instances_client_tokens"  # on moto's EC2 backend (one per account and region)
PENDING_STATE_PATH = "RunInstances.Reservation.Instances.Instance.State"  # moto's transformer answering "pending"


def launch_parameters(params: dict) -> dict:
    """The request parameters a repeat must match: all but ClientToken, DryRun and Placement.AvailabilityZone."""
    out = {k: copy.deepcopy(v) for k, v in params.items() if k not in IGNORED_PARAMETERS}
    placement = {k: v for k, v in (out.pop("Placement", None) or {}).items() if k != "AvailabilityZone"}
    if placement:
        out["Placement"] = placement
    return out


def registry(backend) -> dict:
    """token -> (launch parameters, reservation) for one EC2 backend; call with the lock held."""
    tokens = getattr(backend, REGISTRY_ATTRIBUTE, None)
    if tokens is None:
        tokens = {}
        setattr(backend, REGISTRY_ATTRIBUTE, tokens)
    return tokens


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses.instances import InstanceResponse

    original = InstanceResponse.run_instances
    lock = threading.Lock()

    def run_instances(self):
        token = self._get_param("ClientToken")
        if not token or self._get_param("DryRun", False):
            return original(self)
        parameters = launch_parameters(self._get_params())
        with lock:
            tokens = registry(self.ec2_backend)
            if token in tokens:
                registered, reservation = tokens[token]
                if registered != parameters:
                    raise EC2ClientError(MISMATCH_CODE, MISMATCH_MESSAGE)
                # this request's response object only: serialise the instances' current state, not moto's "pending"
                transformers = dict(self.RESPONSE_KEY_PATH_TO_TRANSFORMER)
                transformers.pop(PENDING_STATE_PATH, None)
                self.RESPONSE_KEY_PATH_TO_TRANSFORMER = transformers
                return ActionResult(reservation)
            result = original(self)
            tokens[token] = (parameters, result.result)
            return result

    InstanceResponse.run_instances = run_instances

    def undo():
        InstanceResponse.run_instances = original

    return undo
