"""Launch configuration -> launch template data, field by field (plugins/module_utils/launch_template.py)."""

from __future__ import annotations

import pytest

from ansible_collections.hubfix.aws.plugins.module_utils import launch_template as lt

FULL = {
    "LaunchConfigurationName": "lc-full",
    "LaunchConfigurationARN": "arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:x:launchConfigurationName/lc-full",
    "ImageId": "ami-760aaa0f",
    "KeyName": "demo-key",
    "SecurityGroups": ["sg-0123456789abcdef0"],
    "UserData": "IyEvYmluL3NoCmVjaG8gaGk=",
    "InstanceType": "m5.large",
    "KernelId": "aki-11111111",
    "RamdiskId": "ari-22222222",
    "BlockDeviceMappings": [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Iops": 3000, "Throughput": 125, "DeleteOnTermination": True}},
        {"DeviceName": "/dev/sdf", "Ebs": {"SnapshotId": "snap-0abc", "Encrypted": True, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1"}},
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        {"DeviceName": "/dev/sdc", "NoDevice": True},
    ],
    "InstanceMonitoring": {"Enabled": False},
    "SpotPrice": "0.05",
    "IamInstanceProfile": "demo-profile",
    "EbsOptimized": True,
    "AssociatePublicIpAddress": False,
    "PlacementTenancy": "default",
    "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 3, "HttpEndpoint": "enabled"},
}


def convert(lc, **kw):
    data, _unused = lt.convert(lc, **kw)
    return data


def minimal(**extra):
    lc = {"LaunchConfigurationName": "lc", "ImageId": "ami-1", "InstanceType": "t3.micro"}
    lc.update(extra)
    return lc


class TestScalarFields:
    def test_image_instance_type_key(self):
        data = convert(FULL)
        assert data["ImageId"] == "ami-760aaa0f"
        assert data["InstanceType"] == "m5.large"
        assert data["KeyName"] == "demo-key"

    def test_user_data_copied_as_base64(self):
        assert convert(FULL)["UserData"] == FULL["UserData"]

    def test_kernel_and_ramdisk_renamed(self):
        data = convert(FULL)
        assert data["KernelId"] == "aki-11111111"
        assert data["RamDiskId"] == "ari-22222222"
        assert "RamdiskId" not in data

    def test_empty_strings_are_not_copied(self):
        data = convert(minimal(KernelId="", RamdiskId="", KeyName="", UserData=""))
        assert not {"KernelId", "RamDiskId", "KeyName", "UserData"} & set(data)

    def test_ebs_optimized_true_and_false(self):
        assert convert(FULL)["EbsOptimized"] is True
        assert convert(minimal(EbsOptimized=False))["EbsOptimized"] is False
        assert "EbsOptimized" not in convert(minimal())


class TestInstanceProfile:
    def test_name(self):
        assert convert(FULL)["IamInstanceProfile"] == {"Name": "demo-profile"}

    def test_arn(self):
        arn = "arn:aws:iam::123456789012:instance-profile/web"
        assert convert(minimal(IamInstanceProfile=arn))["IamInstanceProfile"] == {"Arn": arn}

    def test_absent(self):
        assert "IamInstanceProfile" not in convert(minimal())


class TestNetwork:
    def test_public_ip_false_stays_false_and_groups_move_to_interface(self):
        data = convert(FULL)
        assert data["NetworkInterfaces"] == [
            {"DeviceIndex": 0, "AssociatePublicIpAddress": False, "DeleteOnTermination": True, "Groups": ["sg-0123456789abcdef0"]}
        ]
        assert "SecurityGroupIds" not in data and "SecurityGroups" not in data

    def test_public_ip_true(self):
        data = convert(minimal(AssociatePublicIpAddress=True, SecurityGroups=["sg-1"]))
        assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is True
        assert data["NetworkInterfaces"][0]["Groups"] == ["sg-1"]

    def test_public_ip_without_groups(self):
        data = convert(minimal(AssociatePublicIpAddress=True))
        assert data["NetworkInterfaces"] == [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "DeleteOnTermination": True}]

    def test_no_public_ip_choice_keeps_groups_top_level(self):
        data = convert(minimal(SecurityGroups=["sg-1", "sg-2"]))
        assert data["SecurityGroupIds"] == ["sg-1", "sg-2"]
        assert "NetworkInterfaces" not in data

    def test_group_names_stay_names_without_interface(self):
        data = convert(minimal(SecurityGroups=["web", "db"]))
        assert data["SecurityGroups"] == ["web", "db"]

    def test_group_names_resolved_on_interface(self):
        data = convert(minimal(SecurityGroups=["web", "sg-9"], AssociatePublicIpAddress=False), resolve_group_names=lambda names: ["sg-web"] * len(names))
        assert data["NetworkInterfaces"][0]["Groups"] == ["sg-web", "sg-9"]

    def test_mixed_ids_and_names_resolved(self):
        data = convert(minimal(SecurityGroups=["web", "sg-9"]), resolve_group_names=lambda names: ["sg-web"])
        assert data["SecurityGroupIds"] == ["sg-web", "sg-9"]

    def test_group_names_on_interface_without_resolver_fail(self):
        with pytest.raises(lt.ConversionError, match="web"):
            lt.convert(minimal(SecurityGroups=["web"], AssociatePublicIpAddress=True))


class TestBlockDevices:
    def by_device(self):
        return {m["DeviceName"]: m for m in convert(FULL)["BlockDeviceMappings"]}

    def test_ebs_root_with_iops_throughput(self):
        assert self.by_device()["/dev/xvda"] == {
            "DeviceName": "/dev/xvda",
            "Ebs": {"VolumeSize": 30, "VolumeType": "gp3", "Iops": 3000, "Throughput": 125, "DeleteOnTermination": True},
        }

    def test_ebs_from_snapshot_encrypted_with_kms(self):
        assert self.by_device()["/dev/sdf"]["Ebs"] == {
            "SnapshotId": "snap-0abc",
            "Encrypted": True,
            "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1",
        }

    def test_virtual_name(self):
        assert self.by_device()["/dev/sdb"] == {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}

    def test_virtual_name_ignores_empty_ebs_echo(self):
        mapping = {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0", "Ebs": {"DeleteOnTermination": False}, "NoDevice": False}
        assert lt.convert_block_device_mapping(mapping) == {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}

    def test_no_device_is_empty_string(self):
        assert self.by_device()["/dev/sdc"] == {"DeviceName": "/dev/sdc", "NoDevice": ""}

    def test_no_device_false_is_not_no_device(self):
        mapping = {"DeviceName": "/dev/sdg", "Ebs": {"VolumeSize": 5}, "NoDevice": False}
        assert lt.convert_block_device_mapping(mapping) == {"DeviceName": "/dev/sdg", "Ebs": {"VolumeSize": 5}}

    def test_none_values_dropped(self):
        mapping = {"DeviceName": "/dev/sdh", "Ebs": {"VolumeSize": 8, "Iops": None, "Encrypted": False}}
        assert lt.convert_block_device_mapping(mapping) == {"DeviceName": "/dev/sdh", "Ebs": {"VolumeSize": 8, "Encrypted": False}}

    def test_order_kept(self):
        assert [m["DeviceName"] for m in convert(FULL)["BlockDeviceMappings"]] == ["/dev/xvda", "/dev/sdf", "/dev/sdb", "/dev/sdc"]

    def test_no_mappings(self):
        assert "BlockDeviceMappings" not in convert(minimal(BlockDeviceMappings=[]))


class TestMonitoringSpotPlacement:
    def test_monitoring_false_stays_false(self):
        assert convert(FULL)["Monitoring"] == {"Enabled": False}

    def test_monitoring_true(self):
        assert convert(minimal(InstanceMonitoring={"Enabled": True}))["Monitoring"] == {"Enabled": True}

    def test_monitoring_absent_is_launch_configuration_default_detailed(self):
        assert convert(minimal())["Monitoring"] == {"Enabled": True}

    def test_spot_price(self):
        assert convert(FULL)["InstanceMarketOptions"] == {"MarketType": "spot", "SpotOptions": {"MaxPrice": "0.05"}}

    def test_no_spot_price(self):
        assert "InstanceMarketOptions" not in convert(minimal())

    def test_tenancy(self):
        assert convert(FULL)["Placement"] == {"Tenancy": "default"}
        assert convert(minimal(PlacementTenancy="dedicated"))["Placement"] == {"Tenancy": "dedicated"}
        assert "Placement" not in convert(minimal())

    def test_classic_link_dropped_with_warning(self):
        data, warnings = lt.convert(minimal(ClassicLinkVPCId="vpc-1", ClassicLinkVPCSecurityGroups=["sg-1"]))
        assert "ClassicLinkVPCId" not in data
        assert len(warnings) == 1 and "ClassicLink" in warnings[0]


class TestMetadataOptions:
    def test_tokens_required_hop_limit_kept(self):
        assert convert(FULL)["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 3, "HttpEndpoint": "enabled"}

    def test_absent_gets_aws_defaults_explicitly(self):
        assert convert(minimal())["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}

    def test_disabled_endpoint_stays_disabled(self):
        lc = minimal(MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "disabled"})
        assert convert(lc)["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "disabled"}

    def test_overrides(self):
        lc = minimal(MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "disabled", "HttpPutResponseHopLimit": 3})
        options = convert(lc, http_put_response_hop_limit=2, http_endpoint="enabled", instance_metadata_tags="enabled")["MetadataOptions"]
        assert options == {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled", "InstanceMetadataTags": "enabled"}

    def test_tokens_optional_on_request(self):
        assert convert(minimal(), http_tokens="optional")["MetadataOptions"]["HttpTokens"] == "optional"

    def test_instance_metadata_tags_not_written_unless_asked(self):
        assert "InstanceMetadataTags" not in convert(FULL)["MetadataOptions"]


class TestWholeConversion:
    def test_full_has_exactly_the_mapped_keys(self):
        assert set(convert(FULL)) == {
            "ImageId",
            "InstanceType",
            "KeyName",
            "UserData",
            "KernelId",
            "RamDiskId",
            "IamInstanceProfile",
            "NetworkInterfaces",
            "BlockDeviceMappings",
            "Monitoring",
            "InstanceMarketOptions",
            "Placement",
            "EbsOptimized",
            "MetadataOptions",
        }

    def test_input_not_modified(self):
        import copy

        before = copy.deepcopy(FULL)
        convert(FULL)
        assert FULL == before


class TestComparison:
    def test_same_data_ignores_order_and_default_echoes(self):
        desired = convert(FULL)
        current = convert(FULL)
        current["BlockDeviceMappings"] = list(reversed(current["BlockDeviceMappings"]))
        current["MetadataOptions"] = dict(current["MetadataOptions"], HttpProtocolIpv6="disabled", InstanceMetadataTags="disabled")
        assert lt.same_data(desired, current)

    def test_difference_in_tokens_detected(self):
        desired = convert(FULL)
        current = convert(FULL, http_tokens="optional")
        assert not lt.same_data(desired, current)

    def test_extra_field_in_current_detected(self):
        desired = convert(minimal())
        current = dict(desired, KeyName="other")
        assert not lt.same_data(desired, current)

    def test_public_ip_false_vs_true_detected(self):
        assert not lt.same_data(convert(minimal(AssociatePublicIpAddress=False)), convert(minimal(AssociatePublicIpAddress=True)))

    def test_hop_limit_string_vs_int(self):
        desired = convert(minimal())
        current = convert(minimal())
        current["MetadataOptions"]["HttpPutResponseHopLimit"] = "1"
        assert lt.same_data(desired, current)


class TestMasking:
    def test_user_data_masked_and_digest_changes_with_content(self):
        masked = lt.mask_user_data(convert(FULL))
        assert FULL["UserData"] not in str(masked)
        assert masked["UserData"].startswith(lt.MASK_PREFIX)
        other = lt.mask_user_data(convert(dict(FULL, UserData="ZWNobyBieWU=")))
        assert other["UserData"] != masked["UserData"]

    def test_original_not_modified(self):
        data = convert(FULL)
        lt.mask_user_data(data)
        assert data["UserData"] == FULL["UserData"]

    def test_no_user_data(self):
        data = convert(minimal())
        assert lt.mask_user_data(data) == data


@pytest.mark.parametrize("name,ok", [("lc-web", True), ("a", False), ("my template", False), ("x" * 129, False), ("web/v1_(2).x", True)])
def test_template_name_problem(name, ok):
    assert (lt.template_name_problem(name) is None) == ok


BASE_LC = {"LaunchConfigurationName": "lc", "ImageId": "ami-12345678", "InstanceType": "t3.micro"}


def resolver(names):
    return ["sg-%08d" % (n + 1) for n, _name in enumerate(names)]


@pytest.mark.parametrize(
    "groups, public_ip, expected",
    [
        (["sg-0000000a"], None, {"SecurityGroupIds": ["sg-0000000a"]}),
        (["web", "db"], None, {"SecurityGroups": ["web", "db"]}),
        (["sg-0000000a", "web"], None, {"SecurityGroupIds": ["sg-0000000a", "sg-00000001"]}),
        (["web"], True, {"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "DeleteOnTermination": True, "Groups": ["sg-00000001"]}]}),
        ([], False, {"NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False, "DeleteOnTermination": True}]}),
        ([], None, {}),
    ],
)
def test_security_groups_and_public_ip(groups, public_ip, expected):
    lc = dict(BASE_LC, SecurityGroups=groups)
    if public_ip is not None:
        lc["AssociatePublicIpAddress"] = public_ip
    assert lt.convert_security_groups(lc, resolver) == expected


def test_group_names_that_must_become_ids_without_a_resolver_are_named():
    with pytest.raises(lt.ConversionError, match="security groups web are names; a network interface needs group ids"):
        lt.convert_security_groups(dict(BASE_LC, SecurityGroups=["sg-0000000a", "web"], AssociatePublicIpAddress=True))
    with pytest.raises(lt.ConversionError, match=r"security groups mix ids and names \(sg-0000000a, web\)"):
        lt.convert_security_groups(dict(BASE_LC, SecurityGroups=["sg-0000000a", "web"]))
