# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who owns a resource besides the account: the service or tool whose tags are on it.

A resource someone else manages is never changed out of band (it would drift, or be put back by its owner).
Elastic Beanstalk environments run on CloudFormation stacks of their own, so Beanstalk's tags win over the stack's.
"""

from __future__ import annotations

TAG_CFN_STACK = "aws:cloudformation:stack-name"
TAG_CFN_STACK_ID = "aws:cloudformation:stack-id"
TAG_CFN_LOGICAL_ID = "aws:cloudformation:logical-id"
TAG_EB_ENV = "elasticbeanstalk:environment-name"
TAG_EB_ENV_ID = "elasticbeanstalk:environment-id"
TAG_ASG = "aws:autoscaling:groupName"


def owner_from_tags(tags):
    """``{type, name, id}`` of the service that manages a resource, from its tags, or None."""
    tags = tags or {}
    if tags.get(TAG_EB_ENV):
        return {"type": "elastic_beanstalk", "name": tags[TAG_EB_ENV], "id": tags.get(TAG_EB_ENV_ID)}
    if tags.get(TAG_CFN_STACK):
        return {"type": "cloudformation", "name": tags[TAG_CFN_STACK], "id": tags.get(TAG_CFN_STACK_ID), "logical_id": tags.get(TAG_CFN_LOGICAL_ID)}
    return None
