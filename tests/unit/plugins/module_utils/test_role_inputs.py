"""Role inputs as AWX sends them (module_utils/role_inputs.py), against the roles' real argument specs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.hubfix.aws.plugins.module_utils.role_inputs import InputProblem, convert, unknown_message, unknown_names

ROLES = Path(__file__).resolve().parents[4] / "roles"


def spec(role, entry_point="main"):
    return yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"][entry_point]["options"]


AS3 = spec("autoscaling_imdsv2")
AUDIT = spec("audit")
DISCOVER = spec("pv_to_hvm", "discover")


@pytest.mark.parametrize(
    "text, value",
    [("false", False), ("False", False), ("no", False), ("off", False), ("0", False), ("true", True), ("yes", True), ("1", True)],
)
def test_survey_booleans_are_booleans(text, value):
    assert convert(AS3, {"autoscaling_imdsv2_force": text})["autoscaling_imdsv2_force"] is value


def test_survey_numbers_lists_and_dicts():
    out = convert(
        DISCOVER,
        {
            "pv_to_hvm_parallel": "3",
            "pv_to_hvm_instance_ids": "i-00000001\ni-00000002, i-00000003\n",
            "pv_to_hvm_image_map": '{"us-east-1": "ami-12345678"}',
            "pv_to_hvm_replacement_tags": "",
        },
    )
    assert out["pv_to_hvm_parallel"] == 3
    assert out["pv_to_hvm_instance_ids"] == ["i-00000001", "i-00000002", "i-00000003"]
    assert out["pv_to_hvm_image_map"] == {"us-east-1": "ami-12345678"}
    assert out["pv_to_hvm_replacement_tags"] == {}
    assert out["pv_to_hvm_terminate_source"] is False, "defaults filled in from the spec"


def test_typed_values_pass_unchanged():
    typed = {"autoscaling_imdsv2_force": True, "autoscaling_imdsv2_imdsv1_usage_days": 7, "autoscaling_imdsv2_group_names": ["a", "b"]}
    out = convert(AS3, typed)
    assert {k: out[k] for k in typed} == typed


def test_a_json_list_string_is_a_list():
    assert convert(AS3, {"autoscaling_imdsv2_group_names": '["a", "b"]'})["autoscaling_imdsv2_group_names"] == ["a", "b"]


def test_regions_follow_the_one_rule():
    assert convert(AUDIT, {"audit_regions": "us-east-1,\neu-west-1"})["audit_regions"] == ["us-east-1", "eu-west-1"]
    assert convert(AUDIT, {"audit_regions": "all"})["audit_regions"] == "all"
    with pytest.raises(InputProblem, match=r"audit_regions: unknown region name\(s\): us-eats-1"):
        convert(AUDIT, {"audit_regions": ["us-east-1", "us-eats-1"]})


@pytest.mark.parametrize("text", ["EC2.24, AutoScaling.3", "EC2.24\nAutoScaling.3", ["AutoScaling.3", "EC2.24"]])
def test_controls_as_a_survey_multiple_choice_sends_them(text):
    assert convert(AUDIT, {"audit_controls": text})["audit_controls"] == ["EC2.24", "AutoScaling.3"]


def test_an_unknown_control_is_named():
    with pytest.raises(InputProblem, match=r"audit_controls: unknown control\(s\): EC2.99"):
        convert(AUDIT, {"audit_controls": "EC2.24,EC2.99"})


def test_every_bad_input_is_one_line_naming_it_its_value_and_what_is_expected():
    with pytest.raises(InputProblem) as e:
        convert(DISCOVER, {"pv_to_hvm_parallel": "many", "pv_to_hvm_terminate_source": "maybe", "pv_to_hvm_image_id": "ami-12345678"})
    lines = str(e.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("pv_to_hvm_parallel: 'many' is not valid, expected a whole number")
    assert lines[1].startswith("pv_to_hvm_terminate_source: 'maybe' is not valid, expected true or false")


def test_choices_are_named_when_refused():
    with pytest.raises(InputProblem, match="autoscaling_imdsv2_http_endpoint: 'on' is not valid, expected one of enabled, disabled"):
        convert(AS3, {"autoscaling_imdsv2_http_endpoint": "on"})


def test_misspelled_prefixed_variables_are_found_with_the_closest_name():
    known = set(AS3) | set(AUDIT) | set(DISCOVER)
    names = ["autoscaling_imdsv2_region", "pv_to_hvm_regions", "hubfix_acounts", "my_var", "audit__internal", "audit_result", "hubfix_qqqqqqqqqq"]
    unknown = unknown_names(names, known)
    assert unknown == [("autoscaling_imdsv2_region", "autoscaling_imdsv2_regions"), ("hubfix_acounts", "hubfix_accounts"), ("hubfix_qqqqqqqqqq", None)]
    assert unknown_message(unknown).splitlines() == [
        "autoscaling_imdsv2_region is not a hubfix.aws variable; did you mean autoscaling_imdsv2_regions?",
        "hubfix_acounts is not a hubfix.aws variable; did you mean hubfix_accounts?",
        "hubfix_qqqqqqqqqq is not a hubfix.aws variable",
    ]


@pytest.mark.parametrize("run_id", ["..", ".", "run/1", "run-1\n", "x" * 65])
def test_a_run_id_that_cannot_name_a_directory_is_refused_up_front(run_id):
    with pytest.raises(InputProblem, match="hubfix_run_id: run id .* must be 1-64 characters"):
        convert(AUDIT, {"hubfix_run_id": run_id})


def test_a_good_run_id_is_kept_and_an_empty_one_means_a_new_run():
    assert convert(AUDIT, {"hubfix_run_id": "nightly-2026-12-01"})["hubfix_run_id"] == "nightly-2026-12-01"
    assert convert(AUDIT, {"hubfix_run_id": ""})["hubfix_run_id"] is None
