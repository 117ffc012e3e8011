# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The ``migration`` return value of the modules that read the migration state tags (module_utils/pv_migration.py)."""

    RETURN = r"""
migration:
  description: The recorded migration state after the call (None values when not recorded).
  returned: always
  type: dict
  contains:
    phase:
      description: Last phase completed, or C(rolled-back).
      type: str
    run_id:
      description: Run id of the migration.
      type: str
    was_running:
      description: Whether the source was running before the migration.
      type: bool
    original_devices:
      description: EBS volumes of the source before the migration.
      type: list
      elements: dict
      sample: [{"device_name": "/dev/sda1", "volume_id": "vol-0123456789abcdef0", "delete_on_termination": true}]
    original_eips:
      description: Elastic IPs of the source before the migration.
      type: list
      elements: dict
      sample: [{"allocation_id": "eipalloc-0123456789abcdef0", "private_ip_address": "10.0.0.12"}]
    replacement_id:
      description: The replacement instance.
      type: str
    replaced_by:
      description: Set once the migration was verified.
      type: str
    error:
      description: The failure recorded with the last rollback.
      type: str
"""
