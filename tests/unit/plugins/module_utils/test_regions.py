"""Region resolution, concurrent scans that keep per-region errors, and the messages a person reads."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from ansible_collections.hubfix.aws.plugins.module_utils import regions as R
from ansible_collections.hubfix.aws.plugins.module_utils.clients import account_id
from ansible_collections.hubfix.aws.plugins.module_utils.error_messages import region_error_message

DESCRIBED = [
    {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "eu-west-1", "OptInStatus": "opt-in-not-required"},
    {"RegionName": "af-south-1", "OptInStatus": "opted-in"},
    {"RegionName": "ap-east-1", "OptInStatus": "not-opted-in"},
]


def client_error(code, message="boom", op="DescribeInstances"):
    return ClientError({"Error": {"Code": code, "Message": message}}, op)


# -- resolve_regions --------------------------------------------------------------------------------


def test_default_is_the_connection_region():
    assert R.resolve_regions(None, "eu-west-1") == ["eu-west-1"]
    assert R.resolve_regions([], "eu-west-1") == ["eu-west-1"]


def test_no_region_at_all_is_an_error():
    with pytest.raises(R.RegionError, match="no region given"):
        R.resolve_regions(None, None)


def test_all_means_every_enabled_region():
    assert R.resolve_regions(["all"], None, lambda: DESCRIBED) == ["af-south-1", "eu-west-1", "us-east-1"]
    assert R.resolve_regions("all", None, lambda: DESCRIBED) == ["af-south-1", "eu-west-1", "us-east-1"]


def test_list_is_deduplicated_and_checked_against_describe_regions():
    assert R.resolve_regions(["eu-west-1", "us-east-1", "eu-west-1"], None, lambda: DESCRIBED) == ["eu-west-1", "us-east-1"]
    # a region that is not enabled is a known name: it is scanned, and its error reported there
    assert R.resolve_regions(["ap-east-1"], None, lambda: DESCRIBED) == ["ap-east-1"]
    assert R.resolve_regions("us-east-1, eu-west-1", None, lambda: DESCRIBED) == ["us-east-1", "eu-west-1"]


@pytest.mark.parametrize(
    "given, parsed",
    [
        (None, None),
        ("", None),
        ([], None),
        ([""], None),
        ("all", "all"),
        (["all"], "all"),
        ("us-east-1, eu-west-1", ["us-east-1", "eu-west-1"]),
        ("us-east-1\neu-west-1\n", ["us-east-1", "eu-west-1"]),
        (["us-east-1", "us-east-1"], ["us-east-1"]),
    ],
)
def test_every_accepted_form(given, parsed):
    assert R.parse_regions(given) == parsed


@pytest.mark.parametrize("given, match", [(["all", "us-east-1"], "cannot be combined"), ("Mars-1", "Mars-1"), ({"a": 1}, "must be a list"), ([5], "5")])
def test_bad_forms_are_named(given, match):
    with pytest.raises(R.RegionError, match=match):
        R.parse_regions(given)


def test_unknown_region_names_are_named():
    with pytest.raises(R.RegionError, match="us-east-9"):
        R.resolve_regions(["us-east-1", "us-east-9"], None, lambda: DESCRIBED)
    with pytest.raises(R.RegionError, match="not_a_region"):
        R.resolve_regions(["not_a_region"], None, lambda: DESCRIBED)


# -- scan_regions ---------------------------------------------------------------------------------------


def test_scan_regions_keeps_each_region_error_apart():
    def scan(region):
        if region == "ap-east-1":
            raise client_error("AuthFailure", "AWS was not able to validate the provided access credentials")
        return region.upper()

    out = R.scan_regions(scan, ["us-east-1", "ap-east-1", "eu-west-1"], {"ap-east-1": "not-opted-in"})
    assert list(out) == ["us-east-1", "ap-east-1", "eu-west-1"]
    assert out["us-east-1"] == ("US-EAST-1", None)
    assert out["ap-east-1"] == (
        None,
        "AWS rejected the credentials in region ap-east-1 (the region is not enabled for the account: opt in first): "
        "AuthFailure: AWS was not able to validate the provided access credentials",
    )


def test_region_error_messages():
    assert region_error_message("eu-west-1", client_error("AuthFailure", "not validated")) == (
        "AWS rejected the credentials in region eu-west-1: AuthFailure: not validated"
    )
    assert "opt in" in region_error_message("ap-east-1", client_error("AuthFailure"), "not-opted-in")
    assert region_error_message("us-east-1", client_error("InvalidClientTokenId", "bad token", "GetCallerIdentity")).startswith(
        "AWS rejected the credentials in region us-east-1"
    )
    assert region_error_message("us-east-1", client_error("UnauthorizedOperation", "no")).startswith("access denied in region us-east-1")
    assert region_error_message("us-east-1", NoCredentialsError()).startswith("no AWS credentials found (region us-east-1)")
    assert region_error_message("us-east-1", client_error("InternalError", "x")) == "region us-east-1: InternalError: x"


def test_scan_regions_error_messages():
    def scan(region):
        if region == "eu-west-1":
            raise client_error("AccessDenied", "nope")
        return [region]

    out = R.scan_regions(scan, ["us-east-1", "eu-west-1"])
    assert out["us-east-1"] == (["us-east-1"], None)
    assert out["eu-west-1"][0] is None
    assert out["eu-west-1"][1].startswith("access denied in region eu-west-1")


def test_region_rows():
    outcomes = {"us-east-1": ([1, 2, 3], None), "eu-west-1": (None, "region eu-west-1: boom")}
    assert R.region_rows(["us-east-1", "eu-west-1"], outcomes, len, lambda r: len(r) + 1) == [
        {"region": "us-east-1", "scanned": True, "failed": 3, "evaluated": 4, "error": None},
        {"region": "eu-west-1", "scanned": False, "failed": None, "evaluated": None, "error": "region eu-west-1: boom"},
    ]


# -- module helpers, with a stand-in module -----------------------------------------------------------


class Failed(Exception):
    pass


class FakeModule:
    """What the region helpers use of AnsibleAWSModule: region, params, client() and fail_json()."""

    def __init__(self, region="us-east-1", regions=None, **clients):
        self.region = region
        self.params = {"regions": regions}
        self.clients = clients
        self.made = []

    def client(self, service, retry_decorator=None, region=None):
        self.made.append((service, region))
        if service not in self.clients:
            pytest.fail("no %s call expected" % service)
        return self.clients[service]

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


class FakeEC2:
    def __init__(self, error=None):
        self.error = error
        self.calls = 0

    def describe_regions(self, AllRegions, aws_retry):
        self.calls += 1
        assert AllRegions is True and aws_retry is True
        if self.error:
            raise self.error
        return {"Regions": DESCRIBED}


class FakeSTS:
    def __init__(self, error=None):
        self.error = error

    def get_caller_identity(self, aws_retry):
        assert aws_retry is True
        if self.error:
            raise self.error
        return {"Account": "123456789012"}


def test_module_regions_default_makes_no_call():
    assert R.module_regions(FakeModule("eu-west-1"), None) == (["eu-west-1"], {})


def test_module_regions_checks_names_with_one_describe_regions():
    ec2 = FakeEC2()
    regions, opt_in = R.module_regions(FakeModule(ec2=ec2), ["eu-west-1", "ap-east-1"])
    assert regions == ["eu-west-1", "ap-east-1"]
    assert opt_in["ap-east-1"] == "not-opted-in"
    assert ec2.calls == 1


def test_module_regions_bad_syntax_fails_before_any_call():
    with pytest.raises(Failed, match="Mars-1"):
        R.module_regions(FakeModule(), ["Mars-1"])


def test_module_regions_unknown_name():
    with pytest.raises(Failed, match="unknown region name.*eu-north-9"):
        R.module_regions(FakeModule(ec2=FakeEC2()), ["eu-north-9"])


def test_module_regions_rejected_credentials():
    with pytest.raises(Failed, match="AWS rejected the credentials in region us-east-1"):
        R.module_regions(FakeModule(ec2=FakeEC2(client_error("AuthFailure"))), "all")


def test_account_id_one_call_and_its_failure_names_the_region():
    assert account_id(FakeModule(sts=FakeSTS()), "us-east-1") == "123456789012"
    with pytest.raises(Failed, match="sts:GetCallerIdentity.*AWS rejected the credentials in region eu-west-1.*InvalidClientTokenId"):
        account_id(FakeModule(sts=FakeSTS(client_error("InvalidClientTokenId", "The security token is invalid"))), "eu-west-1")


def test_region_scan_reports_each_region_and_fails_only_when_all_fail():
    def scan(client, region, account):
        assert client == "scanner" and account == "123456789012"
        if region == "eu-west-1":
            raise client_error("AccessDenied", "nope")
        return [region]

    module = FakeModule(regions=["us-east-1", "eu-west-1"], ec2=FakeEC2(), sts=FakeSTS(), autoscaling="scanner")
    scan_result = R.RegionScan(module, "autoscaling", scan)
    assert scan_result.account_id == "123456789012"
    assert scan_result.results() == [["us-east-1"]]
    assert scan_result.scanned == ["us-east-1"] and scan_result.errored == ["eu-west-1"]
    assert scan_result.not_found_message("thing(s)", ["x"]) == "thing(s) not found in region(s) us-east-1: x (not scanned because of errors: eu-west-1)"
    with pytest.raises(Failed, match="every region failed"):
        R.RegionScan(FakeModule(regions=["eu-west-1"], ec2=FakeEC2(), sts=FakeSTS(), autoscaling="scanner"), "autoscaling", scan)


def test_fail_if_every_region_failed():
    rows_ok = [{"region": "a", "error": None}, {"region": "b", "error": "region b: x"}]
    R.fail_if_every_region_failed(FakeModule(), rows_ok)  # one region scanned: no failure
    with pytest.raises(Failed, match="every region failed: region a: y; region b: x"):
        R.fail_if_every_region_failed(FakeModule(), [{"region": "a", "error": "region a: y"}, {"region": "b", "error": "region b: x"}])
