# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ownership options (module_utils/owners.py): who else manages a resource, so that hubfix leaves it alone."""

    DOCUMENTATION = r"""
options:
  terraform_state_files:
    description:
      - Terraform state files (format version 4, Terraform 0.12 or later) whose C(aws_launch_configuration), C(aws_autoscaling_group),
        C(aws_instance) and C(aws_launch_template) resources are owned by Terraform, matched by name or id; the owner's name is the
        resource address. For an EC2.24 cutover also the pieces of an instance's traffic - C(aws_lb_target_group_attachment),
        C(aws_elb) / C(aws_elb_attachment), C(aws_route) / C(aws_route_table), C(aws_eip_association),
        C(aws_network_interface_attachment).
      - Local paths, or C(s3://bucket/key) read with the module's credentials (C(s3:GetObject)).
      - A file that cannot be read or parsed fails the module, naming it (resources it owns must not look unowned).
    type: list
    elements: str
    default: []
  owner_tags:
    description:
      - Tag key to owner label, for tools that tag what they manage (key C(ManagedBy), label C(pulumi)); matched on the resources
        the module would change when the key is present, whatever its value.
      - Elastic Beanstalk and CloudFormation (from their own tags and stacks) and Terraform come first.
    type: dict
    default: {}
"""
