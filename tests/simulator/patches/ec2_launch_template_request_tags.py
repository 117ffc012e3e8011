"""CreateLaunchTemplate's own TagSpecifications tag the template; they are not part of its launch data.

moto 5.2.5 (``LaunchTemplates.create_launch_template`` in ``moto/ec2/responses/launch_templates.py``) appends the
request's ``TagSpecifications`` (``ResourceType=launch-template``: the tags of the template itself) to the version's
``LaunchTemplateData.TagSpecifications``, so DescribeLaunchTemplateVersions shows the template's creation tags - a claim
tag's value included - as if they were tags for the instances the template launches. On AWS the two are separate:
``LaunchTemplateData.TagSpecifications`` (instance, volume ... tags at launch) holds only what the caller put there.
Measured on plain moto: a template created with ``TagSpecifications=[launch-template: a=1]`` and launch data without
tags shows ``LaunchTemplateData.TagSpecifications == [launch-template: a=1]``.

The patch runs moto's handler, then gives version 1 back the launch data's own ``TagSpecifications`` as sent (none
when the data had none). The template's tags are untouched (moto stores them separately).
"""

from __future__ import annotations

import copy

NAME = "ec2-launch-template-request-tags"
AWS_BEHAVIOUR = (
    "CreateLaunchTemplate's TagSpecifications (resource type launch-template) tag the launch template; the version's "
    "LaunchTemplateData.TagSpecifications holds only the tag specifications given inside LaunchTemplateData. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html"
)


def apply():
    from moto.ec2.responses.launch_templates import LaunchTemplates

    original = LaunchTemplates.create_launch_template

    def create_launch_template(self):
        own = copy.deepcopy((self._get_param("LaunchTemplateData", {}) or {}).get("TagSpecifications"))
        result = original(self)
        template = self.ec2_backend.get_launch_template_by_name(self._get_param("LaunchTemplateName"))
        data = template.versions[0].data
        if own:
            data["TagSpecifications"] = own
        else:
            data.pop("TagSpecifications", None)
        return result

    LaunchTemplates.create_launch_template = create_launch_template

    def undo():
        LaunchTemplates.create_launch_template = original

    return undo
