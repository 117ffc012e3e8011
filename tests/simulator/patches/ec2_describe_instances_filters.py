"""DescribeInstances: the filters EC2.24 detection needs, and MaxResults/NextToken paging that counts instances.

moto 5.2.5 answers HTTP 500 (NotImplementedError) for the filters ``virtualization-type``, ``root-device-type``,
``hypervisor``, ``block-device-mapping.*`` and ``instance-state-code``; it pages by *reservation* (``MaxResults=1000`` over
1,100 instances in 100 reservations gives one page of 1,100 instances), it pages with a default of 100 reservations
when no ``MaxResults`` is given, and it accepts any ``MaxResults``.

Real EC2 (documented behaviour reproduced here):

- filters are ANDed with each other, the values of one filter are ORed, and ``*``/``?`` wildcards match in values;
- ``MaxResults`` counts instances (5..1000; smaller values fail with ``InvalidParameterValue``
  "Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.", a message taken from a real
  AWS answer; the wording for values above 1000 is modelled on it). Instances stay grouped by reservation, so a
  reservation that does not fit on a page continues on the next page under the same ReservationId;
- without ``MaxResults`` the call is unpaginated and returns every instance;
- ``MaxResults`` together with ``InstanceIds`` is ``InvalidParameterCombination`` (moto already does this).
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import json

NAME = "ec2-describe-instances-filters-and-paging"
AWS_BEHAVIOUR = (
    "DescribeInstances supports the filters virtualization-type (paravirtual | hvm), root-device-type (ebs | instance-store), "
    "root-device-name, hypervisor, instance-state-code, platform, block-device-mapping.volume-id/device-name/status/"
    "delete-on-termination and metadata-options.http-tokens/http-endpoint, ANDed across filters and ORed within values; "
    "MaxResults (5-1000) counts instances, not reservations, a reservation may continue on the next page, and without "
    "MaxResults every instance is returned. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html#api-pagination"
)

MIN_RESULTS = 5
MAX_RESULTS = 1000


def _bdm(instance) -> list:
    return list(instance.block_device_mapping.items())


# filter name -> function(instance) -> value or list of values (strings; booleans as "true"/"false")
EXTRA_FILTERS = {
    "virtualization-type": lambda i: i.virtualization_type,
    "root-device-type": lambda i: i.root_device_type,
    "root-device-name": lambda i: i.root_device_name,
    "hypervisor": lambda i: i.hypervisor,
    "instance-state-code": lambda i: str(i.state_code),
    "platform": lambda i: i.platform,
    "block-device-mapping.volume-id": lambda i: [b.volume_id for _unused, b in _bdm(i)],
    "block-device-mapping.device-name": lambda i: [d for d, _unused in _bdm(i)],
    "block-device-mapping.status": lambda i: [i.get_block_device_status(b.status) for _unused, b in _bdm(i)],
    "block-device-mapping.delete-on-termination": lambda i: [str(bool(b.delete_on_termination)).lower() for _unused, b in _bdm(i)],
    "metadata-options.http-tokens": lambda i: i.metadata_options.http_tokens,
    "metadata-options.http-endpoint": lambda i: i.metadata_options.http_endpoint,
}


def value_matches(value, patterns) -> bool:
    """True when the value (or one of a list of values) matches one of the filter values; EC2 wildcards * and ?."""
    values = value if isinstance(value, list) else [value]
    return any(v is not None and fnmatch.fnmatchcase(str(v), str(p)) for v in values for p in patterns)


def make_passes_filter_dict(original):
    def passes_filter_dict(instance, filter_dict):
        rest = {}
        for name, values in filter_dict.items():
            getter = EXTRA_FILTERS.get(name)
            if getter is None:
                rest[name] = values
            elif not value_matches(getter(instance), values):
                return False
        return original(instance, rest)

    return passes_filter_dict


def encode_token(instance_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": instance_id}).encode()).decode()


def decode_token(token: str) -> str | None:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError):
        return None


def paginate(reservations: list, max_results: int | None, token: str | None) -> tuple[list, str | None]:
    """One page of (reservation, instances) counted in instances; reservations split across pages keep their id."""
    flat = [(reservation, instance) for reservation in reservations for instance in reservation.instances]
    start = 0
    if token:
        after = decode_token(token)
        ids = [instance.id for _unused, instance in flat]
        if after is None or after not in ids:
            return None, token  # caller raises
        start = ids.index(after) + 1
    end = len(flat) if max_results is None else start + max_results
    page = flat[start:end]
    next_token = encode_token(page[-1][1].id) if page and end < len(flat) else None
    grouped: list = []
    for reservation, instance in page:
        if grouped and grouped[-1].id == reservation.id:
            grouped[-1].instances.append(instance)
        else:
            part = copy.copy(reservation)
            part.instances = [instance]
            grouped.append(part)
    return grouped, next_token


def apply():
    from moto.core.responses import ActionResult
    from moto.ec2 import utils as ec2_utils
    from moto.ec2.exceptions import EC2ClientError, InvalidParameterCombination
    from moto.ec2.responses.instances import InstanceResponse

    original_passes = ec2_utils.passes_filter_dict
    original_describe = InstanceResponse.describe_instances

    def describe_instances(self):
        self.error_on_dryrun()
        if "InstanceId.1" in self.data and "MaxResults" in self.data:
            raise InvalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults")
        max_results = self._get_param("MaxResults")
        if max_results is not None:
            max_results = int(max_results)
            if max_results < MIN_RESULTS:
                raise EC2ClientError(
                    "InvalidParameterValue",
                    f"Value ( {max_results} ) for parameter maxResults is invalid. Expecting a value greater than {MIN_RESULTS}.",
                )
            if max_results > MAX_RESULTS:
                raise EC2ClientError(
                    "InvalidParameterValue",
                    f"Value ( {max_results} ) for parameter maxResults is invalid. Expecting a value less than or equal to {MAX_RESULTS}.",
                )
        filter_dict = self._filters_from_querystring()
        instance_ids = self._get_param("InstanceIds", [])
        token = self._get_param("NextToken")
        if instance_ids:
            reservations = self.ec2_backend.get_reservations_by_instance_ids(instance_ids, filters=filter_dict)
        else:
            reservations = self.ec2_backend.describe_instances(filters=filter_dict)
        page, next_token = paginate(reservations, max_results, token)
        if page is None:
            raise EC2ClientError("InvalidParameterValue", f"Invalid value '{token}' for nextToken.")
        return ActionResult({"Reservations": page, "NextToken": next_token})

    ec2_utils.passes_filter_dict = make_passes_filter_dict(original_passes)
    InstanceResponse.describe_instances = describe_instances

    def undo():
        ec2_utils.passes_filter_dict = original_passes
        InstanceResponse.describe_instances = original_describe

    return undo
