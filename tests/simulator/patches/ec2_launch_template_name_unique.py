"""CreateLaunchTemplate keeps launch template names unique under concurrent requests.

moto 5.2.5 refuses a second template with an existing name (``InvalidLaunchTemplateName.AlreadyExistsException``
"Launch template name already in use.", HTTP 400, as AWS does) when the requests come one after the other, but the
check and the insertion are not atomic: moto server answers each request in its own thread, and two CreateLaunchTemplate
calls with one name arriving together both pass the check while the first is still building its template. Measured on
plain moto, 8 threads creating one name at once: two or more succeeded in 41 and in 25 of 200 rounds in-process (two
measurements) and in 1 of 300 rounds against ``serve --no-patches`` (HTTP handling spreads the requests out), leaving as
many templates with that name (the name then resolves to the last one registered). Two hubfix runs converting the same launch configuration
at the same moment must see what AWS gives them: one creates the template, the other gets AlreadyExists.

The patch runs moto's ``create_launch_template`` (name check, template construction, registration) under one lock, for
the API call and for anything else that creates templates through moto's EC2 backend (CloudFormation). Not covered:
concurrent CreateLaunchTemplateVersion on one template (moto numbers a version ``len(versions) + 1``).
"""

from __future__ import annotations

import threading

NAME = "ec2-launch-template-name-unique"
AWS_BEHAVIOUR = (
    "CreateLaunchTemplate with a name already used in the account and Region fails with HTTP 400 "
    'InvalidLaunchTemplateName.AlreadyExistsException "Launch template name already in use."; of concurrent requests '
    "with one name exactly one creates the template. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"
)


def apply():
    from moto.ec2.models.launch_templates import LaunchTemplateBackend

    original = LaunchTemplateBackend.create_launch_template
    lock = threading.Lock()

    def create_launch_template(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    LaunchTemplateBackend.create_launch_template = create_launch_template

    def undo():
        LaunchTemplateBackend.create_launch_template = original

    return undo
