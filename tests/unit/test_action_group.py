"""Every module that calls AWS is in the collection's action group `aws`: the roles pass each account's credentials
through `module_defaults: group/hubfix.aws.aws`, so a module left out of the group would run with the ambient
credentials - in the wrong account, or without the AWX session token."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def aws_modules():
    return sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if "AnsibleAWSModule" in p.read_text())


def test_every_aws_module_is_in_the_action_group():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    group = {m for m in runtime["action_groups"]["aws"] if isinstance(m, str)}
    modules = aws_modules()
    assert "ec2_volume_copy" in modules and "paravirtual_instance_info" in modules  # the scan itself finds them
    assert sorted(set(modules) - group) == []
