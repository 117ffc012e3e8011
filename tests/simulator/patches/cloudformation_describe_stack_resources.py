"""DescribeStackResources(PhysicalResourceId=...) finds the stack that owns a resource.

moto 5.2.5 only looks stacks up by StackName and answers a PhysicalResourceId alone with "Stack with id None does not
exist". Finding the stack that owns a launch configuration or an Auto Scaling group by its name is how an owner lookup
confirms what the aws:cloudformation:* tags say (and the only way for a launch configuration, which has no tags).
"""

from __future__ import annotations

NAME = "cloudformation-describe-stack-resources"
AWS_BEHAVIOUR = (
    "DescribeStackResources with PhysicalResourceId (and no StackName) returns the resources of the stack that owns that "
    "physical resource (a launch configuration or group name, a launch template id, ...), optionally only LogicalResourceId; "
    "ValidationError 'Stack for X does not exist' when no stack owns it; without both StackName and PhysicalResourceId a "
    "ValidationError. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html"
)


def stack_owning(backend, physical_resource_id):
    """The (live) stack with a resource whose physical id is ``physical_resource_id``, or None."""
    for stack in backend.stacks.values():
        for resource in stack.stack_resources:
            if resource is not None and getattr(resource, "physical_resource_id", None) == physical_resource_id:
                return stack
    return None


def apply():
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse, StackResourceDTO
    from moto.core.responses import ActionResult

    original = CloudFormationResponse.describe_stack_resources

    def describe_stack_resources(self):
        physical_id = self._get_param("PhysicalResourceId")
        if self._get_param("StackName"):
            return original(self)
        if not physical_id:
            raise ValidationError(message="Either StackName or PhysicalResourceId must be specified.")
        stack = stack_owning(self.cloudformation_backend, physical_id)
        if stack is None:
            raise ValidationError(message=f"Stack for {physical_id} does not exist")
        logical_id = self._get_param("LogicalResourceId")
        resources = [r for r in stack.stack_resources if r is not None and (not logical_id or getattr(r, "logical_resource_id", None) == logical_id)]
        return ActionResult({"StackResources": [StackResourceDTO(stack, r) for r in resources]})

    CloudFormationResponse.describe_stack_resources = describe_stack_resources

    def undo():
        CloudFormationResponse.describe_stack_resources = original

    return undo
