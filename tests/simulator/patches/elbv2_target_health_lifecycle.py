"""ELBv2 DescribeTargetHealth: a new target is ``initial`` before it is ``healthy``, a deregistered one ``draining``.

moto 5.2.5 reports a target ``healthy`` from the moment RegisterTargets returns, also in a target group no load balancer
uses, and drops a deregistered target from DescribeTargetHealth at once. On AWS a registered target is ``initial``
(``Elb.RegistrationInProgress``) until it has passed HealthyThresholdCount health checks, a target group without a load
balancer reports its targets ``unused`` (``Target.NotInUse``), and a deregistered target is ``draining``
(``Target.DeregistrationInProgress``) for the deregistration delay. An EC2.24 cut-over that moves an instance out of /
into a target group and waits for the replacement to be healthy therefore passes in moto even when it never waits.

The simulator has no clock-driven health checks, so **describe calls drive the lifecycle** (tests never sleep):

- After RegisterTargets, a target that was not registered reports ``initial`` / ``Elb.RegistrationInProgress`` /
  "Target registration is in progress" in the next ``DESCRIBES_BEFORE_HEALTHY`` (2) DescribeTargetHealth answers that
  include it, then ``healthy``. On AWS the wait is HealthyThresholdCount x HealthCheckIntervalSeconds (5 x 30 s by
  default); the simulator keeps it at 2 describes whatever the threshold (AWS's minimum threshold is 2), so waiters poll
  twice. Registering a registered target again changes nothing.
- An instance that is not ``running`` is never healthy: moto's ``unused`` / ``Target.InvalidState`` ("Target is in the
  stopped state"), for any non-running state, and when it runs again it starts over at ``initial``.
- A target group with no load balancer (no listener or rule forwards to it) reports ``unused`` / ``Target.NotInUse`` /
  "Target group is not configured to receive traffic from the load balancer"; those answers do not count as checks.
- After DeregisterTargets (or termination of the instance, which deregisters it), the target reports ``draining`` /
  ``Target.DeregistrationInProgress`` / "Target deregistration is in progress" in the next ``DESCRIBES_WHILE_DRAINING``
  (1) answer that includes it, then is gone from the full list (asked for by id: moto's ``unused`` /
  ``Target.NotRegistered``).
"""

from __future__ import annotations

NAME = "elbv2-target-health-lifecycle"
AWS_BEHAVIOUR = (
    "DescribeTargetHealth: a newly registered target is initial (Elb.RegistrationInProgress) until it passes "
    "HealthyThresholdCount consecutive health checks, then healthy; a target whose instance is not running is unused "
    "(Target.InvalidState); the targets of a target group not used by a load balancer are unused (Target.NotInUse); a "
    "deregistered target is draining (Target.DeregistrationInProgress) until the deregistration delay ends, then no longer "
    "listed. https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html "
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html "
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html "
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay"
)

DESCRIBES_BEFORE_HEALTHY = 2
DESCRIBES_WHILE_DRAINING = 1
_STATE = "_hubfix_target_health"


class HealthState:
    """Per target group: describes left before healthy, and deregistered targets still draining."""

    def __init__(self):
        self.initial: dict[str, int] = {}
        self.draining: dict[str, list] = {}  # id -> [target dict, describes left]


def state_of(target_group) -> HealthState:
    state = target_group.__dict__.get(_STATE)
    if state is None:
        state = target_group.__dict__[_STATE] = HealthState()
    return state


def apply():
    from moto.elbv2.models import ELBv2Backend, FakeHealthStatus, FakeTargetGroup

    original_register = FakeTargetGroup.register
    original_deregister = FakeTargetGroup.deregister
    original_terminated = FakeTargetGroup.deregister_terminated_instances
    original_describe = ELBv2Backend.describe_target_health

    def register(self, targets):
        before = set(self.targets)
        original_register(self, targets)
        state = state_of(self)
        for target in targets:
            if target["Id"] not in before:
                state.initial[target["Id"]] = DESCRIBES_BEFORE_HEALTHY
            state.draining.pop(target["Id"], None)

    def start_draining(self, ids):
        state = state_of(self)
        for target_id, target in ids.items():
            state.initial.pop(target_id, None)
            state.draining[target_id] = [dict(target), DESCRIBES_WHILE_DRAINING]

    def deregister(self, targets):
        leaving = {t["Id"]: self.targets[t["Id"]] for t in targets if t["Id"] in self.targets}
        original_deregister(self, targets)
        start_draining(self, leaving)

    def deregister_terminated_instances(self, instance_ids):
        leaving = {i: self.targets[i] for i in instance_ids if i in self.targets}
        original_terminated(self, instance_ids)
        start_draining(self, leaving)

    def lifecycle(target_group, target_id, health, ec2_backend):
        state = state_of(target_group)
        instance = ec2_backend.get_instance_by_id(target_id) if target_id.startswith("i-") else None
        if instance is not None and instance.state != "running":
            state.initial[target_id] = DESCRIBES_BEFORE_HEALTHY  # checked again from the start once it runs
            return FakeHealthStatus(
                target_id, health.port, health.health_check_port, "unused", "Target.InvalidState", f"Target is in the {instance.state} state"
            )
        if health.status != "healthy":
            return health
        if not target_group.load_balancer_arns:
            return FakeHealthStatus(
                target_id,
                health.port,
                health.health_check_port,
                "unused",
                "Target.NotInUse",
                "Target group is not configured to receive traffic from the load balancer",
            )
        if state.initial.get(target_id, 0) > 0:
            state.initial[target_id] -= 1
            return FakeHealthStatus(
                target_id, health.port, health.health_check_port, "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
            )
        state.initial.pop(target_id, None)
        return health

    def describe_target_health(self, target_group_arn, targets):
        target_group = self.target_groups.get(target_group_arn)
        if target_group is None:
            return original_describe(self, target_group_arn, targets)
        state = state_of(target_group)
        asked = targets or list(target_group.targets.values()) + [t for t, _left in state.draining.values()]
        out = []
        for target in asked:
            target_id = target["Id"]
            if target_id in state.draining and target_id not in target_group.targets:
                stored, _left = state.draining[target_id]
                out.append(
                    FakeHealthStatus(
                        target_id,
                        stored.get("Port", target_group.port),
                        target_group.health_check_port,
                        "draining",
                        "Target.DeregistrationInProgress",
                        "Target deregistration is in progress",
                    )
                )
                state.draining[target_id][1] -= 1
                if state.draining[target_id][1] <= 0:
                    del state.draining[target_id]
                continue
            health = target_group.health_for(target, self.ec2_backend)
            if target_id in target_group.targets:
                health = lifecycle(target_group, target_id, health, self.ec2_backend)
            out.append(health)
        return out

    FakeTargetGroup.register = register
    FakeTargetGroup.deregister = deregister
    FakeTargetGroup.deregister_terminated_instances = deregister_terminated_instances
    ELBv2Backend.describe_target_health = describe_target_health

    def undo():
        FakeTargetGroup.register = original_register
        FakeTargetGroup.deregister = original_deregister
        FakeTargetGroup.deregister_terminated_instances = original_terminated
        ELBv2Backend.describe_target_health = original_describe

    return undo
