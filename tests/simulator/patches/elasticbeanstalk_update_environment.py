"""UpdateEnvironment and DescribeConfigurationSettings; DisableIMDSv1 moves an environment to a launch template.

Elastic Beanstalk documents that setting ``aws:autoscaling:launchconfiguration`` / ``DisableIMDSv1`` to ``true`` on an
environment that uses a launch configuration migrates it to a launch template: the group
``awseb-e-<id>-stack-AWSEBAutoScalingGroup-*`` (same group) launches from ``awseb-e-<id>-stack-AWSEBEC2LaunchTemplate-*``
carrying the launch configuration's settings with MetadataOptions HttpTokens required, and the launch configuration is
deleted. This is the AWS-supported fix for AutoScaling.3 on a Beanstalk-owned group (changing the group directly would be
undone by the next environment update). moto 5.2.5 implements neither operation (HTTP 500 on the server).

UpdateEnvironment answers ``Updating`` (and refuses an environment that is not ``Ready``); the change is applied at the
DescribeEnvironments call that reports ``Ready`` (see elasticbeanstalk_environment_resources). Existing instances are not
replaced here (Elastic Beanstalk's rolling replacement of instances is not modelled).
"""

from __future__ import annotations

from tests.simulator.patches.elasticbeanstalk_environment_resources import ASG_NS, CONFIG, GROUP, LC_NS, begin, defaults, deploy, find_environment

NAME = "elasticbeanstalk-update-environment"
AWS_BEHAVIOUR = (
    "UpdateEnvironment with OptionSettings/OptionsToRemove answers Status Updating, then the environment is Ready with the new "
    "configuration; aws:autoscaling:launchconfiguration DisableIMDSv1=true moves a launch-configuration environment to a launch "
    "template (HttpTokens required) and deletes the launch configuration; Elastic Beanstalk keeps it on launch templates after "
    "that. DescribeConfigurationSettings returns the environment's OptionSettings (defaults included, e.g. DisableIMDSv1 false). "
    "Unknown environment: InvalidParameterValue; not Ready: InvalidParameterValue; a DisableIMDSv1 value other than "
    "true/false: InvalidParameterValue. "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_UpdateEnvironment.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_DescribeConfigurationSettings.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-autoscaling-launch-templates.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html#command-options-general-autoscalinglaunchconfiguration"
)

BOOLEAN_OPTIONS = {(LC_NS, "DisableIMDSv1")}


def _invalid(message):
    from moto.elasticbeanstalk.exceptions import InvalidParameterValueError

    return InvalidParameterValueError(message)


def option_settings(env) -> list[dict]:
    """Every option of the environment (the defaults and what was set), as DescribeConfigurationSettings lists them."""
    merged = {**defaults(env), **env.options}
    resource = {LC_NS: CONFIG, ASG_NS: GROUP}
    out = []
    for (namespace, name), value in sorted(merged.items()):
        item = {"Namespace": namespace, "OptionName": name, "Value": value}
        if namespace in resource:
            item["ResourceName"] = resource[namespace]
        out.append(item)
    return out


def validate(settings) -> None:
    for item in settings:
        key = (item.get("Namespace"), item.get("OptionName"))
        if key in BOOLEAN_OPTIONS and str(item.get("Value")).lower() not in ("true", "false"):
            raise _invalid(
                f"Invalid option value: '{item.get('Value')}' (Namespace: '{key[0]}', OptionName: '{key[1]}'): "
                "Value is not one of the allowed values: [true, false]"
            )


def update_environment(env, settings, to_remove, description=None):
    if env.status != "Ready":
        raise _invalid(f"Environment named {env.environment_name} is in an invalid state for this operation. Must be Ready.")
    validate(settings)
    for item in to_remove:
        env.options.pop((item.get("Namespace"), item.get("OptionName")), None)
    for item in settings:
        env.options[(item["Namespace"], item["OptionName"])] = (
            str(item.get("Value")).lower() if (item["Namespace"], item["OptionName"]) in BOOLEAN_OPTIONS else str(item.get("Value"))
        )
    if description is not None:
        env.description = description
    begin(env, "Updating", then=lambda: deploy(env))
    return env


def apply():
    from moto.core.responses import ActionResult
    from moto.elasticbeanstalk.responses import EBResponse

    saved = {n: EBResponse.__dict__.get(n) for n in ("update_environment", "describe_configuration_settings")}

    def r_update_environment(self):
        env = find_environment(
            self.elasticbeanstalk_backend, self._get_param("EnvironmentName"), self._get_param("EnvironmentId"), self._get_param("ApplicationName")
        )
        update_environment(env, self._get_param("OptionSettings", []), self._get_param("OptionsToRemove", []), self._get_param("Description"))
        return ActionResult(env)

    def r_describe_configuration_settings(self):
        app_name = self._get_param("ApplicationName")
        if app_name not in self.elasticbeanstalk_backend.applications:
            raise _invalid(f"No Application named '{app_name}' found.")
        env = find_environment(self.elasticbeanstalk_backend, self._get_param("EnvironmentName"), application_name=app_name)
        settings = {
            "SolutionStackName": env.solution_stack_name,
            "PlatformArn": env.platform_arn,
            "ApplicationName": app_name,
            "Description": env.description,
            "EnvironmentName": env.environment_name,
            "DeploymentStatus": "deployed",
            "DateCreated": env.date_created,
            "DateUpdated": env.date_updated,
            "OptionSettings": option_settings(env),
        }
        return ActionResult({"ConfigurationSettings": [{k: v for k, v in settings.items() if v is not None}]})

    EBResponse.update_environment = r_update_environment
    EBResponse.describe_configuration_settings = r_describe_configuration_settings

    def undo():
        for name, func in saved.items():
            if func is None:
                delattr(EBResponse, name)
            else:
                setattr(EBResponse, name, func)

    return undo
