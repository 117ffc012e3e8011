"""The paravirtual instance types and their HVM replacements: one table, read by the detection, the pre-flight check and
the pv_to_hvm role (whose pv_to_hvm_instance_type_map default is only an override on top of it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.hubfix.aws.plugins.module_utils import instance_types as it

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("family", ["t1", "m1", "m2", "m3", "c1", "c3", "cc1", "cc2", "cg1", "cr1", "hi1", "hs1"])
def test_every_pv_family_has_sizes_each_mapped_to_a_current_generation_type(family):
    sizes = [t for t in it.HVM_REPLACEMENT if t.startswith(family + ".")]
    assert sizes, family
    for t in sizes:
        assert it.suggest_instance_type(t).split(".")[0] in {"t3", "m5", "r5", "c5", "g4dn", "i3", "d3"}, t
        assert t in it.INSTANCE_STORE_VOLUMES, t
    assert it.suggest_instance_type(family + ".unknownsize") == it.HVM_REPLACEMENT_BY_FAMILY[family]
    assert family in it.PARAVIRTUAL_FAMILIES


def test_no_suggestion_for_unknown_or_missing_types():
    assert it.suggest_instance_type("t3.micro") is None
    assert it.suggest_instance_type(None) is None


def test_precedence_instance_then_type_override_then_table_then_suggestion():
    assert it.resolve_instance_type("i-1", "m1.small") == "t3.small"
    assert it.resolve_instance_type("i-1", "m1.small", {"m1.small": "t3.medium"}) == "t3.medium"
    assert it.resolve_instance_type("i-1", "m1.small", {"m1.small": "t3.medium", "i-1": "m5.large"}) == "m5.large"
    assert it.resolve_instance_type("i-1", "x9.weird", suggested="m5.large") == "m5.large"
    with pytest.raises(it.NoReplacementType, match="i-1: no target instance type for x9.weird"):
        it.resolve_instance_type("i-1", "x9.weird")


def test_the_role_default_is_an_empty_override_not_a_copy_of_the_table():
    defaults = yaml.safe_load((ROOT / "roles/pv_to_hvm/defaults/main.yml").read_text())
    assert defaults["pv_to_hvm_instance_type_map"] == {}
    specs = yaml.safe_load((ROOT / "roles/pv_to_hvm/meta/argument_specs.yml").read_text())
    documented = [spec["options"].get("pv_to_hvm_instance_type_map") for spec in specs["argument_specs"].values()]
    assert all(d is None or d.get("default", {}) == {} for d in documented)


def test_nitro_and_xen_families():
    from ansible_collections.hubfix.aws.plugins.module_utils.instance_types import is_nitro, nvme_device

    assert [is_nitro(t) for t in ("t3.small", "m5.large", "c6g.large", "p3dn.24xlarge")] == [True] * 4
    assert [is_nitro(t) for t in ("t2.micro", "m4.large", "i3.large", "p3.2xlarge", None, "")] == [False] * 6
    assert nvme_device("vol-0123456789abcdef0") == "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0"
