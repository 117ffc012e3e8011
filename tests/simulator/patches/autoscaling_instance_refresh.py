"""Instance refresh: StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh, RollbackInstanceRefresh.

moto 5.2.5 answers all four with HTTP 500. The AutoScaling.3 remediation replaces a group's instances with an instance
refresh whose DesiredConfiguration is the new IMDSv2 launch template, so the simulator plays one out:

Progress is driven by DescribeInstanceRefreshes calls for the group, not by time (tests must not sleep):
  * StartInstanceRefresh -> ``Pending``; the first describe after it still reports ``Pending``.
  * Every further describe replaces one batch and reports ``InProgress``; ``PercentageComplete`` counts the instances
    replaced by earlier batches (the batch just launched is "warming up"). Batch size:
    ``max(1, floor(N * (MaxHealthyPercentage or 100 - MinHealthyPercentage) / 100))`` with N the instances to replace
    (MinHealthyPercentage defaults to 90, so small groups go one instance at a time). InstanceWarmup is stored, not waited for.
  * The describe after the last batch reports ``Successful`` (100 %); with a DesiredConfiguration the group now uses it
    (LaunchConfigurationName gone). A refresh with nothing to replace goes Pending -> Successful.
  * Replacement = old instances terminated and removed from the group, new instances (new ids) launched from the desired
    configuration or, without one, from the group's current launch configuration/template, with that source's
    MetadataOptions. SkipMatching leaves alone instances launched from the same launch template version (and instance
    type) as the target. Protected instances are replaced only with ScaleInProtectedInstances=Refresh, and only InService
    instances are replaced (StandbyInstances other than Ignore are not modelled).
  * CancelInstanceRefresh -> ``Cancelling`` (next describe), then ``Cancelled``; instances already replaced stay.
  * RollbackInstanceRefresh -> ``RollbackInProgress`` (next describe), then ``RollbackSuccessful``: every instance the
    refresh launched is replaced again from the configuration the group had before the refresh; the group keeps it.

FAILURE TRIGGER (for tests): a refresh fails when the image of the configuration it launches from does not exist in the
simulator's EC2 (e.g. a launch template version with ``ImageId: ami-00000000``; use real moto AMIs such as ``ami-760aaa0f``
everywhere else). At the batch that would launch it the refresh ends ``Failed`` with a StatusReason naming the image, or, with
``Preferences.AutoRollback``, goes ``RollbackInProgress`` (RollbackDetails set) and then ``RollbackSuccessful`` with the group
still on its previous configuration (``RollbackFailed`` if the previous image is missing too).

ON-DEMAND FAILURE (for tests): a fault rule ``{"service": "autoscaling", "operation": "StartInstanceRefresh", "match":
{"AutoScalingGroupName": NAME}, "refresh_outcome": "Failed"}`` (``POST /hubfix-api/faults``, ``Simulator.fail_next_refresh``,
or ``faults.OUTCOMES.add`` in-process) does not fail the StartInstanceRefresh call: the refresh it starts replaces ONE
instance, then fails as if that instance never became healthy - ``Failed`` (the replaced instance stays, the group keeps its
configuration) or, with AutoRollback, ``RollbackInProgress`` -> ``RollbackSuccessful`` with the group and every instance back
on the previous configuration (the replaced instance is replaced again). The rule's ``times`` counts refreshes.

Errors as AWS: ``InstanceRefreshInProgress`` when one is Pending/InProgress/Cancelling/RollbackInProgress/Baking,
``ActiveInstanceRefreshNotFound`` for cancel/rollback with none, ``IrreversibleInstanceRefresh`` for a rollback of a refresh
without DesiredConfiguration or of a group on a launch template's $Latest/$Default, ValidationError for AutoRollback without
DesiredConfiguration, and ValidationError from UpdateAutoScalingGroup changing the launch source while a refresh with a
desired configuration is active.
"""

from __future__ import annotations

import copy

from tests.simulator.faults import take_outcome
from tests.simulator.patches.autoscaling_instance_metadata_options import group_launch_spec, launch_group_instances, spec_from_configuration
from tests.simulator.patches.autoscaling_launch_template_switch import instance_launch_source, set_launch_source

NAME = "autoscaling-instance-refresh"
AWS_BEHAVIOUR = (
    "StartInstanceRefresh replaces the instances of a group in batches bounded by MinHealthyPercentage, from the "
    "DesiredConfiguration (which the group takes on success) or the group's current configuration; SkipMatching keeps "
    "instances that already match; DescribeInstanceRefreshes reports Pending/InProgress/Successful/Failed/Cancelling/Cancelled/"
    "RollbackInProgress/RollbackSuccessful with PercentageComplete and InstancesToUpdate; only one refresh can be active "
    "(InstanceRefreshInProgress); Cancel/RollbackInstanceRefresh need an active one (ActiveInstanceRefreshNotFound); AutoRollback "
    "rolls a failed refresh back to the previous configuration. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StartInstanceRefresh.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeInstanceRefreshes.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CancelInstanceRefresh.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RollbackInstanceRefresh.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html"
)

ACTIVE = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")
CANCELLABLE = ("Pending", "InProgress", "RollbackInProgress", "Baking")
ROLLBACKABLE = ("Pending", "InProgress", "Baking")
STATE_ATTR = "hubfix_instance_refreshes"  # on the AutoScalingBackend: {group name: [InstanceRefresh, newest first]}


def _bool(value) -> bool:
    return value is True or str(value).lower() == "true"


def _int(value, default=None):
    return default if value in (None, "") else int(value)


def _image_exists(ec2_backend, image_id) -> bool:
    return bool(image_id) and bool(ec2_backend.describe_images(filters={"image-id": [image_id]}))


class InstanceRefresh:
    def __init__(self, group, strategy, desired, preferences, target, previous, to_replace, previous_version_spec):
        from moto.core.utils import utcnow
        from moto.moto_api._internal import mock_random as random

        self.id = str(random.uuid4())
        self.group_name = group.name
        self.strategy = strategy or "Rolling"
        self.desired = desired or None
        self.preferences = preferences
        self.target = target  # LaunchSpec for the new instances
        self.previous = previous  # LaunchSpec of the group before the refresh (rollback)
        self.previous_version_spec = previous_version_spec  # the Version the group named for its template, if any
        self.to_replace = list(to_replace)
        self.total = len(self.to_replace)
        self.completed = 0
        self.launched: list[str] = []
        self.status = "Pending"
        self.status_reason = None
        self.start_time = utcnow()
        self.end_time = None
        self.rollback = None
        self.polls = 0
        self.injected_failure = False  # a refresh_outcome fault rule: fail after the first replaced instance

    @property
    def percentage_complete(self) -> int:
        if self.status == "Successful":
            return 100
        return self.completed * 100 // self.total if self.total else 0

    def to_dict(self) -> dict:
        data = {
            "InstanceRefreshId": self.id,
            "AutoScalingGroupName": self.group_name,
            "Status": self.status,
            "StatusReason": self.status_reason,
            "StartTime": self.start_time,
            "EndTime": self.end_time,
            "PercentageComplete": self.percentage_complete,
            "InstancesToUpdate": 0 if self.status == "Successful" else self.total - self.completed,
            "ProgressDetails": {
                "LivePoolProgress": {
                    "PercentageComplete": self.percentage_complete,
                    "InstancesToUpdate": 0 if self.status == "Successful" else self.total - self.completed,
                }
            },
            "Preferences": self.preferences,
            "DesiredConfiguration": self.desired,
            "RollbackDetails": self.rollback,
            "Strategy": self.strategy,
        }
        return {k: v for k, v in data.items() if v is not None}


def _refreshes(backend) -> dict:
    if not hasattr(backend, STATE_ATTR):
        setattr(backend, STATE_ATTR, {})
    return getattr(backend, STATE_ATTR)


def active_refresh(backend, group_name, statuses=ACTIVE):
    return next((r for r in _refreshes(backend).get(group_name, []) if r.status in statuses), None)


def _group(backend, name):
    from moto.autoscaling.exceptions import ValidationError

    if name not in backend.autoscaling_groups:
        raise ValidationError(f"AutoScalingGroup name not found - AutoScalingGroup '{name}' not found")
    return backend.autoscaling_groups[name]


def _error(code: str, message: str):
    from moto.autoscaling.exceptions import AutoscalingClientError

    return AutoscalingClientError(code, message)


def _matches(state, spec) -> bool:
    return instance_launch_source(state) == spec.source and state.instance.instance_type == spec.instance_type


def _preferences(raw: dict | None) -> dict:
    from moto.autoscaling.exceptions import ValidationError

    raw = dict(raw or {})
    prefs = {
        "MinHealthyPercentage": _int(raw.get("MinHealthyPercentage"), 90),
        "SkipMatching": _bool(raw.get("SkipMatching", False)),
        "AutoRollback": _bool(raw.get("AutoRollback", False)),
        "ScaleInProtectedInstances": raw.get("ScaleInProtectedInstances") or "Ignore",
        "StandbyInstances": raw.get("StandbyInstances") or "Ignore",
    }
    for key in ("InstanceWarmup", "MaxHealthyPercentage", "CheckpointDelay", "BakeTime"):
        if raw.get(key) not in (None, ""):
            prefs[key] = _int(raw[key])
    for key in ("CheckpointPercentages", "AlarmSpecification"):
        if raw.get(key):
            prefs[key] = raw[key]
    if not 0 <= prefs["MinHealthyPercentage"] <= 100:
        raise ValidationError("MinHealthyPercentage must be between 0 and 100")
    maximum = prefs.get("MaxHealthyPercentage")
    if maximum is not None and not (100 <= maximum <= 200 and maximum - prefs["MinHealthyPercentage"] <= 100):
        raise ValidationError("MaxHealthyPercentage must be between 100 and 200 and at most 100 above MinHealthyPercentage")
    return prefs


def _batch_size(refresh) -> int:
    prefs = refresh.preferences
    room = (prefs.get("MaxHealthyPercentage") or 100) - prefs["MinHealthyPercentage"]
    return max(1, refresh.total * room // 100)


def _replace(group, instance_ids, spec) -> list[str]:
    """Terminate ``instance_ids`` (those still in the group) and launch as many from ``spec``; returns the new ids."""
    states = [s for s in group.instance_states if s.instance.id in instance_ids]
    if not states:
        return []
    group.instance_states = [s for s in group.instance_states if s not in states]
    group.autoscaling_backend.ec2_backend.terminate_instances([s.instance.id for s in states])
    return [i.id for i in launch_group_instances(group, len(states), spec=spec)]


def _finish(refresh, status, reason=None):
    from moto.core.utils import utcnow

    refresh.status = status
    if reason:
        refresh.status_reason = reason
    refresh.end_time = utcnow()


def _start_rollback(refresh, reason):
    from moto.core.utils import utcnow

    refresh.status = "RollbackInProgress"
    refresh.status_reason = reason
    refresh.rollback = {
        "RollbackReason": reason,
        "RollbackStartTime": utcnow(),
        "PercentageCompleteOnRollback": refresh.percentage_complete,
        "InstancesToUpdateOnRollback": len(refresh.launched),
        "ProgressDetailsOnRollback": {"LivePoolProgress": {"PercentageComplete": refresh.percentage_complete, "InstancesToUpdate": len(refresh.launched)}},
    }


def _step(backend, refresh) -> None:
    group = backend.autoscaling_groups.get(refresh.group_name)
    if group is None:
        _finish(refresh, "Failed", "The Auto Scaling group was deleted.")
        return
    ec2 = backend.ec2_backend
    if refresh.status in ("Pending", "InProgress"):
        in_group = {s.instance.id for s in group.instance_states}
        remaining = [i for i in refresh.to_replace if i in in_group]
        refresh.completed = refresh.total - len(remaining)
        if refresh.injected_failure and (refresh.launched or not remaining):
            if refresh.launched:
                reason = f"Instance {refresh.launched[0]} failed to become healthy within the health check grace period. The instance refresh failed."
            else:
                reason = "Launching a new EC2 instance failed. The instance refresh failed."
            if refresh.preferences["AutoRollback"]:
                _start_rollback(refresh, reason)
            else:
                _finish(refresh, "Failed", reason)
            return
        if not remaining:
            if refresh.desired:
                desired = refresh.desired
                set_launch_source(
                    group, launch_template=desired.get("LaunchTemplate"), mixed_instances_policy=copy.deepcopy(desired.get("MixedInstancesPolicy"))
                )
            _finish(refresh, "Successful")
            refresh.status_reason = None
            return
        if not _image_exists(ec2, refresh.target.image_id):
            reason = f"Launching a new EC2 instance. Status Reason: The image id '[{refresh.target.image_id}]' does not exist. Launching EC2 instance failed."
            if refresh.preferences["AutoRollback"]:
                _start_rollback(refresh, reason)
            else:
                _finish(refresh, "Failed", reason)
            return
        batch = remaining[: 1 if refresh.injected_failure else _batch_size(refresh)]
        refresh.launched.extend(_replace(group, batch, refresh.target))
        refresh.status = "InProgress"
        refresh.status_reason = "Waiting for instances to warm up before continuing."
    elif refresh.status == "Cancelling":
        _finish(refresh, "Cancelled", "Instance refresh cancelled.")
    elif refresh.status == "RollbackInProgress":
        if refresh.launched and not _image_exists(ec2, refresh.previous.image_id):
            _finish(refresh, "RollbackFailed", f"Rollback failed: the image id '[{refresh.previous.image_id}]' does not exist.")
            return
        _replace(group, refresh.launched, refresh.previous)
        if refresh.rollback:
            refresh.rollback["PercentageCompleteOnRollback"] = 100
            refresh.rollback["InstancesToUpdateOnRollback"] = 0
            refresh.rollback["ProgressDetailsOnRollback"] = {"LivePoolProgress": {"PercentageComplete": 100, "InstancesToUpdate": 0}}
        _finish(refresh, "RollbackSuccessful")


# backend operations ----------------------------------------------------------------------------------------------------
def start_instance_refresh(backend, group_name, strategy=None, desired_configuration=None, preferences=None) -> str:
    from moto.autoscaling.exceptions import ValidationError

    group = _group(backend, group_name)
    if active_refresh(backend, group_name):
        raise _error("InstanceRefreshInProgress", "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
    if strategy not in (None, "", "Rolling"):
        raise ValidationError(f"Strategy {strategy} is not supported. Valid value: Rolling")
    prefs = _preferences(preferences)
    desired = {k: v for k, v in (desired_configuration or {}).items() if v}
    if prefs["AutoRollback"] and not desired:
        raise ValidationError("AutoRollback is only supported when the instance refresh specifies a DesiredConfiguration.")
    try:
        if desired:
            lt = desired.get("LaunchTemplate")
            if lt and bool(lt.get("LaunchTemplateId")) == bool(lt.get("LaunchTemplateName")):
                raise ValidationError("Valid requests must contain either launchTemplateId or LaunchTemplateName")
            target = spec_from_configuration(backend.ec2_backend, launch_template=lt, mixed_instances_policy=desired.get("MixedInstancesPolicy"))
        else:
            target = group_launch_spec(group)
    except ValidationError:
        raise
    except Exception as exc:  # moto's EC2 "not found" errors: AWS answers ValidationError here
        raise ValidationError(f"The launch template in DesiredConfiguration is not valid: {getattr(exc, 'message', exc)}") from exc
    previous = group_launch_spec(group)
    protected_ok = prefs["ScaleInProtectedInstances"] == "Refresh"
    candidates = [s for s in group.instance_states if s.lifecycle_state == "InService" and (protected_ok or not s.protected_from_scale_in)]
    if prefs["SkipMatching"]:
        candidates = [s for s in candidates if not _matches(s, target)]
    version_spec = getattr(group, "launch_template_version", None) if group.ec2_launch_template is not None else None
    refresh = InstanceRefresh(group, strategy, desired, prefs, target, previous, [s.instance.id for s in candidates], version_spec)
    refresh.injected_failure = take_outcome("autoscaling", "StartInstanceRefresh", {"AutoScalingGroupName": group_name}, "refresh_outcome") is not None
    _refreshes(backend).setdefault(group_name, []).insert(0, refresh)
    return refresh.id


def describe_instance_refreshes(backend, group_name, refresh_ids=None) -> list[dict]:
    refreshes = _refreshes(backend).get(group_name, [])
    for refresh in refreshes:
        if refresh.status in ACTIVE:
            if refresh.polls:
                _step(backend, refresh)
            refresh.polls += 1
    return [r.to_dict() for r in refreshes if not refresh_ids or r.id in refresh_ids]


def cancel_instance_refresh(backend, group_name) -> str:
    _group(backend, group_name)
    refresh = active_refresh(backend, group_name, CANCELLABLE)
    if refresh is None:
        raise _error("ActiveInstanceRefreshNotFound", f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}")
    refresh.status = "Cancelling"
    refresh.polls = 0
    return refresh.id


def rollback_instance_refresh(backend, group_name) -> str:
    _group(backend, group_name)
    refresh = active_refresh(backend, group_name, ROLLBACKABLE)
    if refresh is None:
        raise _error("ActiveInstanceRefreshNotFound", f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}")
    if not refresh.desired:
        raise _error("IrreversibleInstanceRefresh", "The instance refresh cannot be rolled back because it has no desired configuration.")
    if str(refresh.previous_version_spec or "").lower() in ("$latest", "$default"):
        raise _error(
            "IrreversibleInstanceRefresh",
            "The instance refresh cannot be rolled back because the Auto Scaling group uses the launch template's $Latest or $Default version.",
        )
    _start_rollback(refresh, "Rollback initiated by user request.")
    refresh.polls = 0
    return refresh.id


def apply():
    from moto.autoscaling.exceptions import ValidationError
    from moto.autoscaling.models import AutoScalingBackend
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    original_update = AutoScalingBackend.update_auto_scaling_group
    original_delete = AutoScalingBackend.delete_auto_scaling_group

    def delete_auto_scaling_group(self, group_name):
        original_delete(self, group_name)
        _refreshes(self).pop(group_name, None)  # a group's refresh history goes with it

    def update_auto_scaling_group(self, name, *args, **kwargs):
        refresh = active_refresh(self, name)
        changes_source = kwargs.get("launch_config_name") or kwargs.get("launch_template") or kwargs.get("mixed_instances_policy")
        if refresh is not None and refresh.desired and changes_source:
            raise ValidationError(
                "An active instance refresh with a desired configuration exists. All configuration options derived from the "
                "desired configuration are not available for update while the instance refresh is active."
            )
        return original_update(self, name, *args, **kwargs)

    def r_start(self):
        refresh_id = start_instance_refresh(
            self.autoscaling_backend,
            self._get_param("AutoScalingGroupName"),
            strategy=self._get_param("Strategy"),
            desired_configuration=self._get_param("DesiredConfiguration"),
            preferences=self._get_param("Preferences"),
        )
        return ActionResult({"InstanceRefreshId": refresh_id})

    def r_describe(self):
        refreshes = describe_instance_refreshes(self.autoscaling_backend, self._get_param("AutoScalingGroupName"), self._get_param("InstanceRefreshIds", []))
        start = int(self._get_param("NextToken") or 0)
        size = self._get_int_param("MaxRecords") or 50
        page = refreshes[start : start + size]
        next_token = str(start + size) if len(refreshes) > start + size else None
        return ActionResult({"InstanceRefreshes": page, "NextToken": next_token})

    def r_cancel(self):
        return ActionResult({"InstanceRefreshId": cancel_instance_refresh(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))})

    def r_rollback(self):
        return ActionResult({"InstanceRefreshId": rollback_instance_refresh(self.autoscaling_backend, self._get_param("AutoScalingGroupName"))})

    added = {
        "start_instance_refresh": r_start,
        "describe_instance_refreshes": r_describe,
        "cancel_instance_refresh": r_cancel,
        "rollback_instance_refresh": r_rollback,
    }
    saved = {name: vars(AutoScalingResponse).get(name) for name in added}
    for name, func in added.items():
        setattr(AutoScalingResponse, name, func)
    AutoScalingBackend.update_auto_scaling_group = update_auto_scaling_group
    AutoScalingBackend.delete_auto_scaling_group = delete_auto_scaling_group

    def undo():
        AutoScalingBackend.update_auto_scaling_group = original_update
        AutoScalingBackend.delete_auto_scaling_group = original_delete
        for name, func in saved.items():
            if func is None:
                delattr(AutoScalingResponse, name)
            else:
                setattr(AutoScalingResponse, name, func)

    return undo
