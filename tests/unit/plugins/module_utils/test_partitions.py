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
