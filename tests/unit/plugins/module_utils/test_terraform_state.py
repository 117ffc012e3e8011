from __future__ import annotations

import json

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils.terraform_state import (
    OwnerIndex,
    TerraformStateError,
    load_state,
    owned_resources,
    ownership_from_texts,
    parse_s3_url,
    resource_address,
)

AWS = 'provider["registry.terraform.io/hashicorp/aws"]'


def resource(type_, name, *instances, module=None, mode="managed"):
    out = {"mode": mode, "type": type_, "name": name, "provider": AWS, "instances": list(instances)}
    if module:
        out["module"] = module
    return out


def instance(index_key=None, **attributes):
    out = {"schema_version": 0, "attributes": attributes}
    if index_key is not None:
        out["index_key"] = index_key
    return out


def state(*resources, version=4):
    return {"version": version, "terraform_version": "1.5.7", "serial": 3, "lineage": "8d1f", "outputs": {}, "resources": list(resources)}


WEB = state(
    resource("aws_launch_configuration", "this", instance(id="web-lc-2023", name="web-lc-2023"), module="module.web"),
    resource("aws_autoscaling_group", "this", instance(id="web-asg", name="web-asg", launch_configuration="web-lc-2023"), module="module.web"),
)


# parse_s3_url


def test_s3_url_key_keeps_its_slashes():
    assert parse_s3_url("s3://tf-states/prod/web/terraform.tfstate") == ("tf-states", "prod/web/terraform.tfstate")


@pytest.mark.parametrize("path", ["terraform.tfstate", "/srv/tf/terraform.tfstate", "https://example.com/terraform.tfstate", "", None])
def test_not_an_s3_url(path):
    assert parse_s3_url(path) is None


@pytest.mark.parametrize("path", ["s3://", "s3://bucket", "s3://bucket/", "s3:///key"])
def test_s3_url_without_bucket_or_key(path):
    with pytest.raises(ValueError, match="expected s3://bucket/key"):
        parse_s3_url(path)


# load_state


def test_load_state_version_4():
    assert load_state(json.dumps(WEB), "web.tfstate") == WEB


def test_version_3_refused_naming_the_file():
    with pytest.raises(TerraformStateError) as e:
        load_state(json.dumps(state(version=3)), "s3://tf/old.tfstate")
    assert str(e.value) == "s3://tf/old.tfstate: Terraform state format version 3 found; only format version 4 (Terraform >= 0.12) is read"


def test_missing_version_refused():
    with pytest.raises(TerraformStateError, match="old.tfstate: Terraform state format no version found"):
        load_state("{}", "old.tfstate")


@pytest.mark.parametrize("text", ["", "not json", '{"version": 4', "[4]"])
def test_invalid_json_refused_naming_the_file(text):
    with pytest.raises(TerraformStateError, match="^broken.tfstate: not a Terraform state file"):
        load_state(text, "broken.tfstate")


# resource_address


@pytest.mark.parametrize(
    "args, address",
    [
        ((None, "aws_instance", "db"), "aws_instance.db"),
        (("module.web", "aws_autoscaling_group", "this"), "module.web.aws_autoscaling_group.this"),
        (("module.web.module.inner", "aws_instance", "db"), "module.web.module.inner.aws_instance.db"),
        ((None, "aws_instance", "db", 0), "aws_instance.db[0]"),
        ((None, "aws_instance", "db", "blue"), 'aws_instance.db["blue"]'),
        (('module.app["eu"]', "aws_instance", "db", 'a"b'), 'module.app["eu"].aws_instance.db["a\\"b"]'),
    ],
)
def test_resource_address(args, address):
    assert resource_address(*args) == address


# owned_resources


def test_launch_configuration_and_group_by_name_in_a_module():
    assert owned_resources(WEB, "web.tfstate") == [
        {"kind": "launch_configuration", "id": "web-lc-2023", "address": "module.web.aws_launch_configuration.this", "state_file": "web.tfstate"},
        {"kind": "autoscaling_group", "id": "web-asg", "address": "module.web.aws_autoscaling_group.this", "state_file": "web.tfstate"},
    ]


def test_name_falls_back_to_id():
    records = owned_resources(state(resource("aws_launch_configuration", "lc", instance(id="lc-1", name=""))), "s")
    assert [r["id"] for r in records] == ["lc-1"]


def test_instance_by_id_with_count_in_nested_module():
    tf = state(resource("aws_instance", "db", instance(0, id="i-0aaa", tags={"Name": "db"}), instance(1, id="i-0bbb"), module="module.web.module.inner"))
    assert [(r["kind"], r["id"], r["address"]) for r in owned_resources(tf, "s")] == [
        ("instance", "i-0aaa", "module.web.module.inner.aws_instance.db[0]"),
        ("instance", "i-0bbb", "module.web.module.inner.aws_instance.db[1]"),
    ]


def test_for_each_keys():
    tf = state(resource("aws_autoscaling_group", "pool", instance("blue", id="pool-blue", name="pool-blue"), instance("green", name="pool-green")))
    assert [(r["id"], r["address"]) for r in owned_resources(tf, "s")] == [
        ("pool-blue", 'aws_autoscaling_group.pool["blue"]'),
        ("pool-green", 'aws_autoscaling_group.pool["green"]'),
    ]


def test_data_sources_and_other_types_skipped():
    tf = state(
        resource("aws_instance", "existing", instance(id="i-0data"), mode="data"),
        resource("aws_autoscaling_group", "existing", instance(id="asg-data", name="asg-data"), mode="data"),
        resource("aws_security_group", "sg", instance(id="sg-0abc", name="web")),
        resource("aws_instance", "web", instance(id="i-0web")),
    )
    assert [r["id"] for r in owned_resources(tf, "s")] == ["i-0web"]


def test_instances_without_identifier_skipped():
    tf = state(resource("aws_instance", "db", instance(0), instance(1, id=""), instance(2, id="i-0ccc")), resource("aws_instance", "none"))
    assert [r["address"] for r in owned_resources(tf, "s")] == ["aws_instance.db[2]"]


def test_no_resources():
    assert owned_resources({"version": 4}, "s") == []


def test_resources_not_a_list_refused():
    with pytest.raises(TerraformStateError, match="^bad.tfstate: .*resources is not a list"):
        owned_resources({"version": 4, "resources": {"aws_instance": {}}}, "bad.tfstate")


# OwnerIndex


def test_owner_lookup():
    index = OwnerIndex()
    index.add_state(WEB, "s3://tf/web.tfstate")
    index.add_state(state(resource("aws_instance", "db", instance(id="i-0aaa"))), "db.tfstate")
    assert index.owner("launch_configuration", "web-lc-2023") == {
        "type": "terraform",
        "name": "module.web.aws_launch_configuration.this",
        "state_file": "s3://tf/web.tfstate",
    }
    assert index.owner("autoscaling_group", "web-asg")["name"] == "module.web.aws_autoscaling_group.this"
    assert index.owner("instance", "i-0aaa") == {"type": "terraform", "name": "aws_instance.db", "state_file": "db.tfstate"}
    assert index.owner("instance", "i-0other") is None
    assert index.owner("autoscaling_group", "web-lc-2023") is None  # kinds are kept apart
    assert index.conflicts == []


def test_owner_is_a_copy():
    index = OwnerIndex()
    index.add_state(WEB, "web.tfstate")
    index.owner("autoscaling_group", "web-asg")["name"] = "changed"
    assert index.owner("autoscaling_group", "web-asg")["name"] == "module.web.aws_autoscaling_group.this"


def test_duplicate_across_files_keeps_first_and_reports_conflict():
    index = OwnerIndex()
    index.add_state(WEB, "prod.tfstate")
    index.add_state(state(resource("aws_autoscaling_group", "copy", instance(id="web-asg", name="web-asg"))), "copy.tfstate")
    assert index.owner("autoscaling_group", "web-asg") == {"type": "terraform", "name": "module.web.aws_autoscaling_group.this", "state_file": "prod.tfstate"}
    assert index.conflicts == [
        "autoscaling_group web-asg is managed by both module.web.aws_autoscaling_group.this in prod.tfstate and aws_autoscaling_group.copy in copy.tfstate;"
        " the first is reported as its owner"
    ]


def test_same_file_added_twice_is_no_conflict():
    index = OwnerIndex()
    index.add_state(WEB, "web.tfstate")
    index.add_state(WEB, "web.tfstate")
    assert index.conflicts == []


# ownership_from_texts


def test_bad_files_reported_and_the_others_read():
    index, errors = ownership_from_texts(
        [
            ("old.tfstate", json.dumps(state(resource("aws_instance", "db", instance(id="i-0old")), version=3))),
            ("web.tfstate", json.dumps(WEB)),
            ("s3://tf/broken.tfstate", "<html>Access Denied</html>"),
        ]
    )
    assert index.owner("autoscaling_group", "web-asg")["state_file"] == "web.tfstate"
    assert index.owner("instance", "i-0old") is None
    assert len(errors) == 2
    assert errors[0].startswith("old.tfstate: Terraform state format version 3 found")
    assert errors[1].startswith("s3://tf/broken.tfstate: not a Terraform state file")


def test_no_files():
    index, errors = ownership_from_texts([])
    assert index.owner("instance", "i-0aaa") is None
    assert errors == []
