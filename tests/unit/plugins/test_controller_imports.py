"""Ansible imports every filter file of the collection (and the role_inputs action) in each task's worker process:
if one of them brings boto3 with it, every task that uses a hubfix filter pays about 0.3 s. They must stay light, and
the filter files import their module_utils only when a filter is used (plugin_utils/lazy_filters.py: about 50 ms a task)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
COLLECTIONS = Path(__file__).resolve().parents[3] / ".venv" / "collections"
HEAVY = ["boto3", "botocore", "ansible_collections.amazon.aws.plugins.module_utils.botocore"]
CONTROLLER_PLUGINS = sorted(
    ["ansible_collections.hubfix.aws.plugins.filter." + p.stem for p in (PLUGINS / "filter").glob("*.py") if p.stem != "__init__"]
    + ["ansible_collections.hubfix.aws.plugins.action." + p.stem for p in (PLUGINS / "action").glob("*.py") if p.stem != "__init__"]
)


def test_the_controller_plugins_are_found():
    assert "ansible_collections.hubfix.aws.plugins.filter.audit" in CONTROLLER_PLUGINS
    assert "ansible_collections.hubfix.aws.plugins.action.role_inputs" in CONTROLLER_PLUGINS


@pytest.mark.parametrize("plugin", CONTROLLER_PLUGINS)
def test_importing_the_plugin_does_not_import_boto3(plugin):
    code = "import sys, importlib; importlib.import_module(%r); print(' '.join(m for m in %r if m in sys.modules))" % (plugin, HEAVY)
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(COLLECTIONS)}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", "%s imports %s at import time" % (plugin, out.stdout.strip())


FILTERS = [p for p in CONTROLLER_PLUGINS if ".plugins.filter." in p]


@pytest.mark.parametrize("plugin", FILTERS)
def test_a_filter_file_imports_no_module_utils_until_a_filter_runs(plugin):
    code = (
        "import sys, importlib; m = importlib.import_module(%r); m.FilterModule().filters(); "
        "print(' '.join(n for n in sys.modules if n.startswith('ansible_collections.hubfix.aws.plugins.module_utils')))" % plugin
    )
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(COLLECTIONS)}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", "%s imports %s before any filter runs" % (plugin, out.stdout.strip())


@pytest.mark.parametrize("plugin", FILTERS)
def test_every_lazy_filter_names_a_function_that_exists(plugin):
    import importlib

    for name, function in importlib.import_module(plugin).FilterModule().filters().items():
        target = getattr(function, "target", None)
        if target:
            module, dummy, attr = target.rpartition(".")
            assert callable(getattr(importlib.import_module(module), attr, None)), "%s: %s does not exist" % (name, target)


def test_a_lazy_filter_imports_its_module_on_first_call_and_names_it():
    from ansible_collections.hubfix.aws.plugins.plugin_utils.lazy_filters import lazy, lazy_filters

    filters = lazy_filters({"local_path": "report_files.local_path"})
    assert filters["local_path"].__name__ == "local_path"
    assert filters["local_path"]("/tmp/x") == "/tmp/x"
    with pytest.raises(ValueError, match="module.function"):
        lazy("no_module")
    with pytest.raises(AttributeError):
        lazy("report_files.no_such_function")()
