# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shape of an EC2 instance id. Kept free of boto3 and amazon.aws imports: filter plugins use it, and Ansible
imports every filter file of the collection in each task's worker process."""

from __future__ import annotations

import re

# An EC2 instance id: i- and 8 (older) or 17 lowercase hex digits.
INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def malformed_instance_ids(instance_ids):
    """The values of ``instance_ids`` that are not instance ids."""
    return [i for i in instance_ids or [] if not isinstance(i, str) or not INSTANCE_ID.fullmatch(i)]
