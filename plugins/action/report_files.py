# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin of hubfix.aws.report_files: the reports are the controller's files (``hubfix.aws.local_path`` makes
their directory absolute there), so they are written here, in the task's own process - no module run (about 0.3 s
each). Same options and return values as the module, which documents them."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.hubfix.aws.plugins.module_utils.report_files import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE, TEMPLATE_OPTIONS, write_report_of


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if self._task.check_mode:
            # as the module (supports_check_mode false): the roles run it with check_mode false
            result.update(skipped=True, msg="report_files does not run in check mode; set check_mode: false on the task")
            return result
        validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE)
        del validation
        for option in TEMPLATE_OPTIONS:
            template = params.pop(option)
            if template is not None:
                params[option.replace("_template", "")] = self._rendered(option, template, params["data"], params["name"])
        try:
            written = write_report_of(params)
        except (OSError, ValueError) as e:
            raise AnsibleActionFail(str(e)) from e
        result.update(changed=False, **written)
        return result

    def _rendered(self, option, template, data, name):
        """The ``*_template`` option's template rendered from the report; errors name both."""
        if data is None:
            raise AnsibleActionFail("%s needs data: the template renders the report" % option)
        # imported here: only a task with a template pays for it (jinja2 is loaded anyway; the module is small)
        from ansible_collections.hubfix.aws.plugins.plugin_utils.report_templates import render

        try:
            return render(self._find_needle("templates", template), data)
        except AnsibleError as e:
            raise AnsibleActionFail("%s %s: %s" % (option, template, e)) from e
        except Exception as e:  # jinja2's errors (syntax, undefined names) are not Ansible's
            raise AnsibleActionFail("cannot render the %s report from %s %s: %s" % (name, option, template, e)) from e
