# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where reports go, for every playbook: ``<report dir>/<run id>/<name>.json|.md|.html``, each run in its own directory
so earlier runs stay, and ``<report dir>/latest/<name>.*`` a copy of the newest report of that name that could be trusted
(a run that could not scan what it was asked to scan keeps its own directory but does not replace ``latest``).

Relative directories are taken from the directory the playbook runs in (``local_path``, the one rule for report and
backup directories). Files are written to a temporary name and renamed, so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.hubfix.aws.plugins.module_utils.claims import run_id_problem

LATEST = "latest"


def local_path(path, base=None):
    """``path`` with ``~`` expanded, absolute against ``base`` (default: the current directory, where the playbook runs)."""
    path = os.path.expanduser(str(path))
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base or os.getcwd(), path))


def _write(path, text, mode):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


# The options of hubfix.aws.report_files: the module (documentation, and any run not on the controller) and the action
# plugin of the same name that Ansible runs instead (the reports are the controller's files).
ARGUMENT_SPEC = dict(
    report_dir=dict(type="path", required=True),
    run_id=dict(type="str", required=True),
    name=dict(type="str", required=True),
    data=dict(type="dict"),
    markdown=dict(type="str"),
    html=dict(type="str"),
    markdown_template=dict(type="str"),
    html_template=dict(type="str"),
    update_latest=dict(type="bool", default=True),
)
MUTUALLY_EXCLUSIVE = [["markdown", "markdown_template"], ["html", "html_template"]]
TEMPLATE_OPTIONS = ("markdown_template", "html_template")

NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def contents(name, data=None, markdown=None, html=None):
    """``{file name: text}`` of one report."""
    if not NAME.fullmatch(str(name or "")) or name.startswith("."):
        raise ValueError("report name %r must be 1-64 characters of letters, digits and . _ - (not starting with a dot)" % (name,))
    out = {}
    if data is not None:
        out[name + ".json"] = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
    if markdown is not None:
        out[name + ".md"] = markdown if markdown.endswith("\n") else markdown + "\n"
    if html is not None:
        out[name + ".html"] = html
    return out


def write_report_of(params):
    """``write_report`` of the module's parameters; OSError / ValueError carry a message naming the report."""
    try:
        files = contents(params["name"], params["data"], params["markdown"], params["html"])
        return write_report(params["report_dir"], params["run_id"], files, params["update_latest"])
    except (OSError, ValueError) as e:
        raise e.__class__("cannot write the %s report to %s: %s" % (params["name"], params["report_dir"], e)) from e


def write_report(report_dir, run_id, files, update_latest=True, mode=0o644, dir_mode=0o755):
    """Write ``files`` ({file name: text}) into the run's directory and, with ``update_latest``, into ``latest``.

    Returns ``{"run_dir", "latest_dir", "paths": [...], "latest_paths": [...]}``.
    """
    problem = run_id_problem(run_id)
    if problem:
        raise ValueError(problem)
    if run_id == LATEST:
        raise ValueError("run id %r is reserved" % run_id)
    run_dir = os.path.join(report_dir, run_id)
    latest_dir = os.path.join(report_dir, LATEST)
    os.makedirs(run_dir, mode=dir_mode, exist_ok=True)
    paths, latest_paths = [], []
    for name, text in files.items():
        path = os.path.join(run_dir, name)
        _write(path, text, mode)
        paths.append(path)
    if update_latest:
        os.makedirs(latest_dir, mode=dir_mode, exist_ok=True)
        for name, text in files.items():
            path = os.path.join(latest_dir, name)
            _write(path, text, mode)
            latest_paths.append(path)
    return {"run_dir": run_dir, "latest_dir": latest_dir, "paths": paths, "latest_paths": latest_paths}
