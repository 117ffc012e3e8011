from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import controls as c


@pytest.mark.parametrize(
    "region,expected",
    [("us-east-1", True), ("eu-west-1", True), ("cn-north-1", True), ("ap-southeast-2", True), ("eu-west-2", False), ("ap-south-1", False)],
)
def test_security_hub_evaluates_ec2_24_only_where_its_config_rule_exists(region, expected):
    assert c.security_hub_evaluates_ec2_24(region) is expected


def test_every_control_has_its_facts():
    for table in (c.TITLES, c.SEVERITY, c.RESOURCE_TYPE, c.CONFIG_RULE, c.REMEDIATION_PLAYBOOK):
        assert set(table) == set(c.CONTROLS)


def test_every_reason_has_a_text():
    for reason in c.AUTOSCALING_3_REASONS + (c.REASON_PARAVIRTUAL, c.REASON_LAUNCH_CONFIGURATION):
        assert c.reason_text(reason) and c.reason_text(reason) != reason


def test_validate_controls_order_strings_and_unknown_names():
    assert c.validate_controls(None) == list(c.CONTROLS)
    assert c.validate_controls(["AutoScaling.9", "EC2.24"]) == ["EC2.24", "AutoScaling.9"]
    assert c.validate_controls("AutoScaling.3, EC2.24") == ["EC2.24", "AutoScaling.3"]
    assert c.validate_controls("AutoScaling.3\nAutoScaling.9\n") == ["AutoScaling.3", "AutoScaling.9"]
    with pytest.raises(c.UnknownControl, match="unknown control.*EC2.42"):
        c.validate_controls(["EC2.42"])
