# Copyright: hubfix.aws contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters whose code is imported on their first use.

To find one ``hubfix.aws.*`` filter, Ansible imports every filter file of the collection, in each task's worker process
(a fresh fork): whatever those files import at the top is paid by every task that uses any of our filters - about 50 ms
when they imported their module_utils (measured with a task timer on the audit). A filter file therefore names its
functions here as ``"module.function"`` of ``plugins/module_utils`` and only the module a task really uses is imported.
"""

from __future__ import annotations

from importlib import import_module

MODULE_UTILS = "ansible_collections.hubfix.aws.plugins.module_utils."


def lazy_filters(table):
    """``{filter name: function}`` for ``{filter name: "module.function"}`` (a name in ``plugins/module_utils``)."""
    return {name: lazy(target) for name, target in table.items()}


def lazy(target):
    """A function that imports ``module`` of ``"module.function"`` when first called, then calls ``function``."""
    module, dummy, name = target.rpartition(".")
    if not module or not name:
        raise ValueError("expected 'module.function', got %r" % (target,))

    def call(*args, **kwargs):
        return getattr(import_module(MODULE_UTILS + module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.target = MODULE_UTILS + target  # what it calls (the unit tests check that each exists)
    call.__doc__ = "hubfix.aws filter: module_utils/%s.py %s()" % (module, name)
    return call
