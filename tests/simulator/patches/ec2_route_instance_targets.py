"""Routes to an instance or a network interface (NAT instances): what DescribeRouteTables reports, and blackholes.

moto 5.2.5 stores CreateRoute/ReplaceRoute ``InstanceId`` and ``NetworkInterfaceId`` targets and replaces them correctly,
but reports only the one given (EC2 resolves an instance target to its network interface and reports ``InstanceId``,
``InstanceOwnerId`` and ``NetworkInterfaceId`` together, the instance being the one the interface is attached to), always
reports ``State: active`` (also for a stopped or terminated instance, a detached or deleted interface), accepts an
``InstanceId`` target with several network interfaces (EC2 refuses: it cannot pick one) and answers HTTP 500 for the
DescribeRouteTables filters ``route.instance-id``, ``route.network-interface-id`` and ``route.state``.

Reproduced: a route's interface is the one given, or the primary interface (device index 0) of the instance given; its
``InstanceId`` is the instance that interface is attached to (for an instance target whose interface is gone, the
instance given); the route is ``blackhole`` when that interface no longer exists, is not attached, or its instance is not
``running`` (the API reference names a terminated NAT instance; a stopped one is reported as blackhole as well), else
``active``; ``InstanceId`` with more than one interface fails with ``InvalidInstanceID``; the three filters work.
"""

from __future__ import annotations

NAME = "ec2-route-instance-and-interface-targets"
AWS_BEHAVIOUR = (
    "CreateRoute / ReplaceRoute with InstanceId route to the instance's network interface (an instance with several "
    "interfaces fails with InvalidInstanceID \"There are multiple interfaces attached to instance '<i>'. Please specify an "
    'interface ID for the operation instead."); DescribeRouteTables reports InstanceId, InstanceOwnerId and '
    "NetworkInterfaceId of such routes, and State blackhole when the target isn't available (for example the NAT "
    "instance has been terminated), else active; filters route.instance-id, route.network-interface-id, route.state. "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateRoute.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html "
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html "
    "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html"
)

MULTIPLE_INTERFACES = "There are multiple interfaces attached to instance '{}'. Please specify an interface ID for the operation instead."
_MISSING = object()


def route_interface(route):
    if route.interface is not None:
        return route.interface
    if route.instance is not None:
        return (route.instance.__dict__.get("nics") or {}).get(0)
    return None


def route_instance(route):
    eni = route_interface(route)
    if eni is not None and eni.instance is not None:
        return eni.instance
    return route.instance


def route_state(route) -> str:
    if route.interface is None and route.instance is None:
        return "active"  # gateways and the rest: moto's answer
    eni = route_interface(route)
    if eni is None or eni.id not in eni.ec2_backend.enis or eni.instance is None:
        return "blackhole"
    return "active" if eni.instance.state == "running" else "blackhole"


def apply():
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.responses.route_tables import RouteTables

    saved = {
        (cls, attr): cls.__dict__.get(attr, _MISSING)
        for cls, attr in (
            (Route, "state"),
            (Route, "instance_id"),
            (Route, "network_interface_id"),
            (Route, "instance_owner_id"),
            (RouteTable, "get_filter_value"),
            (RouteTables, "create_route"),
            (RouteTables, "replace_route"),
        )
    }
    original_filter = RouteTable.get_filter_value
    original_create = RouteTables.create_route
    original_replace = RouteTables.replace_route

    def refuse_ambiguous_instance(self):
        instance_id = self._get_param("InstanceId")
        if instance_id and not self._get_param("NetworkInterfaceId"):
            instance = self.ec2_backend.get_instance(instance_id)
            if len(instance.nics) > 1:
                raise EC2ClientError("InvalidInstanceID", MULTIPLE_INTERFACES.format(instance.id))

    def create_route(self):
        refuse_ambiguous_instance(self)
        return original_create(self)

    def replace_route(self):
        refuse_ambiguous_instance(self)
        return original_replace(self)

    def get_filter_value(self, filter_name, method_name=None):
        routes = list(self._routes.values())
        if filter_name == "route.instance-id":
            return [i.id for i in (route_instance(r) for r in routes) if i is not None]
        if filter_name == "route.network-interface-id":
            return [e.id for e in (route_interface(r) for r in routes) if e is not None]
        if filter_name == "route.state":
            return [route_state(r) for r in routes]
        return original_filter(self, filter_name, method_name)

    def instance_id(route):
        instance = route_instance(route)
        return instance.id if instance is not None else None

    def network_interface_id(route):
        eni = route_interface(route)
        return eni.id if eni is not None else None

    def instance_owner_id(route):
        instance = route_instance(route)
        return instance.owner_id if instance is not None else None

    Route.state = property(route_state)
    Route.instance_id = property(instance_id)
    Route.network_interface_id = property(network_interface_id)
    Route.instance_owner_id = property(instance_owner_id)
    RouteTable.get_filter_value = get_filter_value
    RouteTables.create_route = create_route
    RouteTables.replace_route = replace_route

    def undo():
        for (cls, attr), value in saved.items():
            if value is _MISSING:
                if attr in cls.__dict__:
                    delattr(cls, attr)
            else:
                setattr(cls, attr, value)

    return undo
