"""Partitions and region names come from botocore's endpoint data: checked here against that data itself, region by
region, so a new partition or region needs no change in hubfix."""

from __future__ import annotations

import pytest
from botocore.loaders import create_loader

from ansible_collections.hubfix.aws.plugins.module_utils import partitions as p

ENDPOINTS = create_loader().load_data("endpoints")
KNOWN = [(part["partition"], region) for part in ENDPOINTS["partitions"] for region in part["regions"]]


@pytest.mark.parametrize("partition,region", KNOWN)
def test_every_known_region_maps_to_its_partition(partition, region):
    assert p.partition_for(region) == partition
    assert p.is_region_name(region)


def test_iso_and_gov_partitions_by_name_form_and_arns():
    assert p.partition_for("us-isob-east-9") == "aws-iso-b"
    assert p.partition_for("us-gov-west-9") == "aws-us-gov"
    assert p.partition_for("cn-north-9") == "aws-cn"
    assert p.instance_arn("cn-north-1", "123456789012", "i-1") == "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1"
    assert p.securityhub_default_product_arn("us-gov-west-1", "1") == "arn:aws-us-gov:securityhub:us-gov-west-1:1:product/1/default"


@pytest.mark.parametrize("bad", ["", "us-east", "US-EAST-1", "useast1", "all", None, 5])
def test_malformed_region_names(bad):
    assert not p.is_region_name(bad)


def test_the_partition_data_is_read_without_importing_botocore():
    """role_inputs and the audit report run in controller tasks: botocore's loader would cost them 0.1 s each."""
    import subprocess
    import sys
    from pathlib import Path

    collections = Path(__file__).resolve().parents[4] / ".venv" / "collections"
    code = (
        "import sys; from ansible_collections.hubfix.aws.plugins.module_utils import partitions as p; "
        "print(p.partition_for('cn-north-1'), p.is_region_name('eu-west-1'), 'botocore' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(collections)}, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["aws-cn", "True", "False"]


def test_without_partitions_json_the_endpoints_data_is_used(monkeypatch):
    monkeypatch.setattr(p.importlib.util, "find_spec", lambda name: None)
    by_loader = p._partition_data()
    assert {name for name, _regex, _regions in by_loader} >= {"aws", "aws-cn", "aws-us-gov"}
    assert ("aws", ENDPOINTS["partitions"][0]["regionRegex"], ENDPOINTS["partitions"][0]["regions"]) in by_loader
