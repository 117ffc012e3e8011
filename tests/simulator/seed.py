"""Estates of AWS resources for the simulator: ``seed("demo", endpoint)`` builds the demo estate.

The demo estate is a contract that tests, roles and the demo rely on (see ``DEMO_*`` below and
``tests/integration/test_demo_estate.py``). Every resource that can be tagged carries ``Name=<role name>``.
Seeding assumes a freshly reset simulator (it is not idempotent).

``seed()`` returns what it created, JSON-serialisable::

    {
      "account_id": "123456789012",
      "regions": ["us-east-1", "eu-west-1"],
      "instances": {name: {"id", "region"}},                  # named role instances (incl. pv-asg-member)
      "group_instances": {group: [instance ids]},             # every instance a group launched
      "volumes": {name: {"id", "region", "instance", "device"}},  # data volumes + "<instance>-root" root volumes
      "elastic_ips": {name: {"id" (allocation id), "allocation_id", "public_ip", "region", "instance"}},
      "launch_configurations": {name: region},
      "groups": {name: region},
      "launch_templates": {name: {"id", "region"}},
      "images": {"pv": {region: ami}, "hvm": {region: ami},
                 "pv_instance_store": {region: ami}},                # registered PV AMI that maps /dev/sdb -> ephemeral0
      "security_groups": {"demo-web": {region: sg id}},
      "subnets": {region: [default subnet ids]},
      "key_pairs": {"demo-key": [regions]},
      "instance_profiles": {"demo-instance-profile": arn},
      "kms_keys": {"demo-ebs-key": {"id", "arn", "region"}},
      "snapshots": {"lc-full-data": {"id", "region"}, "demo-pv-with-instance-store-root": {"id", "region"}},
      "findings": [finding ids],
      "findings_by_resource": {resource name: {"id", "control", "status", "region"}},
    }
"""

from __future__ import annotations

import base64
import datetime
import uuid
from collections.abc import Callable
from typing import Any

from tests.simulator import ACCOUNT_ID
from tests.simulator import client as _client

US = "us-east-1"
EU = "eu-west-1"
DEMO_REGIONS = [US, EU]
PV_AMI = "ami-8104a4f8"  # moto built-in: amzn-ami-pv-2017.09.1 x86_64, ebs root, paravirtual
HVM_AMI = "ami-760aaa0f"  # moto built-in: amzn-ami-hvm-2017.09.1 x86_64, gp2 root, hvm
# A PV AMI registered by the seed whose block device mapping adds an instance-store volume. That is where the EC2 API shows
# instance store (DescribeImages): a mapping given to RunInstances is not listed by DescribeInstances.
PV_INSTANCE_STORE_IMAGE = {
    "name": "demo-pv-with-instance-store",
    "region": US,
    "root_device": "/dev/sda1",
    "root_size": 8,
    "kernel_id": "aki-919dcaf8",  # pv-grub-hd0_1.05-x86_64 in us-east-1 (PV AMIs boot through a pv-grub kernel)
    "instance_store": {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
}

DEMO_USER_DATA = "#!/bin/bash\nyum -y update\necho 'hubfix demo' > /etc/motd\n"

# name -> (region, instance type, AMI kind, extra run_instances kwargs, extra tags, state)
DEMO_INSTANCES: dict[str, dict[str, Any]] = {
    # SourceDestCheck off, as on a NAT instance: its replacement must have it off too
    "pv-plain": {"region": US, "type": "m1.small", "ami": "pv", "source_dest_check": False},
    "pv-data": {"region": US, "type": "m1.large", "ami": "pv", "tags": {"App": "billing", "Env": "prod", "Owner": "team-a"}},
    "pv-stopped": {"region": US, "type": "t1.micro", "ami": "pv", "stopped": True},
    "pv-ephemeral": {"region": US, "type": "m1.small", "ami": "pv_instance_store"},  # /dev/sdb -> ephemeral0 from its AMI
    "pv-protected": {"region": US, "type": "m1.small", "ami": "pv", "run": {"DisableApiTermination": True}},
    # in a spread placement group: its replacement must join the same group
    "pv-tagged": {
        "region": US,
        "type": "m1.medium",
        "ami": "pv",
        "tags": {"CostCenter": "1234", "Team": "payments", "Backup": "daily"},
        "run": {"Placement": {"GroupName": "demo-spread"}},
    },
    "hvm-web-1": {"region": US, "type": "t3.micro", "ami": "hvm"},
    "hvm-web-2": {"region": US, "type": "t3.micro", "ami": "hvm"},
    "pv-eu": {"region": EU, "type": "m1.small", "ami": "pv"},
    "hvm-eu": {"region": EU, "type": "t3.micro", "ami": "hvm"},
}

# name -> (instance, device, size GiB, type, encrypted)
DEMO_DATA_VOLUMES: dict[str, dict[str, Any]] = {
    "pv-data-sdf": {"instance": "pv-data", "device": "/dev/sdf", "size": 10, "type": "gp3", "encrypted": False},
    "pv-data-sdg": {"instance": "pv-data", "device": "/dev/sdg", "size": 20, "type": "gp2", "encrypted": True},
    "pv-eu-sdf": {"instance": "pv-eu", "device": "/dev/sdf", "size": 8, "type": "gp3", "encrypted": False},
}

# Instances failing EC2.24 (paravirtual, not terminated), by region.
DEMO_EC2_24_FAILING = {
    US: ["pv-plain", "pv-data", "pv-stopped", "pv-ephemeral", "pv-asg-member", "pv-protected", "pv-tagged"],
    EU: ["pv-eu"],
}
# Launch configurations failing AutoScaling.3 (IMDSv2 not required), by region.
DEMO_AS_3_FAILING = {
    US: ["lc-tokens-optional", "lc-no-metadata", "lc-endpoint-disabled", "lc-full", "lc-unused"],
    EU: ["lc-eu-optional"],
}
DEMO_AS_3_PASSING = {US: ["lc-tokens-required"]}
# Groups on a launch configuration (AutoScaling.9 failing), group -> (region, launch configuration, desired)
DEMO_GROUPS = {
    "asg-web": (US, "lc-tokens-optional", 2),
    "asg-api": (US, "lc-no-metadata", 1),
    "asg-secure": (US, "lc-tokens-required", 1),
    "asg-legacy": (US, "lc-endpoint-disabled", 0),
    "asg-full": (US, "lc-full", 0),  # desired 0: moto 5.2.5 cannot launch from ephemeral/NoDevice mappings
    "asg-pv": (US, "lc-pv", 1),
    "asg-eu": (EU, "lc-eu-optional", 1),
}
DEMO_TEMPLATE_GROUPS = {"asg-template": (US, "lt-imdsv2", 1)}

SECURITY_HUB_PRODUCT = "arn:aws:securityhub:{region}::product/aws/securityhub"
FSBP_STANDARD = "standards/aws-foundational-security-best-practices/v/1.0.0"
CONTROLS = {
    "EC2.24": {
        "title": "Amazon EC2 paravirtual instance types should not be used",
        "description": "This control checks whether the virtualization type of an EC2 instance is paravirtual. "
        "The control fails if the virtualizationType of the EC2 instance is set to paravirtual.",
        "severity": "MEDIUM",
        "resource_type": "AwsEc2Instance",
    },
    "AutoScaling.3": {
        "title": "Auto Scaling group launch configurations should configure EC2 instances to require Instance Metadata Service Version 2 (IMDSv2)",
        "description": "This control checks whether IMDSv2 is enabled on all instances launched by Amazon EC2 Auto Scaling groups. "
        "The control fails if the Instance Metadata Service (IMDS) version isn't included in the launch configuration "
        "or is configured as token optional, which is a setting that allows either IMDSv1 or IMDSv2.",
        "severity": "HIGH",
        "resource_type": "AwsAutoScalingLaunchConfiguration",
    },
}


class UnknownEstate(ValueError):
    pass


def seed(estate: str, endpoint: str) -> dict:
    """Create the named estate in the simulator at ``endpoint``; returns what was created (see module doc)."""
    try:
        builder = ESTATES[estate]
    except KeyError:
        raise UnknownEstate(f"unknown estate {estate!r}; known estates: {', '.join(sorted(ESTATES))}") from None
    return builder(endpoint.rstrip("/"))


def _empty(endpoint: str) -> dict:
    return {
        "account_id": ACCOUNT_ID,
        "regions": [],
        "instances": {},
        "group_instances": {},
        "volumes": {},
        "elastic_ips": {},
        "launch_configurations": {},
        "groups": {},
        "launch_templates": {},
        "images": {},
        "findings": [],
    }


def _name_tags(name: str, resource_type: str, extra: dict[str, str] | None = None) -> list[dict]:
    tags = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in (extra or {}).items()]
    return [{"ResourceType": resource_type, "Tags": tags}]


class _Demo:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self._clients: dict[tuple[str, str], Any] = {}
        self.out = _empty(endpoint)
        self.out.update(
            regions=list(DEMO_REGIONS),
            images={"pv": {}, "hvm": {}, "pv_instance_store": {}},
            security_groups={"demo-web": {}},
            subnets={},
            key_pairs={"demo-key": []},
            instance_profiles={},
            kms_keys={},
            snapshots={},
            findings_by_resource={},
        )
        self.arns: dict[str, str] = {}  # resource name -> ARN, for findings
        self.details: dict[str, dict] = {}  # resource name -> described instance / launch configuration
        self.subnet: dict[str, dict] = {}  # region -> the default subnet instances are launched in

    def c(self, service: str, region: str = US):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = _client(self.endpoint, service, region)
        return self._clients[key]

    # -- network, images, keys ------------------------------------------------------------------
    def base(self, region: str) -> None:
        ec2 = self.c("ec2", region)
        for kind, ami in (("pv", PV_AMI), ("hvm", HVM_AMI)):
            images = ec2.describe_images(ImageIds=[ami])["Images"]
            expected = "paravirtual" if kind == "pv" else "hvm"
            if not images or images[0]["VirtualizationType"] != expected:
                raise RuntimeError(f"simulator has no {expected} image {ami} in {region}")
            self.out["images"][kind][region] = ami
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        subnets.sort(key=lambda s: s["AvailabilityZone"])
        self.out["subnets"][region] = [s["SubnetId"] for s in subnets]
        self.subnet[region] = subnets[0]
        sg = ec2.create_security_group(
            GroupName="demo-web", Description="hubfix demo web tier", VpcId=vpc, TagSpecifications=_name_tags("demo-web", "security-group")
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} for p in (80, 443)]
        )
        self.out["security_groups"]["demo-web"][region] = sg
        ec2.create_key_pair(KeyName="demo-key", TagSpecifications=_name_tags("demo-key", "key-pair"))
        self.out["key_pairs"]["demo-key"].append(region)

    def pv_instance_store_image(self) -> None:
        """Register the PV AMI with an instance-store mapping (root from a snapshot of an 8 GiB volume)."""
        spec = PV_INSTANCE_STORE_IMAGE
        region = spec["region"]
        ec2 = self.c("ec2", region)
        name = spec["name"]
        src = ec2.create_volume(AvailabilityZone=self.subnet[region]["AvailabilityZone"], Size=spec["root_size"], VolumeType="gp2")["VolumeId"]
        snap = ec2.create_snapshot(VolumeId=src, Description=f"{name} root", TagSpecifications=_name_tags(f"{name}-root", "snapshot"))["SnapshotId"]
        ec2.delete_volume(VolumeId=src)
        image = ec2.register_image(
            Name=name,
            Description="hubfix demo: paravirtual AMI whose block device mapping adds instance store",
            VirtualizationType="paravirtual",
            Architecture="x86_64",
            RootDeviceName=spec["root_device"],
            KernelId=spec["kernel_id"],
            BlockDeviceMappings=[
                {
                    "DeviceName": spec["root_device"],
                    "Ebs": {"SnapshotId": snap, "VolumeSize": spec["root_size"], "VolumeType": "gp2", "DeleteOnTermination": True},
                },
                dict(spec["instance_store"]),
            ],
            TagSpecifications=_name_tags(name, "image"),
        )["ImageId"]
        described = ec2.describe_images(ImageIds=[image])["Images"][0]
        if described.get("VirtualizationType") != "paravirtual" or spec["instance_store"] not in described.get("BlockDeviceMappings", []):
            raise RuntimeError(f"simulator dropped the mappings of {name} (is the ec2_register_image_mappings patch applied?)")
        self.out["images"]["pv_instance_store"][region] = image
        self.out["snapshots"][f"{name}-root"] = {"id": snap, "region": region}

    def sg(self, region: str) -> str:
        return self.out["security_groups"]["demo-web"][region]

    # -- EC2 instances --------------------------------------------------------------------------
    def instances(self) -> None:
        groups = {spec["run"]["Placement"]["GroupName"]: spec["region"] for spec in DEMO_INSTANCES.values() if "Placement" in spec.get("run", {})}
        for group, region in groups.items():
            self.c("ec2", region).create_placement_group(GroupName=group, Strategy="spread")
        for name, spec in DEMO_INSTANCES.items():
            region = spec["region"]
            ec2 = self.c("ec2", region)
            kwargs = dict(spec.get("run", {}))
            inst = ec2.run_instances(
                ImageId=self.out["images"][spec["ami"]][region],
                InstanceType=spec["type"],
                MinCount=1,
                MaxCount=1,
                KeyName="demo-key",
                SubnetId=self.subnet[region]["SubnetId"],
                SecurityGroupIds=[self.sg(region)],
                TagSpecifications=_name_tags(name, "instance", spec.get("tags")),
                **kwargs,
            )["Instances"][0]
            self.out["instances"][name] = {"id": inst["InstanceId"], "region": region}
        for name, spec in DEMO_INSTANCES.items():
            if spec.get("run", {}).get("DisableApiTermination"):
                # moto 5.2.5 ignores DisableApiTermination in RunInstances; set it the other documented way too.
                self.c("ec2", spec["region"]).modify_instance_attribute(InstanceId=self.out["instances"][name]["id"], DisableApiTermination={"Value": True})
            if spec.get("source_dest_check") is False:
                self.c("ec2", spec["region"]).modify_instance_attribute(InstanceId=self.out["instances"][name]["id"], SourceDestCheck={"Value": False})
            if spec.get("stopped"):
                self.c("ec2", spec["region"]).stop_instances(InstanceIds=[self.out["instances"][name]["id"]])

    def data_volumes(self) -> None:
        for name, spec in DEMO_DATA_VOLUMES.items():
            inst = self.out["instances"][spec["instance"]]
            region = inst["region"]
            ec2 = self.c("ec2", region)
            vol = ec2.create_volume(
                AvailabilityZone=self.subnet[region]["AvailabilityZone"],
                Size=spec["size"],
                VolumeType=spec["type"],
                Encrypted=spec["encrypted"],
                TagSpecifications=_name_tags(name, "volume"),
            )["VolumeId"]
            ec2.attach_volume(VolumeId=vol, InstanceId=inst["id"], Device=spec["device"])
            self.out["volumes"][name] = {"id": vol, "region": region, "instance": spec["instance"], "device": spec["device"]}

    def root_volumes(self) -> None:
        """Tag each named instance's root volume ``<instance>-root`` and record it."""
        for region in DEMO_REGIONS:
            ec2 = self.c("ec2", region)
            ids = {v["id"]: n for n, v in self.out["instances"].items() if v["region"] == region}
            for res in ec2.describe_instances(InstanceIds=list(ids))["Reservations"]:
                for inst in res["Instances"]:
                    name = ids[inst["InstanceId"]]
                    for bdm in inst.get("BlockDeviceMappings", []):
                        if bdm["DeviceName"] == inst.get("RootDeviceName") and "Ebs" in bdm:
                            vol = bdm["Ebs"]["VolumeId"]
                            ec2.create_tags(Resources=[vol], Tags=[{"Key": "Name", "Value": f"{name}-root"}])
                            self.out["volumes"][f"{name}-root"] = {"id": vol, "region": region, "instance": name, "device": bdm["DeviceName"]}
                    self.details[name] = inst

    def elastic_ip(self) -> None:
        ec2 = self.c("ec2", US)
        alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=_name_tags("pv-data-eip", "elastic-ip"))
        ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=self.out["instances"]["pv-data"]["id"])
        self.out["elastic_ips"]["pv-data-eip"] = {
            "id": alloc["AllocationId"],
            "allocation_id": alloc["AllocationId"],
            "public_ip": alloc["PublicIp"],
            "region": US,
            "instance": "pv-data",
        }

    # -- IAM / KMS / snapshot used by lc-full ---------------------------------------------------
    def lc_full_prerequisites(self) -> None:
        iam = self.c("iam", US)
        iam.create_role(
            RoleName="demo-ec2-role",
            AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
            '"Action":"sts:AssumeRole"}]}',
            Tags=[{"Key": "Name", "Value": "demo-ec2-role"}],
        )
        profile = iam.create_instance_profile(InstanceProfileName="demo-instance-profile", Tags=[{"Key": "Name", "Value": "demo-instance-profile"}])
        iam.add_role_to_instance_profile(InstanceProfileName="demo-instance-profile", RoleName="demo-ec2-role")
        self.out["instance_profiles"]["demo-instance-profile"] = profile["InstanceProfile"]["Arn"]

        key = self.c("kms", US).create_key(Description="hubfix demo EBS key", Tags=[{"TagKey": "Name", "TagValue": "demo-ebs-key"}])["KeyMetadata"]
        self.out["kms_keys"]["demo-ebs-key"] = {"id": key["KeyId"], "arn": key["Arn"], "region": US}

        ec2 = self.c("ec2", US)
        src = ec2.create_volume(AvailabilityZone=self.subnet[US]["AvailabilityZone"], Size=50, VolumeType="gp3", Encrypted=True, KmsKeyId=key["KeyId"])[
            "VolumeId"
        ]
        first = ec2.create_snapshot(VolumeId=src, Description="lc-full data disk")["SnapshotId"]
        # The KMS-encrypted snapshot is a copy made with the key (moto's CreateSnapshot does not carry the volume's KmsKeyId).
        snap = ec2.copy_snapshot(
            SourceSnapshotId=first,
            SourceRegion=US,
            Description="lc-full data disk",
            Encrypted=True,
            KmsKeyId=key["Arn"],
            TagSpecifications=_name_tags("lc-full-data", "snapshot"),
        )
        ec2.delete_snapshot(SnapshotId=first)
        ec2.delete_volume(VolumeId=src)
        self.out["snapshots"]["lc-full-data"] = {"id": snap["SnapshotId"], "region": US}

    # -- Auto Scaling ---------------------------------------------------------------------------
    def launch_configurations(self) -> None:
        optional = {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
        required = {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1}
        hvm_small = {"ImageId": HVM_AMI, "InstanceType": "t3.micro"}
        lcs: dict[str, tuple[str, dict]] = {
            "lc-tokens-optional": (US, {**hvm_small, "MetadataOptions": optional}),
            "lc-no-metadata": (US, dict(hvm_small)),
            "lc-tokens-required": (US, {**hvm_small, "MetadataOptions": required}),
            "lc-endpoint-disabled": (US, {**hvm_small, "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "disabled"}}),
            "lc-full": (
                US,
                {
                    "ImageId": HVM_AMI,
                    "InstanceType": "m5.large",
                    "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 3},
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {"VolumeType": "gp3", "VolumeSize": 30, "Iops": 3000, "Throughput": 125, "DeleteOnTermination": True},
                        },
                        {
                            "DeviceName": "/dev/sdf",
                            "Ebs": {"SnapshotId": self.out["snapshots"]["lc-full-data"]["id"], "Encrypted": True, "DeleteOnTermination": False},
                        },
                        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
                        {"DeviceName": "/dev/sdc", "NoDevice": True},
                    ],
                    "UserData": DEMO_USER_DATA,  # botocore base64-encodes it, AWS stores and returns base64
                    "SpotPrice": "0.05",
                    "AssociatePublicIpAddress": False,
                    "IamInstanceProfile": "demo-instance-profile",
                    "InstanceMonitoring": {"Enabled": False},
                    "EbsOptimized": True,
                    "PlacementTenancy": "default",
                    "KeyName": "demo-key",
                },
            ),
            "lc-unused": (US, {**hvm_small, "MetadataOptions": {"HttpTokens": "optional"}}),
            "lc-pv": (US, {"ImageId": PV_AMI, "InstanceType": "m1.small", "MetadataOptions": required}),
            "lc-eu-optional": (EU, {**hvm_small, "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"}}),
        }
        for name, (region, params) in lcs.items():
            self.c("autoscaling", region).create_launch_configuration(LaunchConfigurationName=name, SecurityGroups=[self.sg(region)], **params)
            self.out["launch_configurations"][name] = region
        for region in DEMO_REGIONS:
            for lc in self.c("autoscaling", region).describe_launch_configurations()["LaunchConfigurations"]:
                self.arns[lc["LaunchConfigurationName"]] = lc["LaunchConfigurationARN"]
                self.details[lc["LaunchConfigurationName"]] = lc

    def launch_template(self) -> None:
        ec2 = self.c("ec2", US)
        lt = ec2.create_launch_template(
            LaunchTemplateName="lt-imdsv2",
            VersionDescription="IMDSv2 required",
            LaunchTemplateData={
                "ImageId": HVM_AMI,
                "InstanceType": "t3.micro",
                "SecurityGroupIds": [self.sg(US)],
                "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
            },
            TagSpecifications=_name_tags("lt-imdsv2", "launch-template"),
        )["LaunchTemplate"]
        self.out["launch_templates"]["lt-imdsv2"] = {"id": lt["LaunchTemplateId"], "region": US}

    def groups(self) -> None:
        def create(name: str, region: str, desired: int, **source) -> None:
            subnets = ",".join(self.out["subnets"][region][:2])
            # The group's Name tag propagates to its instances, except asg-pv whose one instance is the named pv-asg-member.
            tags = [{"Key": "Name", "Value": name, "PropagateAtLaunch": name != "asg-pv", "ResourceId": name, "ResourceType": "auto-scaling-group"}]
            self.c("autoscaling", region).create_auto_scaling_group(
                AutoScalingGroupName=name,
                MinSize=0,
                MaxSize=max(desired, 1) + 2,
                DesiredCapacity=desired,
                VPCZoneIdentifier=subnets,
                Tags=tags,
                **source,
            )
            self.out["groups"][name] = region

        for name, (region, lc, desired) in DEMO_GROUPS.items():
            create(name, region, desired, LaunchConfigurationName=lc)
        for name, (region, lt, desired) in DEMO_TEMPLATE_GROUPS.items():
            create(name, region, desired, LaunchTemplate={"LaunchTemplateName": lt, "Version": "$Default"})
        for region in DEMO_REGIONS:
            for g in self.c("autoscaling", region).describe_auto_scaling_groups()["AutoScalingGroups"]:
                self.out["group_instances"][g["AutoScalingGroupName"]] = sorted(i["InstanceId"] for i in g["Instances"])
        (member,) = self.out["group_instances"]["asg-pv"]
        self.c("ec2", US).create_tags(Resources=[member], Tags=[{"Key": "Name", "Value": "pv-asg-member"}])
        self.out["instances"]["pv-asg-member"] = {"id": member, "region": US}
        self.details["pv-asg-member"] = self.c("ec2", US).describe_instances(InstanceIds=[member])["Reservations"][0]["Instances"][0]

    # -- Security Hub ---------------------------------------------------------------------------
    def security_hub(self) -> None:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        per_region: dict[str, list[dict]] = {r: [] for r in DEMO_REGIONS}
        for control, failing, passing in (("EC2.24", DEMO_EC2_24_FAILING, {}), ("AutoScaling.3", DEMO_AS_3_FAILING, DEMO_AS_3_PASSING)):
            for status, names_by_region in (("FAILED", failing), ("PASSED", passing)):
                for region, names in names_by_region.items():
                    for name in names:
                        per_region[region].append(self._finding(control, status, name, region, now))
        for region, findings in per_region.items():
            sh = self.c("securityhub", region)
            sh.enable_security_hub(EnableDefaultStandards=True, Tags={"Name": "demo-hub"})
            resp = sh.batch_import_findings(Findings=findings)
            if resp["FailedCount"]:
                raise RuntimeError(f"Security Hub import failed in {region}: {resp['FailedFindings']}")
            self.out["findings"].extend(f["Id"] for f in findings)

    def _resource(self, control: str, name: str, region: str) -> dict:
        if control == "EC2.24":
            inst = self.details[name]
            arn = f"arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/{inst['InstanceId']}"
            details = {
                "AwsEc2Instance": {
                    "Type": inst["InstanceType"],
                    "ImageId": inst["ImageId"],
                    "KeyName": inst.get("KeyName"),
                    "VpcId": inst.get("VpcId"),
                    "SubnetId": inst.get("SubnetId"),
                    "LaunchedAt": inst["LaunchTime"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "VirtualizationType": inst["VirtualizationType"],
                }
            }
            details["AwsEc2Instance"] = {k: v for k, v in details["AwsEc2Instance"].items() if v is not None}
            return {"Type": "AwsEc2Instance", "Id": arn, "Partition": "aws", "Region": region, "Tags": {"Name": name}, "Details": details}
        lc = self.details[name]
        lc_details = {"LaunchConfigurationName": name, "ImageId": lc["ImageId"], "InstanceType": lc["InstanceType"]}
        if lc.get("MetadataOptions"):
            lc_details["MetadataOptions"] = lc["MetadataOptions"]
        return {
            "Type": "AwsAutoScalingLaunchConfiguration",
            "Id": self.arns[name],
            "Partition": "aws",
            "Region": region,
            "Details": {"AwsAutoScalingLaunchConfiguration": lc_details},
        }

    def _finding(self, control: str, status: str, name: str, region: str, now: str) -> dict:
        meta = CONTROLS[control]
        finding_id = f"arn:aws:securityhub:{region}:{ACCOUNT_ID}:security-control/{control}/finding/{uuid.uuid4()}"
        severity = "INFORMATIONAL" if status == "PASSED" else meta["severity"]
        types = ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"]
        resource = self._resource(control, name, region)
        self.out["findings_by_resource"][name] = {"id": finding_id, "control": control, "status": status, "region": region}
        return {
            "SchemaVersion": "2018-10-08",
            "Id": finding_id,
            "ProductArn": SECURITY_HUB_PRODUCT.format(region=region),
            "ProductName": "Security Hub",
            "CompanyName": "AWS",
            "Region": region,
            "GeneratorId": f"security-control/{control}",
            "AwsAccountId": ACCOUNT_ID,
            "Types": types,
            "FirstObservedAt": now,
            "LastObservedAt": now,
            "CreatedAt": now,
            "UpdatedAt": now,
            "Severity": {"Label": severity, "Original": severity},
            "Title": meta["title"],
            "Description": meta["description"],
            "Remediation": {
                "Recommendation": {
                    "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
                    "Url": f"https://docs.aws.amazon.com/console/securityhub/{control}/remediation",
                }
            },
            "ProductFields": {
                "ControlId": control,
                "RelatedAWSResources:0/type": "AWS::Config::ConfigRule",
                "aws/securityhub/ProductName": "Security Hub",
                "aws/securityhub/CompanyName": "AWS",
                "Resources:0/Id": resource["Id"],
                "aws/securityhub/FindingId": f"{SECURITY_HUB_PRODUCT.format(region=region)}/{finding_id}",
            },
            "Resources": [resource],
            "Compliance": {
                "Status": status,
                "SecurityControlId": control,
                "AssociatedStandards": [{"StandardsId": FSBP_STANDARD}],
            },
            # Security Hub resolves a control finding that passes; failing ones start NEW.
            "WorkflowState": "NEW" if status == "FAILED" else "RESOLVED",
            "Workflow": {"Status": "NEW" if status == "FAILED" else "RESOLVED"},
            "RecordState": "ACTIVE",
            "FindingProviderFields": {"Severity": {"Label": severity, "Original": severity}, "Types": types},
        }

    def build(self) -> dict:
        for region in DEMO_REGIONS:
            self.base(region)
        self.pv_instance_store_image()
        self.instances()
        self.data_volumes()
        self.elastic_ip()
        self.lc_full_prerequisites()
        self.launch_configurations()
        self.launch_template()
        self.groups()
        self.root_volumes()
        self.security_hub()
        return self.out


def _demo(endpoint: str) -> dict:
    return _Demo(endpoint).build()


def _owners(endpoint: str) -> dict:
    from tests.simulator.seed_owners import build

    return build(endpoint)


ESTATES: dict[str, Callable[[str], dict]] = {"demo": _demo, "empty": _empty, "owners": _owners}


def user_data_b64() -> str:
    """The base64 form of the demo UserData, as AWS returns it for lc-full."""
    return base64.b64encode(DEMO_USER_DATA.encode()).decode()


__all__ = [
    "seed",
    "ESTATES",
    "UnknownEstate",
    "DEMO_REGIONS",
    "PV_AMI",
    "HVM_AMI",
    "PV_INSTANCE_STORE_IMAGE",
    "DEMO_INSTANCES",
    "DEMO_DATA_VOLUMES",
    "DEMO_EC2_24_FAILING",
    "DEMO_AS_3_FAILING",
    "DEMO_AS_3_PASSING",
    "DEMO_GROUPS",
    "DEMO_TEMPLATE_GROUPS",
    "DEMO_USER_DATA",
]
