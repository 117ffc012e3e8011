#!/usr/bin/env bash
# Prerequisites of `make demo` / `make test` (run by the Makefile before .venv is created; runs on plain bash + the
# system Python, nothing from .venv): make, a Python >= 3.11 whose `-m venv` and ensurepip work, and the package index.
# Every problem is listed at once with what to install for this system (/etc/os-release); exit 1 then, else exit 0
# quietly (at most one note line).
#
#   bash scripts/check-prereqs.sh                 # the check
#   bash scripts/check-prereqs.sh --print-python  # print the Python to build .venv with (scripts/find-python.sh)
#
# Overrides (tests): HUBFIX_OS_RELEASE (default /etc/os-release), HUBFIX_PYTHON_CANDIDATES (space-separated commands
# or paths, newest first), HUBFIX_VENV (default .venv beside scripts/), HUBFIX_NET_TIMEOUT (seconds, default 10).
# The index is PIP_INDEX_URL, else index-url from pip's config files (what `pip config` shows), else PyPI.
set -u

mode=check
case "${1:-}" in
  --print-python) mode=python ;;
  "") ;;
  *) echo "usage: $0 [--print-python]" >&2; exit 2 ;;
esac

here=${BASH_SOURCE[0]%/*}
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
venv=${HUBFIX_VENV:-$here/../.venv}
timeout=${HUBFIX_NET_TIMEOUT:-10}

problems=()
note=""

# --- the system, from os-release (read, not sourced) -------------------------------------------------------------
os_id="" os_like="" os_version="" os_codename="" os_name=""
os_release=${HUBFIX_OS_RELEASE:-/etc/os-release}
if [ -r "$os_release" ]; then
  while IFS='=' read -r key value || [ -n "$key" ]; do
    value=${value%\"}; value=${value#\"}; value=${value%\'}; value=${value#\'}
    case "$key" in
      ID) os_id=$value ;;
      ID_LIKE) os_like=$value ;;
      VERSION_ID) os_version=$value ;;
      VERSION_CODENAME) [ -z "$os_codename" ] && os_codename=$value ;;
      UBUNTU_CODENAME) os_codename=$value ;; # derivatives (Mint, Pop!_OS) name the Ubuntu release they are built on
      PRETTY_NAME) os_name=$value ;;
    esac
  done <"$os_release"
fi
family=other
case " $os_id $os_like " in
  *" ubuntu "*) family=ubuntu ;;
  *" debian "*) family=debian ;;
  *" rhel "* | *" centos "* | *" rocky "* | *" almalinux "* | *" ol "*) family=rhel ;;
  *" fedora "*) family=fedora ;;
esac
[ "$os_id" = amzn ] && family=amzn
if [ "$family" = other ] && [ ! -r "$os_release" ] && [ "$(uname -s 2>/dev/null)" = Darwin ]; then
  family=macos
fi
os_major=${os_version%%.*}
[[ "$os_major" =~ ^[0-9]+$ ]] || os_major=0

# What to install when no Python >= 3.11 runs at all.
python_advice() {
  case "$family" in
    ubuntu)
      case "$os_codename" in
        jammy) echo "apt-get install python3.11 python3.11-venv" ;;
        xenial | bionic | focal)
          echo "${os_name:-this Ubuntu} has no Python >= 3.11 package: add-apt-repository ppa:deadsnakes/ppa &&" \
            "apt-get install python3.11 python3.11-venv, or install Python 3.12 with pyenv" ;;
        *) echo "apt-get install python3 python3-venv" ;;
      esac ;;
    debian)
      if [ "$os_major" -gt 0 ] && [ "$os_major" -lt 12 ]; then
        echo "${os_name:-this Debian} has no Python >= 3.11 package: upgrade to Debian 12 or newer, or install" \
          "Python 3.12 with pyenv or from python.org"
      else
        echo "apt-get install python3 python3-venv"
      fi ;;
    rhel)
      if [ "$os_major" -ge 10 ]; then
        echo "dnf install python3"
      elif [ "$os_major" -ge 8 ]; then
        echo "dnf install python3.12 (or python3.11)"
      else
        echo "${os_name:-this system} has no Python >= 3.11 package: install Python 3.12 with pyenv or from python.org"
      fi ;;
    amzn)
      if [ "$os_major" -ge 2023 ]; then
        echo "dnf install python3.12 (or python3.11)"
      else
        echo "${os_name:-this Amazon Linux} has no Python >= 3.11 package: use Amazon Linux 2023, or install Python 3.12" \
          "with pyenv"
      fi ;;
    fedora) echo "dnf install python3" ;;
    macos) echo "brew install python@3.12 (or the python.org installer)" ;;
    *) echo "install Python 3.12 (or 3.11) with its venv module: your system's package manager, python.org or pyenv" ;;
  esac
}

# What to install when Python $1 (X.Y) runs but its venv / ensurepip does not; $2 is its real path.
venv_advice() {
  local ver=$1 real=$2 root=${PYENV_ROOT:-${HOME:-}/.pyenv}
  case "$real" in
    "$root"/versions/*)
      local name=${real#"$root"/versions/}
      echo "pyenv install --force ${name%%/*}"
      return ;;
  esac
  case "$family" in
    ubuntu | debian) echo "apt-get install python$ver-venv" ;;
    rhel | amzn) echo "dnf install python$ver-pip-wheel" ;;
    fedora) echo "dnf reinstall python$ver" ;;
    macos) echo "brew reinstall python@$ver" ;;
    *) echo "install the venv / ensurepip part of Python $ver (a python.org or pyenv build has it)" ;;
  esac
}

make_advice() {
  case "$family" in
    ubuntu | debian) echo "apt-get install make" ;;
    rhel | fedora | amzn) echo "dnf install make" ;;
    macos) echo "xcode-select --install" ;;
    *) echo "install GNU make with your system's package manager" ;;
  esac
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t hubfix)
trap 'rm -rf "$tmp"' EXIT

# --- Python ------------------------------------------------------------------------------------------------------
# Candidates newest first; pyenv shims exist on PATH for versions that are not activated, so each one is run.
if [ -n "${HUBFIX_PYTHON_CANDIDATES:-}" ]; then
  read -r -a cands <<<"$HUBFIX_PYTHON_CANDIDATES"
else
  cands=()
  for v in 3.14 3.13 3.12 3.11; do
    # A pyenv version's own binary before the command: a shim takes ~1 s to fail when its version is not activated.
    if [ -n "${PYENV_ROOT:-}" ] || [ -d "${HOME:-}/.pyenv" ]; then
      root="${PYENV_ROOT:-${HOME:-}/.pyenv}"
      for p in "$root"/versions/"$v"*/bin/python"$v"; do [ -x "$p" ] && cands+=("$p"); done
    fi
    cands+=("python$v")
  done
  cands+=(python3)
fi

VERSION_PY='import os, sys; print("%d.%d\t%s\t%s" % (sys.version_info[0], sys.version_info[1], os.path.realpath(sys.executable), sys.executable))'
ENSUREPIP_PY='import ensurepip; print(ensurepip.version())'

python=""        # the Python .venv is built with
any_python=""    # any Python 3 that runs (for the network probe)
broken=""        # the first Python >= 3.11 whose venv / ensurepip fails, with its advice
older=""         # the newest Python < 3.11 seen, "name is X.Y"
seen=" "
venv_ok() { [ -x "$venv/bin/python" ] && "$venv/bin/python" -I -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

if [ "$mode" = python ] || ! venv_ok; then
  n=0
  for c in "${cands[@]}"; do
    out=$("$c" -I -c "$VERSION_PY" 2>/dev/null) || continue
    IFS=$'\t' read -r ver real exe <<<"$out"
    [[ "$ver" =~ ^3\.[0-9]+$ ]] || continue
    case "$seen" in *" $real "*) continue ;; esac
    seen="$seen$real "
    [ -z "$any_python" ] && any_python=$c
    name=${c##*/}
    [ "$name" = "python$ver" ] || name="$c (Python $ver)"
    minor=${ver#3.}
    if [ "$minor" -lt 11 ]; then
      [ -z "$older" ] && older="${c##*/} is $ver"
      continue
    fi
    n=$((n + 1))
    if ! err=$("$c" -I -c "$ENSUREPIP_PY" 2>&1 >/dev/null); then
      problem="$name found but ensurepip is missing: $(venv_advice "$ver" "$real")"
    elif ! err=$("$c" -I -m venv --without-pip "$tmp/venv$n" 2>&1 >/dev/null); then
      err=${err%$'\n'}
      problem="$name found but \`$name -m venv\` fails (${err##*$'\n'}): $(venv_advice "$ver" "$real")"
    else
      python=$exe
      [ -n "$broken" ] && note="hubfix: note: using $exe ($ver); $broken"
      break
    fi
    [ -z "$broken" ] && broken=$problem
  done
  if [ -z "$python" ]; then
    if [ -n "$broken" ]; then
      problems+=("$broken")
    elif [ -n "$older" ]; then
      problems+=("no Python >= 3.11 found ($older): $(python_advice)")
    else
      problems+=("no Python >= 3.11 found (no Python 3 at all): $(python_advice)")
    fi
  fi
fi

if [ "$mode" = python ]; then
  if [ -n "$python" ]; then
    echo "$python"
    exit 0
  fi
  echo "hubfix: cannot set up .venv, install or fix first:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi

# --- make --------------------------------------------------------------------------------------------------------
if [ -z "${MAKELEVEL:-}" ] && ! command -v make >/dev/null 2>&1; then
  problems+=("make not found: $(make_advice)")
fi

# --- the package index (not needed once .venv is installed) ------------------------------------------------------
NET_PY='
import base64, configparser, os, sys, threading, urllib.error, urllib.parse, urllib.request

timeout = float(sys.argv[1])


def truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def pip_setting(key):
    """PIP_<KEY>, else the last value in pip'"'"'s config files ([global], then [install]), as pip reads them."""
    env = os.environ.get("PIP_" + key.upper().replace("-", "_"))
    if env:
        return env
    files = [os.path.join(d, "pip", "pip.conf") for d in os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":") if d]
    files.append("/etc/pip.conf")
    config_file = os.environ.get("PIP_CONFIG_FILE")
    if not (config_file and os.path.exists(config_file)):
        home = os.path.expanduser("~")
        files.append(os.path.join(home, ".pip", "pip.conf"))
        files.append(os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "pip", "pip.conf"))
    if config_file:
        files.append(config_file)
    value = None
    for path in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(path)
        except (OSError, configparser.Error):
            continue
        for section in ("global", "install"):
            for name in (key, key.replace("-", "_")):
                if parser.has_option(section, name):
                    value = parser.get(section, name)
    return value


if truthy(pip_setting("no-index") or ""):
    sys.exit(0)
index = (pip_setting("index-url") or "https://pypi.org/simple/").split()[0]
parts = urllib.parse.urlsplit(index)
shown = index
headers = {}
if parts.username is not None:
    host = parts.hostname + (":%d" % parts.port if parts.port else "")
    shown = urllib.parse.urlunsplit((parts.scheme, "****@" + host, parts.path, parts.query, parts.fragment))
    auth = "%s:%s" % (urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""))
    headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    index = urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
hint = "check the network, or set PIP_INDEX_URL to a reachable index (mirror), or HTTPS_PROXY to your proxy"
if parts.scheme == "file":
    if not os.path.isdir(urllib.request.url2pathname(parts.path)):
        print("package index %s does not exist: set PIP_INDEX_URL to a reachable index" % shown)
        sys.exit(1)
    sys.exit(0)
result = []


def probe():
    request = urllib.request.Request(index.rstrip("/") + "/pip/", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            result.append("HTTP %d %s" % (exc.code, exc.reason))
    except urllib.error.URLError as exc:
        reason = exc.reason
        result.append(getattr(reason, "strerror", None) or str(reason))
    except OSError as exc:
        result.append(exc.strerror or str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        result.append(str(exc))


thread = threading.Thread(target=probe, daemon=True)
thread.start()
thread.join(timeout + 1)
if thread.is_alive() or result == ["timed out"]:
    result = ["no answer within %g s" % timeout]
if result:
    print("package index %s not reachable (%s): %s" % (shown, result[0], hint))
    sys.exit(1)
'
if [ ! -f "$venv/.hubfix-installed" ]; then
  probe_py=${python:-$any_python}
  if [ -n "$probe_py" ]; then
    if ! out=$("$probe_py" -I -c "$NET_PY" "$timeout" 2>&1); then
      problems+=("${out:-package index check failed}")
    fi
  elif command -v curl >/dev/null 2>&1; then
    index=${PIP_INDEX_URL:-https://pypi.org/simple/}
    if ! curl -fsS -o /dev/null -m "$timeout" "${index%/}/pip/" 2>/dev/null; then
      problems+=("package index $index not reachable: check the network, or set PIP_INDEX_URL to a reachable index (mirror), or HTTPS_PROXY to your proxy")
    fi
  fi
fi

if [ "${#problems[@]}" -gt 0 ]; then
  echo "hubfix: cannot set up .venv, install or fix first:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
[ -n "$note" ] && echo "$note" >&2
exit 0
