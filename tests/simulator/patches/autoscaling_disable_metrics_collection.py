"""DisableMetricsCollection works (moto 5.2.5 has no handler: HTTP 500), and EnableMetricsCollection without Metrics enables all.

amazon.aws.autoscaling_group calls DisableMetricsCollection whenever ``metrics_collection`` is false, so without this patch
the module fails on the simulator after it has already applied its other changes.
"""

from __future__ import annotations

NAME = "autoscaling-disable-metrics-collection"
AWS_BEHAVIOUR = (
    "DisableMetricsCollection disables the listed group metrics, or all of them when Metrics is omitted, and succeeds "
    "(also when collection was not enabled). EnableMetricsCollection without Metrics enables every group metric and adds "
    "to the metrics already enabled. "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DisableMetricsCollection.html "
    "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnableMetricsCollection.html"
)

# https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_EnableMetricsCollection.html (Metrics)
ALL_METRICS = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
]


def _group(backend, name):
    from moto.autoscaling.exceptions import ValidationError

    if name not in backend.autoscaling_groups:
        raise ValidationError(f"Group {name} not found")
    return backend.autoscaling_groups[name]


def apply():
    from moto.autoscaling.models import AutoScalingBackend
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import EmptyResult

    original_enable = AutoScalingBackend.enable_metrics_collection
    had_backend_disable = "disable_metrics_collection" in vars(AutoScalingBackend)
    had_response_disable = "disable_metrics_collection" in vars(AutoScalingResponse)
    original_backend_disable = vars(AutoScalingBackend).get("disable_metrics_collection")
    original_response_disable = vars(AutoScalingResponse).get("disable_metrics_collection")

    def enable_metrics_collection(self, group_name, metrics):
        group = _group(self, group_name)
        wanted = list(metrics) if metrics else list(ALL_METRICS)
        group.metrics = list(group.metrics) + [m for m in wanted if m not in group.metrics]

    def disable_metrics_collection(self, group_name, metrics):
        group = _group(self, group_name)
        group.metrics = [m for m in group.metrics if metrics and m not in metrics]

    def response_disable_metrics_collection(self):
        self.autoscaling_backend.disable_metrics_collection(self._get_param("AutoScalingGroupName"), self._get_param("Metrics", []))
        return EmptyResult()

    AutoScalingBackend.enable_metrics_collection = enable_metrics_collection
    AutoScalingBackend.disable_metrics_collection = disable_metrics_collection
    AutoScalingResponse.disable_metrics_collection = response_disable_metrics_collection

    def undo():
        AutoScalingBackend.enable_metrics_collection = original_enable
        for cls, had, original in (
            (AutoScalingBackend, had_backend_disable, original_backend_disable),
            (AutoScalingResponse, had_response_disable, original_response_disable),
        ):
            if had:
                cls.disable_metrics_collection = original
            else:
                del cls.disable_metrics_collection

    return undo
