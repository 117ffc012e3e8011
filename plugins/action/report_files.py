# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of hubfix.aws.report_files: the reports are the controller's files (``hubfix.aws.local_path`` makes
their directory absolute there), so they are written here, in the task's own process - no module run (about 0.3 s
each). Same options and return values as the module, which documents them."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.hubfix.aws.plugins.module_utils.report_files import ARGUMENT_SPEC, write_report_of


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if self._task.check_mode:
            # as the module (supports_check_mode false): the roles run it with check_mode false
            result.update(skipped=True, msg="report_files does not run in check mode; set check_mode: false on the task")
            return result
        validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del validation
        try:
            written = write_report_of(params)
        except (OSError, ValueError) as e:
            raise AnsibleActionFail(str(e)) from e
        result.update(changed=False, **written)
        return result
