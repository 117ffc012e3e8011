"""SharedClients (plugins/module_utils/clients.py): the clients of many accounts from one boto3 session, one per service,
region and credentials, safe to ask for from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.hubfix.aws.plugins.module_utils.clients import RETRY, SharedClients


class FakeModule:
    """What get_aws_connection_info reads of a module."""

    def __init__(self, **params):
        self.params = {"region": "us-east-1", "endpoint_url": None, "profile": None, "aws_ca_bundle": None, "validate_certs": True, "aws_config": None}
        self.params.update({"access_key": None, "secret_key": None, "session_token": None})
        self.params.update(params)

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def test_one_client_per_service_region_and_credentials(aws_credentials):
    clients = SharedClients(FakeModule(aws_config={"connect_timeout": 7}))
    first = clients("ec2", retry_decorator=RETRY)
    assert isinstance(first, RetryingBotoClientWrapper)
    assert clients("ec2", retry_decorator=RETRY) is first
    assert clients("ec2", retry_decorator=RETRY, region="eu-west-1") is not first
    assert clients("ec2", retry_decorator=RETRY, region="eu-west-1").client.meta.region_name == "eu-west-1"
    other = clients("ec2", retry_decorator=RETRY, aws_access_key_id="AKIAOTHER", aws_secret_access_key="s", aws_session_token="t")
    assert other is not first
    assert other.client._request_signer._credentials.access_key == "AKIAOTHER"
    assert first.client.meta.config.connect_timeout == 7 and "hubfix.aws" in first.client.meta.config.user_agent_extra
    plain = clients("sts")
    assert not isinstance(plain, RetryingBotoClientWrapper) and plain.meta.service_model.service_name == "sts"


def test_many_threads_get_one_client_each_and_one_session(aws_credentials):
    clients = SharedClients(FakeModule(endpoint_url="http://127.0.0.1:9"))
    keys = [("ec2", r) for r in ("us-east-1", "eu-west-1", "us-west-2")] * 20
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda key: clients(key[0], region=key[1]), keys))
    assert len({id(c) for c in got}) == 3
    assert {c.meta.endpoint_url for c in got} == {"http://127.0.0.1:9"}
