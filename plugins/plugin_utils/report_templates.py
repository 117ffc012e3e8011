# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rendering a report's Markdown / HTML template on the controller (``hubfix.aws.report_files``'s ``*_template`` options).

A report template only formats the report (plain Jinja2: no lookups, no Ansible filters), so it is rendered here with
Jinja2 itself on the plain data: through ``lookup('ansible.builtin.template')`` every access to the report goes through
Ansible's lazy templating containers, about 60 ms for one audit template of 40 findings (measured), most of the task.
The environment is the one Ansible renders templates with (``trim_blocks``, trailing newline kept, no autoescape), so
the output is the same; an undefined name is an error, as with Ansible's default ``StrictUndefined``.
"""

from __future__ import annotations

import os

from jinja2 import Environment, FileSystemLoader, StrictUndefined


def render(path, report):
    """The template file ``path`` rendered with ``report`` (the report's data) as its only variable."""
    env = Environment(
        loader=FileSystemLoader(os.path.dirname(path) or "."),
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env.get_template(os.path.basename(path)).render(report=report)
