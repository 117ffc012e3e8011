"""CloudFormation templates: reading / writing JSON and YAML, the launch configuration -> launch template patch
(plugins/module_utils/cloudformation_patch.py)."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from ansible_collections.hubfix.aws.plugins.module_utils.cloudformation_patch import (
    change_set_name,
    dump_template,
    launch_configuration_logical_ids,
    load_template,
    patch_template,
)

SHORT_FORM_YAML = """\
AWSTemplateFormatVersion: 2010-09-09
Description: web tier
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
  AmiId:
    Type: AWS::EC2::Image::Id
Mappings:
  Sizes:
    dev: {Type: t3.micro}
    prod: {Type: m5.large}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Either: !Or [!Condition IsProd, !And [!Condition NotProd, !Equals [a, a]]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref Role]
  WebLC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: !Ref AmiId
      InstanceType: !FindInMap [Sizes, !Ref Env, Type]
      IamInstanceProfile: !GetAtt Role.Arn
      KeyName: !If [IsProd, !Ref AWS::NoValue, dev-key]
      SecurityGroups:
        - !ImportValue network-web-sg
      UserData: !Base64 |
        #!/bin/bash
        echo hello
      BlockDeviceMappings:
        - DeviceName: /dev/xvda
          Ebs:
            VolumeSize: !Select [0, !Split [",", "30,40"]]
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-1
      CidrBlock: !Select [0, !Cidr [10.0.0.0/16, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      LaunchConfigurationName: !Ref WebLC
      MinSize: "1"
      MaxSize: "3"
      VPCZoneIdentifier: [!Ref Subnet]
      Tags:
        - Key: Name
          Value: !Join ["-", [web, !Ref Env]]
          PropagateAtLaunch: true
  Endpoint:
    Type: AWS::DB::Thing
    Properties:
      Address: !GetAtt [Role, RoleId]
      Nested: !GetAtt Db.Endpoint.Address
      Json: !ToJsonString {a: 1}
      Included: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
Outputs:
  Url:
    Value: !Sub "https://${AWS::Region}.example.com/${WebLC}"
  SubList:
    Value: !Sub
      - "${Name}-x"
      - Name: !Ref Env
"""


def lc(**props):
    return {"Type": "AWS::AutoScaling::LaunchConfiguration", "Properties": props}


def group(lc_id, **props):
    return {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": dict({"LaunchConfigurationName": {"Ref": lc_id}, "MinSize": "1", "MaxSize": "2"}, **props),
    }


def typical_stack():
    """A stack as people write it: parameters, a security group, a launch configuration, a group on it, an output."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"AmiId": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/service/ami"}},
        "Resources": {
            "InstanceSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web", "VpcId": "vpc-1"}},
            "WebLC": lc(
                ImageId={"Ref": "AmiId"},
                InstanceType="t3.small",
                SecurityGroups=[{"Ref": "InstanceSG"}],
                UserData={"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::StackName}\n"}},
                BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True}}],
            ),
            "WebGroup": group("WebLC", VPCZoneIdentifier=["subnet-1", "subnet-2"]),
        },
        "Outputs": {"LaunchConfig": {"Value": {"Ref": "WebLC"}}},
    }


def converted(template, logical_id="WebLC", **kwargs):
    patched, changes = patch_template(template, [logical_id], **kwargs)
    new_id = changes["launch_templates"][0]["to"]
    return patched, changes, patched["Resources"][new_id]["Properties"]["LaunchTemplateData"]


# --------------------------------------------------------------------------------------------------------------------
# load_template / dump_template


def test_yaml_short_forms_become_long_form():
    template, fmt = load_template(SHORT_FORM_YAML)
    assert fmt == "yaml"
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Conditions"] == {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::And": [{"Condition": "NotProd"}, {"Fn::Equals": ["a", "a"]}]}]},
    }
    props = template["Resources"]["WebLC"]["Properties"]
    assert props["ImageId"] == {"Ref": "AmiId"}
    assert props["InstanceType"] == {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Type"]}
    assert props["IamInstanceProfile"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["KeyName"] == {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "dev-key"]}
    assert props["SecurityGroups"] == [{"Fn::ImportValue": "network-web-sg"}]
    assert props["UserData"] == {"Fn::Base64": "#!/bin/bash\necho hello\n"}
    assert props["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == {"Fn::Select": [0, {"Fn::Split": [",", "30,40"]}]}
    subnet = template["Resources"]["Subnet"]["Properties"]
    assert subnet["CidrBlock"] == {"Fn::Select": [0, {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}]}
    assert subnet["AvailabilityZone"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert template["Resources"]["Group"]["Properties"]["Tags"][0]["Value"] == {"Fn::Join": ["-", ["web", {"Ref": "Env"}]]}
    endpoint = template["Resources"]["Endpoint"]["Properties"]
    assert endpoint["Address"] == {"Fn::GetAtt": ["Role", "RoleId"]}
    assert endpoint["Nested"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert endpoint["Json"] == {"Fn::ToJsonString": {"a": 1}}
    assert endpoint["Included"] == {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}
    assert template["Outputs"]["Url"]["Value"] == {"Fn::Sub": "https://${AWS::Region}.example.com/${WebLC}"}
    assert template["Outputs"]["SubList"]["Value"] == {"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Env"}}]}


def test_loader_leaves_yaml_safe_loader_alone():
    load_template(SHORT_FORM_YAML)
    assert "!" not in yaml.SafeLoader.yaml_multi_constructors
    assert not isinstance(yaml.safe_load("d: 2010-09-09")["d"], str)
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("a: !Ref B")


def test_yaml_round_trip_in_long_form():
    template, unused = load_template(SHORT_FORM_YAML)
    body = dump_template(template, "yaml")
    assert "!Ref" not in body and "!GetAtt" not in body
    assert "Fn::GetAtt:" in body and "Ref: AmiId" in body
    assert "AWSTemplateFormatVersion: '2010-09-09'" in body
    assert "&id" not in body and "*id" not in body
    assert load_template(body) == (template, "yaml")
    # the user data stays readable: a literal block
    assert "Fn::Base64: |\n" in body


def test_yaml_dump_quotes_strings_that_read_as_something_else():
    template = {"A": "2010-09-09", "B": "yes", "C": "1e3", "D": "0123", "E": "123456789012", "F": "!Ref X", "G": "null", "H": "0x1f", "I": "plain text"}
    body = dump_template(template, "yaml")
    assert load_template(body) == (template, "yaml")
    assert "I: plain text" in body
    for key in "ABCDEFGH":
        assert not re.search(r"^%s: [^'\"]" % key, body, re.M), body


def test_yaml_dump_writes_no_anchors_for_shared_values():
    shared = [{"Ref": "SG"}]
    body = dump_template({"Resources": {"A": {"Properties": {"G": shared}}, "B": {"Properties": {"G": shared}}}}, "yaml")
    assert "&" not in body and "*" not in body
    assert load_template(body)[0]["Resources"]["B"]["Properties"]["G"] == [{"Ref": "SG"}]


def test_json_round_trip():
    template = typical_stack()
    body = json.dumps(template)
    loaded, fmt = load_template(body)
    assert (loaded, fmt) == (template, "json")
    dumped = dump_template(loaded, "json")
    assert dumped == json.dumps(template, indent=2) + "\n"
    assert list(json.loads(dumped)) == list(template)  # key order kept
    assert load_template(dumped) == (template, "json")


def test_a_dict_body_is_json():
    # boto3's GetTemplate returns a JSON template's body already parsed
    template = typical_stack()
    assert load_template(template) == (template, "json")


def test_load_template_refuses_what_is_no_template():
    for body in ("just a string", "[1, 2]", "a: [unclosed", ""):
        with pytest.raises(ValueError):
            load_template(body)
    with pytest.raises(ValueError):
        dump_template({}, "xml")


def test_launch_configuration_logical_ids():
    template, unused = load_template(SHORT_FORM_YAML)
    assert launch_configuration_logical_ids(template) == ["WebLC"]
    assert launch_configuration_logical_ids({"Resources": {"A": lc(), "B": group("A"), "C": lc()}}) == ["A", "C"]
    assert launch_configuration_logical_ids({}) == []


# --------------------------------------------------------------------------------------------------------------------
# patch_template


def test_typical_stack():
    template = typical_stack()
    patched, changes = patch_template(template, ["WebLC"])

    assert list(patched["Resources"]) == ["InstanceSG", "WebLCTemplate", "WebGroup"]  # in the old one's place
    assert patched["Resources"]["WebLCTemplate"] == {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": {
            "LaunchTemplateData": {
                "ImageId": {"Ref": "AmiId"},
                "InstanceType": "t3.small",
                "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/bash\necho ${AWS::StackName}\n"}},
                "SecurityGroupIds": [{"Ref": "InstanceSG"}],
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"}}],
                "Monitoring": {"Enabled": True},
                "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
            }
        },
    }
    assert patched["Resources"]["WebGroup"]["Properties"] == {
        "LaunchTemplate": {"LaunchTemplateId": {"Ref": "WebLCTemplate"}, "Version": {"Fn::GetAtt": ["WebLCTemplate", "LatestVersionNumber"]}},
        "MinSize": "1",
        "MaxSize": "2",
        "VPCZoneIdentifier": ["subnet-1", "subnet-2"],
    }
    assert patched["Outputs"]["LaunchConfig"]["Value"] == {"Ref": "WebLCTemplate"}
    assert changes["launch_templates"] == [{"from": "WebLC", "to": "WebLCTemplate"}]
    assert changes["groups"] == ["WebGroup"]
    assert len(changes["warnings"]) == 1
    assert "Outputs.LaunchConfig.Value" in changes["warnings"][0] and "launch template id" in changes["warnings"][0]
    # the rest of the template is as it was
    assert patched["Parameters"] == template["Parameters"]
    assert patched["Resources"]["InstanceSG"] == template["Resources"]["InstanceSG"]


def test_input_is_not_mutated():
    template = typical_stack()
    before = copy.deepcopy(template)
    patched, unused = patch_template(template, ["WebLC"])
    assert template == before
    patched["Resources"]["WebLCTemplate"]["Properties"]["LaunchTemplateData"]["SecurityGroupIds"].append("sg-x")
    assert template == before


def test_patched_yaml_template_dumps_and_reloads():
    template, fmt = load_template(SHORT_FORM_YAML)
    patched, changes = patch_template(template, ["WebLC"])
    body = dump_template(patched, fmt)
    assert load_template(body) == (patched, "yaml")
    data = patched["Resources"]["WebLCTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["IamInstanceProfile"] == {"Arn": {"Fn::GetAtt": ["Role", "Arn"]}}
    assert data["KeyName"] == {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "dev-key"]}
    assert data["SecurityGroupIds"] == [{"Fn::ImportValue": "network-web-sg"}]
    assert data["UserData"] == {"Fn::Base64": "#!/bin/bash\necho hello\n"}
    assert changes["groups"] == ["Group"]
    # ${WebLC} in an output's Fn::Sub: reported, left for the owner
    assert any("Outputs.Url.Value" in w and "Fn::Sub" in w for w in changes["warnings"])
    assert patched["Outputs"]["Url"] == template["Outputs"]["Url"]


def test_public_ip_choice_puts_the_groups_on_a_network_interface():
    template = {"Resources": {"WebLC": lc(ImageId="ami-1", InstanceType="t3.micro", AssociatePublicIpAddress=True, SecurityGroups=["sg-1", {"Ref": "SG"}])}}
    unused, changes, data = converted(template)
    assert "SecurityGroupIds" not in data and "SecurityGroups" not in data
    assert data["NetworkInterfaces"] == [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "DeleteOnTermination": True, "Groups": ["sg-1", {"Ref": "SG"}]}]
    assert any("no AutoScalingGroup" in w for w in changes["warnings"])


def test_public_ip_choice_without_groups_and_through_fn_if():
    template = {"Resources": {"WebLC": lc(AssociatePublicIpAddress={"Fn::If": ["Public", False, {"Ref": "AWS::NoValue"}]})}}
    unused, unused2, data = converted(template)
    # no choice in one branch: an interface that takes the subnet's setting, as the launch configuration did
    assert data["NetworkInterfaces"] == {
        "Fn::If": [
            "Public",
            [{"DeviceIndex": 0, "AssociatePublicIpAddress": False, "DeleteOnTermination": True}],
            [{"DeviceIndex": 0, "DeleteOnTermination": True}],
        ]
    }


def test_public_ip_choice_with_group_names_warns():
    unused, changes, data = converted({"Resources": {"WebLC": lc(AssociatePublicIpAddress="true", SecurityGroups=["web"])}})
    assert data["NetworkInterfaces"][0]["Groups"] == ["web"]
    assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] == "true"
    assert any('"web"' in w and "group ids" in w for w in changes["warnings"])


@pytest.mark.parametrize(
    "groups, key, warns",
    [
        (["web", "default"], "SecurityGroups", False),
        (["sg-1", "sg-2"], "SecurityGroupIds", False),
        ([{"Ref": "VpcSG"}, {"Fn::GetAtt": ["VpcSG", "GroupId"]}, {"Fn::ImportValue": "x"}], "SecurityGroupIds", False),
        (["web", {"Ref": "VpcSG"}], "SecurityGroupIds", True),
        (["web", "sg-1"], "SecurityGroupIds", True),
        # Ref of a security group without VpcId is its name (default VPC)
        ([{"Ref": "DefaultVpcSG"}, "web"], "SecurityGroups", False),
        ([{"Ref": "NamesParam"}], "SecurityGroups", False),
        ({"Ref": "NameListParam"}, "SecurityGroups", False),
        ({"Ref": "IdListParam"}, "SecurityGroupIds", False),
        ({"Fn::If": ["C", ["web"], ["other"]]}, "SecurityGroups", False),
        ({"Fn::If": ["C", ["web"], ["sg-1"]]}, "SecurityGroupIds", True),
    ],
)
def test_security_groups(groups, key, warns):
    template = {
        "Parameters": {
            "NamesParam": {"Type": "AWS::EC2::SecurityGroup::GroupName"},
            "NameListParam": {"Type": "List<AWS::EC2::SecurityGroup::GroupName>"},
            "IdListParam": {"Type": "List<AWS::EC2::SecurityGroup::Id>"},
        },
        "Resources": {
            "VpcSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": "vpc-1"}},
            "DefaultVpcSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x"}},
            "WebLC": lc(SecurityGroups=groups),
        },
    }
    unused, changes, data = converted(template)
    assert data[key] == groups
    assert {"SecurityGroupIds", "SecurityGroups"} & set(data) == {key}
    assert any("mix names" in w for w in changes["warnings"]) is warns


def test_template_id_collision():
    template = {
        "Parameters": {"WebLCTemplate2": {"Type": "String"}},
        "Resources": {"WebLC": lc(ImageId="ami-1"), "WebLCTemplate": {"Type": "AWS::SNS::Topic"}, "WebGroup": group("WebLC")},
    }
    patched, changes = patch_template(template, ["WebLC"])
    assert changes["launch_templates"] == [{"from": "WebLC", "to": "WebLCTemplate3"}]
    assert patched["Resources"]["WebLCTemplate"] == {"Type": "AWS::SNS::Topic"}
    assert patched["Resources"]["WebLCTemplate3"]["Type"] == "AWS::EC2::LaunchTemplate"
    assert patched["Resources"]["WebGroup"]["Properties"]["LaunchTemplate"]["LaunchTemplateId"] == {"Ref": "WebLCTemplate3"}
    assert "WebLC" not in patched["Resources"]


def test_unknown_ids_raise_naming_them():
    template = typical_stack()
    with pytest.raises(ValueError, match=r"Missing \(no such resource\).*WebGroup \(AWS::AutoScaling::AutoScalingGroup\)"):
        patch_template(template, ["WebLC", "Missing", "WebGroup"])
    with pytest.raises(ValueError, match="Missing"):
        patch_template({"AWSTemplateFormatVersion": "2010-09-09"}, ["Missing"])
    with pytest.raises(ValueError, match="http_tokens"):
        patch_template(template, ["WebLC"], http_tokens="yes")


def test_fields_converted_like_launch_template_convert():
    template = {
        "Resources": {
            "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": ["r"]}},
            "WebLC": lc(
                ImageId="ami-1",
                InstanceType="m5.large",
                KeyName="key",
                KernelId="aki-1",
                RamDiskId="ari-1",
                IamInstanceProfile={"Ref": "Profile"},
                InstanceMonitoring=False,
                SpotPrice=0.05,
                PlacementTenancy="dedicated",
                EbsOptimized=True,
                MetadataOptions={"HttpTokens": "optional", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
                BlockDeviceMappings=[
                    {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
                    {"DeviceName": "/dev/sdc", "NoDevice": True},
                    {
                        "DeviceName": "/dev/sdd",
                        "NoDevice": False,
                        "Ebs": {"SnapshotId": "snap-1", "Iops": 3000, "Throughput": 125, "DeleteOnTermination": False},
                    },
                ],
            ),
        }
    }
    unused, changes, data = converted(template)
    assert data == {
        "ImageId": "ami-1",
        "InstanceType": "m5.large",
        "KeyName": "key",
        "KernelId": "aki-1",
        "RamDiskId": "ari-1",
        "IamInstanceProfile": {"Name": {"Ref": "Profile"}},
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
            {"DeviceName": "/dev/sdc", "NoDevice": ""},
            {"DeviceName": "/dev/sdd", "Ebs": {"DeleteOnTermination": False, "Iops": 3000, "SnapshotId": "snap-1", "Throughput": 125}},
        ],
        "Monitoring": {"Enabled": False},
        "InstanceMarketOptions": {"MarketType": "spot", "SpotOptions": {"MaxPrice": "0.05"}},
        "Placement": {"Tenancy": "dedicated"},
        "EbsOptimized": True,
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
    }
    assert changes["warnings"] == ["WebLC: no AutoScalingGroup of the template uses it; a group elsewhere that does keeps the launch configuration in use"]


def test_http_tokens_and_kept_metadata_options():
    unused, unused2, data = converted({"Resources": {"WebLC": lc(MetadataOptions={"HttpEndpoint": {"Ref": "Endpoint"}})}}, http_tokens="optional")
    assert data["MetadataOptions"] == {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1, "HttpEndpoint": {"Ref": "Endpoint"}}


@pytest.mark.parametrize(
    "value, expected, warns",
    [
        ("arn:aws:iam::123456789012:instance-profile/web", "Arn", False),
        ("web-profile", "Name", False),
        ({"Fn::GetAtt": ["Profile", "Arn"]}, "Arn", False),
        ({"Fn::GetAtt": "Profile.Arn"}, "Arn", False),
        ({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/web"}, "Arn", False),
        ({"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam"]]}, "Arn", False),
        ({"Ref": "Profile"}, "Name", False),
        ({"Ref": "ProfileParam"}, "Name", True),
        ({"Fn::ImportValue": "profile"}, "Name", True),
    ],
)
def test_instance_profile(value, expected, warns):
    template = {
        "Parameters": {"ProfileParam": {"Type": "String"}},
        "Resources": {"Profile": {"Type": "AWS::IAM::InstanceProfile"}, "WebLC": lc(IamInstanceProfile=value)},
    }
    unused, changes, data = converted(template)
    assert data["IamInstanceProfile"] == {expected: value}
    assert any("IamInstanceProfile" in w for w in changes["warnings"]) is warns


def test_fn_if_branches_are_converted_one_by_one():
    template = {
        "Resources": {
            "WebLC": lc(
                InstanceMonitoring={"Fn::If": ["Cheap", False, {"Ref": "AWS::NoValue"}]},
                SpotPrice={"Fn::If": ["Cheap", "0.10", {"Ref": "AWS::NoValue"}]},
                BlockDeviceMappings=[
                    {"Fn::If": ["Big", {"DeviceName": "/dev/sdf", "NoDevice": True}, {"Ref": "AWS::NoValue"}]},
                    {"DeviceName": "/dev/sdg", "NoDevice": {"Fn::If": ["Big", True, False]}},
                ],
                MetadataOptions={"Fn::If": ["Hops", {"HttpPutResponseHopLimit": 2}, {"Ref": "AWS::NoValue"}]},
            )
        }
    }
    unused, unused2, data = converted(template)
    no_value = {"Ref": "AWS::NoValue"}
    # a launch configuration without InstanceMonitoring has detailed monitoring: so has the template's NoValue branch
    assert data["Monitoring"] == {"Fn::If": ["Cheap", {"Enabled": False}, {"Enabled": True}]}
    assert data["InstanceMarketOptions"] == {"Fn::If": ["Cheap", {"MarketType": "spot", "SpotOptions": {"MaxPrice": "0.10"}}, no_value]}
    assert data["BlockDeviceMappings"] == [
        {"Fn::If": ["Big", {"DeviceName": "/dev/sdf", "NoDevice": ""}, no_value]},
        {"DeviceName": "/dev/sdg", "NoDevice": {"Fn::If": ["Big", "", no_value]}},
    ]
    defaults = {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}
    assert data["MetadataOptions"] == {"Fn::If": ["Hops", dict(defaults, HttpPutResponseHopLimit=2), defaults]}


def test_attributes_kept_and_dropped():
    resource = lc(ImageId="ami-1")
    resource.update(
        {
            "Condition": "IsProd",
            "DependsOn": "Role",
            "Metadata": {"AWS::CloudFormation::Init": {"config": {"packages": {}}}},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Delete",
            "CreationPolicy": {"ResourceSignal": {"Count": 1}},
            "UpdatePolicy": {},
        }
    )
    patched, changes = patch_template({"Resources": {"Role": {"Type": "AWS::IAM::Role"}, "WebLC": resource, "G": group("WebLC")}}, ["WebLC"])
    new = patched["Resources"]["WebLCTemplate"]
    assert new == {
        "Type": "AWS::EC2::LaunchTemplate",
        "Properties": new["Properties"],
        "Condition": "IsProd",
        "DependsOn": "Role",
        "Metadata": {"AWS::CloudFormation::Init": {"config": {"packages": {}}}},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Delete",
    }
    warnings = "\n".join(changes["warnings"])
    assert "CreationPolicy dropped" in warnings and "UpdatePolicy dropped" in warnings
    assert "DeletionPolicy Retain" in warnings


def test_dropped_and_unknown_properties_warn():
    template = {
        "Resources": {
            "WebLC": lc(ImageId="ami-1", LaunchConfigurationName="web-lc-v1", ClassicLinkVPCId="vpc-1", InstanceId="i-1", Bogus=1),
            "G": group("WebLC"),
        }
    }
    unused, changes, data = converted(template)
    assert "ClassicLinkVPCId" not in data and "LaunchConfigurationName" not in data and "InstanceId" not in data
    warnings = "\n".join(changes["warnings"])
    assert "ClassicLinkVPCId dropped" in warnings
    assert '"web-lc-v1"' in warnings and "not carried" in warnings
    assert "Bogus, InstanceId are not converted" in warnings


def test_groups_by_physical_name_and_depends_on_renamed():
    template = {
        "Resources": {
            "WebLC": lc(ImageId="ami-1", LaunchConfigurationName="web-lc"),
            "OtherLC": lc(ImageId="ami-2"),
            "ByRef": group("WebLC"),
            "ByName": dict(group("WebLC"), DependsOn="WebLC"),
            "ByPhysical": dict(group("WebLC"), DependsOn=["OtherLC", "WebLC"]),
            "Untouched": group("Unrelated"),
        }
    }
    template["Resources"]["ByName"]["Properties"]["LaunchConfigurationName"] = "web-lc"
    template["Resources"]["ByPhysical"]["Properties"]["LaunchConfigurationName"] = "web-lc-2021"
    patched, changes = patch_template(template, ["WebLC", "OtherLC"], physical_names={"WebLC": "web-lc-2021"})
    assert changes["groups"] == ["ByRef", "ByName", "ByPhysical"]
    assert changes["launch_templates"] == [{"from": "WebLC", "to": "WebLCTemplate"}, {"from": "OtherLC", "to": "OtherLCTemplate"}]
    for name in changes["groups"]:
        assert "LaunchConfigurationName" not in patched["Resources"][name]["Properties"]
        assert patched["Resources"][name]["Properties"]["LaunchTemplate"]["LaunchTemplateId"] == {"Ref": "WebLCTemplate"}
    assert patched["Resources"]["ByName"]["DependsOn"] == "WebLCTemplate"
    assert patched["Resources"]["ByPhysical"]["DependsOn"] == ["OtherLCTemplate", "WebLCTemplate"]
    assert patched["Resources"]["Untouched"] == template["Resources"]["Untouched"]


def test_other_references_are_reported_not_guessed():
    template = typical_stack()
    template["Resources"]["Alarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmDescription": {"Ref": "WebLC"}}}
    template["Resources"]["Doc"] = {"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::Sub": ["${WebLC} ${!WebLC} ${Own}", {"Own": "x"}]}}}
    template["Outputs"]["Att"] = {"Value": {"Fn::GetAtt": ["WebLC", "Name"]}, "Export": {"Name": "lc-att"}}
    template["Outputs"]["Shadowed"] = {"Value": {"Fn::Sub": ["${WebLC}", {"WebLC": "x"}]}}
    patched, changes = patch_template(template, ["WebLC"])
    warnings = changes["warnings"]
    assert any("Resources.Alarm.Properties.AlarmDescription refers to it (Ref)" in w for w in warnings)
    assert patched["Resources"]["Alarm"]["Properties"]["AlarmDescription"] == {"Ref": "WebLC"}  # only Outputs are retargeted
    assert any("Resources.Doc.Properties.Value refers to it (Fn::Sub)" in w for w in warnings)
    assert any("Outputs.Att.Value refers to it (Fn::GetAtt)" in w for w in warnings)
    assert not any("Shadowed" in w for w in warnings)
    assert patched["Outputs"]["LaunchConfig"]["Value"] == {"Ref": "WebLCTemplate"}


def test_output_export_is_named_in_the_warning():
    template = typical_stack()
    template["Outputs"]["LaunchConfig"]["Export"] = {"Name": "web-lc"}
    unused, changes = patch_template(template, ["WebLC"])
    assert any('stacks importing "web-lc" get the id' in w for w in changes["warnings"])


def test_cfn_init_mentions_of_the_old_id_warn():
    resource = lc(UserData={"Fn::Base64": {"Fn::Sub": "cfn-init -s ${AWS::StackName} -r WebLC --region ${AWS::Region}\nWebLCX"}})
    resource["Metadata"] = {"AWS::CloudFormation::Init": {}}
    unused, changes = patch_template({"Resources": {"WebLC": resource, "G": group("WebLC")}}, ["WebLC"])
    assert any("mention WebLC as text" in w for w in changes["warnings"])
    unused, changes = patch_template({"Resources": {"WebLC": lc(UserData="WebLCX MyWebLC WebLC_x"), "G": group("WebLC")}}, ["WebLC"])
    assert not any("as text" in w for w in changes["warnings"])


def test_change_set_name():
    body = dump_template(patch_template(typical_stack(), ["WebLC"])[0], "json")
    name = change_set_name(body)
    assert name == change_set_name(body)
    assert re.fullmatch(r"hubfix-autoscaling-3-[0-9a-f]{12}", name)
    assert change_set_name(body + " ") != name
