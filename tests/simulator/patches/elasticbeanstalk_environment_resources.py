"""An Elastic Beanstalk environment owns an Auto Scaling group, made by its CloudFormation stack ``awseb-<env id>-stack``.

Real Elastic Beanstalk creates each environment's resources with a CloudFormation stack named ``awseb-e-<id>-stack``: the
group ``awseb-e-<id>-stack-AWSEBAutoScalingGroup-<random>`` launching from the launch configuration
``awseb-e-<id>-stack-AWSEBAutoScalingLaunchConfiguration-<random>`` (no MetadataOptions), or, once the environment was
moved to launch templates (e.g. by ``DisableIMDSv1``), from ``awseb-e-<id>-stack-AWSEBEC2LaunchTemplate-<random>``. The
group is tagged ``Name``, ``elasticbeanstalk:environment-name``, ``elasticbeanstalk:environment-id`` and the stack's
``aws:cloudformation:*`` tags. moto 5.2.5 stores only a name: no id, no resources, DescribeEnvironments ignores its filters,
DescribeEnvironmentResources is not implemented (HTTP 500 on the server).

The simulator builds a real moto stack for the environment (so DescribeStackResources / DescribeStacks show it, as on AWS;
this relies on the cloudformation_* patches, which apply_all() applies). Status is driven by DescribeEnvironments calls,
not by time: CreateEnvironment answers ``Launching``, UpdateEnvironment (elasticbeanstalk_update_environment) ``Updating``;
the first DescribeEnvironments after that still reports it, the second applies the change and reports ``Ready``.
Not modelled: the load balancer, security groups, TerminateEnvironment.
"""

from __future__ import annotations

import json
import string

NAME = "elasticbeanstalk-environment-resources"
AWS_BEHAVIOUR = (
    "CreateEnvironment answers Status Launching with an EnvironmentId e-xxxxxxxxxx and creates, through the CloudFormation stack "
    "awseb-<id>-stack, an Auto Scaling group AWSEBAutoScalingGroup on a launch configuration AWSEBAutoScalingLaunchConfiguration "
    "(InstanceType from aws:autoscaling:launchconfiguration, group sizes from aws:autoscaling:asg) tagged with the environment "
    "name and id and the stack's tags; DescribeEnvironments filters by ApplicationName, EnvironmentIds, EnvironmentNames and "
    "reports Status/Health; DescribeEnvironmentResources lists AutoScalingGroups, LaunchConfigurations, LaunchTemplates, "
    "Instances; an unknown environment is InvalidParameterValue 'No Environment found for EnvironmentName = ...'. "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_CreateEnvironment.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_DescribeEnvironments.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_DescribeEnvironmentResources.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/environments-cfg-autoscaling-launch-templates.html "
    "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html"
)

LC_NS, ASG_NS, ENV_NS = "aws:autoscaling:launchconfiguration", "aws:autoscaling:asg", "aws:elasticbeanstalk:environment"
GROUP, CONFIG, TEMPLATE = "AWSEBAutoScalingGroup", "AWSEBAutoScalingLaunchConfiguration", "AWSEBEC2LaunchTemplate"
DEFAULT_IMAGE = "ami-760aaa0f"  # an HVM image that exists in moto
PENDING_POLLS = 1  # DescribeEnvironments calls that still report Launching/Updating before Ready


def defaults(env) -> dict:
    single = env.options.get((ENV_NS, "EnvironmentType")) == "SingleInstance"
    return {
        (ENV_NS, "EnvironmentType"): "LoadBalanced",
        (LC_NS, "InstanceType"): "t3.micro",
        (LC_NS, "ImageId"): DEFAULT_IMAGE,
        (LC_NS, "DisableIMDSv1"): "false",
        (LC_NS, "MonitoringInterval"): "5 minute",
        (ASG_NS, "MinSize"): "1",
        (ASG_NS, "MaxSize"): "1" if single else "4",
        (ASG_NS, "Availability Zones"): "Any",
    }


def option(env, namespace, name):
    return env.options.get((namespace, name), defaults(env).get((namespace, name)))


def imdsv1_disabled(env) -> bool:
    return str(option(env, LC_NS, "DisableIMDSv1")).lower() == "true"


def _random(length, chars) -> str:
    from moto.moto_api._internal import mock_random as random

    return "".join(random.choice(chars) for _unused in range(length))


def _not_found(key, value):
    from moto.elasticbeanstalk.exceptions import InvalidParameterValueError

    return InvalidParameterValueError(f"No Environment found for {key} = '{value}'.")


def environments(backend, application_name=None):
    return [e for app in backend.applications.values() if application_name in (None, app.application_name) for e in app.environments.values()]


def find_environment(backend, environment_name=None, environment_id=None, application_name=None):
    """The environment named or with that id (ApplicationName narrows), else InvalidParameterValue as AWS answers."""
    if not environment_name and not environment_id:
        from moto.elasticbeanstalk.exceptions import ElasticBeanstalkException

        raise ElasticBeanstalkException("MissingParameter", "Either EnvironmentId or EnvironmentName must be specified.")
    for env in environments(backend, application_name):
        if (environment_id and env.environment_id == environment_id) or (not environment_id and env.environment_name == environment_name):
            return env
    if environment_id:
        raise _not_found("EnvironmentId", environment_id)
    raise _not_found("EnvironmentName", environment_name)


# the environment's CloudFormation stack -------------------------------------------------------------------------------
def stack_template(env) -> dict:
    """The stack Elastic Beanstalk keeps for the environment: group + launch configuration, or + launch template."""
    launch = {"ImageId": option(env, LC_NS, "ImageId"), "InstanceType": option(env, LC_NS, "InstanceType")}
    if option(env, LC_NS, "EC2KeyName"):
        launch["KeyName"] = option(env, LC_NS, "EC2KeyName")
    profile = option(env, LC_NS, "IamInstanceProfile")
    tags = [{"Key": "Name", "Value": env.environment_name, "PropagateAtLaunch": True}]
    tags += [{"Key": k, "Value": v, "PropagateAtLaunch": True} for k, v in eb_tags(env).items()]
    group = {
        "MinSize": option(env, ASG_NS, "MinSize"),
        "MaxSize": option(env, ASG_NS, "MaxSize"),
        "AvailabilityZones": [f"{env.region}a", f"{env.region}b"],
        "Tags": tags,
    }
    resources = {GROUP: {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": group}}
    detailed = option(env, LC_NS, "MonitoringInterval") == "1 minute"
    if env.uses_launch_template or imdsv1_disabled(env):
        env.uses_launch_template = True  # Elastic Beanstalk does not move an environment back to launch configurations
        data = dict(launch, MetadataOptions={"HttpTokens": "required" if imdsv1_disabled(env) else "optional", "HttpEndpoint": "enabled"})
        data["Monitoring"] = {"Enabled": detailed}
        if profile:
            data["IamInstanceProfile"] = {"Name": profile}
        resources[TEMPLATE] = {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateName": env.launch_template_name, "LaunchTemplateData": data}}
        group["LaunchTemplate"] = {"LaunchTemplateId": {"Ref": TEMPLATE}, "Version": {"Fn::GetAtt": [TEMPLATE, "LatestVersionNumber"]}}
    else:
        if profile:
            launch["IamInstanceProfile"] = profile
        resources[CONFIG] = {"Type": "AWS::AutoScaling::LaunchConfiguration", "Properties": dict(launch, InstanceMonitoring=detailed)}
        group["LaunchConfigurationName"] = {"Ref": CONFIG}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": "AWS Elastic Beanstalk environment", "Resources": resources}


def eb_tags(env) -> dict:
    return dict(env.tags or {}, **{"elasticbeanstalk:environment-name": env.environment_name, "elasticbeanstalk:environment-id": env.environment_id})


def cloudformation(env):
    from moto.cloudformation.models import cloudformation_backends

    return cloudformation_backends[env.application.account_id][env.region]


def stack(env):
    return next((s for s in cloudformation(env).stacks.values() if s.name == env.stack_name), None)


def deploy(env) -> None:
    """Create or update the environment's stack from its current options."""
    body = json.dumps(stack_template(env), indent=2)
    if stack(env) is None:
        cloudformation(env).create_stack(name=env.stack_name, template=body, parameters={}, tags=eb_tags(env))
    else:
        cloudformation(env).update_stack(name=env.stack_name, template=body, role_arn=None, parameters=[], tags=eb_tags(env))


def physical_ids(env) -> dict:
    found = stack(env)
    if found is None:
        return {}
    return {r.logical_resource_id: r.physical_resource_id for r in found.stack_resources if r is not None}


def environment_resources(env) -> dict:
    from moto.autoscaling.models import autoscaling_backends

    ids = physical_ids(env)
    group = autoscaling_backends[env.application.account_id][env.region].autoscaling_groups.get(ids.get(GROUP))
    return {
        "EnvironmentName": env.environment_name,
        "AutoScalingGroups": [{"Name": group.name}] if group else [],
        "Instances": [{"Id": s.instance.id} for s in group.instance_states] if group else [],
        "LaunchConfigurations": [{"Name": ids[CONFIG]}] if CONFIG in ids else [],
        "LaunchTemplates": [{"Id": ids[TEMPLATE]}] if TEMPLATE in ids else [],
        "LoadBalancers": [],
        "Triggers": [],
        "Queues": [],
    }


# status, driven by DescribeEnvironments --------------------------------------------------------------------------------
def begin(env, status, then=None) -> None:
    from moto.core.utils import utcnow

    env.status, env.polls, env.then = status, 0, then
    env.health, env.health_status = ("Grey", "Pending") if status == "Launching" else ("Green", "Info")
    env.abortable_operation_in_progress = status == "Updating"
    env.date_updated = utcnow()


def advance(env) -> None:
    from moto.core.utils import utcnow

    if env.status not in ("Launching", "Updating"):
        return
    if env.polls < PENDING_POLLS:
        env.polls += 1
        return
    if env.then is not None:
        env.then()
    env.status, env.then, env.health, env.health_status = "Ready", None, "Green", "Ok"
    env.abortable_operation_in_progress = False
    env.date_updated = utcnow()


def apply():
    from moto.core.responses import ActionResult
    from moto.elasticbeanstalk.exceptions import InvalidParameterValueError
    from moto.elasticbeanstalk.models import Environment
    from moto.elasticbeanstalk.responses import EBResponse

    saved = {n: EBResponse.__dict__.get(n) for n in ("create_environment", "describe_environments", "describe_environment_resources")}
    original_platform_arn = Environment.__dict__["platform_arn"]

    def create_environment(self):
        name = self._get_param("ApplicationName")
        app = self.elasticbeanstalk_backend.applications.get(name)
        if app is None:
            raise InvalidParameterValueError(f"No Application named '{name}' found.")
        env_name = self._get_param("EnvironmentName")
        if env_name in app.environments:
            raise InvalidParameterValueError(f"Environment {env_name} already exists.")
        tags = {t["Key"]: t["Value"] for t in self._get_param("Tags", [])}
        env = self.elasticbeanstalk_backend.create_environment(app, environment_name=env_name, stack_name=self._get_param("SolutionStackName"), tags=tags)
        env.environment_id = "e-" + _random(10, string.ascii_lowercase + string.digits)
        env.stack_name = f"awseb-{env.environment_id}-stack"
        env.launch_template_name = f"{env.stack_name}-{TEMPLATE}-{_random(12, string.ascii_uppercase + string.digits)}"
        env.uses_launch_template = False
        env.solution_stack_name = self._get_param("SolutionStackName")
        env.hubfix_platform_arn = self._get_param("PlatformArn")
        env.version_label = self._get_param("VersionLabel")
        env.template_name = self._get_param("TemplateName")
        env.description = self._get_param("Description")
        env.cname = f"{self._get_param('CNAMEPrefix') or env_name}.{env.region}.elasticbeanstalk.com"
        env.endpoint_url = f"{env.stack_name[:18]}-AWSEBLoa-{_random(12, string.ascii_uppercase)}.{env.region}.elb.amazonaws.com"
        if self._get_param("Tier"):
            env.tier = dict(env.tier, **self._get_param("Tier"))
        env.options = {(o["Namespace"], o["OptionName"]): str(o.get("Value")) for o in self._get_param("OptionSettings", []) if "Value" in o}
        try:
            deploy(env)
        except Exception:
            app.environments.pop(env_name, None)
            raise
        begin(env, "Launching")
        return ActionResult(env)

    def describe_environments(self):
        backend = self.elasticbeanstalk_backend
        names, ids = self._get_param("EnvironmentNames", []), self._get_param("EnvironmentIds", [])
        found = [
            e
            for e in environments(backend, self._get_param("ApplicationName"))
            if (not names or e.environment_name in names) and (not ids or getattr(e, "environment_id", None) in ids)
        ]
        for env in found:
            if hasattr(env, "stack_name"):
                advance(env)
        return ActionResult({"Environments": found})

    def describe_environment_resources(self):
        env = find_environment(self.elasticbeanstalk_backend, self._get_param("EnvironmentName"), self._get_param("EnvironmentId"))
        return ActionResult({"EnvironmentResources": environment_resources(env)})

    EBResponse.create_environment = create_environment
    EBResponse.describe_environments = describe_environments
    EBResponse.describe_environment_resources = describe_environment_resources
    Environment.platform_arn = property(lambda self: getattr(self, "hubfix_platform_arn", None))

    def undo():
        Environment.platform_arn = original_platform_arn
        for name, func in saved.items():
            if func is None:
                delattr(EBResponse, name)
            else:
                setattr(EBResponse, name, func)

    return undo
