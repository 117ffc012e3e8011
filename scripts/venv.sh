#!/usr/bin/env bash
# Create .venv (pinned toolchain), install amazon.aws (+ community.aws for benchmarks) from the `ansible`
# wheel without the 550 MB bundle, and link this collection under ansible_collections/hubfix/aws.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
ANSIBLE_BUNDLE=12.3.0   # carries amazon.aws 10.1.2 and community.aws 10.0.0
COLL=$VENV/collections/ansible_collections

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
mkdir -p "$COLL/hubfix"
ln -sfn "$ROOT" "$COLL/hubfix/aws"
touch "$VENV/.hubfix-installed"
echo "hubfix: .venv ready ($("$VENV/bin/python" -c "import ansible.release as r; print('ansible [core %s]' % r.__version__)"), amazon.aws $("$VENV/bin/python" -c "import json;print(json.load(open('$COLL/amazon/aws/MANIFEST.json'))['collection_info']['version'])"))"
