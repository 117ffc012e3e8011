#!/usr/bin/env bash
# Print the newest usable Python >= 3.11: 3.12+ gives the newest ansible-core, 3.11 falls back to 2.19.
# "Usable" means `-m venv` and ensurepip work (Debian/Ubuntu ship ensurepip apart, in python3.X-venv); pyenv shims exist
# on PATH for versions that are not activated, so each candidate is actually run. The search, and the advice printed
# when none fits (what to install on this system), are in check-prereqs.sh.
here=${BASH_SOURCE[0]%/*}
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
exec "${BASH:-bash}" "$here/check-prereqs.sh" --print-python
