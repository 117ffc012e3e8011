"""Change sets belong to one stack, default to UPDATE, and say what they replace.

moto 5.2.5 defaults CreateChangeSet's ChangeSetType to CREATE (a change set for an existing stack without the parameter
makes a second stack of the same name), looks change sets up by name across all stacks (the same change set name on two
stacks - what a remediation proposing one change per owning stack does - describes and executes the wrong one),
ListChangeSets ignores StackName, an unknown change set is a ValidationError about a stack (ExecuteChangeSet: HTTP 500),
a change set can be executed twice, the stack's other change sets survive an execution, and DescribeChangeSet's changes
carry neither PhysicalResourceId nor Replacement.
"""

from __future__ import annotations

from tests.simulator.patches.cloudformation_stack_update import FOLLOWS_UPDATES, REPLACED_ON_ANY_CHANGE, dependency_order, references

NAME = "cloudformation-change-sets"
AWS_BEHAVIOUR = (
    "CreateChangeSet uses ChangeSetType UPDATE by default and refuses CREATE for an existing stack (ValidationError); a change "
    "set is named within its stack: Describe/Execute/DeleteChangeSet take StackName plus ChangeSetName, or the change set ARN, "
    "and answer ChangeSetNotFound (HTTP 404) for an unknown one; ListChangeSets lists the change sets of StackName only; "
    "ExecuteChangeSet needs ExecutionStatus AVAILABLE (InvalidChangeSetStatus) and deletes the stack's other change sets; "
    "each Modify/Remove change has the PhysicalResourceId, and Modify changes say Replacement True/False. "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListChangeSets.html "
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html"
)


def _errors():
    from moto.cloudformation.exceptions import CloudFormationError

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFound"

    class InvalidChangeSetStatus(CloudFormationError):
        code = "InvalidChangeSetStatus"

    return ChangeSetNotFound, InvalidChangeSetStatus


def active_stack(backend, name_or_id):
    return next((s for s in backend.stacks.values() if name_or_id in (s.name, s.stack_id) and s.status != "DELETE_COMPLETE"), None)


def find_change_set(backend, stack_name, change_set_name):
    from moto.cloudformation.exceptions import ValidationError

    not_found, _unused = _errors()
    if str(change_set_name).startswith("arn:"):
        change_set = backend.change_sets.get(change_set_name)
    elif not stack_name:
        raise ValidationError(message="StackName must be specified if ChangeSetName is not specified as an ARN.")
    else:
        stack = active_stack(backend, stack_name)
        ids = {s.stack_id for s in backend.stacks.values() if stack_name in (s.name, s.stack_id)} if stack is None else {stack.stack_id}
        change_set = next((c for c in backend.change_sets.values() if c.change_set_name == change_set_name and c.stack_id in ids), None)
    if change_set is None:
        raise not_found(f"ChangeSet [{change_set_name}] does not exist")
    return change_set


def add_reference_changes(change_set) -> None:
    """Resources whose template did not change but that refer to a replaced (or, for a group, modified) resource."""
    from moto.cloudformation.models import Change

    new = (change_set.template_dict or {}).get("Resources", {})
    listed = {c.logical_resource_id: c for c in change_set.changes}
    modified = {n for n, c in listed.items() if c.action == "Modify"}
    replaced = {n for n in modified if listed[n].resource_type in REPLACED_ON_ANY_CHANGE}
    for name in dependency_order([n for n in new if n not in listed], new):
        deps, kind = references(new[name]), new[name].get("Type")
        if deps & replaced or (deps & modified and kind in FOLLOWS_UPDATES):
            change_set.changes.append(Change(action="Modify", logical_resource_id=name, resource_type=kind))
            modified.add(name)
            if kind in REPLACED_ON_ANY_CHANGE:
                replaced.add(name)


def annotate_changes(change_set) -> None:
    """PhysicalResourceId for Modify/Remove, Replacement and Scope for Modify, as DescribeChangeSet reports them."""
    resources = change_set.stack.resource_map._parsed_resources
    new = (change_set.template_dict or {}).get("Resources", {})
    if change_set.change_set_type == "UPDATE":
        add_reference_changes(change_set)
    for change in change_set.changes:
        resource = resources.get(change.logical_resource_id)
        if change.action in ("Modify", "Remove") and resource is not None:
            change.physical_resource_id = getattr(resource, "physical_resource_id", None)
        if change.action == "Modify":
            props = new.get(change.logical_resource_id, {}).get("Properties") or {}
            renamed = change.resource_type == "AWS::AutoScaling::AutoScalingGroup" and props.get("AutoScalingGroupName") not in (
                None,
                getattr(resource, "name", None),
            )
            change.replacement = "True" if change.resource_type in REPLACED_ON_ANY_CHANGE or renamed else "False"
            change.scope = ["Properties"]


def apply():
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import ChangeSet
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult, EmptyResult

    _unused, invalid_status = _errors()
    original_create = CloudFormationResponse.create_change_set
    original_diff = ChangeSet.diff
    saved = {n: CloudFormationResponse.__dict__[n] for n in ("describe_change_set", "execute_change_set", "delete_change_set", "list_change_sets")}

    def diff(self):
        self.changes = original_diff(self)
        annotate_changes(self)
        return self.changes

    def create_change_set(self):
        change_set_type = self._get_param("ChangeSetType") or "UPDATE"
        stack_name, name = self._get_param("StackName"), self._get_param("ChangeSetName")
        if change_set_type == "CREATE" and active_stack(self.cloudformation_backend, stack_name) is not None:
            raise ValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{name}].")
        if change_set_type == "UPDATE" and active_stack(self.cloudformation_backend, stack_name) is None:
            raise ValidationError(message=f"Stack [{stack_name}] does not exist")
        get_param = self._get_param
        self._get_param = lambda key, default=None: change_set_type if key == "ChangeSetType" else get_param(key, default)
        try:
            return original_create(self)
        finally:
            del self._get_param

    def describe_change_set(self):
        return ActionResult(find_change_set(self.cloudformation_backend, self._get_param("StackName"), self._get_param("ChangeSetName")))

    def execute_change_set(self):
        backend = self.cloudformation_backend
        change_set = find_change_set(backend, self._get_param("StackName"), self._get_param("ChangeSetName"))
        if change_set.execution_status != "AVAILABLE":
            raise invalid_status(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of [{change_set.execution_status}]"
            )
        backend.execute_change_set(change_set.change_set_id, change_set.stack_name)
        for other in [c for c in backend.change_sets.values() if c.stack_id == change_set.stack_id and c is not change_set]:
            backend.change_sets.pop(other.change_set_id, None)
        return EmptyResult()

    def delete_change_set(self):
        change_set = find_change_set(self.cloudformation_backend, self._get_param("StackName"), self._get_param("ChangeSetName"))
        self.cloudformation_backend.change_sets.pop(change_set.change_set_id, None)
        return EmptyResult()

    def list_change_sets(self):
        backend = self.cloudformation_backend
        stack_name = self._get_param("StackName")
        stack = active_stack(backend, stack_name)
        if stack is None:
            raise ValidationError(message=f"Stack [{stack_name}] does not exist")
        return ActionResult({"Summaries": [c for c in backend.change_sets.values() if c.stack_id == stack.stack_id]})

    CloudFormationResponse.create_change_set = create_change_set
    CloudFormationResponse.describe_change_set = describe_change_set
    CloudFormationResponse.execute_change_set = execute_change_set
    CloudFormationResponse.delete_change_set = delete_change_set
    CloudFormationResponse.list_change_sets = list_change_sets
    ChangeSet.diff = diff

    def undo():
        CloudFormationResponse.create_change_set = original_create
        ChangeSet.diff = original_diff
        for name, func in saved.items():
            setattr(CloudFormationResponse, name, func)

    return undo
