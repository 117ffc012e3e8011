"""Offline stand-in for the get-pip.py that ansible-test downloads (no internet here, PyPI only).

ansible-test runs it as ``python get_pip_X_Y.py [pip options] pip==X.Y ... --no-setuptools --no-wheel``
inside a fresh virtual environment. Bootstrap pip from the interpreter's bundled wheel, then let that
pip install the pinned versions from the package index as configured on this machine.
"""

import os
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
env = dict(os.environ)
# ensurepip points PIP_CONFIG_FILE at /dev/null, which drops the machine's index and certificate settings.
env.pop("PIP_CONFIG_FILE", None)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=env)
