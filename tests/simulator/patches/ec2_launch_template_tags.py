"""DescribeLaunchTemplates shows a launch template's current tags, CreateTags and DeleteTags included.

moto 5.2.5 keeps EC2 tags in its central tag store (``ec2_backend.tags``, what DescribeTags reads), and CreateTags /
DeleteTags on a launch template update that store. But ``LaunchTemplate.__init__`` copies the tags once
(``self.tags = self.get_tags()``) and CreateLaunchTemplate, DescribeLaunchTemplates and ModifyLaunchTemplate all render
``"Tags": template.tags``, that copy. Measured on plain moto: a template created with tags A and B, then
``DeleteTags`` A, ``CreateTags`` C and ``CreateTags`` B=changed: DescribeTags lists B=changed and C, DescribeLaunchTemplates
still lists A=1 and B=2. The ``tag:<key>``, ``tag-key`` and ``tag-value`` filters of DescribeLaunchTemplates already
read the tag store (``TaggedEC2Resource.get_filter_value``), so on plain moto a template can be returned for
``tag:C=3`` without C in its ``Tags``, and not returned for ``tag:A=1`` while still showing A=1. DeleteTags itself
behaves as AWS for launch templates: a ``{"Key": k}`` removes k whatever its value, ``{"Key": k, "Value": v}`` only when
the value is v (``""`` only an empty value).

The patch makes ``LaunchTemplate.tags`` a property that reads the tag store (moto's own ``get_tags()``, as the filters
do), so every response that renders it (CreateLaunchTemplate, DescribeLaunchTemplates, ModifyLaunchTemplate) shows
the current tags. moto's assignment in ``__init__`` is still stored on the instance, so templates created while the
patch is applied keep moto's copy after undo.

Not covered (a moto gap of DeleteTags for every resource type, not of launch templates): DeleteTags without ``Tags``
deletes nothing on moto, while AWS deletes all the resource's user-defined tags.
"""

from __future__ import annotations

NAME = "ec2-launch-template-tags"
AWS_BEHAVIOUR = (
    "DescribeLaunchTemplates returns each launch template's current tags in Tags (those given in TagSpecifications at "
    "creation as changed since by CreateTags and DeleteTags, as DescribeTags lists them), and its tag:<key>, tag-key "
    "and tag-value filters match those tags. DeleteTags with a key and no value deletes the tag whatever its value; "
    "with a value (an empty string included) only when the tag has that value. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplate.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteTags.html"
)

_MISSING = object()


def apply():
    from moto.ec2.models.launch_templates import LaunchTemplate

    original = LaunchTemplate.__dict__.get("tags", _MISSING)  # moto 5.2.5: none, ``tags`` is an instance attribute

    def get(self):
        return self.get_tags()

    def set_(self, value):
        self.__dict__["tags"] = value  # moto's creation-time copy: unused while patched, what moto reads after undo

    LaunchTemplate.tags = property(get, set_, doc="The template's current tags, from the EC2 tag store.")

    def undo():
        if original is _MISSING:
            del LaunchTemplate.tags
        else:
            LaunchTemplate.tags = original

    return undo
