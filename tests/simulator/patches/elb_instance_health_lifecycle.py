"""Classic ELB DescribeInstanceHealth: a newly registered instance is ``OutOfService`` before it is ``InService``.

moto 5.2.5 reports an instance ``InService`` from the moment RegisterInstancesWithLoadBalancer returns, gives every state
ReasonCode and Description ``N/A`` (a stopped instance is ``OutOfService`` for no stated reason), registers an instance
twice when asked twice, and answers RegisterInstancesWithLoadBalancer / DeregisterInstancesFromLoadBalancer with an
empty ``Instances`` list (AWS returns the load balancer's instances after the change). On AWS a registered instance is
``OutOfService`` (ReasonCode ``ELB``, "Instance registration is still in progress.") until it has passed HealthyThreshold
health checks, which an EC2.24 cut-over that swaps instances behind a Classic load balancer has to wait for.

The simulator has no clock-driven health checks, so **describe calls drive the lifecycle** (tests never sleep):

- After RegisterInstancesWithLoadBalancer, an instance that was not registered reports ``OutOfService`` / ``ELB`` /
  "Instance registration is still in progress." in the next ``DESCRIBES_BEFORE_IN_SERVICE`` (2) DescribeInstanceHealth
  answers that include it, then ``InService`` (``N/A``). On AWS the wait is HealthyThreshold x Interval (10 x 30 s by
  default); the simulator keeps it at 2 describes whatever the threshold (AWS's minimum is 2). Registering a registered
  instance again changes nothing (and does not list it twice).
- An instance that is not ``running`` is ``OutOfService`` / ``Instance`` / "Instance is in stopped state." (the state
  named), never InService, and when it runs again it starts over.
- Deregistered instances disappear from the list at once (Classic has no draining state in DescribeInstanceHealth; asked
  for by id, moto's ``Unknown`` is left as it is).
"""

from __future__ import annotations

NAME = "elb-instance-health-lifecycle"
AWS_BEHAVIOUR = (
    'DescribeInstanceHealth: a newly registered instance is OutOfService (ReasonCode ELB, "Instance registration is still in '
    'progress.") until it passes HealthyThreshold consecutive health checks, then InService (ReasonCode N/A); an instance '
    'that is not running is OutOfService (ReasonCode Instance, "Instance is in stopped state."). '
    "RegisterInstancesWithLoadBalancer / DeregisterInstancesFromLoadBalancer return the updated list of the load "
    "balancer's instances; registering a registered instance is a no-op. "
    "https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html "
    "https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_RegisterInstancesWithLoadBalancer.html "
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html"
)

DESCRIBES_BEFORE_IN_SERVICE = 2
REGISTERING = ("ELB", "Instance registration is still in progress.")
_STATE = "_hubfix_instance_health"


def pending_of(load_balancer) -> dict[str, int]:
    """{instance id: describes left before InService}, kept on moto's load balancer object."""
    pending = load_balancer.__dict__.get(_STATE)
    if pending is None:
        pending = load_balancer.__dict__[_STATE] = {}
    return pending


def dedupe(values: list) -> list:
    return list(dict.fromkeys(values))


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2.models import ec2_backends
    from moto.elb.models import ELBBackend
    from moto.elb.responses import ELBResponse

    original_register = ELBBackend.register_instances
    original_deregister = ELBBackend.deregister_instances
    original_health = ELBBackend.describe_instance_health
    original_register_response = ELBResponse.register_instances_with_load_balancer
    original_deregister_response = ELBResponse.deregister_instances_from_load_balancer
    original_health_response = ELBResponse.describe_instance_health

    def register_instances(self, load_balancer_name, instance_ids, from_autoscaling=False):
        load_balancer = self.get_load_balancer(load_balancer_name)
        before = set(load_balancer.instance_ids) if load_balancer else set()
        load_balancer = original_register(self, load_balancer_name, instance_ids, from_autoscaling)
        attr = "instance_autoscaling_ids" if from_autoscaling else "instance_sparse_ids"
        setattr(load_balancer, attr, dedupe(getattr(load_balancer, attr)))
        pending = pending_of(load_balancer)
        for instance_id in instance_ids:
            if instance_id not in before:
                pending[instance_id] = DESCRIBES_BEFORE_IN_SERVICE
        return load_balancer

    def deregister_instances(self, load_balancer_name, instance_ids, from_autoscaling=False):
        load_balancer = original_deregister(self, load_balancer_name, instance_ids, from_autoscaling)
        pending = pending_of(load_balancer)
        for instance_id in instance_ids:
            if instance_id not in load_balancer.instance_ids:
                pending.pop(instance_id, None)
        return load_balancer

    def describe_instance_health(self, lb_name, instances):
        states = original_health(self, lb_name, instances)
        load_balancer = self.get_load_balancer(lb_name)
        pending = pending_of(load_balancer)
        ec2 = ec2_backends[self.account_id][self.region_name]
        out = []
        for entry in states:
            entry = dict(entry)
            instance_id = entry["InstanceId"]
            if entry["State"] == "OutOfService":
                instance = ec2.get_instance_by_id(instance_id)
                entry["ReasonCode"], entry["Description"] = "Instance", f"Instance is in {instance.state if instance else 'terminated'} state."
                pending[instance_id] = DESCRIBES_BEFORE_IN_SERVICE
            elif entry["State"] == "InService" and pending.get(instance_id, 0) > 0:
                pending[instance_id] -= 1
                entry["State"] = "OutOfService"
                entry["ReasonCode"], entry["Description"] = REGISTERING
            elif entry["State"] == "InService":
                pending.pop(instance_id, None)
            out.append(entry)
        return out

    def instances_result(self):
        load_balancer = self.elb_backend.get_load_balancer(self._get_param("LoadBalancerName"))
        return ActionResult({"Instances": [{"InstanceId": i} for i in load_balancer.instance_ids]})

    def register_instances_with_load_balancer(self):
        original_register_response(self)
        return instances_result(self)

    def deregister_instances_from_load_balancer(self):
        original_deregister_response(self)
        return instances_result(self)

    def describe_instance_health_response(self):
        states = self.elb_backend.describe_instance_health(self._get_param("LoadBalancerName"), self._get_param("Instances", []))
        return ActionResult(
            {
                "InstanceStates": [
                    {
                        "InstanceId": s["InstanceId"],
                        "State": s["State"],
                        "ReasonCode": s.get("ReasonCode", "N/A"),
                        "Description": s.get("Description", "N/A"),
                    }
                    for s in states
                ]
            }
        )

    ELBBackend.register_instances = register_instances
    ELBBackend.deregister_instances = deregister_instances
    ELBBackend.describe_instance_health = describe_instance_health
    ELBResponse.register_instances_with_load_balancer = register_instances_with_load_balancer
    ELBResponse.deregister_instances_from_load_balancer = deregister_instances_from_load_balancer
    ELBResponse.describe_instance_health = describe_instance_health_response

    def undo():
        ELBBackend.register_instances = original_register
        ELBBackend.deregister_instances = original_deregister
        ELBBackend.describe_instance_health = original_health
        ELBResponse.register_instances_with_load_balancer = original_register_response
        ELBResponse.deregister_instances_from_load_balancer = original_deregister_response
        ELBResponse.describe_instance_health = original_health_response

    return undo
