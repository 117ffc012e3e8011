#!/usr/bin/env bash
# Print the newest usable Python >= 3.11: 3.12+ gives the newest ansible-core, 3.11 falls back to 2.19.
# pyenv shims exist on PATH for versions that are not activated, so each candidate is actually run.
set -u
cands=()
for v in 3.14 3.13 3.12 3.11; do
  cands+=("python$v")
  if [ -n "${PYENV_ROOT:-}" ] || [ -d "$HOME/.pyenv" ]; then
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    for p in "$root"/versions/"$v"*/bin/python"$v"; do [ -x "$p" ] && cands+=("$p"); done
  fi
done
cands+=(python3)
for c in "${cands[@]}"; do
  if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then
    command -v "$c" >/dev/null 2>&1 && [ "${c#/}" = "$c" ] && c=$("$c" -c 'import sys; print(sys.executable)')
    echo "$c"
    exit 0
  fi
done
echo "no Python >= 3.11 found" >&2
exit 1
