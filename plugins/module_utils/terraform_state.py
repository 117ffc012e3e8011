# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which AWS resources Terraform manages, read from the state files in ``hubfix_terraform_state_files``.

hubfix must never change a resource Terraform manages: the next ``terraform apply`` would put it back, or fail on the
drift. Terraform tags nothing, so its state files are the only record of what it owns. Only state format version 4
(Terraform >= 0.12) is read; an older file is refused rather than half-read, since a missed resource would be changed.
Pure functions: fetching the files (local or S3) is the caller's job.
"""

from __future__ import annotations

import json

S3_SCHEME = "s3://"
STATE_VERSION = 4

# Terraform resource type -> (hubfix kind, attributes holding the AWS identifier, first present wins). The traffic kinds
# (an EC2.24 cutover moves them) name the resource whose memberships or associations Terraform declares: a target group
# with an attachment, a route table with a route, an Elastic IP with an association, an interface with an attachment.
MANAGED_TYPES = {
    "aws_launch_configuration": ("launch_configuration", ("name", "id")),
    "aws_autoscaling_group": ("autoscaling_group", ("name", "id")),
    "aws_instance": ("instance", ("id",)),
    "aws_launch_template": ("launch_template", ("id",)),
    "aws_elb": ("classic_elb", ("name", "id")),
    "aws_elb_attachment": ("classic_elb", ("elb",)),
    "aws_lb_target_group_attachment": ("target_group", ("target_group_arn",)),
    "aws_alb_target_group_attachment": ("target_group", ("target_group_arn",)),
    "aws_route": ("route_table", ("route_table_id",)),
    "aws_route_table": ("route_table", ("id",)),
    "aws_eip_association": ("elastic_ip", ("allocation_id",)),
    "aws_network_interface_attachment": ("network_interface", ("network_interface_id",)),
}


class TerraformStateError(Exception):
    """A state file that cannot be read; the message names the file."""


def parse_s3_url(path):
    """``(bucket, key)`` of an ``s3://bucket/key`` path, None for a local path; ValueError when bucket or key is missing."""
    if not isinstance(path, str) or not path.startswith(S3_SCHEME):
        return None
    bucket, unused, key = path[len(S3_SCHEME) :].partition("/")
    if not bucket or not key:
        raise ValueError("%r is not a state file in S3: expected s3://bucket/key" % path)
    return bucket, key


def load_state(text, source):
    """The state dict parsed from ``text``; TerraformStateError naming ``source`` when it is not a version 4 state."""
    try:
        state = json.loads(text)
    except (TypeError, ValueError) as e:
        raise TerraformStateError("%s: not a Terraform state file, the text is not JSON (%s)" % (source, e)) from e
    if not isinstance(state, dict):
        raise TerraformStateError("%s: not a Terraform state file, the JSON is not an object" % source)
    version = state.get("version")
    if version != STATE_VERSION:
        found = "version %r" % version if "version" in state else "no version"
        raise TerraformStateError("%s: Terraform state format %s found; only format version %d (Terraform >= 0.12) is read" % (source, found, STATE_VERSION))
    return state


def resource_address(module, type_, name, index_key=None):
    """Terraform's address of a resource instance (``module.web.aws_instance.db["blue"]``), as ``terraform state list`` shows it."""
    address = "%s.%s" % (type_, name)
    if module:
        address = "%s.%s" % (module, address)
    if index_key is not None:
        address += "[%s]" % json.dumps(index_key)
    return address


def _identifier(attributes, names):
    """The first non-empty identifier among ``names`` in an instance's attributes, or None."""
    for name in names:
        value = attributes.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _resources(state, source):
    """The state's resource list; TerraformStateError when its shape is wrong, since a skipped resource would be changed."""
    resources = state.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise TerraformStateError("%s: not a Terraform state file, resources is not a list of objects" % source)
    return resources


def owned_resources(state, source):
    """``{kind, id, address, state_file}`` for each resource of ``MANAGED_TYPES`` Terraform manages.

    Data sources are skipped (Terraform only reads them); deposed instances are kept, Terraform still destroys them.
    """
    records = []
    for resource in _resources(state, source):
        if resource.get("mode") != "managed" or resource.get("type") not in MANAGED_TYPES:
            continue
        kind, names = MANAGED_TYPES[resource["type"]]
        for instance in resource.get("instances") or []:
            identifier = _identifier(instance.get("attributes") or {}, names) if isinstance(instance, dict) else None
            if identifier is None:
                continue
            address = resource_address(resource.get("module"), resource["type"], resource.get("name"), instance.get("index_key"))
            records.append({"kind": kind, "id": identifier, "address": address, "state_file": source})
    return records


class OwnerIndex:
    """Terraform owner of each resource over all the state files, looked up by ``(kind, identifier)``.

    A resource claimed by two files (a copied or stale state) keeps its first owner; the clash is kept in ``conflicts``
    for the report, since either state's ``apply`` would undo a change.
    """

    def __init__(self):
        self._owners = {}
        self.conflicts = []

    def add_state(self, state, source):
        """Record every resource ``state`` (read from ``source``) manages."""
        for record in owned_resources(state, source):
            self._add(record)

    def _add(self, record):
        key = (record["kind"], record["id"])
        first = self._owners.get(key)
        if first is None:
            self._owners[key] = {"type": "terraform", "name": record["address"], "state_file": record["state_file"]}
        elif (first["name"], first["state_file"]) != (record["address"], record["state_file"]):
            self.conflicts.append(
                "%s %s is managed by both %s in %s and %s in %s; the first is reported as its owner"
                % (record["kind"], record["id"], first["name"], first["state_file"], record["address"], record["state_file"])
            )

    def owner(self, kind, identifier):
        """``{type: terraform, name: address, state_file}`` of the resource, or None when no state file manages it."""
        found = self._owners.get((kind, identifier))
        return dict(found) if found else None


def ownership_from_texts(pairs):
    """``(OwnerIndex, errors)`` from ``(source, text)`` pairs; a bad file becomes an error naming it, the others are still read."""
    index, errors = OwnerIndex(), []
    for source, text in pairs:
        try:
            index.add_state(load_state(text, source), source)
        except TerraformStateError as e:
            errors.append(str(e))
    return index, errors
