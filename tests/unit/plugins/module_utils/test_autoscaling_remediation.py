"""AutoScaling.3 remediation logic (plugins/module_utils/autoscaling.py)."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling as asg
from ansible_collections.hubfix.aws.plugins.module_utils import imdsv1_usage as usage
from ansible_collections.hubfix.aws.plugins.module_utils import lc_backup

REGION = "us-east-1"
ACCOUNT = "123456789012"
CREATED = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def lc(name, tokens=None, endpoint=None, user_data=None):
    out = {"LaunchConfigurationName": name, "LaunchConfigurationARN": "arn:lc/" + name, "ImageId": "ami-1", "InstanceType": "t3.micro", "CreatedTime": CREATED}
    if tokens or endpoint:
        out["MetadataOptions"] = {k: v for k, v in {"HttpTokens": tokens, "HttpEndpoint": endpoint}.items() if v}
    if user_data:
        out["UserData"] = user_data
    return out


def group(name, lc_name=None, template=None, mixed=False, instances=()):
    g = {"AutoScalingGroupName": name, "MinSize": 0, "MaxSize": 2, "DesiredCapacity": len(instances), "Instances": []}
    if lc_name:
        g["LaunchConfigurationName"] = lc_name
    if template:
        g["LaunchTemplate"] = template
    if mixed:
        g["MixedInstancesPolicy"] = {
            "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": "lt-m", "LaunchTemplateName": "mixed", "Version": "$Latest"}}
        }
    for i in instances:
        g["Instances"].append(dict({"InstanceId": i[0], "LifecycleState": i[1] if len(i) > 1 else "InService"}, **(i[2] if len(i) > 2 else {})))
    return g


ESTATE_LCS = [
    lc("lc-optional", "optional"),
    lc("lc-none"),
    lc("lc-required", "required"),
    lc("lc-disabled", "optional", "disabled"),
    lc("lc-unused", "optional"),
]
ESTATE_GROUPS = [
    group("asg-web", "lc-optional", instances=[("i-1",), ("i-2", "Terminating")]),
    group("asg-web2", "lc-optional"),
    group("asg-api", "lc-none"),
    group("asg-secure", "lc-required"),
    group("asg-legacy", "lc-disabled"),
    group("asg-template", template={"LaunchTemplateId": "lt-1", "LaunchTemplateName": "t", "Version": "1"}),
    group("asg-mixed", mixed=True),
]


def plan(**kw):
    return asg.plan_region(REGION, ACCOUNT, ESTATE_LCS, ESTATE_GROUPS, **kw)


class TestPlan:
    def test_also_names_add_compliant_launch_configurations_without_limiting_the_plan(self):
        items, found, _unused, errors = plan(also_lc_names=["lc-required", "lc-gone"])
        assert errors == [] and found == []
        assert {i["name"]: i["action"] for i in items} == {
            "lc-optional": "convert",
            "lc-none": "convert",
            "lc-required": "convert",
            "lc-disabled": "convert",
            "lc-unused": "keep_unused",
        }
        assert next(i for i in items if i["name"] == "lc-required")["groups"][0]["name"] == "asg-secure"

    def test_default_handles_every_failing_launch_configuration(self):
        items, _unused, _unused, errors = plan()
        assert errors == []
        assert {i["name"]: i["action"] for i in items} == {
            "lc-optional": "convert",
            "lc-none": "convert",
            "lc-disabled": "convert",
            "lc-unused": "keep_unused",
        }

    def test_groups_listed_with_instances(self):
        items, _unused, _unused, _unused = plan()
        web = next(i for i in items if i["name"] == "lc-optional")
        assert [g["name"] for g in web["groups"]] == ["asg-web", "asg-web2"]
        assert web["groups"][0]["instances"] == ["i-1", "i-2"]
        assert web["groups"][0]["live_instances"] == ["i-1"]
        assert web["reason"] == "http_tokens_optional"
        assert web["other_groups"] == []

    def test_delete_unused(self):
        items, _unused, _unused, _unused = plan(delete_unused=True)
        assert next(i for i in items if i["name"] == "lc-unused")["action"] == "delete_unused"

    def test_user_data_never_in_plan(self):
        items, _unused, _unused, _unused = asg.plan_region(REGION, ACCOUNT, [lc("lc-ud", "optional", user_data="c2VjcmV0")], [])
        assert "c2VjcmV0" not in json.dumps(items, default=str)
        assert items[0]["user_data_present"] is True

    def test_names_limit(self):
        items, found, _unused, _unused = plan(lc_names=["lc-none", "nope"])
        assert [i["name"] for i in items] == ["lc-none"]
        assert found == ["lc-none"]

    def test_named_compliant_launch_configuration_is_handled(self):
        items, _unused, _unused, _unused = plan(lc_names=["lc-required"])
        assert items[0]["action"] == "convert" and items[0]["compliant"] is True

    def test_group_names_limit_groups_and_keep_other_users(self):
        items, _unused, found, errors = plan(group_names=["asg-web"])
        assert errors == [] and found == ["asg-web"]
        assert len(items) == 1
        assert [g["name"] for g in items[0]["groups"]] == ["asg-web"]
        assert items[0]["other_groups"] == ["asg-web2"]

    @pytest.mark.parametrize("name,words", [("asg-template", "already uses launch template t version 1"), ("asg-mixed", "mixed instances policy")])
    def test_named_group_without_launch_configuration_refused(self, name, words):
        items, _unused, found, errors = plan(group_names=[name])
        assert items == [] and found == [name]
        assert len(errors) == 1 and words in errors[0] and name in errors[0]

    def test_missing_names(self):
        assert asg.missing_names(["a", "b", "c"], [["a"], ["c"]]) == ["b"]
        assert asg.missing_names([], [["a"]]) == []


class TestGroups:
    def test_on_template(self):
        g = group("g", template={"LaunchTemplateId": "lt-1", "Version": "3"})
        assert asg.on_template(g, "lt-1", "3")
        assert asg.on_template(g, "lt-1", 3)
        assert not asg.on_template(g, "lt-1", "$Default")
        assert not asg.on_template(g, "lt-2", "3")

    def test_on_template_false_while_launch_configuration_still_reported(self):
        g = group("g", "lc", template={"LaunchTemplateId": "lt-1", "Version": "3"})
        assert not asg.on_template(g, "lt-1", "3")

    def test_on_launch_configuration(self):
        assert asg.on_launch_configuration(group("g", "lc"), "lc")
        assert not asg.on_launch_configuration(group("g", "lc"), "other")
        assert not asg.on_launch_configuration(group("g", "lc", template={"LaunchTemplateId": "x"}), "lc")

    def test_refusal(self):
        assert asg.refusal(group("g", "lc")) is None
        assert "no launch configuration" in asg.refusal(group("g"))

    def test_instances_to_refresh(self):
        spec = {"LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "2"}}
        old = {"LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "1"}}
        on_lc = {"LaunchConfigurationName": "lc"}
        g = group("g", instances=[("i-a", "InService", spec), ("i-b", "InService", old), ("i-c", "InService", on_lc)])
        assert asg.instances_to_refresh(g, "lt-1", "2") == ["i-b", "i-c"]
        assert asg.instances_to_refresh(group("g", instances=[("i-a", "InService", spec)]), "lt-1", 2) == []
        assert asg.instances_to_refresh(group("g"), "lt-1", "2") == []

    def test_launch_source(self):
        assert asg.launch_source(group("g", "lc")) == {"launch_configuration_name": "lc"}
        assert asg.launch_source(group("g", mixed=True))["mixed_instances_policy"] is True


class TestUsage:
    def test_queries_one_per_instance(self):
        q = usage.metric_queries(["i-1", "i-2"], 86400)
        assert [x["Id"] for x in q] == ["q0", "q1"]
        stat = q[1]["MetricStat"]
        assert stat["Metric"] == {"Namespace": "AWS/EC2", "MetricName": "MetadataNoToken", "Dimensions": [{"Name": "InstanceId", "Value": "i-2"}]}
        assert stat["Stat"] == "Sum" and stat["Period"] == 86400

    def test_window(self):
        now = datetime.datetime(2026, 1, 15, 12, 30, 45, tzinfo=datetime.UTC)
        start, end, period = usage.usage_window(14, now)
        assert end - start == datetime.timedelta(days=14) and period == 86400 and end.second == 0

    def test_summary_used(self):
        results = [{"Id": "q0", "Values": [0.0, 3.0]}, {"Id": "q1", "Values": []}, {"Id": "q0", "Values": [2.0]}]
        s = usage.summarize_usage(["i-1", "i-2"], results)
        assert s["imdsv1_used"] is True
        assert s["instances_using_imdsv1"] == ["i-1"]
        assert s["metadata_no_token_total"] == 5
        assert s["instances"][0] == {"instance_id": "i-1", "metadata_no_token": 5, "datapoints": 3}

    def test_summary_zero_and_empty(self):
        assert usage.summarize_usage(["i-1"], [{"Id": "q0", "Values": [0.0]}])["imdsv1_used"] is False
        assert usage.summarize_usage([], [])["imdsv1_used"] is False


class TestBackups:
    def test_document_is_json_with_full_definition(self):
        doc = lc_backup.backup_document(lc("lc-a", "optional", user_data="c2VjcmV0"), ACCOUNT, REGION, taken_at=CREATED)
        text = json.dumps(doc)
        assert doc["launch_configuration"]["UserData"] == "c2VjcmV0"
        assert doc["launch_configuration"]["CreatedTime"] == CREATED.isoformat()
        assert doc["account_id"] == ACCOUNT and doc["region"] == REGION and "lc-a" in text

    def test_path_layout_and_unsafe_names(self):
        assert lc_backup.backup_path("/b", ACCOUNT, REGION, "lc-a") == "/b/123456789012/us-east-1/lc-a.json"
        assert lc_backup.backup_path("/b", ACCOUNT, REGION, "my lc/../x") == "/b/123456789012/us-east-1/my_lc_.._x.json"
        assert lc_backup.backup_path("/b", ACCOUNT, REGION, "lc-a", "2024-01-02T03:04:05+00:00") == "/b/123456789012/us-east-1/lc-a.20240102T030405.json"

    def test_matches(self, tmp_path):
        item = lc("lc-a", "optional")
        path = tmp_path / "b.json"
        path.write_text(json.dumps(lc_backup.backup_document(item, ACCOUNT, REGION)))
        assert lc_backup.backup_matches(lc_backup.read_backup(str(path)), item)
        recreated = dict(item, CreatedTime=CREATED + datetime.timedelta(days=1))
        assert not lc_backup.backup_matches(lc_backup.read_backup(str(path)), recreated)
        assert not lc_backup.backup_matches({}, item)
