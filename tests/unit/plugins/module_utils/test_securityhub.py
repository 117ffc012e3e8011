"""plugins/module_utils/securityhub.py: filters, ARN mapping, workflow decisions and ASFF import planning."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import securityhub_findings as shf
from ansible_collections.hubfix.aws.plugins.module_utils import securityhub_import as shi
from ansible_collections.hubfix.aws.plugins.module_utils import securityhub_workflow as shw
from ansible_collections.hubfix.aws.plugins.module_utils.partitions import securityhub_default_product_arn

ACCOUNT = "123456789012"
NOW = "2025-01-02T03:04:05.000Z"
LC_ARN = f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:launchConfiguration:0f1e2d3c-aaaa-bbbb-cccc-123456789abc:launchConfigurationName/lc-web"
ASG_ARN = f"arn:aws:autoscaling:eu-west-1:{ACCOUNT}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/asg-web"
INSTANCE_ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"


def control_finding(control="EC2.24", resource=None, workflow="NEW", compliance="FAILED", record="ACTIVE", note=None, region="us-east-1"):
    resource = resource or {"Type": "AwsEc2Instance", "Id": INSTANCE_ARN, "Partition": "aws", "Region": region, "Tags": {"Name": "web"}}
    finding = {
        "Id": f"arn:aws:securityhub:{region}:{ACCOUNT}:security-control/{control}/finding/abc",
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/securityhub",
        "GeneratorId": f"security-control/{control}",
        "AwsAccountId": ACCOUNT,
        "Region": region,
        "Resources": [resource],
        "Compliance": {"Status": compliance, "SecurityControlId": control},
        "Workflow": {"Status": workflow},
        "RecordState": record,
    }
    if note:
        finding["Note"] = {"Text": note, "UpdatedBy": "someone", "UpdatedAt": NOW}
    return finding


# -- filters ---------------------------------------------------------------------------------------------------------------


def test_default_filters_select_failed_active_open_control_findings():
    filters = shf.build_filters()
    assert filters == {
        "ComplianceSecurityControlId": [{"Value": c, "Comparison": "EQUALS"} for c in ("EC2.24", "AutoScaling.3", "AutoScaling.9")],
        "ComplianceStatus": [{"Value": "FAILED", "Comparison": "EQUALS"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}],
    }


def test_optional_filters_and_empty_lists():
    filters = shf.build_filters(controls=["EC2.24", "EC2.24"], workflow_status=[], account_ids=[ACCOUNT], regions=["eu-west-1"], resource_ids=[INSTANCE_ARN])
    assert filters["ComplianceSecurityControlId"] == [{"Value": "EC2.24", "Comparison": "EQUALS"}]
    assert "WorkflowStatus" not in filters
    assert filters["AwsAccountId"] == [{"Value": ACCOUNT, "Comparison": "EQUALS"}]
    assert filters["Region"] == [{"Value": "eu-west-1", "Comparison": "EQUALS"}]
    assert filters["ResourceId"] == [{"Value": INSTANCE_ARN, "Comparison": "EQUALS"}]


def test_more_than_twenty_values_is_an_input_error():
    with pytest.raises(shf.InputError, match="ResourceId: at most 20"):
        shf.build_filters(resource_ids=[f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{n:017x}" for n in range(21)])


def test_id_filters_are_chunked_by_twenty():
    chunks = shf.id_filters([f"id-{n}" for n in range(45)] + ["id-0"])
    assert [len(c["Id"]) for c in chunks] == [20, 20, 5]


def test_resource_lookup_filters():
    by_arn = shf.resource_lookup_filters("EC2.24", INSTANCE_ARN)
    assert by_arn["ResourceId"] == [{"Value": INSTANCE_ARN, "Comparison": "EQUALS"}]
    assert by_arn["RecordState"] == [{"Value": "ACTIVE", "Comparison": "EQUALS"}]
    by_name = shf.resource_lookup_filters("AutoScaling.3", "lc-web")
    assert by_name["ResourceId"] == [{"Value": "launchConfigurationName/lc-web", "Comparison": "CONTAINS"}]
    assert shf.resource_lookup_filters("AutoScaling.9", "asg-web")["ResourceId"][0]["Value"] == "autoScalingGroupName/asg-web"
    assert shf.resource_lookup_filters("EC2.24", "i-0123")["ResourceId"][0]["Value"] == "instance/i-0123"


def test_finding_matches_resource_is_exact():
    lc = control_finding("AutoScaling.3", {"Type": "AwsAutoScalingLaunchConfiguration", "Id": LC_ARN})
    assert shf.finding_matches_resource(lc, "lc-web")
    assert shf.finding_matches_resource(lc, LC_ARN)
    assert not shf.finding_matches_resource(lc, "lc-we")
    inst = control_finding()
    assert shf.finding_matches_resource(inst, "i-0123456789abcdef0")
    assert not shf.finding_matches_resource(inst, "i-0123456789abcdef")


# -- ARNs and targets ------------------------------------------------------------------------------------------------------


def test_parse_instance_arn():
    assert shf.parse_resource_arn(INSTANCE_ARN) == {
        "kind": "instance",
        "id": "i-0123456789abcdef0",
        "name": "i-0123456789abcdef0",
        "region": "us-east-1",
        "account_id": ACCOUNT,
        "partition": "aws",
        "arn": INSTANCE_ARN,
    }


def test_parse_launch_configuration_and_group_arns():
    lc = shf.parse_resource_arn(LC_ARN)
    assert (lc["kind"], lc["id"], lc["region"], lc["account_id"]) == ("launch_configuration", "lc-web", "us-east-1", ACCOUNT)
    group = shf.parse_resource_arn(ASG_ARN)
    assert (group["kind"], group["name"], group["region"]) == ("autoscaling_group", "asg-web", "eu-west-1")
    odd = shf.parse_resource_arn(LC_ARN.replace("lc-web", "team/a:lc"))
    assert odd["name"] == "team/a:lc"
    gov = shf.parse_resource_arn(f"arn:aws-us-gov:ec2:us-gov-west-1:{ACCOUNT}:instance/i-0abc")
    assert (gov["partition"], gov["id"]) == ("aws-us-gov", "i-0abc")


@pytest.mark.parametrize(
    "arn",
    [
        None,
        "i-0123",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0123",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/",
        f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:launchConfiguration:uuid:launchConfigurationName/",
        "arn:aws:s3:::bucket",
    ],
)
def test_parse_other_arns_is_none(arn):
    assert shf.parse_resource_arn(arn) is None


def test_target_of_instance_finding():
    finding = control_finding(note="old note")
    target = shf.finding_target(finding)
    assert target["control"] == "EC2.24"
    assert (target["kind"], target["id"], target["name"]) == ("instance", "i-0123456789abcdef0", "web")
    assert (target["region"], target["account_id"], target["resource_arn"]) == ("us-east-1", ACCOUNT, INSTANCE_ARN)
    assert (target["finding_id"], target["product_arn"]) == (finding["Id"], finding["ProductArn"])
    assert (target["workflow_status"], target["compliance_status"], target["record_state"], target["note"]) == ("NEW", "FAILED", "ACTIVE", "old note")


def test_target_from_type_and_details_without_arn():
    details = {"AwsAutoScalingLaunchConfiguration": {"LaunchConfigurationName": "lc-x"}}
    lc = control_finding("AutoScaling.3", {"Type": "AwsAutoScalingLaunchConfiguration", "Id": "something-else", "Details": details})
    target = shf.finding_target(lc)
    assert (target["kind"], target["id"], target["resource_arn"], target["account_id"]) == ("launch_configuration", "lc-x", None, ACCOUNT)
    bare = control_finding(resource={"Type": "AwsEc2Instance", "Id": "i-0abc", "Region": "eu-west-1"})
    assert (shf.finding_target(bare)["id"], shf.finding_target(bare)["region"]) == ("i-0abc", "eu-west-1")
    group = control_finding(
        "AutoScaling.9",
        {"Type": "AwsAutoScalingAutoScalingGroup", "Id": ASG_ARN, "Details": {"AwsAutoScalingAutoScalingGroup": {"LaunchConfigurationName": "lc-web"}}},
    )
    target = shf.finding_target(group)
    assert (target["kind"], target["id"], target["launch_configuration_name"], target["region"]) == ("autoscaling_group", "asg-web", "lc-web", "eu-west-1")


def test_finding_with_foreign_resource_has_no_target():
    assert shf.finding_target(control_finding(resource={"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"})) is None
    # the resource type contradicts the ARN
    assert shf.finding_target(control_finding(resource={"Type": "AwsAutoScalingLaunchConfiguration", "Id": INSTANCE_ARN})) is None


def test_control_of_falls_back_to_product_fields_and_generator():
    assert shf.control_of({"ProductFields": {"ControlId": "AutoScaling.3"}}) == "AutoScaling.3"
    assert shf.control_of({"GeneratorId": "security-control/EC2.24"}) == "EC2.24"
    assert shf.control_of({"GeneratorId": "hubfix.aws/AutoScaling.9"}) == "AutoScaling.9"
    assert shf.control_of({"GeneratorId": "arn:aws:securityhub:::ruleset/cis"}) is None


def test_finding_summary_is_snake_case():
    summary = shf.finding_summary(control_finding(note="n"))
    assert summary["control_id"] == "EC2.24"
    assert summary["workflow_status"] == "NEW"
    assert summary["resources"] == [{"type": "AwsEc2Instance", "id": INSTANCE_ARN, "region": "us-east-1", "partition": "aws"}]
    assert summary["note"]["text"] == "n"


def test_home_region():
    assert shf.finding_home_region({"Region": "eu-west-1"}) == "eu-west-1"
    assert shf.finding_home_region(product_arn="arn:aws:securityhub:ap-south-1::product/aws/securityhub") == "ap-south-1"
    assert shf.finding_home_region(product_arn="x", finding_id="y", default="us-east-1") == "us-east-1"


# -- workflow decisions ----------------------------------------------------------------------------------------------------


def test_notify_a_new_finding():
    plan = shw.plan_update(control_finding(), "NOTIFIED", "started")
    assert plan["action"] == "update"
    assert plan["before"] == {"workflow_status": "NEW", "note": None}
    assert plan["after"] == {"workflow_status": "NOTIFIED", "note": "started"}


def test_same_status_and_note_is_unchanged_other_note_is_an_update():
    finding = control_finding(workflow="NOTIFIED", note="started")
    assert shw.plan_update(finding, "NOTIFIED", "  started ")["action"] == "unchanged"
    assert shw.plan_update(finding, "NOTIFIED", None)["action"] == "unchanged"
    failed = shw.plan_update(finding, "NOTIFIED", "failed: rolled back")
    assert failed["action"] == "update" and failed["after"]["note"] == "failed: rolled back"


def test_suppressed_is_never_touched():
    plan = shw.plan_update(control_finding(workflow="SUPPRESSED"), "RESOLVED", "done", verified=True)
    assert plan["action"] == "skip" and plan["reason"].startswith("suppressed")
    assert plan["after"] == plan["before"]


def test_still_failing_is_resolved_only_when_verified():
    finding = control_finding(workflow="NOTIFIED", note="started")
    plan = shw.plan_update(finding, "RESOLVED", "replaced by i-1")
    assert plan["action"] == "skip" and plan["reason"].startswith("still_failing")
    assert shw.plan_update(finding, "RESOLVED", "replaced by i-1", verified=True)["action"] == "update"
    # Security Hub already says PASSED, or archived the finding (resource gone): no re-check needed
    assert shw.plan_update(control_finding(compliance="PASSED"), "RESOLVED", "done")["action"] == "update"
    assert shw.plan_update(control_finding(record="ARCHIVED"), "RESOLVED", "done")["action"] == "update"
    # notifying never needs a re-check
    assert shw.plan_update(finding, "NOTIFIED", "again")["action"] == "update"


def test_resolved_with_same_note_is_unchanged():
    finding = control_finding(workflow="RESOLVED", compliance="PASSED", note="replaced by i-1")
    assert shw.plan_update(finding, "RESOLVED", "replaced by i-1")["action"] == "unchanged"


def test_bad_status_and_long_note():
    with pytest.raises(shf.InputError):
        shw.plan_update(control_finding(), "SUPPRESSED", "x")
    note = shw.normalise_note("x" * 600)
    assert len(note) == 512 and note.endswith("\u2026")
    assert shw.normalise_note("   ") is None


def test_update_batches_group_by_region_status_note_and_split_at_100():
    planned = [({"Id": f"f{n}", "ProductArn": "p"}, "us-east-1", {"workflow_status": "NOTIFIED", "note": "a"}) for n in range(150)]
    planned.append(({"Id": "g", "ProductArn": "p"}, "eu-west-1", {"workflow_status": "NOTIFIED", "note": "a"}))
    planned.append(({"Id": "h", "ProductArn": "p"}, "us-east-1", {"workflow_status": "RESOLVED", "note": None}))
    requests = shw.update_batches(planned, "hubfix.aws")
    assert [(r, len(p["FindingIdentifiers"])) for r, p in requests] == [("us-east-1", 100), ("us-east-1", 50), ("eu-west-1", 1), ("us-east-1", 1)]
    assert requests[0][1]["Note"] == {"Text": "a", "UpdatedBy": "hubfix.aws"}
    assert requests[0][1]["Workflow"] == {"Status": "NOTIFIED"}
    assert "Note" not in requests[-1][1]


# -- audit -> ASFF ---------------------------------------------------------------------------------------------------------

REPORT = {
    "schema_version": 1,
    "accounts": [ACCOUNT],
    "regions": ["us-east-1", "eu-west-1"],
    "scans": [
        {"source": "paravirtual_instance_info", "controls": ["EC2.24"], "region": "us-east-1", "scanned": True, "error": None},
        {"source": "launch_config_imdsv2_info", "controls": ["AutoScaling.3", "AutoScaling.9"], "region": "us-east-1", "scanned": True, "error": None},
        {"source": "paravirtual_instance_info", "controls": ["EC2.24"], "region": "eu-west-1", "scanned": False, "error": "denied"},
    ],
    "findings": [
        {
            "id": f"EC2.24/{ACCOUNT}/us-east-1/i-0123456789abcdef0",
            "control": "EC2.24",
            "status": "failed",
            "resource_type": "AwsEc2Instance",
            "resource_id": "i-0123456789abcdef0",
            "resource_name": "web",
            "resource_arn": INSTANCE_ARN,
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "reason": "paravirtual",
            "reason_text": "virtualization type is paravirtual",
            "blockers": [],
            "next_action": {"kind": "remediate", "playbook": "remediate_ec2_24", "text": "run remediate_ec2_24"},
            "details": {"instance_type": "m1.small", "image_id": "ami-1"},
        },
        {
            "id": f"AutoScaling.3/{ACCOUNT}/us-east-1/lc-web",
            "control": "AutoScaling.3",
            "status": "failed",
            "resource_type": "AwsAutoScalingLaunchConfiguration",
            "resource_id": "lc-web",
            "resource_name": "lc-web",
            "resource_arn": LC_ARN,
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "reason": "http_tokens_optional",
            "reason_text": "HttpTokens is optional",
            "blockers": [],
            "next_action": {"kind": "remediate", "playbook": "remediate_autoscaling_3", "text": "run remediate_autoscaling_3"},
            "details": {"metadata_options": {"http_tokens": "optional", "http_endpoint": "enabled"}, "image_id": "ami-2", "instance_type": "t3.micro"},
        },
        {
            "id": f"AutoScaling.9/{ACCOUNT}/us-east-1/asg-web",
            "control": "AutoScaling.9",
            "status": "failed",
            "resource_type": "AwsAutoScalingAutoScalingGroup",
            "resource_id": "asg-web",
            "resource_name": "asg-web",
            "resource_arn": None,
            "account_id": ACCOUNT,
            "region": "us-east-1",
            "reason": "launch_configuration",
            "reason_text": "launches from lc-web",
            "blockers": [],
            "next_action": {"kind": "remediate", "playbook": "remediate_autoscaling_3", "text": "run remediate_autoscaling_3"},
            "details": {"launch_configuration_name": "lc-web"},
        },
    ],
}


def test_audit_records_from_report():
    records, scope, accounts = shi.audit_records(REPORT)
    assert [(r["control"], r["resource_id"]) for r in records] == [("EC2.24", "i-0123456789abcdef0"), ("AutoScaling.3", "lc-web"), ("AutoScaling.9", "asg-web")]
    assert scope == {"us-east-1": {"EC2.24", "AutoScaling.3", "AutoScaling.9"}}
    assert accounts == [ACCOUNT]


def test_audit_records_from_module_results():
    audit = {
        "account_id": ACCOUNT,
        "instances": [{"instance_id": "i-0abc", "arn": None, "region": "eu-west-1", "name": "pv", "instance_type": "m1.small", "replaced_by": "i-0new"}],
        "launch_configurations": [
            {"name": "lc-ok", "region": "eu-west-1", "compliant": True},
            {"name": "lc-bad", "arn": LC_ARN, "region": "eu-west-1", "compliant": False, "reason": "metadata_options_absent", "metadata_options": None},
        ],
        "autoscaling_groups_on_launch_configurations": [{"name": "asg-1", "arn": ASG_ARN, "region": "eu-west-1", "launch_configuration_name": "lc-bad"}],
        "regions": [{"region": "eu-west-1", "scanned": True, "error": None}, {"region": "us-east-1", "scanned": False, "error": "x"}],
    }
    records, scope, accounts = shi.audit_records(audit)
    assert [(r["control"], r["resource_id"], r["status"]) for r in records] == [
        ("EC2.24", "i-0abc", "remediated_pending_termination"),
        ("AutoScaling.3", "lc-bad", "failed"),
        ("AutoScaling.9", "asg-1", "failed"),
    ]
    assert scope == {"eu-west-1": {"EC2.24", "AutoScaling.3", "AutoScaling.9"}}
    assert accounts == [ACCOUNT]


@pytest.mark.parametrize(
    "audit, message",
    [
        ([], "must be a dict"),
        ({"something": 1}, "neither findings"),
        ({"findings": [{"control": "EC2.99", "resource_id": "x", "region": "r", "account_id": ACCOUNT}]}, "lack a known control"),
    ],
)
def test_bad_audit(audit, message):
    with pytest.raises(shf.InputError, match=message):
        shi.audit_records(audit)


def test_build_asff_for_an_instance():
    records, _unused, _unused = shi.audit_records(REPORT)
    f = shi.build_asff(records[0], NOW)
    assert f["Id"] == f"hubfix.aws/EC2.24/{ACCOUNT}/us-east-1/i-0123456789abcdef0"
    assert f["ProductArn"] == f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default"
    assert f["GeneratorId"] == "hubfix.aws/EC2.24"
    assert f["SchemaVersion"] == "2018-10-08"
    assert f["Types"] == ["Software and Configuration Checks/AWS Security Best Practices"]
    assert f["Compliance"] == {"Status": "FAILED", "SecurityControlId": "EC2.24"}
    assert f["Severity"]["Label"] == "MEDIUM"
    assert (f["CreatedAt"], f["UpdatedAt"]) == (NOW, NOW)
    assert f["Resources"] == [
        {
            "Type": "AwsEc2Instance",
            "Id": INSTANCE_ARN,
            "Partition": "aws",
            "Region": "us-east-1",
            "Details": {"AwsEc2Instance": {"Type": "m1.small", "ImageId": "ami-1"}},
        }
    ]
    assert f["Remediation"]["Recommendation"]["Text"] == "run remediate_ec2_24"
    assert "Region" not in f  # set by Security Hub, not the provider
    assert len(f["Title"]) <= 256 and len(f["Description"]) <= 1024


def test_build_asff_for_launch_configuration_and_group():
    records, _unused, _unused = shi.audit_records(REPORT)
    lc = shi.build_asff(records[1], NOW)
    assert lc["Severity"]["Label"] == "HIGH"
    assert lc["Resources"][0]["Details"]["AwsAutoScalingLaunchConfiguration"] == {
        "LaunchConfigurationName": "lc-web",
        "ImageId": "ami-2",
        "InstanceType": "t3.micro",
        "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    }
    group = shi.build_asff(records[2], NOW)
    assert group["Resources"][0]["Id"] == "asg-web"  # the audit does not know the group's ARN
    assert group["Resources"][0]["Details"] == {"AwsAutoScalingAutoScalingGroup": {"LaunchConfigurationName": "lc-web"}}


def test_partitions_in_product_arn():
    assert securityhub_default_product_arn("cn-north-1", ACCOUNT).startswith("arn:aws-cn:securityhub:cn-north-1:")
    assert securityhub_default_product_arn("us-gov-west-1", ACCOUNT).startswith("arn:aws-us-gov:")


def stored(finding, **extra):
    """What Security Hub returns for an imported finding: ours plus fields it adds."""
    out = copy.deepcopy(finding)
    out.update({"Region": shf.region_of_arn(finding["ProductArn"]), "Workflow": {"Status": "NEW"}, "WorkflowState": "NEW", "ProductName": "Default"})
    out["Severity"]["Normalized"] = 40
    out["ProductFields"]["aws/securityhub/FindingId"] = "x"
    out.update(extra)
    return out


def test_plan_import_create_then_unchanged_then_update():
    records, scope, _unused = shi.audit_records(REPORT)
    first = shi.plan_import(records, {}, scope, NOW)
    assert [len(first[k]) for k in ("create", "update", "archive", "unchanged")] == [3, 0, 0, 0]
    existing = {(f["Id"], f["ProductArn"]): stored(f) for f in first["create"]}
    again = shi.plan_import(records, existing, scope, "2030-01-01T00:00:00.000Z")
    assert [len(again[k]) for k in ("create", "update", "archive")] == [0, 0, 0]
    assert len(again["unchanged"]) == 3
    changed = copy.deepcopy(records)
    changed[1]["reason_text"] = "no MetadataOptions"
    third = shi.plan_import(changed, existing, scope, "2030-01-01T00:00:00.000Z")
    assert [f["Id"] for f in third["update"]] == [first["create"][1]["Id"]]
    assert third["update"][0]["CreatedAt"] == NOW  # kept from the first import


def test_plan_import_reactivates_an_archived_finding():
    records, scope, _unused = shi.audit_records(REPORT)
    first = shi.plan_import(records, {}, scope, NOW)
    existing = {(f["Id"], f["ProductArn"]): stored(f, RecordState="ARCHIVED") for f in first["create"]}
    plan = shi.plan_import(records, existing, scope, NOW)
    assert len(plan["update"]) == 3 and all(f["RecordState"] == "ACTIVE" for f in plan["update"])


def test_plan_import_archives_what_the_audit_no_longer_reports_in_scope_only():
    records, scope, _unused = shi.audit_records(REPORT)
    first = shi.plan_import(records, {}, scope, NOW)
    existing = {(f["Id"], f["ProductArn"]): stored(f) for f in first["create"]}
    eu = shi.build_asff(dict(records[0], region="eu-west-1", resource_arn=None), NOW)  # eu-west-1 was not scanned
    existing[(eu["Id"], eu["ProductArn"])] = stored(eu)
    foreign = stored(dict(first["create"][0], Id="other-tool/1", GeneratorId="other"))
    existing[(foreign["Id"], foreign["ProductArn"])] = foreign
    plan = shi.plan_import(records[1:], existing, scope, NOW)
    assert [f["Id"] for f in plan["archive"]] == [first["create"][0]["Id"]]
    archived = plan["archive"][0]
    assert archived["Compliance"] == {"Status": "PASSED", "SecurityControlId": "EC2.24"}
    assert archived["RecordState"] == "ARCHIVED"
    assert "aws/securityhub/FindingId" not in archived["ProductFields"]
    assert set(archived["Severity"]) <= {"Label", "Original"}
    assert "Region" not in archived and "Workflow" not in archived
    # an archived one is not archived again
    existing[(archived["Id"], archived["ProductArn"])] = stored(archived, RecordState="ARCHIVED")
    assert shi.plan_import(records[1:], existing, scope, NOW)["archive"] == []
    assert shi.plan_import(records[1:], existing, {}, NOW)["archive"] == []


def test_import_batches_by_product_region():
    records, scope, _unused = shi.audit_records(REPORT)
    many = [dict(records[0], resource_id=f"i-{n:017x}") for n in range(130)] + [dict(records[0], region="eu-west-1")]
    plan = shi.plan_import(many, {}, scope, NOW)
    assert [(r, len(b)) for r, b in shi.import_batches(plan["create"])] == [("us-east-1", 100), ("us-east-1", 30), ("eu-west-1", 1)]


def test_is_subset():
    assert shi.is_subset({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2, "c": 3}], "d": 4})
    assert not shi.is_subset({"a": [1]}, {"a": [1, 2]})
    assert not shi.is_subset({"a": 1}, {})
