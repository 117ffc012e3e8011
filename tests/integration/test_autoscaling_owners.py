"""AutoScaling.3 on a real estate (issue 10): what CloudFormation, Elastic Beanstalk, Terraform or a tagged tool owns is never
changed - its owner gets the change (a patched template and an unexecuted change set, the Beanstalk option applied on request,
notes for Terraform and the tool) - while plain groups are remediated, a same-name template hubfix did not make is left alone,
an invalid launch configuration name is converted, and launch configurations are retired only once the template proved itself.

One scenario on the ``owners`` estate (tests/simulator/seed_owners.py): dry run, real run, idempotent rerun, a stack created
from the generated template, then the proof that retires the last plain launch configuration.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.harness import report_file, run_playbook
from tests.simulator.seed import seed

PLAYBOOK = "hubfix.aws.remediate_autoscaling_3"
REGION = "us-east-1"


def remediate(simulator, estate, tmp_path, check=False, **extra):
    extra_vars = {
        "autoscaling_imdsv2_regions": [REGION],
        "autoscaling_imdsv2_report_dir": str(tmp_path / "reports"),
        "autoscaling_imdsv2_backup_dir": str(tmp_path / "backups"),
        # AWX surveys send strings: the state file list as a textarea, the tag map as JSON text
        "hubfix_terraform_state_files": estate["terraform_state_file"] + "\n",
        "hubfix_owner_tags": json.dumps(estate["owner_tags"]),
        "autoscaling_imdsv2_cloudformation_change_set": "true",
        "autoscaling_imdsv2_elastic_beanstalk_apply": "true",
        "autoscaling_imdsv2_elastic_beanstalk_timeout": "120",
    }
    extra_vars.update(extra)
    return run_playbook(PLAYBOOK, simulator.env(), extra_vars, check=check, diff=check)


def report(tmp_path):
    return json.loads(report_file(tmp_path / "reports", "autoscaling_imdsv2.json").read_text())


def groups(simulator):
    return {g["AutoScalingGroupName"]: g for g in simulator.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]}


def launch_configurations(simulator):
    return {lc["LaunchConfigurationName"] for lc in simulator.client("autoscaling").describe_launch_configurations()["LaunchConfigurations"]}


def requires_imdsv2(simulator, spec):
    ec2 = simulator.client("ec2")
    (version,) = ec2.describe_launch_template_versions(LaunchTemplateId=spec["LaunchTemplateId"], Versions=[str(spec["Version"])])["LaunchTemplateVersions"]
    return (version["LaunchTemplateData"].get("MetadataOptions") or {}).get("HttpTokens") == "required"


@pytest.mark.slow(240)
def test_owned_resources_are_left_to_their_owners_and_plain_ones_retire_after_proof(simulator, tmp_path):
    estate = seed("owners", simulator.endpoint)
    owned_groups = {kind: estate["groups"][kind] for kind in ("cloudformation", "terraform", "tag")}
    owned_lcs = {kind: estate["launch_configurations"][kind] for kind in ("cloudformation", "terraform", "tag")}
    beanstalk_group = estate["groups"]["elastic_beanstalk"]
    before = groups(simulator)
    owners_dir = tmp_path / "reports" / "owners"

    # Dry run: no mutating call, every owner's change already written (local files), the plan says what happens.
    simulator.reset_recording()
    dry = remediate(simulator, estate, tmp_path, check=True)
    assert dry.rc == 0, dry
    assert simulator.mutating_calls() == []
    plan = report(tmp_path)
    statuses = {lc["name"]: lc["status"] for lc in plan["launch_configurations"]}
    for kind, name in owned_lcs.items():
        assert statuses[name] == "blocked_owned", kind
    assert statuses[estate["launch_configurations"]["elastic_beanstalk"]] == "blocked_owned"
    assert {o["status"] for o in plan["owners"] if o["type"] in ("cloudformation", "elastic_beanstalk")} == {"would_create_change_set", "would_apply"}
    assert sorted(p.name for p in owners_dir.iterdir()) == [
        "cloudformation-web-stack.template.yaml",
        "elastic-beanstalk-shop-prod.json",
        "tag-pulumi.md",
        "terraform-module.web.aws_autoscaling_group.this.md",
        "terraform-module.web.aws_launch_configuration.this.md",
    ]

    # Real run.
    real = remediate(simulator, estate, tmp_path)
    assert real.rc == 0, real
    after = groups(simulator)
    lcs = launch_configurations(simulator)
    # owned: untouched, launch configurations kept
    for kind, name in owned_groups.items():
        assert after[name].get("LaunchConfigurationName") == before[name]["LaunchConfigurationName"] and not after[name].get("LaunchTemplate"), kind
        assert owned_lcs[kind] in lcs, kind
    # CloudFormation: a change set proposed, not executed, with the patched template
    cfn = simulator.client("cloudformation")
    (change_set,) = cfn.list_change_sets(StackName="web-stack")["Summaries"]
    assert change_set["ChangeSetName"].startswith("hubfix-autoscaling-3-") and len(change_set["ChangeSetName"]) == len("hubfix-autoscaling-3-") + 12
    assert change_set["ExecutionStatus"] == "AVAILABLE"
    assert cfn.describe_stacks(StackName="web-stack")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    patched = yaml.safe_load((owners_dir / "cloudformation-web-stack.template.yaml").read_text())
    assert "WebLaunchConfig" not in patched["Resources"]
    assert patched["Resources"]["WebLaunchConfigTemplate"]["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
    assert patched["Resources"]["WebLaunchConfigTemplate"]["Properties"]["LaunchTemplateData"]["ImageId"] == {"Ref": "ImageId"}  # kept as an expression
    assert patched["Resources"]["WebGroup"]["Properties"]["LaunchTemplate"]["LaunchTemplateId"] == {"Ref": "WebLaunchConfigTemplate"}
    # Elastic Beanstalk: moved by its own option, verified
    assert requires_imdsv2(simulator, after[beanstalk_group]["LaunchTemplate"])
    beanstalk_file = json.loads((owners_dir / "elastic-beanstalk-shop-prod.json").read_text())
    assert beanstalk_file["option_settings"] == [{"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1", "Value": "true"}]
    assert beanstalk_file["command"].startswith("aws elasticbeanstalk update-environment --region us-east-1 --environment-name shop-prod ")
    terraform_note = (owners_dir / "terraform-module.web.aws_launch_configuration.this.md").read_text()
    assert 'http_tokens                 = "required"' in terraform_note and "tf-web-lc" in terraform_note
    # plain groups: switched; the same-name template hubfix did not make is untouched; the invalid name converted
    assert after["plain-asg"]["LaunchTemplate"]["LaunchTemplateName"] == "plain-lc-imdsv2"
    foreign = simulator.client("ec2").describe_launch_templates(LaunchTemplateNames=["plain-lc"])["LaunchTemplates"][0]
    assert (foreign["LatestVersionNumber"], foreign["DefaultVersionNumber"], foreign.get("Tags", [])) == (1, 1, [])
    assert after["spaced-asg"]["LaunchTemplate"]["LaunchTemplateName"].startswith("legacy-web-(2019)")
    for name in ("plain-asg", "empty-asg", "spaced-asg"):
        assert requires_imdsv2(simulator, after[name]["LaunchTemplate"]), name
    # proof: groups with no instances and desired 0 proved their template at once; plain-asg has an instance from plain-lc
    assert {"empty-lc", "legacy web (2019)"}.isdisjoint(lcs) and "plain-lc" in lcs
    done = report(tmp_path)
    by_name = {lc["name"]: lc for lc in done["launch_configurations"]}
    assert by_name["plain-lc"]["status"] == "kept" and by_name["plain-lc"]["kept_because"].startswith("waiting for proof: group plain-asg")
    assert by_name[owned_lcs["cloudformation"]]["next_action"].endswith("hubfix leaves the stack's resources alone")
    assert by_name[owned_lcs["cloudformation"]]["change_set_arn"] == change_set["ChangeSetId"]
    assert {g["name"]: g["status"] for g in done["groups"] if g["status"] == "blocked_owned"}.keys() == set(owned_groups.values()) | {beanstalk_group}
    markdown = report_file(tmp_path / "reports", "autoscaling_imdsv2.md").read_text()
    assert "## Owners: the change hubfix leaves to them" in markdown and "waiting for proof" in markdown

    # A new stack from the generated template launches its group from a template that requires IMDSv2.
    cfn.create_stack(StackName="web-stack-copy", TemplateBody=(owners_dir / "cloudformation-web-stack.template.yaml").read_text())
    resources = cfn.describe_stack_resources(StackName="web-stack-copy")["StackResources"]
    copy_group = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::AutoScaling::AutoScalingGroup")
    assert requires_imdsv2(simulator, groups(simulator)[copy_group]["LaunchTemplate"])
    cfn.delete_stack(StackName="web-stack-copy")

    # Rerun: nothing to change (the change set is found, the environment is done, plain-lc still waits).
    again = remediate(simulator, estate, tmp_path)
    assert again.rc == 0 and again.changed == 0, again
    assert len(cfn.list_change_sets(StackName="web-stack")["Summaries"]) == 1

    # The group scales out from the template: that instance proves it, and the next run retires plain-lc.
    simulator.client("autoscaling").set_desired_capacity(AutoScalingGroupName="plain-asg", DesiredCapacity=2)
    proven = remediate(simulator, estate, tmp_path)
    assert proven.rc == 0, proven
    assert "plain-lc" not in launch_configurations(simulator)
    retired = {lc["name"]: lc for lc in report(tmp_path)["launch_configurations"]}["plain-lc"]
    assert (retired["action"], retired["status"], retired["deleted"]) == ("retire", "retired", True)
    assert Path(retired["backup_file"]).exists()
