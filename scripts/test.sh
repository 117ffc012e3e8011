#!/usr/bin/env bash
# Everything CI runs. Usage: scripts/test.sh [all|lint|sanity|unit|integration]
# `all` runs the linters and ansible-test sanity first, then ONE pytest run (unit + integration),
# so the last line printed is pytest's summary and the exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$VENV/collections"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0
what=${1:-all}

lint() {
  echo "== ruff"
  local py_dirs=()
  for d in plugins tests benchmarks scripts extensions; do [ -d "$d" ] && py_dirs+=("$d"); done
  ruff check "${py_dirs[@]}"
  ruff format --check "${py_dirs[@]}"
  echo "== yamllint"
  yamllint -s .
  echo "== ansible-lint (production profile)"
  ansible-lint --profile production --offline
}

sanity() {
  echo "== ansible-test sanity"
  # ansible-test wants the collection at .../ansible_collections/hubfix/aws with its dependencies beside it,
  # and downloads a pip bootstrap script: give it an offline stand-in under a private HOME.
  local base=${SANITY_BASE:-$ROOT/build/sanity} home=${SANITY_HOME:-$ROOT/build/home}
  local coll=$base/ansible_collections/hubfix/aws
  rm -rf "$coll"
  mkdir -p "$coll" "$home/.ansible/test/cache"
  ln -sfn "$VENV/collections/ansible_collections/amazon" "$base/ansible_collections/amazon"
  if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents -P {} "$coll/" 2>/dev/null || true
  else
    tar --exclude=./.venv --exclude=./build --exclude=./tests/output -cf - . | tar -xf - -C "$coll"
  fi
  # build/ is ignored by this repository's git, so ansible-test would see no files: give the copy its own.
  (cd "$coll" && git init -q && git add -A)
  pipver=$(python -c 'import re, ansible_test, pathlib; p = pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py"; print(re.search(r"pip=.([0-9.]+)", p.read_text()).group(1))')
  cp scripts/get_pip_shim.py "$home/.ansible/test/cache/get_pip_${pipver//./_}.py"
  local py
  py=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  (cd "$coll" && HOME=$home ansible-test sanity --venv --python "$py" --color no ${SANITY_ARGS:-})
}

unit() { python -m pytest tests/unit "$@"; }
integration() { python -m pytest tests/integration "$@"; }

case "$what" in
  lint) lint ;;
  sanity) sanity ;;
  unit) unit ;;
  integration) integration ;;
  all)
    lint
    sanity
    echo "== pytest (unit + integration)"
    # Integration tests mostly wait on ansible-playbook and the simulator: three workers keep two cores busy; work stealing
    # (with the long scenarios collected first, tests/conftest.py) keeps one worker from finishing alone.
    python -m pytest -n "${PYTEST_WORKERS:-3}" --dist worksteal tests/unit tests/integration
    ;;
  *) echo "usage: $0 [all|lint|sanity|unit|integration]" >&2; exit 2 ;;
esac
