"""Ansible imports every filter file of the collection (and the role_inputs action) in each task's worker process:
if one of them brings boto3 with it, every task that uses a hubfix filter pays about 0.3 s. They must stay light."""

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
