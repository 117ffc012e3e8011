"""Each AWS fact the collection knows is defined in one place: this test reads the real sources (plugins/, roles/,
playbooks/) and fails when a fact's value appears anywhere but its home in plugins/module_utils/.

Facts are located by their values (a title, a reason text, an instance-type pair, a phase list...), so a copy under
another name is found too. Documentation (README.md, argument spec descriptions, module DOCUMENTATION) may mention
examples; code and role defaults/tasks/templates may not repeat them.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.hubfix.aws.plugins.module_utils import autoscaling, blockers, controls, instance_types, pv_migration

ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = ROOT / "plugins" / "module_utils"


def code_files():
    """Every file that holds behaviour: plugin Python (without its DOCUMENTATION/EXAMPLES/RETURN strings) and role YAML/Jinja."""
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        if "doc_fragments" in path.parts:
            continue
        yield path, python_code(path)
    for pattern in ("roles/*/tasks/*.yml", "roles/*/defaults/*.yml", "roles/*/vars/*.yml", "roles/*/templates/*", "playbooks/*.yml"):
        for path in sorted(ROOT.glob(pattern)):
            yield path, path.read_text()


def python_code(path):
    """The source of ``path`` without the module documentation strings and docstrings (they may quote facts as examples)."""
    source = path.read_text()
    tree = ast.parse(source)
    drop = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("DOCUMENTATION", "EXAMPLES", "RETURN") for t in node.targets):
            drop.append(node.value)
        elif isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node, clean=False) is not None:
            drop.append(node.body[0].value)
    lines = source.splitlines(keepends=True)
    for node in sorted(drop, key=lambda n: n.lineno, reverse=True):
        start, end = node.lineno - 1, node.end_lineno
        lines[start:end] = ["\n"] * (end - start)
    return "".join(lines)


def places(pattern, files=None):
    """Relative paths of the code files in which the regex ``pattern`` occurs."""
    regex = re.compile(pattern)
    return sorted(str(path.relative_to(ROOT)) for path, text in (files or code_files()) if regex.search(text))


@pytest.fixture(scope="module")
def files():
    return list(code_files())


def test_the_source_reader_sees_plugins_and_roles(files):
    names = {str(path.relative_to(ROOT)) for path, _text in files}
    assert "plugins/module_utils/controls.py" in names and "roles/pv_to_hvm/tasks/migrate.yml" in names
    # and it drops documentation: paravirtual.py's docstring names the server-side filter, its code still does
    code = python_code(MODULE_UTILS / "paravirtual.py")
    assert "DescribeVolumes by" in (MODULE_UTILS / "paravirtual.py").read_text() and "DescribeVolumes by" not in code
    assert "virtualization-type" in code


@pytest.mark.parametrize("control", controls.CONTROLS)
def test_control_titles_have_one_home(files, control):
    assert places(re.escape(controls.TITLES[control][:40]), files) == ["plugins/module_utils/controls.py"]


@pytest.mark.parametrize("reason", sorted(controls.REASON_TEXTS))
def test_reason_texts_have_one_home(files, reason):
    assert places(re.escape(controls.REASON_TEXTS[reason][:30]), files) == ["plugins/module_utils/controls.py"]


@pytest.mark.parametrize("control", controls.CONTROLS)
def test_config_rule_names_have_one_home(files, control):
    assert places(re.escape(controls.CONFIG_RULE[control]), files) == ["plugins/module_utils/controls.py"]


@pytest.mark.parametrize("family", ["t1", "m1", "m2", "c1", "cc1", "cc2", "cg1", "cr1", "hi1", "hs1"])
def test_the_instance_type_map_has_one_home(files, family):
    """A PV type mapped to its HVM replacement (``"m1.small": "t3.small"`` or ``m1.small: t3.small``) only in instance_types.py."""
    pairs = [(pv, hvm) for pv, hvm in instance_types.HVM_REPLACEMENT.items() if pv.partition(".")[0] == family]
    assert pairs, family
    for pv, hvm in pairs:
        pattern = r"""["']?%s["']?\s*[:=,]\s*["']?%s\b""" % (re.escape(pv), re.escape(hvm))
        assert places(pattern, files) == ["plugins/module_utils/instance_types.py"], (pv, hvm)


def test_the_role_default_is_an_override_on_top_of_the_built_in_map():
    defaults = yaml.safe_load((ROOT / "roles/pv_to_hvm/defaults/main.yml").read_text())
    assert defaults["pv_to_hvm_instance_type_map"] == {}


BLOCKED = {
    "root_device_type": "instance-store",
    "root_device_name": "/dev/sda1",
    "managed": True,
    "tags": {blockers.TAG_EMR: "j-1", blockers.TAG_OPSWORKS: "stack"},
    "owner": {"type": "cloudformation", "name": "web", "state_file": "prod.tfstate", "tag_key": "ManagedBy"},
    "autoscaling_group_name": "asg",
    "instance_lifecycle": "spot",
    "instance_store_devices": [{"device_name": "/dev/sdb", "virtual_name": "ephemeral0"}],
    "termination_protection": True,
    "stop_protection": True,
    "network_interfaces": [
        {"network_interface_id": "eni-0", "device_index": 0, "private_ip_address": "10.0.0.5", "private_ip_addresses": ["10.0.0.5", "10.0.0.6"]},
        {"network_interface_id": "eni-1", "device_index": 1, "private_ip_address": "10.0.0.9", "private_ip_addresses": ["10.0.0.9"]},
    ],
}


OWNER_KINDS = ("elastic_beanstalk", "terraform", "tag")


def test_every_blocker_code_has_a_message(files):
    found = {b["code"] for b in blockers.blockers(BLOCKED)}
    for kind in OWNER_KINDS:
        found |= {b["code"] for b in blockers.blockers(dict(BLOCKED, owner={"type": kind, "name": "e", "state_file": "s", "tag_key": "k"}))}
    assert found == set(blockers.CODES)


OTHER = dict(
    BLOCKED,
    root_device_name="/dev/xvda",
    tags={blockers.TAG_EMR: "j-2", blockers.TAG_OPSWORKS: "other"},
    owner={"type": "cloudformation", "name": "db", "state_file": "s3://bucket/db.json", "tag_key": "Owner"},
    operator_principal="ops.example.com",
    autoscaling_group_name="group-2",
    instance_store_devices=[{"device_name": "/dev/sdc", "virtual_name": "ephemeral1"}],
    network_interfaces=[
        {"network_interface_id": "eni-a", "device_index": 0, "private_ip_address": "10.1.0.5", "private_ip_addresses": ["10.1.0.5", "10.1.0.7"]},
        {"network_interface_id": "eni-b", "device_index": 2, "private_ip_address": "10.1.0.9", "private_ip_addresses": ["10.1.0.9"]},
    ],
)


def fixed_text(one, two):
    """The longest part two renderings of a message share: the literal text written in the source."""
    match = difflib.SequenceMatcher(None, one, two, autojunk=False).find_longest_match(0, len(one), 0, len(two))
    # trimmed: a value's first or last characters may happen to match the literal next to it
    return one[match.a + 3 : match.a + min(match.size - 3, 40)]


def message(record, code):
    for r in [record] + [dict(record, owner=dict(record["owner"], type=kind)) for kind in OWNER_KINDS]:
        for b in blockers.blockers(r):
            if b["code"] == code:
                return b["message"]
    raise AssertionError(code)


@pytest.mark.parametrize("code", blockers.CODES)
def test_blocker_texts_have_one_home(files, code):
    """Blocker messages and next actions are written in blockers.py only (the codes double as owner kinds and fields)."""
    text = fixed_text(message(BLOCKED, code), message(OTHER, code))
    assert len(text) >= 20 and places(re.escape(text), files) == ["plugins/module_utils/blockers.py"], (code, text)
    action = blockers.next_action(code, BLOCKED)
    if action:
        text = fixed_text(action, blockers.next_action(code, OTHER))
        assert len(text) >= 20 and places(re.escape(text), files) == ["plugins/module_utils/blockers.py"], (code, text)


@pytest.mark.parametrize("hint", sorted(blockers.WARNING_HINTS))
def test_warning_texts_have_one_home(files, hint):
    assert places(re.escape(blockers.WARNING_HINTS[hint][:30]), files) == ["plugins/module_utils/blockers.py"]


def test_migration_phases_have_one_home(files):
    """The ordered phase list exists once; YAML reads phases through filters, never as its own list."""
    middle = r"""["']?snapshotted["']?\s*,\s*["']?launched["']?"""
    assert places(middle, files) == ["plugins/module_utils/pv_migration.py"]
    assert pv_migration.PHASES.index("snapshotted") + 1 == pv_migration.PHASES.index("launched")


def test_instance_refresh_states_have_one_home(files):
    terminal = autoscaling.REFRESH_TERMINAL
    assert "RollbackSuccessful" in terminal
    assert places(r"RollbackSuccessful", files) == ["plugins/module_utils/autoscaling.py"]
    assert places(r"RollbackInProgress", files) == ["plugins/module_utils/autoscaling.py"]


@pytest.mark.parametrize(
    "definition",
    [
        r"def termination_protection\b",
        r"def account_id\b",
        r"def partition_for\b|def partition\b|def _partition\b",
        r"def (?:wait_until|wait_for|wait_for_waiter|poll)\b",
        r"def (?:describe_launch_configuration|one_launch_configuration)\b",
        r"def find_launch_template\b|def lookup_launch_template\b",
        r"def get_findings\b",
        r"def write_backup\b|def free_backup_path\b",
    ],
)
def test_helpers_are_defined_once(files, definition):
    found = places(definition, [(p, t) for p, t in files if p.suffix == ".py"])
    assert len(found) == 1, (definition, found)
    assert found[0].startswith("plugins/module_utils/"), found


def test_partition_names_come_from_botocore_not_a_copy(files):
    """The partitions (aws, aws-cn, aws-us-gov, iso...) and their regions are botocore's data, read in partitions.py."""
    assert places(r"""["']aws-iso-b["']|["']aws-us-gov["']|["']cn-north-1["']\s*:""", files) == []


def test_getfindings_paging_uses_the_botocore_paginator(files):
    assert places(r"""\.get_findings\(""", files) == []
    assert places(r"""["']get_findings["']""", files) == ["plugins/module_utils/securityhub_api.py"]


def test_no_home_made_wait_loops_in_modules_or_roles(files):
    """Modules wait through module_utils/waiting.py; roles do not loop with until on AWS state."""
    sleeping = places(r"time\.sleep\(", files)
    # besides the poll helper, two modules sleep once (settle_seconds: let a concurrent run's tag write land, claims.py)
    assert sleeping == ["plugins/module_utils/waiting.py", "plugins/modules/ec2_migration_state.py", "plugins/modules/launch_template_from_config.py"]
    for path in sleeping[1:]:
        assert re.findall(r"time\.sleep\(([^)]*)\)", (ROOT / path).read_text()) == ['module.params["settle_seconds"]'], path
    assert places(r"^\s*until:", [(p, t) for p, t in files if p.suffix == ".yml"]) == []


def test_one_credentials_block_per_role(files):
    """The per-account module_defaults block exists once per role (tasks/in_account.yml), fed by hubfix_aws_credentials."""
    found = places(r"module_defaults:", [(p, t) for p, t in files if p.suffix == ".yml"])
    assert all(f.endswith("/in_account.yml") or f.startswith("playbooks/") for f in found), found
    assert (
        places(r"aws_access_key|access_key:", [(p, t) for p, t in files if p.suffix == ".yml"]) == sorted(f for f in found if f.startswith("roles/"))
        or places(r"aws_access_key|access_key:", [(p, t) for p, t in files if p.suffix == ".yml"]) == []
    )
