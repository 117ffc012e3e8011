"""Security Hub findings into ansible-rulebook events, and an event into the run of its remediation
(plugins/module_utils/eda_events.py)."""

from __future__ import annotations

import copy
import json

import pytest
from ansible.parsing.yaml.loader import AnsibleLoader

from ansible_collections.hubfix.aws.plugins.module_utils import eda_events as eda
from tests.asff import ACCOUNT, bridge, finding


def test_a_message_is_an_eventbridge_event_its_sns_delivery_a_list_or_one_finding():
    f = finding()
    assert eda.findings_of_message(json.dumps(bridge(f))) == [f]
    assert eda.findings_of_message(json.dumps({"Type": "Notification", "Message": json.dumps(bridge(f, f))})) == [f, f]
    assert eda.findings_of_message(json.dumps([f])) == [f]
    assert eda.findings_of_message(json.dumps(f)) == [f]


@pytest.mark.parametrize(
    "body, words",
    [
        ("not json", "not JSON"),
        (json.dumps({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}}), "not 'Security Hub Findings - Imported'"),
        (json.dumps({"hello": 1}), "no Security Hub findings"),
        (json.dumps(bridge()).replace("[]", '"x"'), "no Security Hub findings"),
    ],
)
def test_a_message_without_findings_is_refused_saying_why(body, words):
    with pytest.raises(eda.MessageError, match=words):
        eda.findings_of_message(body)


def test_one_event_per_failing_active_resource_the_rest_skipped_with_the_reason():
    findings = [
        finding(name="lc-web"),
        finding(name="lc-web"),  # the same resource twice: one event
        finding(name="lc-ok", status="PASSED"),
        finding(name="lc-old", record="ARCHIVED"),
        finding(name="lc-quiet", workflow="SUPPRESSED"),
        finding(name="lc-done", workflow="RESOLVED"),
        finding(control="EC2.24", name="i-0123456789abcdef0"),
        finding(control="AutoScaling.9", name="asg-web"),  # not asked for by default
        finding(name="lc-{{ lookup('pipe', 'id') }}"),
    ]
    events, skipped = eda.events_of_findings(findings)
    assert [e["hubfix"]["id"] for e in events] == ["AutoScaling.3/%s/us-east-1/lc-web" % ACCOUNT, "EC2.24/%s/us-east-1/i-0123456789abcdef0" % ACCOUNT]
    reasons = {s["finding_id"].rsplit("/", 1)[1]: s["reason"] for s in skipped}
    assert reasons["lc-ok"] == "compliance status is PASSED"
    assert reasons["lc-old"] == "record state is ARCHIVED"
    assert reasons["lc-quiet"] == "workflow status is SUPPRESSED"
    assert reasons["lc-done"] == "workflow status is RESOLVED"
    assert "AutoScaling.9 is not handled" in reasons["asg-web"]
    assert "template markup" in reasons["lc-{{ lookup('pipe', 'id') }}"]
    lc, pv = (e["hubfix"] for e in events)
    assert lc["playbook"] == "hubfix.aws.remediate_autoscaling_3" and pv["playbook"] == "hubfix.aws.remediate_ec2_24"
    assert lc["host"] == "lc/%s/us-east-1/lc-web" % ACCOUNT and pv["host"] == "i-0123456789abcdef0"
    assert lc["groups"] == ["autoscaling_3", "account_" + ACCOUNT, "region_us_east_1"]
    assert lc["resource"]["id"] == "lc-web" and lc["resource"]["account"] == {"account_id": ACCOUNT, "role_arn": None}


def test_autoscaling_9_on_request_names_the_groups_launch_configuration():
    events = eda.events_of_findings([finding(control="AutoScaling.9", name="asg-web")], controls="AutoScaling.9")[0]
    assert events[0]["hubfix"]["host"] == "asg/%s/us-east-1/asg-web" % ACCOUNT
    assert events[0]["hubfix"]["resource"]["details"] == {"launch_configuration_name": "lc-of-asg-web"}
    no_lc = finding(control="AutoScaling.9", name="asg-x")
    del no_lc["Resources"][0]["Details"]
    assert "does not name the group's launch configuration" in eda.events_of_findings([no_lc], ["AutoScaling.9"])[1][0]["reason"]


def test_bad_ids_and_template_markup_in_the_finding_never_reach_the_event():
    bad = finding(control="EC2.24", name="i-nothex")
    assert "instance id" in eda.events_of_findings([bad])[1][0]["reason"]
    titled = finding()
    titled["Title"] = "{{ lookup('env', 'AWS_SECRET_ACCESS_KEY') }}"
    event = eda.events_of_findings([titled])[0][0]
    assert event["finding"]["Title"] is None and event["finding"]["ControlId"] == "AutoScaling.3"


def test_the_run_is_a_dry_run_unless_applied_in_the_events_account():
    hubfix = eda.events_of_findings([finding()])[0][0]["hubfix"]
    run = eda.eda_run(hubfix)
    assert run["check"] is True and run["playbook"] == "hubfix.aws.remediate_autoscaling_3"
    host = run["inventory"]["all"]["children"]["autoscaling_3"]["hosts"][hubfix["host"]]
    assert host["hubfix_resource"]["account"] == {"account_id": ACCOUNT, "role_arn": None}
    assert set(run["inventory"]["all"]["children"]) == {"autoscaling_3", "account_" + ACCOUNT, "region_us_east_1"}
    assert eda.eda_run(hubfix, apply=True)["check"] is False


def test_the_events_account_is_assumed_by_its_hubfix_accounts_item_else_the_organization_role():
    hubfix = eda.events_of_findings([finding(account="210987654321", region="cn-north-1")])[0][0]["hubfix"]
    hubfix = copy.deepcopy(hubfix)
    hubfix["resource"]["arn"] = hubfix["resource"]["arn"].replace("arn:aws:", "arn:aws-cn:")
    listed = [{"account_id": "210987654321", "role_arn": "arn:aws-cn:iam::210987654321:role/listed"}]
    account = eda.eda_run(hubfix, accounts=listed, role_name="org")["inventory"]["all"]["children"]["autoscaling_3"]["hosts"][hubfix["host"]]
    assert account["hubfix_resource"]["account"]["role_arn"] == "arn:aws-cn:iam::210987654321:role/listed"
    run = eda.eda_run(hubfix, role_name="OrganizationAccountAccessRole", external_id="xyz")
    account = run["inventory"]["all"]["children"]["autoscaling_3"]["hosts"][hubfix["host"]]["hubfix_resource"]["account"]
    assert account == {"account_id": "210987654321", "role_arn": "arn:aws-cn:iam::210987654321:role/OrganizationAccountAccessRole", "external_id": "xyz"}


def test_an_event_that_is_not_ours_is_refused():
    with pytest.raises(ValueError, match="no hubfix part"):
        eda.eda_run(None)
    with pytest.raises(ValueError, match="no hubfix part"):
        eda.eda_run({"control": "EC2.24"})


def test_the_inventory_file_keeps_ids_as_strings_and_never_templates_finding_data():
    hubfix = eda.events_of_findings([finding()])[0][0]["hubfix"]
    hubfix["resource"]["arn"] = "arn:{{ lookup('pipe', 'id') }}"
    text = eda.inventory_yaml(eda.eda_run(hubfix)["inventory"])
    loaded = AnsibleLoader(text).get_single_data()
    host = loaded["all"]["children"]["autoscaling_3"]["hosts"][hubfix["host"]]
    assert host["hubfix_resource"]["account_id"] == ACCOUNT and isinstance(host["hubfix_resource"]["account_id"], str)
    assert "!unsafe 'arn:{{ lookup" in text
    assert "ansible_python_interpreter: '{{ ansible_playbook_python }}'" in text
