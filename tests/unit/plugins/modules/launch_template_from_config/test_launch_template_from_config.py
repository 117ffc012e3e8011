"""hubfix.aws.launch_template_from_config: a launch template (IMDSv2 required) converted from a launch configuration."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils.launch_template import mask_user_data
from ansible_collections.hubfix.aws.plugins.modules import launch_template_from_config as module
from tests.unit.plugins.modules import aws_responses as r
from tests.unit.plugins.modules.module_docs import assert_documented_result

LT_ID = "lt-0123456789abcdef0"
FOREIGN_ID = "lt-0fedcba9876543210"
USER_DATA = "IyEvYmluL3NoCmVjaG8gaGkK"
LC = r.launch_configuration("lc-web", {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 2}, UserData=USER_DATA, KeyName="ops")
LC["SecurityGroups"] = ["sg-0123456789abcdef0"]
DATA = {
    "ImageId": "ami-0123456789abcdef0",
    "InstanceType": "t3.micro",
    "KeyName": "ops",
    "UserData": USER_DATA,
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "Monitoring": {"Enabled": True},
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
}
DESCRIPTION = "Converted from launch configuration lc-web by hubfix.aws"
SOURCE_KEY = "hubfix:source-launch-configuration"
CLAIM_KEY = "hubfix:claim"
SOURCE_TAG = {SOURCE_KEY: "lc-web"}
ARGS = {"launch_configuration_name": "lc-web"}
RUN = {"id": "run-1", "host": "ctl-1", "pid": 4242, "pid_start": "777"}
OTHER_RUN = {"id": "run-9", "host": "ctl-2", "pid": 99, "pid_start": "5"}


def stored(data):
    """Template data as DescribeLaunchTemplateVersions returns it: AWS echoes metadata defaults nobody set."""
    echoed = dict(data, MetadataOptions=dict(data["MetadataOptions"], HttpProtocolIpv6="disabled", InstanceMetadataTags="disabled"))
    return echoed


def claim_of(run, age=datetime.timedelta(0)):
    """The ``hubfix:claim`` value of ``run`` with a heartbeat ``age`` ago."""
    beat = (datetime.datetime.now(datetime.timezone.utc) - age).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017
    return "%s|%s|%s|%s|%s" % (run["id"], run["host"], run["pid"], run["pid_start"], beat)


def template(template_id=LT_ID, name="lc-web", default=1, latest=1, tags=None):
    """A DescribeLaunchTemplates item, tagged as made by hubfix from lc-web unless ``tags`` says otherwise."""
    item = r.launch_template(template_id, name, default=default, latest=latest)
    item["Tags"] = r.tag_list(SOURCE_TAG if tags is None else tags)
    return item


@pytest.fixture
def stubs(aws):
    aws.stub("ec2")
    aws.stub("autoscaling")
    return aws


def expect_lc(aws, lc=None, found=True, name="lc-web"):
    answer = r.launch_configurations(lc or LC) if found else r.launch_configurations()
    aws.stub("autoscaling").add("describe_launch_configurations", answer, {"LaunchConfigurationNames": [name]})
    if found:
        # its image: HVM here (a paravirtual one has its own tests)
        image_id = (lc or LC)["ImageId"]
        aws.stub("ec2").add("describe_images", {"Images": [{"ImageId": image_id, "VirtualizationType": "hvm"}]}, {"ImageIds": [image_id]})


def expect_template(aws, found=None, name="lc-web"):
    """DescribeLaunchTemplates of the template name ``name``: ``found`` (a DescribeLaunchTemplates item) or not found."""
    if found is None:
        aws.stub("ec2").error("describe_launch_templates", "InvalidLaunchTemplateName.NotFoundException", "not found", {"LaunchTemplateNames": [name]})
    else:
        aws.stub("ec2").add("describe_launch_templates", r.launch_templates(found), {"LaunchTemplateNames": [name]})


def expect_template_by_id(aws, found, template_id=LT_ID):
    """The read back of a template by id (the claim settling)."""
    aws.stub("ec2").add("describe_launch_templates", r.launch_templates(found), {"LaunchTemplateIds": [template_id]})


def expect_version(aws, number, data, template_id=LT_ID, name="lc-web", description=DESCRIPTION):
    version = {"LaunchTemplateId": template_id, "LaunchTemplateName": name, "VersionNumber": number, "LaunchTemplateData": stored(data)}
    if description is not None:
        version["VersionDescription"] = description
    aws.stub("ec2").add(
        "describe_launch_template_versions", {"LaunchTemplateVersions": [version]}, {"LaunchTemplateId": template_id, "Versions": [str(number)]}
    )


def expect_tags(aws, tags=None, template_id=LT_ID):
    """DescribeTags of the template (the tags ensured on an existing template): ``tags``, by default the source tag."""
    found = [{"ResourceId": template_id, "ResourceType": "launch-template", "Key": k, "Value": v} for k, v in (SOURCE_TAG if tags is None else tags).items()]
    aws.stub("ec2").add("describe_tags", {"Tags": found}, {"Filters": [{"Name": "resource-id", "Values": [template_id]}]})


def creation_tags(tags=None, lc_name="lc-web"):
    """The TagSpecifications of CreateLaunchTemplate: the module's ``tags``, then the source tag."""
    return [{"ResourceType": "launch-template", "Tags": r.tag_list({**(tags or {}), SOURCE_KEY: lc_name})}]


def expect_create(aws, tags=None, name="lc-web", data=None, tag_specifications=None, description=DESCRIPTION):
    params = {
        "LaunchTemplateName": name,
        "LaunchTemplateData": DATA if data is None else data,
        "VersionDescription": description,
        "TagSpecifications": creation_tags(tags) if tag_specifications is None else tag_specifications,
    }
    aws.stub("ec2").add("create_launch_template", {"LaunchTemplate": r.launch_template(LT_ID, name)}, params)


# -- a new template ---------------------------------------------------------------------------------------------------


def test_creates_the_template_with_imdsv2_required(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    expect_create(stubs)

    result = run(module, ARGS)

    assert_documented_result(module, result)
    assert (result["changed"], result["action"], result["launch_configuration_name"]) == (True, "created", "lc-web")
    assert result["launch_template"] == {"launch_template_id": LT_ID, "launch_template_name": "lc-web", "version_number": 1, "default_version_number": 1}
    assert result["launch_template_data"] == mask_user_data(DATA)
    assert result["launch_template_data"]["UserData"].startswith("<masked user data")
    assert result["claimed_by"] is None


def test_the_created_template_carries_the_source_launch_configuration_tag(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    written = r.Capture()
    expect_create(stubs, tag_specifications=written)

    run(module, ARGS)

    assert written.value == [{"ResourceType": "launch-template", "Tags": [{"Key": "hubfix:source-launch-configuration", "Value": "lc-web"}]}]


def test_every_call_is_retried_when_throttled(stubs, run):
    stubs.throttle_first = True
    expect_lc(stubs)
    expect_template(stubs)
    expect_create(stubs)

    assert run(module, ARGS)["action"] == "created"


def test_every_call_on_an_existing_template_is_retried_when_throttled(stubs, run):
    stubs.throttle_first = True
    expect_lc(stubs)
    expect_template(stubs, template())
    expect_version(stubs, 1, DATA)
    expect_tags(stubs)

    assert run(module, ARGS)["action"] == "none"


def test_tags_are_set_on_create_beside_the_source_tag(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    expect_create(stubs, tags={"team": "web"})

    result = run(module, dict(ARGS, tags={"team": "web"}))

    assert result["action"] == "created"


def test_a_launch_configuration_name_that_is_no_template_name_is_mapped_to_a_valid_one(stubs, run):
    name = "lc-web-" + hashlib.sha256(b"lc web").hexdigest()[:8]
    expect_lc(stubs, dict(LC, LaunchConfigurationName="lc web"), name="lc web")
    expect_template(stubs, name=name)
    description = "Converted from launch configuration lc web by hubfix.aws"
    expect_create(stubs, name=name, tag_specifications=creation_tags(lc_name="lc web"), description=description)

    result = run(module, {"launch_configuration_name": "lc web"})

    assert result["launch_template"]["launch_template_name"] == name


# -- a template of ours ---------------------------------------------------------------------------------------------


def test_a_template_whose_default_version_holds_the_data_is_unchanged(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template())
    expect_version(stubs, 1, DATA)
    expect_tags(stubs)

    result = run(module, ARGS)

    assert (result["changed"], result["action"]) == (False, "none")
    assert result["launch_template"]["version_number"] == 1


def test_a_changed_launch_configuration_adds_a_version_made_the_default(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(default=1, latest=1))
    expect_version(stubs, 1, dict(DATA, InstanceType="m1.small"))
    stubs.stub("ec2").add(
        "create_launch_template_version",
        {"LaunchTemplateVersion": {"LaunchTemplateId": LT_ID, "VersionNumber": 2}},
        {"LaunchTemplateData": DATA, "LaunchTemplateId": LT_ID, "VersionDescription": DESCRIPTION},
    )
    stubs.stub("ec2").add(
        "modify_launch_template", {"LaunchTemplate": r.launch_template(LT_ID, default=2, latest=2)}, {"LaunchTemplateId": LT_ID, "DefaultVersion": "2"}
    )
    expect_tags(stubs)

    result = run(module, ARGS, diff=True)

    assert (result["changed"], result["action"]) == (True, "new_version")
    assert result["launch_template"] == {"launch_template_id": LT_ID, "launch_template_name": "lc-web", "version_number": 2, "default_version_number": 2}
    assert result["diff"]["before"]["InstanceType"] == "m1.small"
    assert result["diff"]["before"]["UserData"].startswith("<masked user data")
    assert result["diff"]["after_header"] == "launch template lc-web (us-east-1) from launch configuration lc-web version 2"


def test_a_version_left_by_an_interrupted_run_is_made_the_default(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(default=1, latest=2))
    expect_version(stubs, 1, dict(DATA, InstanceType="m1.small"))
    expect_version(stubs, 2, DATA)
    stubs.stub("ec2").add(
        "modify_launch_template", {"LaunchTemplate": r.launch_template(LT_ID, default=2, latest=2)}, {"LaunchTemplateId": LT_ID, "DefaultVersion": "2"}
    )
    expect_tags(stubs)

    result = run(module, ARGS)

    assert (result["action"], result["launch_template"]["version_number"]) == ("set_default", 2)


def test_only_missing_tags_are_added_to_an_up_to_date_template(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template())
    expect_version(stubs, 1, DATA)
    expect_tags(stubs, {"owner": "ops", SOURCE_KEY: "lc-web"})
    stubs.stub("ec2").add("create_tags", {}, {"Resources": [LT_ID], "Tags": [{"Key": "team", "Value": "web"}]})

    result = run(module, dict(ARGS, tags={"team": "web", "owner": "ops"}))

    assert (result["changed"], result["action"]) == (True, "tags")


def test_an_untagged_template_hubfix_made_before_the_tag_existed_is_ours_and_gets_the_tag(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(tags={}))
    expect_version(stubs, 1, DATA)  # is it ours? its default version has hubfix's description
    expect_version(stubs, 1, DATA)  # the conversion's read of the default version
    expect_tags(stubs, {})
    stubs.stub("ec2").add("create_tags", {}, {"Resources": [LT_ID], "Tags": r.tag_list(SOURCE_TAG)})

    result = run(module, ARGS)

    assert (result["changed"], result["action"]) == (True, "tags")
    assert result["launch_template"]["launch_template_id"] == LT_ID
    assert not result.get("warnings")


def test_a_rerun_finds_the_template_it_made_under_the_next_name(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(FOREIGN_ID, tags={}))
    expect_version(stubs, 1, DATA, template_id=FOREIGN_ID, description=None)
    expect_template(stubs, template(name="lc-web-imdsv2"), name="lc-web-imdsv2")
    expect_version(stubs, 1, DATA, name="lc-web-imdsv2")
    expect_tags(stubs)

    result = run(module, ARGS)

    assert (result["changed"], result["action"]) == (False, "none")
    assert (result["launch_template"]["launch_template_id"], result["launch_template"]["launch_template_name"]) == (LT_ID, "lc-web-imdsv2")


# -- a template of the name that hubfix did not make ----------------------------------------------------------------

FOREIGN = [
    pytest.param({}, None, id="untagged, made by hand"),
    pytest.param({"Owner": "platform"}, "hand made", id="tagged by someone else"),
    pytest.param({SOURCE_KEY: "lc-other"}, "Converted from launch configuration lc-other by hubfix.aws", id="made by hubfix from another launch configuration"),
]


@pytest.mark.parametrize(("tags", "description"), FOREIGN)
def test_a_foreign_template_of_the_name_is_left_alone_and_the_next_name_used(stubs, run, tags, description):
    expect_lc(stubs)
    expect_template(stubs, template(FOREIGN_ID, tags=tags))
    # the foreign template even holds the very data: still not ours
    expect_version(stubs, 1, DATA, template_id=FOREIGN_ID, description=description)
    expect_template(stubs, name="lc-web-imdsv2")
    expect_create(stubs, name="lc-web-imdsv2")
    # nothing else is queued: a version, default-version or tag change of FOREIGN_ID would be an unexpected call and fail

    result = run(module, ARGS)

    assert (result["changed"], result["action"]) == (True, "created")
    assert result["launch_template"] == {
        "launch_template_id": LT_ID,
        "launch_template_name": "lc-web-imdsv2",
        "version_number": 1,
        "default_version_number": 1,
    }
    assert "launch template lc-web exists and hubfix did not make it from launch configuration lc-web: left alone, using lc-web-imdsv2" in result["warnings"]


def test_foreign_templates_of_the_first_two_names_lead_to_the_third(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(FOREIGN_ID, tags={}))
    expect_version(stubs, 1, DATA, template_id=FOREIGN_ID, description=None)
    expect_template(stubs, template("lt-0aaaaaaaaaaaaaaaa", name="lc-web-imdsv2", tags={}), name="lc-web-imdsv2")
    expect_version(stubs, 1, DATA, template_id="lt-0aaaaaaaaaaaaaaaa", name="lc-web-imdsv2", description=None)
    expect_template(stubs, name="lc-web-imdsv2-2")
    expect_create(stubs, name="lc-web-imdsv2-2")

    result = run(module, ARGS)

    assert result["launch_template"]["launch_template_name"] == "lc-web-imdsv2-2"
    assert len([w for w in result["warnings"] if "left alone, using lc-web-imdsv2-2" in w]) == 2


def test_check_mode_with_a_foreign_template_reports_the_next_name(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(FOREIGN_ID, tags={}))
    expect_version(stubs, 1, DATA, template_id=FOREIGN_ID, description=None)
    expect_template(stubs, name="lc-web-imdsv2")

    result = run(module, ARGS, check_mode=True)

    assert (result["changed"], result["action"]) == (True, "created")
    assert result["launch_template"] == {"launch_template_id": None, "launch_template_name": "lc-web-imdsv2", "version_number": 1, "default_version_number": 1}


def test_a_foreign_template_of_an_explicit_template_name_fails_untouched(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(FOREIGN_ID, name="web", tags={}), name="web")
    expect_version(stubs, 1, DATA, template_id=FOREIGN_ID, name="web", description=None)

    result = run(module, dict(ARGS, template_name="web"), fails=True)

    assert result["msg"] == (
        "launch template web exists and hubfix did not make it from launch configuration lc-web: not touched; choose another template_name"
    )


# -- claims ---------------------------------------------------------------------------------------------------------


def test_a_claiming_run_tags_the_new_template_with_its_claim_and_reads_it_back_after_settling(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    written = r.Capture()
    expect_create(stubs, tag_specifications=written)
    expect_template_by_id(stubs, template(tags={SOURCE_KEY: "lc-web", CLAIM_KEY: claim_of(RUN)}))

    result = run(module, dict(ARGS, claim=RUN, settle_seconds=3))

    tags = {t["Key"]: t["Value"] for t in written.value[0]["Tags"]}
    assert tags[SOURCE_KEY] == "lc-web"
    assert tags[CLAIM_KEY].startswith("run-1|ctl-1|4242|777|")
    assert (result["changed"], result["action"], result["claimed_by"]) == (True, "created", None)
    assert stubs.clock.slept == [3]


def test_a_template_another_live_run_claims_is_left_alone(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(tags={SOURCE_KEY: "lc-web", CLAIM_KEY: claim_of(OTHER_RUN, datetime.timedelta(minutes=5))}))

    result = run(module, dict(ARGS, claim=RUN))

    assert (result["changed"], result["action"]) == (False, "in_progress_other_run")
    assert (result["claimed_by"]["id"], result["claimed_by"]["host"]) == ("run-9", "ctl-2")
    assert result["launch_template"]["launch_template_id"] == LT_ID


def test_a_stale_claim_of_another_host_is_taken_over(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(tags={SOURCE_KEY: "lc-web", CLAIM_KEY: claim_of(OTHER_RUN, datetime.timedelta(hours=2))}))
    written = r.Capture()
    stubs.stub("ec2").add("create_tags", {}, {"Resources": [LT_ID], "Tags": written})
    claimed = {SOURCE_KEY: "lc-web", CLAIM_KEY: claim_of(RUN)}
    expect_template_by_id(stubs, template(tags=claimed))
    expect_version(stubs, 1, DATA)
    expect_tags(stubs, claimed)

    result = run(module, dict(ARGS, claim=RUN, settle_seconds=0))

    assert [t["Key"] for t in written.value] == [CLAIM_KEY]
    assert written.value[0]["Value"].startswith("run-1|ctl-1|4242|777|")
    assert (result["action"], result["claimed_by"]) == ("none", None)


def test_a_template_another_run_created_a_moment_before_is_left_to_that_run(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    stubs.stub("ec2").error("create_launch_template", "InvalidLaunchTemplateName.AlreadyExistsException", "already exists")
    expect_template(stubs, template(tags={SOURCE_KEY: "lc-web", CLAIM_KEY: claim_of(OTHER_RUN)}))

    result = run(module, dict(ARGS, claim=RUN))

    assert (result["changed"], result["action"], result["claimed_by"]["id"]) == (False, "in_progress_other_run", "run-9")


# -- check mode, conversion details, failures -----------------------------------------------------------------------


def test_check_mode_reports_the_template_it_would_create(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)

    result = run(module, ARGS, check_mode=True, diff=True)

    assert (result["changed"], result["action"]) == (True, "created")
    assert result["launch_template"] == {"launch_template_id": None, "launch_template_name": "lc-web", "version_number": 1, "default_version_number": 1}
    assert result["diff"]["before"] == {}
    assert result["diff"]["before_header"] == "launch template lc-web (us-east-1): absent"
    assert result["diff"]["after"] == mask_user_data(DATA)


def test_check_mode_reports_the_version_it_would_add(stubs, run):
    expect_lc(stubs)
    expect_template(stubs, template(default=3, latest=3))
    expect_version(stubs, 3, dict(DATA, InstanceType="m1.small"))
    expect_tags(stubs)

    result = run(module, ARGS, check_mode=True)

    assert (result["action"], result["launch_template"]["version_number"]) == ("new_version", 4)


def test_named_security_groups_become_ids_on_the_public_ip_interface(stubs, run):
    lc = dict(LC, SecurityGroups=["web"], AssociatePublicIpAddress=True)
    expect_lc(stubs, lc)
    groups = {"SecurityGroups": [{"GroupName": "web", "GroupId": "sg-0aaaaaaaaaaaaaaaa"}, {"GroupName": "db", "GroupId": "sg-0bbbbbbbbbbbbbbbb"}]}
    stubs.stub("ec2").add("describe_security_groups", groups, {})
    expect_template(stubs)
    interface = [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "DeleteOnTermination": True, "Groups": ["sg-0aaaaaaaaaaaaaaaa"]}]
    data = {k: v for k, v in DATA.items() if k != "SecurityGroupIds"}
    expect_create(stubs, data=dict(data, NetworkInterfaces=interface))

    assert run(module, ARGS)["launch_template_data"]["NetworkInterfaces"] == interface


def test_a_security_group_name_matching_two_groups_fails_naming_it(stubs, run):
    expect_lc(stubs, dict(LC, SecurityGroups=["web"], AssociatePublicIpAddress=False))
    groups = {"SecurityGroups": [{"GroupName": "web", "GroupId": "sg-0aaaaaaaaaaaaaaaa"}, {"GroupName": "web", "GroupId": "sg-0cccccccccccccccc"}]}
    stubs.stub("ec2").add("describe_security_groups", groups, {})

    result = run(module, ARGS, fails=True)

    assert result["msg"] == "security group name web matches 2 groups in us-east-1; cannot convert it to an id"


def test_classic_link_is_dropped_with_a_warning(stubs, run):
    expect_lc(stubs, dict(LC, ClassicLinkVPCId="vpc-0123456789abcdef0"))
    expect_template(stubs)
    expect_create(stubs)

    result = run(module, ARGS)

    assert any("uses ClassicLink (vpc-0123456789abcdef0)" in w for w in result["warnings"])


def expect_made_from(aws, found, lc_name="lc-web"):
    """The filtered DescribeLaunchTemplates for the templates hubfix made from ``lc_name``."""
    filters = [{"Name": "tag:" + SOURCE_KEY, "Values": [lc_name]}]
    aws.stub("ec2").add("describe_launch_templates", r.launch_templates(*found), {"Filters": filters})


def test_a_launch_configuration_retired_since_the_plan_is_reported_gone_with_its_template(stubs, run):
    expect_lc(stubs, found=False)
    expect_made_from(stubs, [template()])

    result = run(module, ARGS)

    assert (result["changed"], result["action"]) == (False, "source_gone")
    assert result["launch_template"] == {"launch_template_id": LT_ID, "launch_template_name": "lc-web", "version_number": 1, "default_version_number": 1}


def test_an_unknown_launch_configuration_without_a_template_is_gone_too_and_nothing_changes(stubs, run):
    expect_lc(stubs, found=False)
    expect_made_from(stubs, [])

    result = run(module, ARGS)

    assert (result["changed"], result["action"], result["launch_template"]) == (False, "source_gone", None)


def test_an_invalid_template_name_fails_before_any_call(stubs, run):
    result = run(module, dict(ARGS, template_name="lc web"), fails=True)

    assert result["msg"] == "'lc web' is not a valid launch template name (3-128 characters: letters, digits and ( ) . - / _); set template_name"


def test_a_hop_limit_out_of_range_fails_before_any_call(stubs, run):
    result = run(module, dict(ARGS, http_put_response_hop_limit=65), fails=True)

    assert result["msg"] == "http_put_response_hop_limit must be between 1 and 64, got 65"


def test_refused_create_fails_naming_configuration_and_region(stubs, run):
    expect_lc(stubs)
    expect_template(stubs)
    stubs.stub("ec2").error("create_launch_template", "UnauthorizedOperation", "not authorized")

    result = run(module, ARGS, fails=True)

    assert result["msg"].startswith("failed to convert launch configuration lc-web to a launch template in us-east-1")
    assert "CreateLaunchTemplate" in result["msg"] and "not authorized" in result["msg"]


PV_LC = r.launch_configuration("lc-pv", {"HttpTokens": "optional"}, ImageId="ami-8104a4f8", InstanceType="m1.small", KernelId="aki-919dcaf8")


def expect_pv_lc(aws, target=None, target_virtualization="hvm"):
    """lc-pv on the paravirtual image ami-8104a4f8; ``target``: the mapped HVM image, read after it."""
    aws.stub("autoscaling").add("describe_launch_configurations", r.launch_configurations(PV_LC), {"LaunchConfigurationNames": ["lc-pv"]})
    aws.stub("ec2").add("describe_images", {"Images": [{"ImageId": "ami-8104a4f8", "VirtualizationType": "paravirtual"}]}, {"ImageIds": ["ami-8104a4f8"]})
    if target:
        image = {"ImageId": target, "VirtualizationType": target_virtualization, "State": "available", "RootDeviceType": "ebs"}
        aws.stub("ec2").add("describe_images", {"Images": [image]}, {"ImageIds": [target]})


def test_a_paravirtual_image_is_kept_with_a_warning_when_no_hvm_image_is_mapped(stubs, run):
    expect_pv_lc(stubs)
    expect_template(stubs, name="lc-pv")

    result = run(module, {"launch_configuration_name": "lc-pv"}, check_mode=True)

    assert_documented_result(module, result)
    assert result["launch_template_data"]["ImageId"] == "ami-8104a4f8" and result["launch_template_data"]["InstanceType"] == "m1.small"
    plan = result["paravirtual_image"]
    assert (plan["image_id"], plan["target_image_id"]) == ("ami-8104a4f8", None)
    assert "keep launching instances that fail EC2.24" in plan["message"] and "pv_to_hvm_image_map" in plan["message"]
    assert any("fail EC2.24" in w for w in result["warnings"])


def test_a_mapped_hvm_image_replaces_the_paravirtual_one_with_the_mapped_type_and_no_pv_kernel(stubs, run):
    expect_pv_lc(stubs, target="ami-760aaa0f")
    expect_template(stubs, name="lc-pv")

    result = run(module, {"launch_configuration_name": "lc-pv", "image_map": {"ami-8104a4f8": "ami-760aaa0f"}}, check_mode=True)

    data = result["launch_template_data"]
    assert (data["ImageId"], data["InstanceType"]) == ("ami-760aaa0f", "t3.small")
    assert "KernelId" not in data and data["MetadataOptions"]["HttpTokens"] == "required"
    assert result["paravirtual_image"]["target_instance_type"] == "t3.small"


def test_a_mapped_image_that_is_not_hvm_fails_naming_it(stubs, run):
    expect_pv_lc(stubs, target="ami-0pv0000000000000", target_virtualization="paravirtual")

    result = run(
        module,
        {"launch_configuration_name": "lc-pv", "image_map": {"lc-pv": "ami-0pv0000000000000"}, "instance_type_map": {"m1.small": "m5.large"}},
        fails=True,
    )

    assert "ami-0pv0000000000000 is paravirtual, not hvm" in result["msg"]
