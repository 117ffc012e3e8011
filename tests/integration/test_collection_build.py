"""`ansible-galaxy collection build` makes a tarball that installs offline and whose modules ansible-doc renders."""

from __future__ import annotations

import json
import subprocess
import tarfile

from tests.harness import COLLECTIONS, REPO_ROOT, VENV_BIN, ansible_env


def run(cmd, cwd, env):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_build_install_and_document(tmp_path):
    env = ansible_env()
    out = run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(tmp_path), str(REPO_ROOT)], REPO_ROOT, env)
    tarballs = list(tmp_path.glob("hubfix-aws-*.tar.gz"))
    assert len(tarballs) == 1, out
    with tarfile.open(tarballs[0]) as tar:
        names = tar.getnames()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert not [n for n in names if n.startswith((".venv", "build/", "tests/output", "hubfix-reports"))], names[:20]
    assert "meta/runtime.yml" in names and "plugins/modules/paravirtual_instance_info.py" in names

    installed = tmp_path / "collections"
    run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "--force", "-p", str(installed), str(tarballs[0])], tmp_path, env)
    assert (installed / "ansible_collections" / "hubfix" / "aws" / "MANIFEST.json").exists()

    # The installed copy first, amazon.aws from .venv: ansible-doc renders every module of ours.
    doc_env = dict(env, ANSIBLE_COLLECTIONS_PATH=f"{installed}:{COLLECTIONS}")
    listing = json.loads(run([str(VENV_BIN / "ansible-doc"), "-t", "module", "-l", "hubfix.aws", "-j"], tmp_path, doc_env))
    modules = sorted(listing)
    assert "hubfix.aws.paravirtual_instance_info" in modules and "hubfix.aws.launch_config_imdsv2_info" in modules
    docs = json.loads(run([str(VENV_BIN / "ansible-doc"), "-t", "module", "-j", *modules], tmp_path, doc_env))
    assert sorted(docs) == modules
    for name, doc in docs.items():
        assert doc["doc"]["short_description"] and doc["examples"] and doc["return"] is not None, name
        assert str(installed) in doc["doc"]["filename"], doc["doc"]["filename"]
