from __future__ import annotations

from ansible_collections.hubfix.aws.plugins.module_utils.owners import owner_from_tags


def test_no_owner_tags():
    assert owner_from_tags({}) is None
    assert owner_from_tags(None) is None


def test_cloudformation_stack_and_logical_id():
    tags = {"aws:cloudformation:stack-name": "web", "aws:cloudformation:stack-id": "arn:stack/web/1", "aws:cloudformation:logical-id": "Group"}
    assert owner_from_tags(tags) == {"type": "cloudformation", "name": "web", "id": "arn:stack/web/1", "logical_id": "Group"}


def test_elastic_beanstalk_wins_over_its_own_stack():
    tags = {
        "elasticbeanstalk:environment-name": "prod-env",
        "elasticbeanstalk:environment-id": "e-abc",
        "aws:cloudformation:stack-name": "awseb-e-abc-stack",
    }
    assert owner_from_tags(tags) == {"type": "elastic_beanstalk", "name": "prod-env", "id": "e-abc"}
