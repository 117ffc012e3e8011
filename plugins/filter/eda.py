# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the event-driven playbook ``hubfix.aws.eda_remediate_finding``; the logic is in module_utils/eda_events.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy, lazy_filters


def eda_run(hubfix, apply=False, accounts=None, role_name=None, external_id=None):
    try:
        return lazy("eda_events.eda_run")(hubfix, apply=apply, accounts=accounts, role_name=role_name, external_id=external_id)
    except (ValueError, KeyError, TypeError) as e:
        raise AnsibleFilterError("hubfix.aws.eda_run: %s" % e) from e


class FilterModule:
    def filters(self):
        return dict(lazy_filters({"eda_inventory_yaml": "eda_events.inventory_yaml"}), eda_run=eda_run)
