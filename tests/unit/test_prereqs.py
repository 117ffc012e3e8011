"""scripts/check-prereqs.sh: the advice it prints for each missing prerequisite, on a fake PATH with stub Pythons.

The stubs are small shell scripts: they answer the script's version, ensurepip and venv probes as told, and hand
anything else (the package index probe) to the real interpreter running these tests. No network: the index is a
server on 127.0.0.1 or a closed port there. The last test keeps galaxy.yml's amazon.aws range on the one CI tests.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-prereqs.sh"
FIND_PYTHON = ROOT / "scripts" / "find-python.sh"
BASH = shutil.which("bash") or "/bin/bash"
HEADER = "hubfix: cannot set up .venv, install or fix first:"
NET_HINT = "check the network, or set PIP_INDEX_URL to a reachable index (mirror), or HTTPS_PROXY to your proxy"

OS_RELEASE = {
    "debian12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    "debian11": 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n',
    "ubuntu2204": (
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n'
    ),
    "ubuntu2004": ('PRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=focal\n'),
    "rhel9": 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n',
    "rocky9": 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n',
    "amzn2023": 'NAME="Amazon Linux"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n',
    "alpine": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\n',
}

NO_ENSUREPIP = "ModuleNotFoundError: No module named 'ensurepip'"


def stub(path: Path, version: str, *, ensurepip: bool = True, venv: bool = True, runs: bool = True) -> Path:
    """A fake Python ``version``; ``runs=False`` is a pyenv shim of a version that is not activated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not runs:
        body = f'echo "pyenv: {path.name}: command not found" >&2\nexit 127\n'
    else:
        ensurepip_answer = "echo 23.0.1; exit 0" if ensurepip else f'echo "{NO_ENSUREPIP}" >&2; exit 1'
        venv_answer = "exit 0" if venv else "echo \"Error: [Errno 13] Permission denied: '/x'\" >&2; exit 1"
        body = (
            'case "$*" in\n'
            f"  *version_info*) printf '%s\\t%s\\t%s\\n' '{version}' \"$0\" \"$0\"; exit 0 ;;\n"
            f'  *"import ensurepip"*) {ensurepip_answer} ;;\n'
            f'  *"-m venv"*) {venv_answer} ;;\n'
            "esac\n"
            f'exec "{sys.executable}" "$@"\n'
        )
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


class Env:
    """A fake system: PATH = stub Pythons + the few tools the script uses (make only if asked), an os-release."""

    def __init__(self, tmp: Path, distro: str = "debian12", make: bool = True):
        self.tmp = tmp
        self.bin = tmp / "bin"
        self.tools = tmp / "tools"
        self.bin.mkdir()
        self.tools.mkdir()
        for tool in ("mktemp", "rm", "uname"):
            found = shutil.which(tool)
            if found:
                (self.tools / tool).symlink_to(found)
        if make:
            (self.tools / "make").write_text("#!/bin/sh\nexit 0\n")
            (self.tools / "make").chmod(0o755)
        self.os_release = tmp / "os-release"
        if distro:
            self.os_release.write_text(OS_RELEASE[distro])
        self.venv = tmp / "venv"
        (tmp / "home").mkdir()
        self.candidates = "python3.14 python3.13 python3.12 python3.11 python3"
        self.index = "https://pypi.org/simple/"  # unreachable in these tests unless .venv is "installed"

    def python(self, name: str, version: str, **kwargs) -> Path:
        return stub(self.bin / name, version, **kwargs)

    def installed(self):
        self.venv.mkdir(exist_ok=True)
        (self.venv / ".hubfix-installed").write_text("")

    def run(self, script: Path = CHECK, *args: str, **extra: str) -> subprocess.CompletedProcess:
        env = {
            "PATH": f"{self.bin}:{self.tools}",
            "HOME": str(self.tmp / "home"),
            "HUBFIX_OS_RELEASE": str(self.os_release),
            "HUBFIX_PYTHON_CANDIDATES": self.candidates,
            "HUBFIX_VENV": str(self.venv),
            "PIP_INDEX_URL": self.index,
            "PIP_CONFIG_FILE": os.devnull,
            "NO_PROXY": "*",
            "LC_ALL": "C",
        }
        env.update(extra)
        return subprocess.run([BASH, str(script), *args], env=env, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def system(tmp_path):
    return Env(tmp_path)


@pytest.fixture(scope="module")
def index_server():
    """A package index on 127.0.0.1 that answers 200."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html></html>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/simple/" % server.server_address[1]
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def problems(result: subprocess.CompletedProcess) -> list[str]:
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result
    assert lines[0] == HEADER
    return [line.removeprefix("  - ") for line in lines[1:]]


def test_good_python_and_index_is_quiet(system, index_server):
    good = system.python("python3.11", "3.11")
    system.index = index_server
    result = system.run()
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    found = system.run(FIND_PYTHON)
    assert (found.returncode, found.stdout) == (0, f"{good}\n")


def test_ensurepip_missing_debian(system):
    system.python("python3.11", "3.11", ensurepip=False, venv=False)
    system.installed()
    assert problems(system.run()) == ["python3.11 found but ensurepip is missing: apt-get install python3.11-venv"]
    found = system.run(FIND_PYTHON)
    assert found.returncode == 1
    assert found.stdout == ""
    assert found.stderr.splitlines() == [HEADER, "  - python3.11 found but ensurepip is missing: apt-get install python3.11-venv"]


def test_ensurepip_missing_python3_named_by_version(tmp_path):
    system = Env(tmp_path, "ubuntu2204")
    system.python("python3", "3.12", ensurepip=False)
    system.installed()
    assert problems(system.run()) == ["python3 (Python 3.12) found but ensurepip is missing: apt-get install python3.12-venv"]


def test_ensurepip_missing_rhel(tmp_path):
    system = Env(tmp_path, "rhel9")
    system.python("python3.11", "3.11", ensurepip=False)
    system.installed()
    assert problems(system.run()) == ["python3.11 found but ensurepip is missing: dnf install python3.11-pip-wheel"]


def test_ensurepip_missing_pyenv_build(system):
    root = system.tmp / "pyenv"
    pyenv_python = stub(root / "versions" / "3.11.9" / "bin" / "python3.11", "3.11", ensurepip=False)
    system.candidates = str(pyenv_python)
    system.installed()
    result = system.run(PYENV_ROOT=str(root))
    assert problems(result) == ["python3.11 found but ensurepip is missing: pyenv install --force 3.11.9"]


def test_venv_failing(system):
    system.python("python3.12", "3.12", venv=False)
    system.installed()
    assert problems(system.run()) == [
        "python3.12 found but `python3.12 -m venv` fails (Error: [Errno 13] Permission denied: '/x'): apt-get install python3.12-venv"
    ]


@pytest.mark.parametrize(
    ("distro", "advice"),
    [
        ("ubuntu2204", "apt-get install python3.11 python3.11-venv"),
        ("rhel9", "dnf install python3.12 (or python3.11)"),
        ("rocky9", "dnf install python3.12 (or python3.11)"),
        ("amzn2023", "dnf install python3.12 (or python3.11)"),
        (
            "ubuntu2004",
            "Ubuntu 20.04.6 LTS has no Python >= 3.11 package: add-apt-repository ppa:deadsnakes/ppa && "
            "apt-get install python3.11 python3.11-venv, or install Python 3.12 with pyenv",
        ),
        (
            "debian11",
            "Debian GNU/Linux 11 (bullseye) has no Python >= 3.11 package: upgrade to Debian 12 or newer, or install Python 3.12 with pyenv or from python.org",
        ),
        ("alpine", "install Python 3.12 (or 3.11) with its venv module: your system's package manager, python.org or pyenv"),
        ("", "install Python 3.12 (or 3.11) with its venv module: your system's package manager, python.org or pyenv"),
    ],
)
def test_only_python_310(tmp_path, distro, advice):
    system = Env(tmp_path, distro)
    system.python("python3", "3.10")
    system.installed()
    assert problems(system.run()) == [f"no Python >= 3.11 found (python3 is 3.10): {advice}"]


def test_no_python_at_all(system):
    system.installed()
    assert problems(system.run()) == ["no Python >= 3.11 found (no Python 3 at all): apt-get install python3 python3-venv"]


def test_index_unreachable(system):
    system.python("python3.11", "3.11")
    system.index = "http://127.0.0.1:%d/simple/" % closed_port()
    assert problems(system.run()) == [f"package index {system.index} not reachable (Connection refused): {NET_HINT}"]


def test_index_silent(system):
    """A server that takes the connection and never answers: the probe gives up after HUBFIX_NET_TIMEOUT."""
    system.python("python3.11", "3.11")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        system.index = "http://127.0.0.1:%d/simple/" % sock.getsockname()[1]
        result = system.run(HUBFIX_NET_TIMEOUT="0.3")
    assert problems(result) == [f"package index {system.index} not reachable (no answer within 0.3 s): {NET_HINT}"]


def test_index_credentials_not_shown(system):
    system.python("python3.11", "3.11")
    port = closed_port()
    system.index = "http://bob:secret@127.0.0.1:%d/simple/" % port
    assert problems(system.run()) == [f"package index http://****@127.0.0.1:{port}/simple/ not reachable (Connection refused): {NET_HINT}"]


def test_no_network_check_once_installed(system):
    system.python("python3.11", "3.11")
    system.index = "http://127.0.0.1:%d/simple/" % closed_port()
    system.installed()
    result = system.run()
    assert (result.returncode, result.stderr) == (0, "")


def test_everything_missing_is_listed_at_once(tmp_path):
    system = Env(tmp_path, "debian12", make=False)
    system.python("python3.11", "3.11", ensurepip=False)
    system.index = "http://127.0.0.1:%d/simple/" % closed_port()
    assert problems(system.run()) == [
        "python3.11 found but ensurepip is missing: apt-get install python3.11-venv",
        "make not found: apt-get install make",
        f"package index {system.index} not reachable (Connection refused): {NET_HINT}",
    ]
    # Run by make (make is there), .venv installed (no index needed): only the Python is left.
    system.installed()
    assert problems(system.run(MAKELEVEL="1")) == ["python3.11 found but ensurepip is missing: apt-get install python3.11-venv"]


def test_inactive_pyenv_shim_and_broken_newer_python(system):
    """A shim that only says "command not found" is no candidate; a newer Python without ensurepip is noted."""
    system.python("python3.13", "3.13", ensurepip=False)
    system.python("python3.12", "3.12", runs=False)
    good = system.python("python3.11", "3.11")
    system.installed()
    result = system.run()
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [f"hubfix: note: using {good} (3.11); python3.13 found but ensurepip is missing: apt-get install python3.13-venv"]
    found = system.run(FIND_PYTHON)
    assert (found.returncode, found.stdout) == (0, f"{good}\n")


def test_existing_venv_needs_no_system_python(system):
    stub(system.venv / "bin" / "python", "3.13")
    system.installed()
    result = system.run()
    assert (result.returncode, result.stderr) == (0, "")


def meets(version: str, spec: str) -> bool:
    """ansible-galaxy's version range check (comma-separated >=, >, <=, <, ==, !=) for plain X.Y.Z versions."""
    ops = {">=": "__ge__", "<=": "__le__", "!=": "__ne__", "==": "__eq__", ">": "__gt__", "<": "__lt__"}

    def key(text):
        return tuple(int(part) for part in text.split("."))

    for clause in spec.split(","):
        clause = clause.strip()
        op = next(o for o in ops if clause.startswith(o))
        if not getattr(key(version), ops[op])(key(clause[len(op) :].strip())):
            return False
    return True


def test_amazon_aws_range_is_what_ci_tests():
    """galaxy.yml and the EE allow the amazon.aws that .venv (scripts/venv.sh, ANSIBLE_BUNDLE) tests with, no newer minor."""
    yaml = pytest.importorskip("yaml")
    manifest = ROOT / ".venv" / "collections" / "ansible_collections" / "amazon" / "aws" / "MANIFEST.json"
    if not manifest.exists():
        pytest.skip("no .venv: make venv")
    tested = json.loads(manifest.read_text())["collection_info"]["version"]
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]["amazon.aws"]
    ee = yaml.safe_load((ROOT / "execution-environment.yml").read_text())["dependencies"]["galaxy"]["collections"]
    assert [c["version"] for c in ee if c["name"] == "amazon.aws"] == [galaxy]
    assert meets(tested, galaxy), (tested, galaxy)
    major, minor = tested.split(".")[:2]
    assert not meets("%s.%d.0" % (major, int(minor) + 1), galaxy), galaxy
    assert [meets(v, ">=10.1.2,<10.2.0") for v in ("10.1.1", "10.1.2", "10.1.9", "10.2.0", "11.0.0")] == [False, True, True, False, False]
